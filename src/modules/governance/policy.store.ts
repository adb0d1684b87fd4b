import type { EntityManager } from 'typeorm';
import { hydrate } from '../../db/hydrate';
import type { RegisteredModelEntity } from '../models';
import { PolicyEntity } from './policy.entity';
import { defaultPolicy, parsePolicy, type Policy } from './policy.rules';

export interface EffectivePolicy {
  policy: Policy;
  /** The stored policy in force, or null when the tier's default applies. */
  source: PolicyEntity | null;
}

/**
 * The policy in force for each model: its own latest, else its risk tier's latest, else the tier's
 * default. One statement for any number of models.
 */
export async function effectivePolicies(m: EntityManager, models: readonly RegisteredModelEntity[]): Promise<Map<string, EffectivePolicy>> {
  const rows = await m.query(
    `SELECT DISTINCT ON (scope, scope_key) * FROM policies
     WHERE (scope = 'MODEL' AND scope_key = ANY($1::text[])) OR (scope = 'RISK_TIER' AND scope_key = ANY($2::text[]))
     ORDER BY scope, scope_key, version DESC`,
    [models.map((x) => x.id), [...new Set(models.map((x) => x.riskTier))]],
  );
  const latest = new Map<string, PolicyEntity>(
    rows.map((r: Record<string, unknown>) => [`${r.scope}/${r.scope_key}`, hydrate(m, PolicyEntity, r)]),
  );
  return new Map(
    models.map((model) => {
      const source = latest.get(`MODEL/${model.id}`) ?? latest.get(`RISK_TIER/${model.riskTier}`) ?? null;
      const policy = source ? parsePolicy(source.document, model.riskTier) : defaultPolicy(model.riskTier);
      return [model.id, { policy, source }];
    }),
  );
}

/** effectivePolicies for one model, read through `m` (a transaction's manager sees its own locks). */
export async function effectivePolicy(m: EntityManager, model: RegisteredModelEntity): Promise<EffectivePolicy> {
  return (await effectivePolicies(m, [model])).get(model.id) as EffectivePolicy;
}
