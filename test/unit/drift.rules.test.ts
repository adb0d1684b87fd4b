import fc from 'fast-check';
import {
  CHI_SQUARE_MIN_TOTAL,
  DEFAULT_DRIFT_THRESHOLDS,
  MAX_BINS,
  MAX_CATEGORIES,
  PSI_EPSILON,
  categoricalPsi,
  chiSquareSurvival,
  chiSquareTest,
  classifyDrift,
  featureDrift,
  kolmogorovQ,
  ksPValue,
  ksStatistic,
  ksTest,
  numericPsi,
  observationCount,
  populationStabilityIndex,
  rebin,
  regularizedGammaQ,
  validateDistribution,
  validateThresholds,
  type CategoryCounts,
  type Distribution,
  type DriftThresholds,
  type Histogram,
  type QuantileSketch,
} from '../../src/modules/monitoring/drift/drift.rules';
import { expectBadInput } from './bad-input';

/** A histogram on the edges 0, 1, …, k unless others are given. */
const histogram = (counts: number[], binEdges = [...counts.keys(), counts.length]): Histogram => ({ binEdges, counts });
const categories = (counts: Record<string, number>): CategoryCounts => ({ categories: counts });
const sketch = (quantiles: Array<[q: number, value: number]>, count: number): QuantileSketch => ({
  quantiles: quantiles.map(([q, value]) => ({ q, value })),
  count,
});
const thresholds = (overrides: Partial<DriftThresholds> = {}): DriftThresholds => ({ ...DEFAULT_DRIFT_THRESHOLDS, ...overrides });

/** Unwraps an OK result, failing the test with the reason otherwise. */
function ok<R extends { status: string }>(result: R): Extract<R, { status: 'OK' }> {
  if (result.status !== 'OK') throw new Error(`expected OK, got ${JSON.stringify(result)}`);
  return result as Extract<R, { status: 'OK' }>;
}

describe('validateDistribution', () => {
  it.each<[string, Distribution]>([
    ['a histogram', histogram([5, 0, 7], [-1.5, 0, 2.5, 10])],
    ['a histogram with no observations', histogram([0, 0])],
    ['a histogram of 1,000 bins', histogram(new Array(MAX_BINS).fill(1))],
    ['a histogram of 1e12 observations', histogram([1e12 - 1, 1])],
    [
      'quantiles with repeated values',
      sketch(
        [
          [0, 1],
          [0.5, 1],
          [1, 4],
        ],
        30,
      ),
    ],
    [
      'quantiles without the extremes',
      sketch(
        [
          [0.1, -3],
          [0.9, 3],
        ],
        0,
      ),
    ],
    ['categories', categories({ red: 3, green: 0, '': 1, ['__proto__']: 2 })],
    [
      '1,000 categories with names of 200 characters',
      categories(Object.fromEntries([...Array(MAX_CATEGORIES).keys()].map((i) => [`${i}`.padEnd(200, 'x'), 1]))),
    ],
    [
      'a shape whose other fields are null, as GraphQL sends them',
      {
        binEdges: null,
        counts: null,
        ...sketch(
          [
            [0, 1],
            [1, 2],
          ],
          5,
        ),
      } as unknown as Distribution,
    ],
  ])('accepts %s', (_, d) => {
    expect(() => validateDistribution(d, 'features[2]')).not.toThrow();
  });

  describe('refuses, naming the field,', () => {
    const edges = [0, 1, 2, 3, 4];
    it.each<[string, unknown, string]>([
      ['a negative count', histogram([1, 2, 3, -1]), 'features[2].counts[3]'],
      ['a NaN count', histogram([1, 2, 3, NaN]), 'features[2].counts[3]'],
      ['an infinite count', histogram([1, 2, 3, Infinity]), 'features[2].counts[3]'],
      ['a fractional count', histogram([1, 2, 3, 1.5]), 'features[2].counts[3]'],
      ['a count that is a string', histogram([1, 2, 3, '4' as unknown as number]), 'features[2].counts[3]'],
      ['fewer counts than bins', histogram([1, 2, 3], edges), 'features[2].counts'],
      ['more counts than bins', histogram([1, 2, 3, 4, 5], edges), 'features[2].counts'],
      ['no counts', { binEdges: edges }, 'features[2].counts'],
      ['no edges', { counts: [1] }, 'features[2].binEdges'],
      ['an empty histogram', histogram([], []), 'features[2].binEdges'],
      ['a single edge', histogram([], [0]), 'features[2].binEdges'],
      ['a repeated edge', histogram([1, 2, 3], [0, 1, 1, 2]), 'features[2].binEdges[2]'],
      ['a decreasing edge', histogram([1, 2, 3], [0, 2, 1, 3]), 'features[2].binEdges[2]'],
      ['a NaN edge', histogram([1, 2], [0, NaN, 2]), 'features[2].binEdges[1]'],
      ['an infinite edge', histogram([1, 2, 3, 4], [0, 1, 2, 3, Infinity]), 'features[2].binEdges[4]'],
      ['edges too far apart to subtract', histogram([1], [-1e308, 1e308]), 'features[2].binEdges'],
      ['1,001 bins', histogram(new Array(MAX_BINS + 1).fill(1)), 'features[2].binEdges'],
      ['more than 1e12 observations', histogram([1e12, 1]), 'features[2].counts'],
      ['a single quantile', sketch([[0.5, 1]], 10), 'features[2].quantiles'],
      ['no quantiles', { quantiles: [], count: 10 }, 'features[2].quantiles'],
      ['a quantile that is not an object', { quantiles: [{ q: 0, value: 1 }, null], count: 10 }, 'features[2].quantiles[1]'],
      [
        'q above 1',
        sketch(
          [
            [0.5, 1],
            [1.5, 2],
          ],
          10,
        ),
        'features[2].quantiles[1].q',
      ],
      [
        'q below 0',
        sketch(
          [
            [-0.1, 1],
            [0.5, 2],
          ],
          10,
        ),
        'features[2].quantiles[0].q',
      ],
      [
        'a NaN q',
        sketch(
          [
            [0, 1],
            [NaN, 2],
          ],
          10,
        ),
        'features[2].quantiles[1].q',
      ],
      [
        'a repeated q',
        sketch(
          [
            [0.5, 1],
            [0.5, 2],
          ],
          10,
        ),
        'features[2].quantiles[1].q',
      ],
      [
        'a decreasing value',
        sketch(
          [
            [0, 2],
            [1, 1],
          ],
          10,
        ),
        'features[2].quantiles[1].value',
      ],
      [
        'an infinite value',
        sketch(
          [
            [0, 1],
            [1, Infinity],
          ],
          10,
        ),
        'features[2].quantiles[1].value',
      ],
      [
        'a negative count of a sketch',
        sketch(
          [
            [0, 1],
            [1, 2],
          ],
          -1,
        ),
        'features[2].count',
      ],
      [
        'a fractional count of a sketch',
        sketch(
          [
            [0, 1],
            [1, 2],
          ],
          2.5,
        ),
        'features[2].count',
      ],
      [
        'a sketch of more than 1e12 observations',
        sketch(
          [
            [0, 1],
            [1, 2],
          ],
          2e12,
        ),
        'features[2].count',
      ],
      ['no categories', categories({}), 'features[2].categories'],
      ['a negative category count', categories({ a: 1, b: -1 }), 'features[2].categories["b"]'],
      ['a NaN category count', categories({ a: 1, b: NaN }), 'features[2].categories["b"]'],
      ['an infinite category count', categories({ a: 1, b: Infinity }), 'features[2].categories["b"]'],
      [
        '1,001 categories',
        categories(Object.fromEntries([...Array(MAX_CATEGORIES + 1).keys()].map((i) => [`c${i}`, 1]))),
        'features[2].categories',
      ],
      ['a category name of 201 characters', categories({ ['n'.repeat(201)]: 1 }), 'features[2].categories'],
      ['a category name with NUL', categories({ 'a\u0000b': 1 }), 'features[2].categories'],
      ['categories of more than 1e12 observations', categories({ a: 1e12, b: 1 }), 'features[2].categories'],
      ['null', null, 'features[2]'],
      ['a number', 42, 'features[2]'],
      ['an object of no shape', {}, 'features[2]'],
      ['two shapes at once', { ...histogram([1]), ...categories({ a: 1 }) }, 'features[2]'],
    ])('%s', (_, d, field) => {
      expectBadInput(() => validateDistribution(d as Distribution, 'features[2]'), field);
    });
  });
});

describe('validateThresholds', () => {
  it('accepts the defaults: PSI 0.1 and 0.25, p-values 0.05 and 0.01, 100 observations', () => {
    expect(DEFAULT_DRIFT_THRESHOLDS).toEqual({
      psi: { warning: 0.1, critical: 0.25 },
      pValue: { warning: 0.05, critical: 0.01 },
      minObservations: 100,
    });
    expect(() => validateThresholds(DEFAULT_DRIFT_THRESHOLDS)).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['a PSI warning equal to critical', { psi: { warning: 0.2, critical: 0.2 } }, 'thresholds.psi.warning'],
    ['a PSI warning above critical', { psi: { warning: 0.3, critical: 0.2 } }, 'thresholds.psi.warning'],
    ['a zero PSI critical', { psi: { warning: 0.1, critical: 0 } }, 'thresholds.psi.critical'],
    ['a negative PSI warning', { psi: { warning: -0.1, critical: 0.2 } }, 'thresholds.psi.warning'],
    ['an infinite PSI critical', { psi: { warning: 0.1, critical: Infinity } }, 'thresholds.psi.critical'],
    ['a NaN PSI warning', { psi: { warning: NaN, critical: 0.2 } }, 'thresholds.psi.warning'],
    ['no PSI thresholds', { psi: undefined }, 'thresholds.psi'],
    ['a p-value critical above warning', { pValue: { warning: 0.01, critical: 0.05 } }, 'thresholds.pValue.warning'],
    ['a p-value warning of 1', { pValue: { warning: 1, critical: 0.01 } }, 'thresholds.pValue.warning'],
    ['a zero p-value critical', { pValue: { warning: 0.05, critical: 0 } }, 'thresholds.pValue.critical'],
    ['no p-value thresholds', { pValue: null }, 'thresholds.pValue'],
    ['zero minObservations', { minObservations: 0 }, 'thresholds.minObservations'],
    ['fractional minObservations', { minObservations: 1.5 }, 'thresholds.minObservations'],
  ])('refuses %s', (_, overrides, field) => {
    expectBadInput(() => validateThresholds(thresholds(overrides as Partial<DriftThresholds>)), field);
  });
});

describe('populationStabilityIndex', () => {
  it('adds (p − q)·ln(p/q) over the bins', () => {
    // Shares 0.5, 0.3, 0.2 against 0.4, 0.4, 0.2:
    //   (0.5 − 0.4)·ln(0.5/0.4) = 0.1 × 0.2231436 = 0.02231436
    //   (0.3 − 0.4)·ln(0.3/0.4) = −0.1 × −0.2876821 = 0.02876821
    //   (0.2 − 0.2)·ln(1) = 0
    //   PSI = 0.05108256
    expect(populationStabilityIndex([500, 300, 200], [400, 400, 200])).toBeCloseTo(0.05108256, 8);
  });

  it('gives an empty bin the share 1e-4', () => {
    // Shares 0.6, 0.4, 0 → 1e-4 against 0.5, 0.4, 0.1:
    //   0.1 × ln(1.2) = 0.1 × 0.1823216 = 0.01823216
    //   0
    //   (0.0001 − 0.1) × ln(0.0001/0.1) = −0.0999 × −6.9077553 = 0.69008475
    //   PSI = 0.70831691
    expect(PSI_EPSILON).toBe(1e-4);
    expect(populationStabilityIndex([600, 400, 0], [500, 400, 100])).toBeCloseTo(0.70831691, 8);
  });

  it('is 0 for the same shares, whatever the totals', () => {
    expect(populationStabilityIndex([500, 300, 200], [500, 300, 200])).toBe(0);
    expect(populationStabilityIndex([5, 3, 2, 0], [500, 300, 200, 0])).toBe(0);
  });
});

describe('rebin', () => {
  const quarters = [0, 10, 20, 30, 40];

  it('keeps the counts as they are on the same edges', () => {
    const production = histogram([1, 2, 3, 4], quarters);
    expect(rebin(production, quarters)).toEqual([1, 2, 3, 4]);
    expect(rebin(production, quarters)).not.toBe(production.counts);
  });

  it('spreads a histogram evenly within its bins', () => {
    // [0, 20) holds 600: 300 in [0, 10) and 300 in [10, 20); [20, 40) holds 400: 200 and 200.
    expect(rebin(histogram([600, 400], [0, 20, 40]), quarters)).toEqual([300, 300, 200, 200]);
  });

  it('counts observations beyond the outer edges in the outer bins', () => {
    // Production on [−10, 0, 10, 50] with [100, 100, 800]: F(10) = 200/1000 = 0.2;
    // F(20) = (200 + 800 × 10/40)/1000 = 0.4; F(30) = (200 + 800 × 20/40)/1000 = 0.6.
    // The first bin takes the 100 below 0, the last the 200 in [40, 50): [200, 200, 200, 400].
    expect(rebin(histogram([100, 100, 800], [-10, 0, 10, 50]), quarters)).toEqual([200, 200, 200, 400]);
  });

  it('interpolates a quantile sketch linearly between its quantiles', () => {
    // Median 10, extremes 0 and 40: F(10) = 0.5; F(20) = 0.5 + 0.5 × 10/30 = 0.6667; F(30) = 0.8333.
    const counts = rebin(
      sketch(
        [
          [0, 0],
          [0.5, 10],
          [1, 40],
        ],
        1000,
      ),
      quarters,
    );
    [500, 166.667, 166.667, 166.667].forEach((expected, i) => expect(counts[i]).toBeCloseTo(expected, 3));
  });

  it('puts the unknown tails of a sketch at its first and last values', () => {
    // 10% at or below 5, 90% at or below 25: F(10) = 0.1 + 0.8 × 5/20 = 0.3; F(20) = 0.1 + 0.8 × 15/20 = 0.7;
    // F(30) = 1, since the top 10% sits at 25: [300, 400, 300, 0].
    const counts = rebin(
      sketch(
        [
          [0.1, 5],
          [0.9, 25],
        ],
        1000,
      ),
      quarters,
    );
    [300, 400, 300, 0].forEach((expected, i) => expect(counts[i]).toBeCloseTo(expected, 9));
  });

  it('gives no observation to any bin when there is none', () => {
    expect(rebin(histogram([0, 0], [0, 20, 40]), quarters)).toEqual([0, 0, 0, 0]);
  });
});

describe('numericPsi', () => {
  it('compares production re-binned onto the reference edges', () => {
    // Reference shares 0.25 each; production [600, 400] on [0, 20, 40] re-bins to shares 0.3, 0.3, 0.2, 0.2:
    //   2 × (0.25 − 0.3)·ln(0.25/0.3) = 2 × 0.05 × 0.1823216 = 0.01823216
    //   2 × (0.25 − 0.2)·ln(0.25/0.2) = 2 × 0.05 × 0.2231436 = 0.02231436
    //   PSI = 0.04054651
    const result = ok(numericPsi(histogram([250, 250, 250, 250], [0, 10, 20, 30, 40]), histogram([600, 400], [0, 20, 40])));
    expect(result.psi).toBeCloseTo(0.04054651, 8);
  });

  it('needs 100 observations on each side by default', () => {
    const hundred = histogram([50, 50]);
    expect(numericPsi(hundred, hundred)).toEqual({ status: 'OK', psi: 0 });
    expect(numericPsi(histogram([50, 49]), hundred)).toEqual({
      status: 'INSUFFICIENT_DATA',
      reason: 'the reference has 99 observations, fewer than the 100 a verdict needs',
    });
    expect(
      numericPsi(
        hundred,
        sketch(
          [
            [0, 0],
            [1, 2],
          ],
          99,
        ),
      ),
    ).toMatchObject({ status: 'INSUFFICIENT_DATA', reason: expect.stringMatching(/^production has 99/) });
    expect(numericPsi(histogram([0, 0]), hundred).status).toBe('INSUFFICIENT_DATA');
    expect(numericPsi(histogram([5, 5]), histogram([5, 5]), 10).status).toBe('OK');
  });

  it('refuses a reference that is not a histogram', () => {
    expectBadInput(
      () =>
        numericPsi(
          sketch(
            [
              [0, 0],
              [1, 1],
            ],
            500,
          ) as unknown as Histogram,
          histogram([50, 50]),
        ),
      'reference',
    );
    expectBadInput(() => numericPsi(histogram([50, 50]), categories({ a: 100 }) as unknown as Histogram), 'production');
  });
});

describe('categoricalPsi', () => {
  it('compares the union of the categories', () => {
    // Reference { a: 100, b: 100 }, production { a: 100, b: 80, c: 20 }: shares (0.5, 0.5, 0 → 1e-4) against (0.5, 0.4, 0.1):
    //   0 + 0.1 × ln(1.25) + (0.0001 − 0.1) × ln(0.001) = 0.02231436 + 0.69008475 = 0.71239911
    const result = ok(categoricalPsi(categories({ a: 100, b: 100 }), categories({ a: 100, b: 80, c: 20 })));
    expect(result.psi).toBeCloseTo(0.71239911, 8);
  });

  it('is the same whichever side a category is missing from', () => {
    const [one, other] = [categories({ a: 100, b: 100 }), categories({ c: 20, b: 80, a: 100 })];
    expect(ok(categoricalPsi(one, other)).psi).toBeCloseTo(ok(categoricalPsi(other, one)).psi, 12);
  });

  it('needs 100 observations on each side', () => {
    expect(categoricalPsi(categories({ a: 99 }), categories({ a: 500 })).status).toBe('INSUFFICIENT_DATA');
  });
});

describe('ksStatistic', () => {
  it('is the largest gap between the CDFs at the edges', () => {
    // Reference [100, 200, 300, 400]: CDF 0.1, 0.3, 0.6, 1. Production [250, 250, 250, 250]: 0.25, 0.5, 0.75, 1.
    // Gaps 0.15, 0.2, 0.15, 0: D = 0.2.
    expect(ksStatistic([100, 200, 300, 400], [250, 250, 250, 250])).toBeCloseTo(0.2, 12);
  });

  it('is 0 for the same shares and 1 for disjoint ones', () => {
    expect(ksStatistic([1, 2, 3], [10, 20, 30])).toBe(0);
    expect(ksStatistic([100, 0], [0, 100])).toBe(1);
  });
});

describe('kolmogorovQ', () => {
  it('is 1 at 0', () => {
    expect(kolmogorovQ(0)).toBe(1);
  });

  it('has the 5% and 1% critical values of the tables', () => {
    // Q(1.36) = 2(e^{−2·1.8496} − e^{−8·1.8496} + …) = 2(0.0247433 − 0.0000004) = 0.049486
    expect(kolmogorovQ(1.36)).toBeCloseTo(0.049486, 6);
    // Q(1.63) = 2(e^{−2·2.6569} − …) = 2 × 0.0049232 = 0.0098464
    expect(kolmogorovQ(1.63)).toBeCloseTo(0.0098464, 7);
  });

  it('uses the form that converges for small λ below 1.18', () => {
    // The Kolmogorov distribution's tables: P(K ≤ 1) = 0.7300, P(K ≤ 0.5) = 0.0361.
    expect(kolmogorovQ(1)).toBeCloseTo(0.27, 6);
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.963945, 6);
    // Both forms agree where they meet.
    expect(kolmogorovQ(1.18 - 1e-12)).toBeCloseTo(kolmogorovQ(1.18), 10);
    expect(kolmogorovQ(0.01)).toBe(1);
  });

  it('falls as λ grows', () => {
    const values = [0.2, 0.5, 0.8, 1, 1.17, 1.19, 1.5, 2, 3].map(kolmogorovQ);
    values.slice(1).forEach((value, i) => expect(value).toBeLessThan(values[i]));
  });
});

describe('ksPValue and ksTest', () => {
  it('scales D by the effective sample size', () => {
    // n1 = n2 = 200: n_e = 200·200/400 = 100, √n_e = 10, λ = (10 + 0.12 + 0.011) × 0.15 = 1.51965;
    // Q = 2(e^{−2·2.3093} − …) = 2 × 0.0098659 = 0.019732.
    expect(ksPValue(0.15, 200, 200)).toBeCloseTo(0.019732, 6);
    expect(ksPValue(0, 200, 200)).toBe(1);
  });

  it('tests two histograms on shared edges', () => {
    // Reference [20, 60, 80, 40]: CDF 0.1, 0.4, 0.8. Production [50, 60, 60, 30]: 0.25, 0.55, 0.85. D = 0.15.
    const result = ok(ksTest(histogram([20, 60, 80, 40]), histogram([50, 60, 60, 30])));
    expect(result.d).toBeCloseTo(0.15, 12);
    expect(result.pValue).toBeCloseTo(0.019732, 6);
  });

  it('needs 100 observations on each side', () => {
    expect(ksTest(histogram([50, 50]), histogram([50, 49])).status).toBe('INSUFFICIENT_DATA');
  });
});

describe('regularizedGammaQ and chiSquareSurvival', () => {
  it('is e^{−x} at a = 1 and 1 at x = 0', () => {
    for (const x of [0.001, 0.5, 1, 2, 10, 50]) expect(regularizedGammaQ(1, x)).toBeCloseTo(Math.exp(-x), 14);
    expect(regularizedGammaQ(3.5, 0)).toBe(1);
  });

  it('matches the closed form Q(n, x) = e^{−x} Σ_{j<n} x^j/j! for whole n, on both sides of n + 1', () => {
    for (const n of [2, 3, 5, 10, 50, 200, 499]) {
      for (const x of [0.1 * n, 0.5 * n, n - 1, n, n + 2, 1.5 * n, 3 * n]) {
        let [term, closed] = [Math.exp(-x), 0];
        for (let j = 0; j < n; j++) {
          closed += term;
          term *= x / (j + 1);
        }
        const q = regularizedGammaQ(n, x);
        if (closed > 1e-300) expect(Math.abs(q - closed) / closed).toBeLessThan(1e-9);
      }
    }
  });

  it('has the textbook table values', () => {
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(6.635, 1)).toBeCloseTo(0.01, 4);
    // At df 2 the survival is e^{−x/2}: e^{−2.9955} = 0.05001, e^{−4.605} = 0.01000.
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(9.21, 2)).toBeCloseTo(0.01, 4);
    expect(chiSquareSurvival(11.07, 5)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(18.307, 10)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(124.342, 100)).toBeCloseTo(0.05, 4);
  });

  it('is exact to 1e-6 relative at df 1, where it is P(|Z| ≥ √x)', () => {
    // z(0.975) = 1.959963984540054, squared 3.841458820694124: p = 0.05. z(0.995) = 2.5758293035489, squared 6.634896601021214: p = 0.01.
    expect(Math.abs(chiSquareSurvival(3.841458820694124, 1) / 0.05 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(chiSquareSurvival(6.634896601021214, 1) / 0.01 - 1)).toBeLessThan(1e-6);
    // χ² = 4: P(|Z| ≥ 2) = 2 × 0.02275013 = 0.04550026.
    expect(Math.abs(chiSquareSurvival(4, 1) / 0.04550026 - 1)).toBeLessThan(1e-6);
  });

  it('stays within [0, 1] at the extremes', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(1e12, 999)).toBe(0);
    expect(chiSquareSurvival(1e-12, 999)).toBe(1);
  });
});

describe('chiSquareTest', () => {
  it('tests a 2×2 table', () => {
    // R = 100, 100; C = 100, 100; N = 200: every E = 50. χ² = 4 × (60 − 50)²/50 = 8 at df 1.
    // p = P(|Z| ≥ √8 = 2.828427) = 2 × 0.0023389 = 0.0046777.
    expect(ok(chiSquareTest(categories({ a: 60, b: 40 }), categories({ a: 40, b: 60 })))).toEqual({
      status: 'OK',
      statistic: 8,
      df: 1,
      pValue: expect.closeTo(0.0046777, 7),
    });
  });

  it('tests a 2×3 table', () => {
    // Reference { a: 50, b: 30, c: 20 }, production { a: 40, b: 30, c: 30 }: C = 90, 60, 50, N = 200, so E = 45, 30, 25 in each row.
    // χ² = 2 × 5²/45 + 0 + 2 × 5²/25 = 1.111111 + 2 = 3.111111 at df 2; p = e^{−3.111111/2} = e^{−1.555556} = 0.211072.
    const result = ok(chiSquareTest(categories({ a: 50, b: 30, c: 20 }), categories({ a: 40, b: 30, c: 30 })));
    expect(result.statistic).toBeCloseTo(3.111111, 6);
    expect(result.df).toBe(2);
    expect(result.pValue).toBeCloseTo(0.211072, 6);
  });

  it('counts a category seen on one side only, and drops one seen on neither', () => {
    // Reference { a: 100, b: 100 }, production { a: 100, b: 80, c: 20 }: C = 200, 180, 20, N = 400; E = 100, 90, 10 in each row.
    // χ² = 0 + 2 × 10²/90 + 2 × 10²/10 = 2.222222 + 20 = 22.222222 at df 2; p = e^{−11.111111} = 1.49453e-5.
    const result = ok(chiSquareTest(categories({ a: 100, b: 100, z: 0 }), categories({ a: 100, b: 80, c: 20, z: 0 })));
    expect(result.statistic).toBeCloseTo(22.222222, 6);
    expect(result.df).toBe(2);
    expect(result.pValue / 1.49453e-5).toBeCloseTo(1, 5);
  });

  it('finds nothing in identical distributions or in a single category', () => {
    expect(chiSquareTest(categories({ a: 300, b: 200 }), categories({ a: 300, b: 200 }))).toEqual({
      status: 'OK',
      statistic: 0,
      df: 1,
      pValue: 1,
    });
    expect(chiSquareTest(categories({ a: 300, b: 0 }), categories({ a: 500 }))).toEqual({ status: 'OK', statistic: 0, df: 0, pValue: 1 });
  });

  it('allows up to 20% of the cells to expect fewer than 5 observations (Cochran)', () => {
    // 5 categories, 10 cells; e expects 4 in each row: 2 of 10 cells, exactly 20%.
    const fine = { a: 100, b: 100, c: 100, d: 100, e: 4 };
    expect(chiSquareTest(categories(fine), categories(fine)).status).toBe('OK');
    // With f as rare as e: 4 of 12 cells, 33%.
    const sparse = { ...fine, f: 4 };
    expect(chiSquareTest(categories(sparse), categories(sparse))).toEqual({
      status: 'INSUFFICIENT_DATA',
      reason: '4 of 12 cells expect fewer than 5 observations (more than 20%): too few per category for the chi-square test',
    });
  });

  it(`needs ${CHI_SQUARE_MIN_TOTAL} observations in all, and minObservations on each side`, () => {
    expect(chiSquareTest(categories({ a: 30, b: 20 }), categories({ a: 25, b: 24 }), 10)).toMatchObject({
      status: 'INSUFFICIENT_DATA',
      reason: '99 observations in all, fewer than the 100 the chi-square test needs',
    });
    expect(chiSquareTest(categories({ a: 30, b: 20 }), categories({ a: 25, b: 25 }), 10).status).toBe('OK');
    expect(chiSquareTest(categories({ a: 60, b: 39 }), categories({ a: 500, b: 500 })).status).toBe('INSUFFICIENT_DATA');
  });
});

describe('classifyDrift', () => {
  it.each([
    [0, 'NONE'],
    [0.0999, 'NONE'],
    [0.1, 'WARNING'],
    [0.2499, 'WARNING'],
    [0.25, 'CRITICAL'],
    [3, 'CRITICAL'],
  ])('PSI %p is %s', (psi, severity) => {
    expect(classifyDrift({ psi })).toBe(severity);
  });

  it.each([
    [1, 'NONE'],
    [0.05, 'NONE'],
    [0.0499, 'WARNING'],
    [0.01, 'WARNING'],
    [0.0099, 'CRITICAL'],
    [0, 'CRITICAL'],
  ])('p-value %p is %s', (pValue, severity) => {
    expect(classifyDrift({ pValue })).toBe(severity);
  });

  it("uses the model's own thresholds", () => {
    const strict = thresholds({ psi: { warning: 0.02, critical: 0.05 }, pValue: { warning: 0.2, critical: 0.1 } });
    expect(classifyDrift({ psi: 0.03 }, strict)).toBe('WARNING');
    expect(classifyDrift({ psi: 0.05 }, strict)).toBe('CRITICAL');
    expect(classifyDrift({ pValue: 0.15 }, strict)).toBe('WARNING');
  });

  it('refuses bad thresholds and impossible values', () => {
    expectBadInput(() => classifyDrift({ psi: 0.1 }, thresholds({ psi: { warning: 0.3, critical: 0.2 } })), 'thresholds.psi.warning');
    expectBadInput(() => classifyDrift({ psi: NaN }), 'psi');
    expectBadInput(() => classifyDrift({ psi: -0.1 }), 'psi');
    expectBadInput(() => classifyDrift({ pValue: 1.5 }), 'pValue');
  });
});

describe('featureDrift', () => {
  it('decides a numeric feature by PSI and reports KS beside it', () => {
    // PSI as in populationStabilityIndex: 0.05108256, NONE.
    // KS: CDFs 0.5, 0.8 against 0.4, 0.8, so D = 0.1; n_e = 500, √500 = 22.36068,
    // λ = (22.36068 + 0.12 + 0.0049193) × 0.1 = 2.248560, p = 2e^{−2·5.056021} = 8.1176e-5:
    // with 1,000 observations a side KS finds the shift significant, PSI finds it too small to matter.
    expect(featureDrift(histogram([500, 300, 200]), histogram([400, 400, 200]))).toEqual({
      status: 'OK',
      severity: 'NONE',
      statistics: { psi: expect.closeTo(0.05108256, 8), ks: { d: expect.closeTo(0.1, 12), pValue: expect.closeTo(8.1176e-5, 8) } },
      observations: { reference: 1000, production: 1000 },
    });
  });

  it('finds a new mode critical', () => {
    // PSI 0.70831691 as computed for populationStabilityIndex; D = 0.1 as above.
    const result = featureDrift(histogram([600, 400, 0]), histogram([500, 400, 100]));
    expect(result.severity).toBe('CRITICAL');
    expect(result.statistics.psi).toBeCloseTo(0.70831691, 8);
    expect(result.statistics.ks?.d).toBeCloseTo(0.1, 12);
  });

  it('re-bins a production quantile sketch', () => {
    // Re-binned to [300, 400, 300, 0] (see rebin) against 250 each:
    //   (0.25 − 0.3)·ln(0.25/0.3) × 2 = 0.01823216; (0.25 − 0.4)·ln(0.25/0.4) = 0.07050054;
    //   (0.25 − 0.0001)·ln(0.25/0.0001) = 0.24990 × 7.8240460 = 1.95523...
    const result = featureDrift(
      histogram([250, 250, 250, 250], [0, 10, 20, 30, 40]),
      sketch(
        [
          [0.1, 5],
          [0.9, 25],
        ],
        1000,
      ),
    );
    expect(result.severity).toBe('CRITICAL');
    expect(result.statistics.psi).toBeCloseTo(0.01823216 + 0.07050054 + 0.2499 * Math.log(2500), 6);
    // CDFs at 10, 20, 30: 0.25, 0.5, 0.75 against 0.3, 0.7, 1: D = 0.25.
    expect(result.statistics.ks?.d).toBeCloseTo(0.25, 12);
    expect(result.observations).toEqual({ reference: 1000, production: 1000 });
  });

  it('decides a categorical feature by chi-square and reports PSI beside it', () => {
    expect(featureDrift(categories({ a: 100, b: 100 }), categories({ a: 100, b: 80, c: 20 }))).toEqual({
      status: 'OK',
      severity: 'CRITICAL',
      statistics: {
        psi: expect.closeTo(0.71239911, 8),
        chiSquare: { statistic: expect.closeTo(22.222222, 6), df: 2, pValue: expect.closeTo(1.49453e-5, 9) },
      },
      observations: { reference: 200, production: 200 },
    });
  });

  it('passes the p-value through the thresholds', () => {
    // p = 0.211072, as in the 2×3 table above.
    const [reference, production] = [categories({ a: 50, b: 30, c: 20 }), categories({ a: 40, b: 30, c: 30 })];
    expect(featureDrift(reference, production).severity).toBe('NONE');
    expect(featureDrift(reference, production, thresholds({ pValue: { warning: 0.25, critical: 0.1 } })).severity).toBe('WARNING');
  });

  it('finds nothing in identical distributions: PSI 0, D 0, p-value 1', () => {
    const numeric = featureDrift(histogram([120, 340, 90]), histogram([120, 340, 90]));
    expect(numeric).toMatchObject({ status: 'OK', severity: 'NONE', statistics: { psi: 0, ks: { d: 0, pValue: 1 } } });
    const categorical = featureDrift(categories({ x: 70, y: 30 }), categories({ y: 30, x: 70 }));
    expect(categorical).toMatchObject({
      status: 'OK',
      severity: 'NONE',
      statistics: { psi: 0, chiSquare: { statistic: 0, df: 1, pValue: 1 } },
    });
  });

  it('gives no verdict on too few observations', () => {
    expect(featureDrift(histogram([500, 500]), histogram([60, 39]))).toEqual({
      status: 'INSUFFICIENT_DATA',
      severity: null,
      reason: 'production has 99 observations, fewer than the 100 a verdict needs',
      statistics: {},
      observations: { reference: 1000, production: 99 },
    });
    const sparse = { a: 100, b: 100, c: 2, d: 2 };
    expect(featureDrift(categories(sparse), categories(sparse))).toMatchObject({
      status: 'INSUFFICIENT_DATA',
      severity: null,
      statistics: {},
    });
    expect(featureDrift(histogram([60, 39]), histogram([60, 39]), thresholds({ minObservations: 50 })).status).toBe('OK');
  });

  it('refuses mixed or malformed inputs, naming the field', () => {
    expectBadInput(() => featureDrift(histogram([50, 50]), categories({ a: 100 })), 'production');
    expectBadInput(() => featureDrift(categories({ a: 100 }), histogram([50, 50])), 'production');
    expectBadInput(
      () =>
        featureDrift(
          sketch(
            [
              [0, 0],
              [1, 1],
            ],
            100,
          ),
          histogram([50, 50]),
        ),
      'reference',
    );
    expectBadInput(
      () => featureDrift(histogram([50, 50]), histogram([50, 1, 3, -1]), undefined, 'features[2]'),
      'features[2].production.counts[3]',
    );
    expectBadInput(
      () => featureDrift(null as unknown as Distribution, histogram([50, 50]), undefined, 'features[0]'),
      'features[0].reference',
    );
    expectBadInput(
      () => featureDrift(histogram([50, 50]), histogram([50, 50]), thresholds({ minObservations: 0 })),
      'thresholds.minObservations',
    );
  });
});

describe('properties', () => {
  /** Two count vectors over the same 1 to 20 bins, each with at least one observation. */
  const countPairs = fc
    .integer({ min: 1, max: 20 })
    .chain((k) => fc.tuple(fc.array(fc.nat(1000), { minLength: k, maxLength: k }), fc.array(fc.nat(1000), { minLength: k, maxLength: k })))
    .filter(([a, b]) => a.some((n) => n > 0) && b.some((n) => n > 0));

  it('PSI is non-negative, 0 against itself and symmetric', () => {
    fc.assert(
      fc.property(countPairs, ([a, b]) => {
        const psi = populationStabilityIndex(a, b);
        expect(psi).toBeGreaterThanOrEqual(0);
        expect(populationStabilityIndex(a, a)).toBe(0);
        expect(Math.abs(populationStabilityIndex(b, a) - psi)).toBeLessThanOrEqual(1e-12 * Math.max(1, psi));
      }),
    );
  });

  it('D lies in [0, 1], is symmetric, and its p-value lies in [0, 1]', () => {
    fc.assert(
      fc.property(countPairs, ([a, b]) => {
        const d = ksStatistic(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(ksStatistic(b, a)).toBe(d);
        const p = ksPValue(d, observationCount(histogram(a)), observationCount(histogram(b)));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('chi-square gives a non-negative statistic and a p-value in [0, 1], or no verdict', () => {
    const named = (counts: number[]) => categories(Object.fromEntries(counts.map((n, i) => [`c${i}`, n])));
    fc.assert(
      fc.property(countPairs, ([a, b]) => {
        const result = chiSquareTest(named(a), named(b), 1);
        if (result.status !== 'OK') return;
        expect(result.statistic).toBeGreaterThanOrEqual(0);
        expect(result.pValue).toBeGreaterThanOrEqual(0);
        expect(result.pValue).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('re-binning loses no observation', () => {
    const edges = fc
      .uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 12 })
      .map((e) => [...e].sort((x, y) => x - y));
    const counted = edges.chain((binEdges) =>
      fc
        .array(fc.nat(1000), { minLength: binEdges.length - 1, maxLength: binEdges.length - 1 })
        .map((counts) => histogram(counts, binEdges)),
    );
    fc.assert(
      fc.property(counted, edges, (production, binEdges) => {
        const counts = rebin(production, binEdges);
        counts.forEach((count) => expect(count).toBeGreaterThanOrEqual(0));
        expect(Math.abs(counts.reduce((x, y) => x + y, 0) - observationCount(production))).toBeLessThan(
          1e-9 * Math.max(1, observationCount(production)),
        );
      }),
    );
  });
});
