import { badInput } from '../../../common/errors';
import { directionOf, isProportion, worseBy, type Direction, type ProductionMetricKind } from '../monitoring.rules';

/** One deployment's value of a metric over the compared windows, weighted by the observations behind it. */
export interface ArmValue {
  value: number;
  observations: number;
}

/**
 * When a canary fails: a metric worse by more than `maxDegradation` (relative: 0.005 is 0.5 %), significantly so
 * at `alpha` where a test applies; `minObservations` on each side before any verdict.
 */
export interface CanaryRule {
  maxDegradation: number;
  minObservations: number;
  alpha: number;
}

export const DEFAULT_CANARY_RULE: Readonly<CanaryRule> = Object.freeze({ maxDegradation: 0.005, minObservations: 1000, alpha: 0.05 });

/** A model's canary rule as stored with its settings: the default while it set none. */
export const canaryRuleOf = (stored: Record<string, unknown> | null | undefined): CanaryRule =>
  (stored as CanaryRule | null | undefined) ?? DEFAULT_CANARY_RULE;

export type CanaryTest = 'TWO_PROPORTION_Z' | 'RELATIVE_THRESHOLD';
export type MetricVerdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE' | 'INSUFFICIENT_DATA';
export type CanaryVerdict = 'PROMOTE' | 'ROLLBACK' | 'INCONCLUSIVE';

export interface MetricComparison {
  name: string;
  kind: ProductionMetricKind;
  canary: ArmValue;
  baseline: ArmValue;
  /** canary − baseline. */
  delta: number;
  /** delta / |baseline|; null when the baseline is 0. */
  relativeDelta: number | null;
  /** The relative change in the worse direction: positive means the canary is worse. */
  worseBy: number;
  test: CanaryTest;
  /** One-sided: how likely a difference this bad is when the two are the same. Null for RELATIVE_THRESHOLD. */
  pValue: number | null;
  verdict: MetricVerdict;
  reason: string;
}

export function validateCanaryRule(rule: CanaryRule, field = 'canaryRule'): void {
  if (!Number.isFinite(rule.maxDegradation) || rule.maxDegradation < 0 || rule.maxDegradation > 1)
    throw badInput(`${field}.maxDegradation`, 'must be a share from 0 to 1 (0.005 is 0.5 %)');
  if (!Number.isInteger(rule.minObservations) || rule.minObservations < 1 || rule.minObservations > 1e9)
    throw badInput(`${field}.minObservations`, 'must be a whole number from 1 to 1,000,000,000');
  if (!Number.isFinite(rule.alpha) || rule.alpha <= 0 || rule.alpha > 0.5)
    throw badInput(`${field}.alpha`, 'must be above 0 and at most 0.5');
}

/**
 * The complementary error function, after Numerical Recipes' erfcc (Chebyshev fit, fractional error below
 * 1.2e-7 everywhere): accurate in the far tail, where 1 − erf(x) would cancel to nothing.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Φ(x), the standard normal CDF: Φ(1.96) = 0.9750021… */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Two-proportion z-test with pooled variance, one-sided towards the canary being worse in `direction`:
 * z > 0 when the canary is worse, pValue = P(Z ≥ z). Example: canary error rate 0.12 on 10,000 against 0.10
 * on 10,000: pooled 0.11, se = √(0.11 · 0.89 · 2/10,000) = 0.0044249, z = 0.02/0.0044249 = 4.5198, p = 3.1e-6.
 * With no variance (pooled 0 or 1) the proportions are equal: z 0, p 1.
 */
export function twoProportionZ(canary: ArmValue, baseline: ArmValue, direction: Direction): { z: number; pValue: number } {
  const pooled =
    (canary.value * canary.observations + baseline.value * baseline.observations) / (canary.observations + baseline.observations);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / canary.observations + 1 / baseline.observations));
  if (!(se > 0)) return { z: 0, pValue: 1 };
  const worse = direction === 'LOWER_IS_BETTER' ? canary.value - baseline.value : baseline.value - canary.value;
  const z = worse / se;
  return { z, pValue: 1 - normalCdf(z) };
}

/**
 * One metric, canary against production. INSUFFICIENT_DATA below minObservations on either side; shares
 * (rates, availability, CTR) by the two-proportion test, other values by their relative change alone. FAIL:
 * worse beyond maxDegradation (and significant, where tested); INCONCLUSIVE: worse beyond it but not yet
 * significant; PASS otherwise. Better is never a failure.
 */
export function compareMetric(
  name: string,
  kind: ProductionMetricKind,
  canary: ArmValue,
  baseline: ArmValue,
  rule: CanaryRule = DEFAULT_CANARY_RULE,
): MetricComparison {
  const delta = canary.value - baseline.value;
  const worse = worseBy(kind, canary.value, baseline.value);
  const proportion = isProportion(kind);
  const base = {
    name,
    kind,
    canary,
    baseline,
    delta,
    relativeDelta: baseline.value === 0 ? null : delta / Math.abs(baseline.value),
    worseBy: worse,
    test: (proportion ? 'TWO_PROPORTION_Z' : 'RELATIVE_THRESHOLD') as CanaryTest,
  };
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'infinitely');
  if (canary.observations < rule.minObservations || baseline.observations < rule.minObservations) {
    return {
      ...base,
      pValue: null,
      verdict: 'INSUFFICIENT_DATA',
      reason: `${name}: ${Math.min(canary.observations, baseline.observations)} observations on one side, fewer than the ${rule.minObservations} a verdict needs`,
    };
  }
  const pValue = proportion ? twoProportionZ(canary, baseline, directionOf(kind)).pValue : null;
  if (worse <= rule.maxDegradation) {
    return {
      ...base,
      pValue,
      verdict: 'PASS',
      reason: `${name}: ${worse > 0 ? `${pct(worse)} worse, within` : 'not worse than production, within'} ${pct(rule.maxDegradation)}`,
    };
  }
  if (pValue !== null && pValue >= rule.alpha) {
    return {
      ...base,
      pValue,
      verdict: 'INCONCLUSIVE',
      reason: `${name}: ${pct(worse)} worse, but not significant (p = ${pValue.toPrecision(3)} ≥ ${rule.alpha})`,
    };
  }
  return {
    ...base,
    pValue,
    verdict: 'FAIL',
    reason: `${name}: ${pct(worse)} worse than production (more than ${pct(rule.maxDegradation)}${pValue !== null ? `, p = ${pValue.toPrecision(3)}` : ''})`,
  };
}

/** ROLLBACK if any metric failed; INCONCLUSIVE with nothing to compare or any metric undecided; else PROMOTE. */
export function canaryVerdict(comparisons: MetricComparison[]): { verdict: CanaryVerdict; reason: string } {
  const failed = comparisons.filter((c) => c.verdict === 'FAIL');
  if (failed.length) return { verdict: 'ROLLBACK', reason: failed.map((c) => c.reason).join('; ') };
  if (!comparisons.length) return { verdict: 'INCONCLUSIVE', reason: 'no metric reported by both deployments for the same windows' };
  const short = comparisons.filter((c) => c.verdict === 'INSUFFICIENT_DATA');
  const undecided = comparisons.filter((c) => c.verdict === 'INCONCLUSIVE');
  if (short.length || undecided.length) {
    const parts = [];
    if (short.length) parts.push(`not enough traffic yet for ${short.map((c) => c.name).join(', ')}`);
    if (undecided.length) parts.push(undecided.map((c) => c.reason).join('; '));
    return { verdict: 'INCONCLUSIVE', reason: parts.join('; ') };
  }
  return { verdict: 'PROMOTE', reason: `no metric worse than production by more than the rule allows (${comparisons.length} compared)` };
}
