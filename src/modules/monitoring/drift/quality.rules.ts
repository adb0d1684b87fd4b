import { badInput } from '../../../common/errors';
import { AlertSeverity } from '../alerts/alert.enums';

/**
 * How far, relatively, a model-quality metric measured in production (once labels arrive) may fall below
 * the value the version was validated at: accuracy validated at 0.90 and measured at 0.84 is 6.7 % worse,
 * a WARNING with the defaults (5 %), not yet CRITICAL (10 %).
 */
export interface QualityTolerance {
  warning: number;
  critical: number;
}

export const DEFAULT_QUALITY_TOLERANCE: Readonly<QualityTolerance> = Object.freeze({ warning: 0.05, critical: 0.1 });

export function validateQualityTolerance(t: QualityTolerance, field = 'qualityTolerance'): void {
  for (const key of ['warning', 'critical'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0 || t[key] > 1) throw badInput(`${field}.${key}`, 'must be a share above 0 and at most 1');
  }
  if (t.critical < t.warning) throw badInput(`${field}.critical`, 'must be at least the warning tolerance');
}

/** The severity of a degradation (`worseBy`: positive is worse, relative to the validated value): null when within tolerance. */
export function qualitySeverity(worseBy: number, tolerance: QualityTolerance = DEFAULT_QUALITY_TOLERANCE): AlertSeverity | null {
  if (worseBy >= tolerance.critical) return AlertSeverity.CRITICAL;
  if (worseBy >= tolerance.warning) return AlertSeverity.WARNING;
  return null;
}
