import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { RegistryAction } from '../../common/authorization';
import { badInput, conflict } from '../../common/errors';
import { validateText } from '../../common/text';
import { hydrate, hydratePages } from '../../db/hydrate';
import { keysetCounts, keysetPages, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { type RiskTier, lockModel, type RegisteredModelEntity } from '../models';
import { BaselineReference, type Comparator } from './governance.enums';
import { BaselineEntity, PolicyEntity } from './policy.entity';
import { parsePolicy } from './policy.rules';
import { effectivePolicies, type EffectivePolicy } from './policy.store';

export interface SetBaselineInput {
  modelId: string;
  metric: string;
  comparator: Comparator;
  reference: BaselineReference;
  threshold?: number | null;
  tolerance?: number | null;
}

export interface SetPolicyInput {
  modelId?: string | null;
  riskTier?: RiskTier | null;
  document: unknown;
}

/** Baselines and policies: the rules a version is validated and promoted against. */
export class PolicyService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** Creates or replaces the baseline of one metric of a model. */
  async setBaseline(caller: Caller, input: SetBaselineInput): Promise<BaselineEntity> {
    validateText(input.metric, 'metric', { required: true, max: 200, identifier: true });
    const tolerance = input.tolerance ?? 0;
    if (!Number.isFinite(tolerance) || tolerance < 0) throw badInput('tolerance', 'must be a finite number of at least 0');
    if (input.reference === BaselineReference.FIXED) {
      if (input.threshold === undefined || input.threshold === null || !Number.isFinite(input.threshold)) {
        throw badInput('threshold', 'a FIXED baseline needs a finite threshold');
      }
    } else if (input.threshold !== undefined && input.threshold !== null) {
      throw badInput('threshold', 'a PRODUCTION_VERSION baseline compares with the production version, not a threshold');
    }
    return this.db.transaction(async (m) => {
      await this.access.authorize(m, caller, Action.EDIT_POLICY, input.modelId);
      await lockModel(m, input.modelId);
      const [current] = await m.query('SELECT * FROM baselines WHERE model_id = $1 AND metric = $2', [input.modelId, input.metric]);
      const unchanged =
        current &&
        current.comparator === input.comparator &&
        current.reference === input.reference &&
        current.threshold === (input.threshold ?? null) &&
        current.tolerance === tolerance;
      if (unchanged) return hydrate(m, BaselineEntity, current); // the same baseline again: nothing is written
      const [after] = await writeReturning(
        m,
        BaselineEntity,
        `INSERT INTO baselines (model_id, metric, comparator, reference, threshold, tolerance, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (model_id, metric) DO UPDATE SET comparator = EXCLUDED.comparator, reference = EXCLUDED.reference,
           threshold = EXCLUDED.threshold, tolerance = EXCLUDED.tolerance, updated_by = EXCLUDED.updated_by,
           updated_at = now(), revision = baselines.revision + 1
         RETURNING *`,
        [input.modelId, input.metric, input.comparator, input.reference, input.threshold ?? null, tolerance, caller.subject],
      );
      await appendAudit(m, caller, {
        action: 'baseline.set',
        subjectType: 'Baseline',
        subjectId: after.id,
        modelId: input.modelId,
        payload: { before: current ? hydrate(m, BaselineEntity, current) : null, after },
      });
      return after;
    });
  }

  /**
   * Stores a new version of the policy for a model (EDIT_POLICY there) or for a risk tier (ADMIN: it
   * governs every model of the tier); a bad document is refused, pointing at the bad part.
   */
  async setPolicy(caller: Caller, input: SetPolicyInput): Promise<PolicyEntity> {
    if (Boolean(input.modelId) === Boolean(input.riskTier)) throw badInput('modelId', 'give exactly one of modelId and riskTier');
    if (input.riskTier) this.access.authorizeRegistry(caller, RegistryAction.GOVERN_ALL_MODELS);
    return this.db.transaction(async (m) => {
      let scope: 'MODEL' | 'RISK_TIER';
      let scopeKey: string;
      let modelId: string | null = null;
      if (input.modelId) {
        await this.access.authorize(m, caller, Action.EDIT_POLICY, input.modelId);
        const model = await lockModel(m, input.modelId);
        parsePolicy(input.document, model.riskTier);
        [scope, scopeKey, modelId] = ['MODEL', model.id, model.id];
      } else {
        parsePolicy(input.document, input.riskTier as RiskTier);
        [scope, scopeKey] = ['RISK_TIER', input.riskTier as RiskTier];
      }
      const [policy] = await writeReturning(
        m,
        PolicyEntity,
        `INSERT INTO policies (scope, scope_key, version, document, created_by)
         SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4 FROM policies WHERE scope = $1 AND scope_key = $2
         RETURNING *`,
        [scope, scopeKey, JSON.stringify(input.document), caller.subject],
        { error: () => conflict('another policy version was stored at the same moment: retry') },
      );
      await appendAudit(m, caller, {
        action: 'policy.set',
        subjectType: 'Policy',
        subjectId: policy.id,
        modelId,
        payload: { scope, scopeKey, version: policy.version, document: policy.document },
      });
      return policy;
    });
  }

  // ---- reads (batched) ----

  /** RegisteredModel.effectivePolicy, for models the request has loaded already. */
  effectivePoliciesOf(models: readonly RegisteredModelEntity[]): Promise<Map<string, EffectivePolicy>> {
    return effectivePolicies(this.db.manager, models);
  }

  async baselinePages(modelIds: readonly string[], page: PageArgs): Promise<Map<string, Page<BaselineEntity>>> {
    return hydratePages(this.db.manager, BaselineEntity, await keysetPages(this.db.manager, baselineList(modelIds), page));
  }

  baselineCounts(modelIds: readonly string[]): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, baselineList(modelIds));
  }
}

function baselineList(modelIds: readonly string[]): ListQuery {
  return { from: 'baselines', parent: { column: 'x.model_id', keys: modelIds }, order: ['x.metric', 'x.id'], direction: 'ASC' };
}
