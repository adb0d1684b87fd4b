import fc from 'fast-check';
import {
  canaryVerdict,
  compareMetric,
  DEFAULT_CANARY_RULE,
  normalCdf,
  twoProportionZ,
  validateCanaryRule,
} from '../../src/modules/monitoring/canary/canary.rules';
import { ProductionMetricKind } from '../../src/modules/monitoring/monitoring.rules';
import { expectBadInput } from './bad-input';

describe('normalCdf', () => {
  test('known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 8);
    expect(normalCdf(-3) / 0.0013498980316301).toBeCloseTo(1, 5);
    expect(1 - normalCdf(4.5198)).toBeCloseTo(3.0946e-6, 9);
  });
});

describe('twoProportionZ', () => {
  test('canary error rate 0.12 against 0.10, 10,000 each: pooled 0.11, se 0.0044249, z 4.5198, p 3.1e-6', () => {
    const { z, pValue } = twoProportionZ({ value: 0.12, observations: 10_000 }, { value: 0.1, observations: 10_000 }, 'LOWER_IS_BETTER');
    expect(z).toBeCloseTo(0.02 / Math.sqrt(0.11 * 0.89 * (2 / 10_000)), 10);
    expect(z).toBeCloseTo(4.5198, 4);
    expect(pValue).toBeCloseTo(3.09e-6, 7);
    // The same numbers for a rate where higher is better: the canary is better, p near 1.
    expect(
      twoProportionZ({ value: 0.12, observations: 10_000 }, { value: 0.1, observations: 10_000 }, 'HIGHER_IS_BETTER').pValue,
    ).toBeGreaterThan(0.999);
  });
  test('no variance: z 0, p 1', () => {
    expect(twoProportionZ({ value: 0, observations: 10 }, { value: 0, observations: 10 }, 'LOWER_IS_BETTER')).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZ({ value: 1, observations: 10 }, { value: 1, observations: 10 }, 'HIGHER_IS_BETTER')).toEqual({ z: 0, pValue: 1 });
  });
});

describe('compareMetric and canaryVerdict', () => {
  const n = (value: number, observations = 100_000) => ({ value, observations });
  test('a 1 % CTR drop on 100,000 each: worse than 0.5 %, but p = 0.23, so INCONCLUSIVE', () => {
    const c = compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.099), n(0.1));
    expect(c).toMatchObject({
      test: 'TWO_PROPORTION_Z',
      verdict: 'INCONCLUSIVE',
      delta: expect.closeTo(-0.001, 12),
      relativeDelta: expect.closeTo(-0.01, 12),
    });
    expect(c.worseBy).toBeCloseTo(0.01, 12);
    // pooled 0.0995, se = √(0.0995·0.9005·2e-5) = 0.0013386, z = 0.001/0.0013386 = 0.747: p = 0.2275.
    expect(c.pValue).toBeCloseTo(1 - normalCdf(0.001 / Math.sqrt(0.0995 * 0.9005 * 2e-5)), 10);
    expect(c.pValue).toBeCloseTo(0.2275, 3);
  });

  test('the same 1 % drop: INCONCLUSIVE on 2,000 each and on 100,000 (p 0.23), FAIL on 2,000,000 each', () => {
    expect(compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.099, 2000), n(0.1, 2000)).verdict).toBe('INCONCLUSIVE');
    expect(compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.099), n(0.1)).verdict).toBe('INCONCLUSIVE');
    const big = compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.099, 2_000_000), n(0.1, 2_000_000));
    expect(big.verdict).toBe('FAIL');
    expect(big.pValue).toBeLessThan(0.05);
    expect(canaryVerdict([big]).verdict).toBe('ROLLBACK');
    expect(canaryVerdict([big]).reason).toContain('ctr: 1.00 % worse');
  });

  test('latency by relative threshold: 0.4 % worse PASS, 0.6 % worse FAIL; better never fails', () => {
    expect(compareMetric('p99', ProductionMetricKind.LATENCY_MS, n(100.4), n(100 * 1)).verdict).toBe('PASS');
    const slow = compareMetric('p99', ProductionMetricKind.LATENCY_MS, n(100.6), n(100));
    expect(slow).toMatchObject({ test: 'RELATIVE_THRESHOLD', verdict: 'FAIL', pValue: null });
    expect(compareMetric('p99', ProductionMetricKind.LATENCY_MS, n(50), n(100)).verdict).toBe('PASS');
    expect(compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.2), n(0.1)).verdict).toBe('PASS');
  });

  test('too little traffic: INSUFFICIENT_DATA, and the verdict says not enough traffic', () => {
    const c = compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.05, 999), n(0.1));
    expect(c.verdict).toBe('INSUFFICIENT_DATA');
    expect(canaryVerdict([c])).toMatchObject({ verdict: 'INCONCLUSIVE' });
    expect(canaryVerdict([c]).reason).toContain('not enough traffic');
    expect(canaryVerdict([]).verdict).toBe('INCONCLUSIVE');
    expect(canaryVerdict([compareMetric('ctr', ProductionMetricKind.KPI_RATE, n(0.1), n(0.1))]).verdict).toBe('PROMOTE');
  });

  test('a baseline of 0: relative change null, any worsening infinitely worse', () => {
    const c = compareMetric('errors', ProductionMetricKind.ERROR_RATE, n(0.001), n(0));
    expect(c.relativeDelta).toBeNull();
    expect(c.worseBy).toBe(Infinity);
    expect(c.verdict).toBe('FAIL');
    expect(compareMetric('errors', ProductionMetricKind.ERROR_RATE, n(0), n(0)).verdict).toBe('PASS');
  });

  test('never PROMOTE with a failing metric; never NaN', () => {
    const kinds = Object.values(ProductionMetricKind);
    const arm = fc.record({ value: fc.double({ min: 0, max: 1, noNaN: true }), observations: fc.integer({ min: 0, max: 10_000_000 }) });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...kinds), arm, arm), { maxLength: 6 }), (specs) => {
        const comparisons = specs.map(([kind, c, b], i) => compareMetric(`m${i}`, kind, c, b, DEFAULT_CANARY_RULE));
        const { verdict } = canaryVerdict(comparisons);
        if (comparisons.some((c) => c.verdict === 'FAIL')) expect(verdict).toBe('ROLLBACK');
        if (verdict === 'PROMOTE') expect(comparisons.every((c) => c.verdict === 'PASS')).toBe(true);
        for (const c of comparisons) {
          expect(Number.isNaN(c.delta) || Number.isNaN(c.worseBy) || (c.pValue !== null && Number.isNaN(c.pValue))).toBe(false);
        }
      }),
    );
  });
});

describe('validateCanaryRule', () => {
  test('refusals name the field', () => {
    expect(() => validateCanaryRule(DEFAULT_CANARY_RULE)).not.toThrow();
    expectBadInput(() => validateCanaryRule({ ...DEFAULT_CANARY_RULE, maxDegradation: -0.1 }), 'canaryRule.maxDegradation');
    expectBadInput(() => validateCanaryRule({ ...DEFAULT_CANARY_RULE, minObservations: 0 }), 'canaryRule.minObservations');
    expectBadInput(() => validateCanaryRule({ ...DEFAULT_CANARY_RULE, minObservations: 1.5 }), 'canaryRule.minObservations');
    expectBadInput(() => validateCanaryRule({ ...DEFAULT_CANARY_RULE, alpha: 0 }), 'canaryRule.alpha');
    expectBadInput(() => validateCanaryRule({ ...DEFAULT_CANARY_RULE, alpha: 0.6 }), 'canaryRule.alpha');
  });
});
