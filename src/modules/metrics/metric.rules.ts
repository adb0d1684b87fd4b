import { badInput } from '../../common/errors';
import { validateText } from '../../common/text';
import { MetricSource } from './metric.enums';

export const MAX_POINTS_PER_CALL = 10_000;

export interface MetricPointShape {
  name: string;
  value: number;
  source: string;
  step?: number | null;
  slice?: string | null;
  recordedAt?: Date | null;
}

/** Refuses the whole batch at the first bad point, naming it: metrics[12].value. */
export function validatePoints(points: MetricPointShape[]): void {
  if (points.length === 0) throw badInput('metrics', 'give at least one point');
  if (points.length > MAX_POINTS_PER_CALL)
    throw badInput('metrics', `at most ${MAX_POINTS_PER_CALL} points per call, got ${points.length}`);
  points.forEach((p, i) => {
    validateText(p.name, `metrics[${i}].name`, { required: true, max: 200, identifier: true });
    if (typeof p.value !== 'number' || !Number.isFinite(p.value))
      throw badInput(`metrics[${i}].value`, 'must be a finite number (not NaN or Infinity)');
    if (!Object.values(MetricSource).includes(p.source as MetricSource)) {
      throw badInput(`metrics[${i}].source`, `must be one of ${Object.values(MetricSource).join(', ')}`);
    }
    if (p.step !== undefined && p.step !== null && (!Number.isInteger(p.step) || p.step < 0)) {
      throw badInput(`metrics[${i}].step`, 'must be a non-negative integer');
    }
    validateText(p.slice, `metrics[${i}].slice`, { max: 200, identifier: true });
    if (p.recordedAt && Number.isNaN(p.recordedAt.getTime())) throw badInput(`metrics[${i}].recordedAt`, 'is not a valid time');
  });
}
