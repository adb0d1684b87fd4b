import type { DataSource } from 'typeorm';
import { TransactionHooks } from '../../common/hooks';
import type { Caller } from '../../common/caller';
import { RegistryAction } from '../../common/authorization';
import { conflict } from '../../common/errors';
import { validateText } from '../../common/text';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { lockModel, RegisteredModelEntity } from '../models';

export interface RetireModelInput {
  modelId: string;
  reason: string;
  /** Retire although a version is in PRODUCTION or a deployment is live: ADMIN only. */
  force?: boolean | null;
}

/** What still runs: the reason a retirement is refused, and what a forced one records. */
interface Live {
  productionVersions: Array<{ id: string; version: number }>;
  liveDeployments: Array<{ id: string; environment: string; status: string }>;
}

/**
 * Ends a whole model. Its versions, metrics, deployments and audit trail stay, and stay readable; the
 * model becomes read-only (the access module refuses every change but grants on a RETIRED model).
 */
export class RetirementService {
  /** Run with the model locked, before it retires: a module above may refuse (a legal hold). */
  readonly retiring = new TransactionHooks<[RegisteredModelEntity]>();

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** retireModel({ modelId, reason: 'replaced by fraud-v2' }) — MANAGE on the model; CONFLICT while something runs, unless forced. */
  async retire(caller: Caller, input: RetireModelInput): Promise<RegisteredModelEntity> {
    validateText(input.reason, 'reason', { required: true, max: 2000 });
    return this.db.transaction(async (m) => {
      await this.access.authorize(m, caller, Action.RETIRE, input.modelId);
      const before = await lockModel(m, input.modelId);
      await this.retiring.run(m, before);
      const live: Live = {
        productionVersions: await m.query(
          `SELECT id, version FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION' ORDER BY version`,
          [before.id],
        ),
        liveDeployments: await m.query(
          `SELECT id, environment, status FROM deployments WHERE model_id = $1 AND status IN ('ACTIVE', 'DRAINING') ORDER BY created_at, id`,
          [before.id],
        ),
      };
      const running = live.productionVersions.length > 0 || live.liveDeployments.length > 0;
      if (running && !input.force) {
        throw conflict(
          `model "${before.name}" still runs (${describe(live)}): end its deployments and archive its production version first, or have an ADMIN force it`,
          { ...live },
        );
      }
      if (running) this.access.authorizeRegistry(caller, RegistryAction.FORCE_RETIREMENT);
      const [after] = await writeReturning(
        m,
        RegisteredModelEntity,
        `UPDATE registered_models SET status = 'RETIRED', retired_at = now(), retired_by = $2, retirement_reason = $3,
           revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
        [before.id, caller.subject, input.reason.trim()],
      );
      await appendAudit(m, caller, {
        action: 'model.retired',
        subjectType: 'RegisteredModel',
        subjectId: after.id,
        modelId: after.id,
        payload: { before, after, forced: running, ...(running ? live : {}) },
      });
      return after;
    });
  }
}

function describe(live: Live): string {
  const parts = [
    ...live.productionVersions.map((v) => `version ${v.version} in PRODUCTION`),
    ...live.liveDeployments.map((d) => `${d.status} deployment in ${d.environment}`),
  ];
  return parts.join(', ');
}
