import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../../common/caller';
import { staleRevision } from '../../../common/errors';
import { Action, type AccessService } from '../../access';
import { appendAudit } from '../../audit';
import { hydrate } from '../../../db/hydrate';
import { SqlParams } from '../../../db/pagination';
import { validateCanaryRule, type CanaryRule } from '../canary/canary.rules';
import { validateThresholds, type DriftThresholds } from '../drift/drift.rules';
import { validateQualityTolerance, type QualityTolerance } from '../drift/quality.rules';
import { ModelMonitoringEntity } from '../monitoring.entity';
import { evaluateObjective, validateObjectives, type ObjectiveEvaluation, type ObjectiveSpec } from './objective.rules';
import { readSettings, type MonitoringSettings } from './objective.store';

export interface SetObjectivesInput {
  modelId: string;
  /** The whole set: objectives not listed are removed. */
  objectives: Array<Partial<ObjectiveSpec> & Pick<ObjectiveSpec, 'metric' | 'comparator' | 'target'>>;
  /** Overrides; absent keeps what is set, null goes back to the default. */
  driftThresholds?: DriftThresholds | null;
  qualityTolerance?: QualityTolerance | null;
  canaryRule?: CanaryRule | null;
  expectedRevision?: number | null;
}

export type ObjectiveStatus = ObjectiveSpec & ObjectiveEvaluation;

/**
 * Each objective of a model evaluated at `now` over its rolling window, from the production metrics of every
 * version and deployment of the model (`only`: just the objectives on these metrics).
 */
export async function evaluateObjectives(
  m: EntityManager,
  modelId: string,
  specs: ObjectiveSpec[],
  now: Date,
  only?: ReadonlySet<string>,
): Promise<ObjectiveStatus[]> {
  const wanted = only ? specs.filter((s) => only.has(s.metric)) : specs;
  if (!wanted.length) return [];
  const longest = Math.max(...wanted.map((s) => s.windowDays));
  const rows = (await m.query(
    `SELECT name, window_start, window_end, value FROM production_metrics
     WHERE model_id = $1 AND name = ANY($2) AND window_end > $3::timestamptz - make_interval(days => $4)`,
    [modelId, [...new Set(wanted.map((s) => s.metric))], now, longest],
  )) as Array<{ name: string; window_start: Date; window_end: Date; value: number }>;
  return wanted.map((spec) => ({
    ...spec,
    ...evaluateObjective(
      spec,
      rows.filter((r) => r.name === spec.metric).map((r) => ({ windowStart: r.window_start, windowEnd: r.window_end, value: r.value })),
      now,
    ),
  }));
}

/** setModelObjectives and objectiveStatus: what production must keep to, and how it is doing. */
export class ObjectiveService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * setModelObjectives({ modelId, objectives: [{ metric: 'latency_p99_ms', comparator: LTE, target: 500, budget: 0.01,
   * windowDays: 28 }] }): replaces the model's objectives; thresholds given override the defaults.
   */
  async set(caller: Caller, input: SetObjectivesInput): Promise<MonitoringSettings> {
    const objectives = validateObjectives(input.objectives);
    if (input.driftThresholds) validateThresholds(input.driftThresholds, 'driftThresholds');
    if (input.qualityTolerance) validateQualityTolerance(input.qualityTolerance);
    if (input.canaryRule) validateCanaryRule(input.canaryRule);
    return this.db.transaction(async (m) => {
      await this.access.authorize(m, caller, Action.SET_OBJECTIVES, input.modelId);
      await m.query('SELECT id FROM registered_models WHERE id = $1 FOR UPDATE', [input.modelId]);
      const before = await readSettings(m, input.modelId);
      const revision = before.stored?.revision ?? 0;
      if (input.expectedRevision !== undefined && input.expectedRevision !== null && input.expectedRevision !== revision) {
        throw staleRevision('model objectives', revision, input.expectedRevision);
      }
      const keep = <T>(given: T | null | undefined, stored: unknown) => (given === undefined ? (stored ?? null) : given);
      const [row] = await m.query(
        `INSERT INTO model_monitoring (model_id, objectives, drift_thresholds, quality_tolerance, canary_rule, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (model_id) DO UPDATE SET objectives = EXCLUDED.objectives, drift_thresholds = EXCLUDED.drift_thresholds,
           quality_tolerance = EXCLUDED.quality_tolerance, canary_rule = EXCLUDED.canary_rule, updated_by = EXCLUDED.updated_by,
           updated_at = now(), revision = model_monitoring.revision + 1
         RETURNING *`,
        [
          input.modelId,
          JSON.stringify(objectives),
          json(keep(input.driftThresholds, before.stored?.driftThresholds)),
          json(keep(input.qualityTolerance, before.stored?.qualityTolerance)),
          json(keep(input.canaryRule, before.stored?.canaryRule)),
          caller.subject,
        ],
      );
      const stored = hydrate(m, ModelMonitoringEntity, row);
      await appendAudit(m, caller, {
        action: 'monitoring.objectives_set',
        subjectType: 'RegisteredModel',
        subjectId: input.modelId,
        modelId: input.modelId,
        payload: { before: before.stored, after: stored },
      });
      return readSettings(m, input.modelId);
    });
  }

  /** The model's settings (defaults where none were set); NOT_FOUND for a model the caller cannot see. */
  async settings(caller: Caller, modelId: string): Promise<MonitoringSettings> {
    await this.access.authorize(this.db.manager, caller, Action.VIEW, modelId);
    return readSettings(this.db.manager, modelId);
  }

  /** Every objective of the first `maxModels` models (by name) that have some, for /metrics. */
  async allStatuses(caller: Caller, maxModels: number, now = new Date()): Promise<Array<{ model: string; statuses: ObjectiveStatus[] }>> {
    const params = new SqlParams();
    const max = params.p(maxModels);
    const visible = this.access.visibleModels(caller, 'r.id', params);
    const rows = (await this.db.query(
      `SELECT r.id, r.name, mm.objectives FROM model_monitoring mm JOIN registered_models r ON r.id = mm.model_id
       WHERE jsonb_array_length(mm.objectives) > 0 ${visible ? `AND ${visible}` : ''} ORDER BY r.name LIMIT ${max}`,
      params.values,
    )) as Array<{ id: string; name: string; objectives: ObjectiveSpec[] }>;
    const result = [];
    for (const r of rows) result.push({ model: r.name, statuses: await evaluateObjectives(this.db.manager, r.id, r.objectives, now) });
    return result;
  }

  /** objectiveStatus(modelId): per objective, the current value, the budget left and the burn rate. */
  async status(caller: Caller, modelId: string, now = new Date()): Promise<ObjectiveStatus[]> {
    const settings = await this.settings(caller, modelId);
    return evaluateObjectives(this.db.manager, modelId, settings.objectives, now);
  }
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
