import { badInput } from '../../common/errors';
import { validateText } from '../../common/text';

/** What a production metric measures: it decides which way is worse, its valid range, and the canary test. */
export enum ProductionMetricKind {
  /** Milliseconds, ≥ 0: lower is better. */
  LATENCY_MS = 'LATENCY_MS',
  /** Share of failed requests, 0..1: lower is better. */
  ERROR_RATE = 'ERROR_RATE',
  /** Share of successful requests or time, 0..1: higher is better. */
  AVAILABILITY = 'AVAILABILITY',
  /** Share of requests with a feature missing, 0..1: lower is better. */
  MISSING_RATE = 'MISSING_RATE',
  /** Share of features drifting, 0..1: lower is better. */
  DRIFT_RATE = 'DRIFT_RATE',
  /** A business rate such as CTR or conversion, 0..1: higher is better. */
  KPI_RATE = 'KPI_RATE',
  /** A business value such as revenue per request: higher is better. */
  KPI = 'KPI',
  /** ≥ 0: lower is better. */
  COST = 'COST',
  /** Model quality once labels arrive (accuracy, AUC): higher is better. */
  QUALITY = 'QUALITY',
  /** Model loss (log loss, RMSE), ≥ 0: lower is better. */
  LOSS = 'LOSS',
}

export type Direction = 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER';

const KINDS: Record<ProductionMetricKind, { direction: Direction; range: 'PROPORTION' | 'NON_NEGATIVE' | 'ANY' }> = {
  LATENCY_MS: { direction: 'LOWER_IS_BETTER', range: 'NON_NEGATIVE' },
  ERROR_RATE: { direction: 'LOWER_IS_BETTER', range: 'PROPORTION' },
  AVAILABILITY: { direction: 'HIGHER_IS_BETTER', range: 'PROPORTION' },
  MISSING_RATE: { direction: 'LOWER_IS_BETTER', range: 'PROPORTION' },
  DRIFT_RATE: { direction: 'LOWER_IS_BETTER', range: 'PROPORTION' },
  KPI_RATE: { direction: 'HIGHER_IS_BETTER', range: 'PROPORTION' },
  KPI: { direction: 'HIGHER_IS_BETTER', range: 'ANY' },
  COST: { direction: 'LOWER_IS_BETTER', range: 'NON_NEGATIVE' },
  QUALITY: { direction: 'HIGHER_IS_BETTER', range: 'ANY' },
  LOSS: { direction: 'LOWER_IS_BETTER', range: 'NON_NEGATIVE' },
};

export const directionOf = (kind: ProductionMetricKind): Direction => KINDS[kind].direction;

/** A share of observations (0..1): a canary compares two of them with the two-proportion test. */
export const isProportion = (kind: ProductionMetricKind): boolean => KINDS[kind].range === 'PROPORTION';

/** QUALITY and LOSS: compared with the version's VALIDATION value of the same name. */
export const isModelQuality = (kind: ProductionMetricKind): boolean =>
  kind === ProductionMetricKind.QUALITY || kind === ProductionMetricKind.LOSS;

export interface ProductionMetricShape {
  name: string;
  kind: string;
  value: number;
  observations?: number | null;
}

export const MAX_METRICS_PER_REPORT = 200;

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/** A production metric's name: also what objectives name and what /metrics labels carry. */
export function validateMetricName(name: string, field: string): void {
  validateText(name, field, { required: true, max: 200, identifier: true });
  if (!NAME.test(name)) throw badInput(field, 'must start with a letter or _ and hold only letters, digits, _ . : -');
}

/** Refuses the whole batch at the first bad metric, naming it: metrics[3].value. */
export function validateProductionMetrics(metrics: ProductionMetricShape[], field = 'metrics'): void {
  if (!Array.isArray(metrics) || metrics.length === 0) throw badInput(field, 'give at least one metric');
  if (metrics.length > MAX_METRICS_PER_REPORT) throw badInput(field, `at most ${MAX_METRICS_PER_REPORT} metrics, got ${metrics.length}`);
  const seen = new Set<string>();
  metrics.forEach((metric, i) => {
    const at = `${field}[${i}]`;
    validateMetricName(metric.name, `${at}.name`);
    if (seen.has(metric.name)) throw badInput(`${at}.name`, `"${metric.name}" appears twice`);
    seen.add(metric.name);
    const kind = KINDS[metric.kind as ProductionMetricKind];
    if (!kind) throw badInput(`${at}.kind`, `must be one of ${Object.keys(KINDS).join(', ')}`);
    if (typeof metric.value !== 'number' || !Number.isFinite(metric.value))
      throw badInput(`${at}.value`, 'must be a finite number (not NaN or Infinity)');
    if (kind.range === 'PROPORTION' && (metric.value < 0 || metric.value > 1))
      throw badInput(`${at}.value`, `a ${metric.kind} is a share from 0 to 1`);
    if (kind.range === 'NON_NEGATIVE' && metric.value < 0) throw badInput(`${at}.value`, `a ${metric.kind} is never negative`);
    const n = metric.observations;
    if (n !== undefined && n !== null && (!Number.isSafeInteger(n) || n < 0))
      throw badInput(`${at}.observations`, 'must be a non-negative whole number');
  });
}

/**
 * How much worse `value` is than `reference`, relatively, in the kind's direction: positive is worse.
 * worseBy(QUALITY, 0.8, 0.9) = 0.111…; worseBy(LATENCY_MS, 90, 100) = −0.1. Against a reference of 0: 0 when
 * equal, else ±Infinity.
 */
export function worseBy(kind: ProductionMetricKind, value: number, reference: number): number {
  const change = directionOf(kind) === 'LOWER_IS_BETTER' ? value - reference : reference - value;
  if (reference === 0) return change === 0 ? 0 : change > 0 ? Infinity : -Infinity;
  return change / Math.abs(reference);
}
