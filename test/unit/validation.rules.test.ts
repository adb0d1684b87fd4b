import type { MetricRule } from '../../src/modules/governance/policy.rules';
import { compare, validate, type BaselineRule } from '../../src/modules/governance/validation.rules';
import { BaselineReference, Comparator } from '../../src/modules/governance/governance.enums';

function fixed(metric: string, comparator: BaselineRule['comparator'], threshold: number, tolerance = 0): BaselineRule {
  return { metric, comparator, reference: BaselineReference.FIXED, threshold, tolerance };
}

function beatProduction(metric: string, comparator: BaselineRule['comparator'], tolerance = 0): BaselineRule {
  return { metric, comparator, reference: BaselineReference.PRODUCTION_VERSION, threshold: null, tolerance };
}

const values = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('compare', () => {
  // Values are exact in binary floating point, so the boundaries are exact too.
  it.each([
    [Comparator.GTE, 0.75, 0.75, 0, true],
    [Comparator.GTE, 0.875, 0.75, 0, true],
    [Comparator.GTE, 0.5, 0.75, 0, false],
    [Comparator.GTE, 0.5, 0.75, 0.25, true],
    [Comparator.GTE, 0.5, 0.75, 0.125, false],
    [Comparator.GTE, -2, -1, 1, true],
    [Comparator.LTE, 120, 120, 0, true],
    [Comparator.LTE, 119, 120, 0, true],
    [Comparator.LTE, 121, 120, 0, false],
    [Comparator.LTE, 121, 120, 1, true],
    [Comparator.LTE, 122, 120, 1, false],
  ] as const)('%s: candidate %p against baseline %p with tolerance %p → %p', (comparator, candidate, baseline, tolerance, expected) => {
    expect(compare(comparator, candidate, baseline, tolerance)).toBe(expected);
  });
});

describe('validate', () => {
  describe('with a FIXED baseline', () => {
    it('passes a candidate that meets the threshold', () => {
      const result = validate([fixed('auc', Comparator.GTE, 0.75)], [], values({ auc: 0.8 }), null);
      expect(result.passed).toBe(true);
      expect(result.summary).toBe('all 1 checks passed');
      expect(result.checks).toEqual([
        {
          origin: 'BASELINE',
          metric: 'auc',
          comparator: 'GTE',
          candidateValue: 0.8,
          baselineValue: 0.75,
          tolerance: 0,
          passed: true,
          detail: expect.stringMatching(/0\.8 >= 0\.75 against the fixed threshold: passed/),
        },
      ]);
    });

    it('fails a candidate that misses the threshold', () => {
      const result = validate([fixed('latency_ms', Comparator.LTE, 100)], [], values({ latency_ms: 130 }), values({ latency_ms: 1 }));
      expect(result.passed).toBe(false);
      expect(result.checks[0]).toMatchObject({ passed: false, candidateValue: 130, baselineValue: 100 });
      expect(result.checks[0].detail).toMatch(/failed$/);
    });

    it('lets the tolerance rescue a near miss and reports it', () => {
      const result = validate([fixed('auc', Comparator.GTE, 0.75, 0.25)], [], values({ auc: 0.5 }), null);
      expect(result.passed).toBe(true);
      expect(result.checks[0].tolerance).toBe(0.25);
      expect(result.checks[0].detail).toMatch(/tolerance 0\.25/);
    });

    it('ignores the production version', () => {
      const result = validate([fixed('auc', Comparator.GTE, 0.75)], [], values({ auc: 0.8 }), values({ auc: 0.99 }));
      expect(result.passed).toBe(true);
      expect(result.checks[0].baselineValue).toBe(0.75);
    });
  });

  describe('with a PRODUCTION_VERSION baseline', () => {
    it('passes a candidate that beats production', () => {
      const result = validate([beatProduction('auc', Comparator.GTE)], [], values({ auc: 0.9 }), values({ auc: 0.85 }));
      expect(result.passed).toBe(true);
      expect(result.checks[0]).toMatchObject({ origin: 'BASELINE', candidateValue: 0.9, baselineValue: 0.85, passed: true });
      expect(result.checks[0].detail).toMatch(/against the production version: passed/);
    });

    it('fails a candidate worse than production', () => {
      const result = validate([beatProduction('latency_ms', Comparator.LTE)], [], values({ latency_ms: 130 }), values({ latency_ms: 120 }));
      expect(result.passed).toBe(false);
      expect(result.checks[0]).toMatchObject({ candidateValue: 130, baselineValue: 120, passed: false });
    });

    it('lets the tolerance rescue a candidate slightly worse than production', () => {
      const baseline = beatProduction('latency_ms', Comparator.LTE, 10);
      expect(validate([baseline], [], values({ latency_ms: 130 }), values({ latency_ms: 120 })).passed).toBe(true);
      expect(validate([baseline], [], values({ latency_ms: 131 }), values({ latency_ms: 120 })).passed).toBe(false);
    });

    it('passes when nothing is in production and the candidate has the metric', () => {
      const result = validate([beatProduction('auc', Comparator.GTE, 0.5)], [], values({ auc: 0.1 }), null);
      expect(result.passed).toBe(true);
      expect(result.checks[0]).toEqual({
        origin: 'BASELINE',
        metric: 'auc',
        comparator: 'GTE',
        candidateValue: 0.1,
        baselineValue: null,
        tolerance: 0.5,
        passed: true,
        detail: expect.stringMatching(/nothing to beat/),
      });
    });

    it('fails when nothing is in production and the candidate lacks the metric', () => {
      const result = validate([beatProduction('auc', Comparator.GTE)], [], values({ f1: 0.9 }), null);
      expect(result.passed).toBe(false);
      expect(result.checks[0]).toMatchObject({ candidateValue: null, baselineValue: null, passed: false });
      expect(result.checks[0].detail).toMatch(/missing metric fails/);
    });

    it('fails when the production version lacks the metric', () => {
      const result = validate([beatProduction('auc', Comparator.GTE)], [], values({ auc: 0.9 }), values({ f1: 0.9 }));
      expect(result.passed).toBe(false);
      expect(result.checks[0]).toMatchObject({ candidateValue: 0.9, baselineValue: null, passed: false });
      expect(result.checks[0].detail).toMatch(/production version/);
    });
  });

  describe('a missing candidate metric', () => {
    it.each([
      ['a FIXED baseline', [fixed('auc', Comparator.GTE, 0)], []],
      ['a FIXED baseline with a huge tolerance', [fixed('auc', Comparator.GTE, 0.5, 1e9)], []],
      ['a PRODUCTION_VERSION baseline', [beatProduction('auc', Comparator.GTE)], []],
      ['a policy check', [], [{ metric: 'auc', comparator: 'GTE', threshold: -1e9 }]],
    ] as Array<[string, BaselineRule[], MetricRule[]]>)('never passes %s', (_label, baselines, requiredChecks) => {
      const result = validate(baselines, requiredChecks, values({ other: 1 }), values({ auc: 0.5 }));
      expect(result.passed).toBe(false);
      expect(result.checks).toHaveLength(1);
      expect(result.checks[0]).toMatchObject({ metric: 'auc', candidateValue: null, passed: false });
      expect(result.checks[0].detail).toMatch(/missing metric fails/);
    });
  });

  describe('with policy required checks', () => {
    const rules: MetricRule[] = [
      { metric: 'fairness_score', comparator: Comparator.GTE, threshold: 0.9 },
      { metric: 'latency_p99_ms', comparator: Comparator.LTE, threshold: 120 },
    ];

    it('checks each rule with origin POLICY and no tolerance', () => {
      const result = validate([], rules, values({ fairness_score: 0.9, latency_p99_ms: 120 }), null);
      expect(result.passed).toBe(true);
      expect(result.checks).toEqual([
        expect.objectContaining({
          origin: 'POLICY',
          metric: 'fairness_score',
          comparator: 'GTE',
          candidateValue: 0.9,
          baselineValue: 0.9,
          tolerance: 0,
          passed: true,
        }),
        expect.objectContaining({
          origin: 'POLICY',
          metric: 'latency_p99_ms',
          comparator: 'LTE',
          candidateValue: 120,
          baselineValue: 120,
          tolerance: 0,
          passed: true,
        }),
      ]);
      expect(result.checks[0].detail).toMatch(/against the policy: passed/);
    });

    it('fails a rule the candidate misses', () => {
      const result = validate([], rules, values({ fairness_score: 0.89, latency_p99_ms: 100 }), null);
      expect(result.passed).toBe(false);
      expect(result.checks.map((c) => c.passed)).toEqual([false, true]);
      expect(result.summary).toBe('1 of 2 checks failed: fairness_score');
    });
  });

  it('refuses to pass when there is nothing to check', () => {
    const result = validate([], [], values({ auc: 0.9 }), values({ auc: 0.8 }));
    expect(result.passed).toBe(false);
    expect(result.checks).toEqual([]);
    expect(result.summary).toMatch(/nothing to validate/);
  });

  it('lists the failed metrics in the summary, in check order', () => {
    const result = validate(
      [fixed('auc', Comparator.GTE, 0.9), fixed('f1', Comparator.GTE, 0.5), beatProduction('latency_ms', Comparator.LTE)],
      [{ metric: 'fairness', comparator: Comparator.GTE, threshold: 0.8 }],
      values({ auc: 0.5, f1: 0.75, latency_ms: 200, fairness: 0.5 }),
      values({ latency_ms: 100 }),
    );
    expect(result.passed).toBe(false);
    expect(result.summary).toBe('3 of 4 checks failed: auc, latency_ms, fairness');
  });

  it('orders the checks: baselines in their order, then policy checks in theirs', () => {
    const result = validate(
      [beatProduction('b1', Comparator.GTE), fixed('b2', Comparator.LTE, 1)],
      [
        { metric: 'p1', comparator: Comparator.GTE, threshold: 0 },
        { metric: 'p2', comparator: Comparator.LTE, threshold: 0 },
      ],
      values({ p2: 0, p1: 0, b2: 0, b1: 0 }),
      values({ b1: 0 }),
    );
    expect(result.checks.map((c) => [c.origin, c.metric])).toEqual([
      ['BASELINE', 'b1'],
      ['BASELINE', 'b2'],
      ['POLICY', 'p1'],
      ['POLICY', 'p2'],
    ]);
    expect(result.passed).toBe(true);
    expect(result.summary).toBe('all 4 checks passed');
  });

  it('checks a metric covered by both a baseline and the policy twice', () => {
    const result = validate(
      [fixed('auc', Comparator.GTE, 0.5)],
      [{ metric: 'auc', comparator: Comparator.GTE, threshold: 0.75 }],
      values({ auc: 0.625 }),
      null,
    );
    expect(result.checks.map((c) => [c.origin, c.passed])).toEqual([
      ['BASELINE', true],
      ['POLICY', false],
    ]);
    expect(result.summary).toBe('1 of 2 checks failed: auc');
  });
});

describe('compare: decimal boundaries are inclusive despite binary rounding', () => {
  it.each([
    [Comparator.LTE, 0.07, 0.06, 0.01],
    [Comparator.GTE, 0.01, 0.04, 0.03],
    [Comparator.GTE, 0.7, 0.8, 0.1],
  ] as const)('%s %p against %p with tolerance %p passes', (comparator, candidate, baseline, tolerance) => {
    expect(compare(comparator, candidate, baseline, tolerance)).toBe(true);
  });

  it('still fails just past the boundary', () => {
    expect(compare(Comparator.LTE, 0.0701, 0.06, 0.01)).toBe(false);
    expect(compare(Comparator.GTE, 0.0099, 0.04, 0.03)).toBe(false);
  });
});
