import type { EntityManager } from 'typeorm';
import { canaryRuleOf, type CanaryRule } from '../canary/canary.rules';
import { DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds } from '../drift/drift.rules';
import { DEFAULT_QUALITY_TOLERANCE, type QualityTolerance } from '../drift/quality.rules';
import type { ModelMonitoringEntity } from '../monitoring.entity';
import { readStoredSettings } from '../monitoring.store';
import type { ObjectiveSpec } from './objective.rules';

/** A model's monitoring settings, with the defaults where it set none. */
export interface MonitoringSettings {
  objectives: ObjectiveSpec[];
  drift: DriftThresholds;
  quality: QualityTolerance;
  canary: CanaryRule;
  /** null until the model's settings are first written. */
  stored: ModelMonitoringEntity | null;
}

export async function readSettings(m: EntityManager, modelId: string): Promise<MonitoringSettings> {
  const stored = await readStoredSettings(m, modelId);
  return {
    objectives: (stored?.objectives as ObjectiveSpec[] | undefined) ?? [],
    drift: (stored?.driftThresholds as DriftThresholds | null) ?? DEFAULT_DRIFT_THRESHOLDS,
    quality: (stored?.qualityTolerance as QualityTolerance | null) ?? DEFAULT_QUALITY_TOLERANCE,
    canary: canaryRuleOf(stored?.canaryRule),
    stored,
  };
}
