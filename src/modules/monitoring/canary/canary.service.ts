import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../../common/caller';
import { badInput, notFound } from '../../../common/errors';
import { Action, type AccessService } from '../../access';
import { DeploymentStrategy } from '../../deployments';
import type { ProductionMetricKind } from '../monitoring.rules';
import { readStoredSettings } from '../monitoring.store';
import { canaryRuleOf, canaryVerdict, compareMetric, type CanaryRule, type CanaryVerdict, type MetricComparison } from './canary.rules';

/** Strategies that run beside production and are judged against it. */
export const COMPARED_STRATEGIES: readonly string[] = [DeploymentStrategy.CANARY, DeploymentStrategy.SHADOW, DeploymentStrategy.AB_TEST];

export interface CanaryAnalysis {
  deploymentId: string;
  /** The ACTIVE deployment of the model's PRODUCTION version it is compared with; null when there is none. */
  baselineDeploymentId: string | null;
  verdict: CanaryVerdict;
  reason: string;
  /** How many report windows both deployments reported. */
  windows: number;
  metrics: MetricComparison[];
  rule: CanaryRule;
}

interface ComparedDeployment {
  id: string;
  modelId: string;
  environment: string;
}

/**
 * The canary against production over the same windows: each metric both reported for a window both reported,
 * weighted by observations on each side, then compared by the rule (canary.rules.ts). The production side is
 * the ACTIVE deployment of the model's PRODUCTION version, in the canary's environment when there is one.
 */
export async function analyseCanary(m: EntityManager, canary: ComparedDeployment, rule: CanaryRule): Promise<CanaryAnalysis> {
  const [baseline] = await m.query(
    `SELECT d.id FROM deployments d JOIN model_versions v ON v.id = d.version_id
     WHERE d.model_id = $1 AND v.stage = 'PRODUCTION' AND d.status = 'ACTIVE' AND d.id <> $2
     ORDER BY (d.environment = $3) DESC, (d.strategy <> ALL($4::text[])) DESC, d.created_at DESC LIMIT 1`,
    [canary.modelId, canary.id, canary.environment, COMPARED_STRATEGIES],
  );
  const none = (reason: string, baselineDeploymentId: string | null = null): CanaryAnalysis => ({
    deploymentId: canary.id,
    baselineDeploymentId,
    verdict: 'INCONCLUSIVE',
    reason,
    windows: 0,
    metrics: [],
    rule,
  });
  if (!baseline) return none('no ACTIVE deployment of the PRODUCTION version to compare with');
  const rows = (await m.query(
    `SELECT c.name, c.kind,
       sum(c.value * COALESCE(c.observations, 0)) / NULLIF(sum(COALESCE(c.observations, 0)), 0) AS canary_weighted,
       avg(c.value) AS canary_mean, COALESCE(sum(c.observations), 0)::float8 AS canary_observations,
       sum(b.value * COALESCE(b.observations, 0)) / NULLIF(sum(COALESCE(b.observations, 0)), 0) AS baseline_weighted,
       avg(b.value) AS baseline_mean, COALESCE(sum(b.observations), 0)::float8 AS baseline_observations,
       count(*)::int AS windows
     FROM production_metrics c
     JOIN production_metrics b ON b.deployment_id = $2 AND b.name = c.name AND b.window_start = c.window_start AND b.window_end = c.window_end
     WHERE c.deployment_id = $1
     GROUP BY c.name, c.kind ORDER BY c.name`,
    [canary.id, baseline.id],
  )) as Array<{
    name: string;
    kind: ProductionMetricKind;
    canary_weighted: number | null;
    canary_mean: number;
    canary_observations: number;
    baseline_weighted: number | null;
    baseline_mean: number;
    baseline_observations: number;
    windows: number;
  }>;
  if (!rows.length) return none('the two deployments have no report window in common yet', baseline.id);
  const [{ windows }] = (await m.query(
    `SELECT count(DISTINCT (c.window_start, c.window_end))::int AS windows FROM production_metrics c
     JOIN production_metrics b ON b.deployment_id = $2 AND b.name = c.name AND b.window_start = c.window_start AND b.window_end = c.window_end
     WHERE c.deployment_id = $1`,
    [canary.id, baseline.id],
  )) as Array<{ windows: number }>;
  // Weighted by observations where they were given; a metric reported without them has 0 observations, so
  // the rule's traffic guard finds it not comparable yet.
  const metrics = rows.map((r) =>
    compareMetric(
      r.name,
      r.kind,
      { value: r.canary_weighted ?? r.canary_mean, observations: r.canary_observations },
      { value: r.baseline_weighted ?? r.baseline_mean, observations: r.baseline_observations },
      rule,
    ),
  );
  const { verdict, reason } = canaryVerdict(metrics);
  return { deploymentId: canary.id, baselineDeploymentId: baseline.id, verdict, reason, windows, metrics, rule };
}

/** canaryAnalysis(deploymentId): a read; the verdicts that raise alerts are taken as the canary's metrics arrive. */
export class CanaryService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async analysis(caller: Caller, deploymentId: string): Promise<CanaryAnalysis> {
    const m = this.db.manager;
    const [d] = await m.query('SELECT id, model_id, environment, strategy FROM deployments WHERE id = $1', [deploymentId]);
    if (!d) throw notFound('deployment', deploymentId);
    await this.access.authorize(m, caller, Action.VIEW, d.model_id, notFound('deployment', deploymentId));
    if (!COMPARED_STRATEGIES.includes(d.strategy)) {
      throw badInput(
        'deploymentId',
        `is a ${d.strategy} deployment: canary analysis compares a CANARY, SHADOW or AB_TEST deployment with production`,
      );
    }
    const stored = await readStoredSettings(m, d.model_id);
    return analyseCanary(m, { id: d.id, modelId: d.model_id, environment: d.environment }, canaryRuleOf(stored?.canaryRule));
  }
}
