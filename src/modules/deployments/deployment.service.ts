import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { TransactionHooks } from '../../common/hooks';
import { badInput, notFound, staleRevision } from '../../common/errors';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { hydrateByKey, hydratePages, readById } from '../../db/hydrate';
import { keysetCounts, keysetPages, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { DeploymentEntity } from './deployment.entity';
import { DeploymentStatus, type DeploymentStrategy } from './deployment.enums';
import { isFinal } from '../../common/transition-table';
import { assertStatusChange, DEPLOYABLE_STAGES, DEPLOYMENT_STATUS, validateEnvironment, validateTraffic } from './deployment.rules';

export interface RecordDeploymentInput {
  versionId: string;
  environment: string;
  endpoint: string;
  strategy: DeploymentStrategy;
  trafficPercent: number;
  overrideReason?: string | null;
}

export interface UpdateDeploymentInput {
  id: string;
  expectedRevision?: number | null;
  trafficPercent?: number | null;
  status?: DeploymentStatus | null;
}

/** Where versions run. Deploying a version outside STAGING or PRODUCTION needs a recorded override reason. */
export class DeploymentService {
  /** Run in every recording transaction, after the deployment is written and before its audit event. */
  readonly recorded = new TransactionHooks<[Caller, DeploymentEntity]>();

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async record(caller: Caller, input: RecordDeploymentInput): Promise<DeploymentEntity> {
    validateEnvironment(input.environment);
    validateText(input.endpoint, 'endpoint', { required: true, max: 2000, identifier: true });
    validateText(input.overrideReason, 'overrideReason', { max: 2000 });
    validateTraffic(input.trafficPercent);
    return this.db.transaction(async (m) => {
      const [version] = await m.query('SELECT id, model_id, version, stage FROM model_versions WHERE id = $1 FOR SHARE', [input.versionId]);
      if (!version) throw notFound('model version', input.versionId);
      await this.access.authorize(m, caller, Action.RECORD_DEPLOYMENT, version.model_id, notFound('model version', input.versionId));
      const override = input.overrideReason?.trim() || null;
      if (!DEPLOYABLE_STAGES.includes(version.stage) && !override) {
        throw badInput('overrideReason', `version ${version.version} is ${version.stage}: deploying it needs an override reason`);
      }
      const [deployment] = await writeReturning(
        m,
        DeploymentEntity,
        `INSERT INTO deployments (version_id, model_id, environment, endpoint, strategy, traffic_percent, status, override_reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $8) RETURNING *`,
        [version.id, version.model_id, input.environment, input.endpoint, input.strategy, input.trafficPercent, override, caller.subject],
      );
      await this.recorded.run(m, caller, deployment);
      await appendAudit(m, caller, {
        action: 'deployment.recorded',
        subjectType: 'Deployment',
        subjectId: deployment.id,
        modelId: deployment.modelId,
        payload: { before: null, after: deployment, versionStage: version.stage, overrideReason: override },
      });
      return deployment;
    });
  }

  /** Traffic shifts and status changes; ENDED and ROLLED_BACK are final. */
  async update(caller: Caller, input: UpdateDeploymentInput): Promise<DeploymentEntity> {
    validateTraffic(input.trafficPercent);
    return this.db.transaction(async (m) => {
      const before = await readById(m, DeploymentEntity, input.id, 'deployment', 'FOR UPDATE');
      await this.access.authorize(m, caller, Action.RECORD_DEPLOYMENT, before.modelId, notFound('deployment', input.id));
      if (input.expectedRevision !== undefined && input.expectedRevision !== null && input.expectedRevision !== before.revision) {
        throw staleRevision('deployment', before.revision, input.expectedRevision);
      }
      const status = input.status ?? before.status;
      assertStatusChange(before.status, status);
      if (status === before.status && (input.trafficPercent ?? before.trafficPercent) === before.trafficPercent) return before; // nothing changes
      const ending = isFinal(DEPLOYMENT_STATUS, status);
      const [after] = await writeReturning(
        m,
        DeploymentEntity,
        `UPDATE deployments SET status = $2, traffic_percent = $3, updated_at = now(), revision = revision + 1,
           ended_at = CASE WHEN $4 THEN now() ELSE ended_at END
         WHERE id = $1 RETURNING *`,
        [before.id, status, input.trafficPercent ?? before.trafficPercent, ending],
      );
      await appendAudit(m, caller, {
        action: ending ? `deployment.${status.toLowerCase()}` : 'deployment.updated',
        subjectType: 'Deployment',
        subjectId: after.id,
        modelId: after.modelId,
        payload: { before, after },
      });
      return after;
    });
  }

  async end(caller: Caller, id: string): Promise<DeploymentEntity> {
    return this.update(caller, { id, status: DeploymentStatus.ENDED });
  }

  // ---- reads (batched) ----

  /** The deployments among `ids` whose model the caller can see. */
  async byIds(caller: Caller, ids: readonly string[]): Promise<Map<string, DeploymentEntity>> {
    const rows = await this.access.visibleRows(caller, 'deployments', 'id', ids.filter(isUuid));
    return hydrateByKey(this.db.manager, DeploymentEntity, rows, (r) => String(r.id));
  }

  /** What a lineage graph labels each deployment with (`<environment>: <endpoint>`), for those the caller can see. */
  async labelsByIds(caller: Caller, ids: readonly string[]): Promise<Map<string, DeploymentLabel>> {
    const rows = await this.access.visibleRows(
      caller,
      'deployments',
      'id',
      ids.filter(isUuid),
      'model_id',
      'x.id, x.environment, x.endpoint',
    );
    return new Map(rows.map((r) => [String(r.id), { id: String(r.id), environment: String(r.environment), endpoint: String(r.endpoint) }]));
  }

  /** Every deployment of each version, or the ACTIVE and DRAINING ones of each model, newest first. */
  async pages(parents: readonly string[], of: DeploymentParent, page: PageArgs): Promise<Map<string, Page<DeploymentEntity>>> {
    return hydratePages(this.db.manager, DeploymentEntity, await keysetPages(this.db.manager, deploymentList(parents, of), page));
  }

  counts(parents: readonly string[], of: DeploymentParent): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, deploymentList(parents, of));
  }
}

/** What labelsByIds answers of a deployment. */
export type DeploymentLabel = Pick<DeploymentEntity, 'id' | 'environment' | 'endpoint'>;

/** 'version': all deployments of a version; 'activeOfModel': the ACTIVE and DRAINING ones of a model. */
export type DeploymentParent = 'version' | 'activeOfModel';

function deploymentList(parents: readonly string[], of: DeploymentParent): ListQuery {
  return {
    from: 'deployments',
    where: of === 'activeOfModel' ? [`x.status IN ('ACTIVE', 'DRAINING')`] : [],
    parent: { column: of === 'version' ? 'x.version_id' : 'x.model_id', keys: parents },
    order: ['x.created_at', 'x.id'],
    direction: 'DESC',
  };
}
