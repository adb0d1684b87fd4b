import { BaselineReference, Comparator } from './governance.enums';
import type { MetricRule } from './policy.rules';

export interface BaselineRule {
  metric: string;
  comparator: Comparator;
  reference: BaselineReference;
  threshold: number | null;
  tolerance: number;
}

export interface Check {
  origin: 'BASELINE' | 'POLICY';
  metric: string;
  comparator: Comparator;
  candidateValue: number | null;
  baselineValue: number | null;
  tolerance: number;
  passed: boolean;
  detail: string;
}

export interface Validation {
  passed: boolean;
  summary: string;
  checks: Check[];
}

const SYMBOL: Record<Comparator, string> = { GTE: '>=', LTE: '<=' };

/**
 * GTE passes when candidate >= baseline - tolerance; LTE when candidate <= baseline + tolerance.
 * Bounds are inclusive in decimal terms: 0.07 <= 0.06 + 0.01 passes, although 0.06 + 0.01 is
 * 0.06999999999999999 in binary floating point, so a tiny relative slack absorbs the rounding.
 */
export function compare(comparator: Comparator, candidate: number, baseline: number, tolerance: number): boolean {
  const slack = 1e-9 * Math.max(1, Math.abs(baseline), Math.abs(candidate));
  return comparator === Comparator.GTE ? candidate >= baseline - tolerance - slack : candidate <= baseline + tolerance + slack;
}

function check(
  origin: Check['origin'],
  rule: { metric: string; comparator: Comparator },
  candidate: number | undefined,
  baseline: number | null,
  tolerance: number,
  source: string,
): Check {
  const base = {
    origin,
    metric: rule.metric,
    comparator: rule.comparator,
    candidateValue: candidate ?? null,
    baselineValue: baseline,
    tolerance,
  };
  if (candidate === undefined) return { ...base, passed: false, detail: `no VALIDATION value for ${rule.metric}: a missing metric fails` };
  if (baseline === null) return { ...base, passed: false, detail: `nothing to compare ${rule.metric} with: ${source} has no value for it` };
  const passed = compare(rule.comparator, candidate, baseline, tolerance);
  const bound = tolerance ? ` (tolerance ${tolerance})` : '';
  return {
    ...base,
    passed,
    detail: `${candidate} ${SYMBOL[rule.comparator]} ${baseline}${bound} against ${source}: ${passed ? 'passed' : 'failed'}`,
  };
}

/**
 * Compares a candidate's VALIDATION metrics with every baseline and every required check of the policy.
 * `production` holds the production version's values, or is null when no version is in production:
 * then a "beat production" baseline has nothing to beat and passes, saying so.
 */
export function validate(
  baselines: BaselineRule[],
  requiredChecks: MetricRule[],
  candidate: ReadonlyMap<string, number>,
  production: ReadonlyMap<string, number> | null,
): Validation {
  const checks: Check[] = [];
  for (const b of baselines) {
    if (b.reference === BaselineReference.FIXED) {
      checks.push(check('BASELINE', b, candidate.get(b.metric), b.threshold, b.tolerance, 'the fixed threshold'));
    } else if (production === null) {
      const value = candidate.get(b.metric);
      checks.push({
        origin: 'BASELINE',
        metric: b.metric,
        comparator: b.comparator,
        candidateValue: value ?? null,
        baselineValue: null,
        tolerance: b.tolerance,
        passed: value !== undefined,
        detail:
          value === undefined
            ? `no VALIDATION value for ${b.metric}: a missing metric fails`
            : 'no version in production yet: nothing to beat',
      });
    } else {
      checks.push(check('BASELINE', b, candidate.get(b.metric), production.get(b.metric) ?? null, b.tolerance, 'the production version'));
    }
  }
  for (const rule of requiredChecks) checks.push(check('POLICY', rule, candidate.get(rule.metric), rule.threshold, 0, 'the policy'));
  if (checks.length === 0) {
    return { passed: false, summary: 'nothing to validate: set a baseline or a policy check first', checks };
  }
  const failed = checks.filter((c) => !c.passed);
  return {
    passed: failed.length === 0,
    summary:
      failed.length === 0
        ? `all ${checks.length} checks passed`
        : `${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.metric).join(', ')}`,
    checks,
  };
}
