import fc from 'fast-check';
import { AlertSeverity } from '../../src/modules/monitoring/alerts/alert.enums';
import {
  MAX_FEATURES_PER_REPORT,
  MAX_VALUES_PER_REPORT,
  toDistributions,
  type FeatureShape,
} from '../../src/modules/monitoring/drift/distribution.rules';
import { referenceHistogram } from '../../src/modules/monitoring/drift/drift.rules';
import { DEFAULT_QUALITY_TOLERANCE, qualitySeverity, validateQualityTolerance } from '../../src/modules/monitoring/drift/quality.rules';
import { validateWindow } from '../../src/modules/monitoring/reports/report.rules';
import { expectBadInput } from './bad-input';

const hist = (name: string, counts = [10, 20, 30]): FeatureShape => ({
  name,
  histogram: { binEdges: counts.map((_, i) => i).concat(counts.length), counts },
});

describe('toDistributions', () => {
  test('each shape becomes its distribution; categories become a map without a prototype', () => {
    const [h, q, c] = toDistributions([
      hist('age'),
      {
        name: 'latency',
        quantiles: {
          count: 100,
          quantiles: [
            { q: 0, value: 1 },
            { q: 1, value: 9 },
          ],
        },
      },
      {
        name: 'device',
        categories: [
          { category: '__proto__', count: 3 },
          { category: 'ios', count: 4 },
        ],
      },
    ]);
    expect(h).toEqual({ name: 'age', distribution: { binEdges: [0, 1, 2, 3], counts: [10, 20, 30] } });
    expect(q.distribution).toEqual({
      count: 100,
      quantiles: [
        { q: 0, value: 1 },
        { q: 1, value: 9 },
      ],
    });
    const categories = (c.distribution as { categories: Record<string, number> }).categories;
    expect(Object.keys(categories)).toEqual(['__proto__', 'ios']);
    expect(categories['__proto__']).toBe(3);
  });

  test('refusals name the field', () => {
    expectBadInput(() => toDistributions([]), 'features');
    expectBadInput(() => toDistributions([hist('a'), hist('a')]), 'features[1].name');
    expectBadInput(() => toDistributions([hist('')]), 'features[0].name');
    expectBadInput(() => toDistributions([{ name: 'tab\there' }]), 'features[0].name');
    expectBadInput(() => toDistributions([{ name: 'a' }]), 'features[0]');
    expectBadInput(() => toDistributions([{ ...hist('a'), categories: [{ category: 'x', count: 1 }] }]), 'features[0]');
    expectBadInput(() => toDistributions([hist('a', [1, -2, 3])]), 'features[0].histogram.counts[1]');
    expectBadInput(() => toDistributions([hist('a', [1, NaN, 3])]), 'features[0].histogram.counts[1]');
    expectBadInput(() => toDistributions([{ name: 'a', histogram: { binEdges: [0, 1], counts: [1, 2] } }]), 'features[0].histogram.counts');
    expectBadInput(
      () =>
        toDistributions([
          {
            name: 'd',
            categories: [
              { category: 'x', count: 1 },
              { category: 'x', count: 2 },
            ],
          },
        ]),
      'features[0].categories[1].category',
    );
    const many = Array.from({ length: MAX_FEATURES_PER_REPORT + 1 }, (_, i) => hist(`f${i}`));
    expectBadInput(() => toDistributions(many), 'features');
    // 60 features of 1,000 bins: 60,000 values, over the report's bound.
    const wide = Array.from({ length: 60 }, (_, i) => hist(`w${i}`, Array(1000).fill(1)));
    expect(60 * 1000).toBeGreaterThan(MAX_VALUES_PER_REPORT);
    expectBadInput(() => toDistributions(wide), 'features');
  });
});

describe('validateWindow', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const at = (iso: string) => new Date(iso);
  test('start ≤ end, at most 31 days, not in the future beyond five minutes', () => {
    expect(() => validateWindow({ start: at('2026-12-03T11:00:00Z'), end: at('2026-12-03T12:04:00Z') }, now)).not.toThrow();
    expect(() => validateWindow({ start: at('2026-12-03T11:00:00Z'), end: at('2026-12-03T11:00:00Z') }, now)).not.toThrow();
    expectBadInput(() => validateWindow({ start: at('2026-12-03T11:00:00Z'), end: at('2026-12-03T10:00:00Z') }, now), 'window.end');
    expectBadInput(() => validateWindow({ start: at('2026-12-03T11:00:00Z'), end: at('2026-12-03T12:06:00Z') }, now), 'window.end');
    expectBadInput(() => validateWindow({ start: at('2026-10-01T00:00:00Z'), end: at('2026-12-01T00:00:00Z') }, now), 'window.end');
    expectBadInput(() => validateWindow({ start: new Date(NaN), end: now }, now), 'window.start');
  });
});

describe('referenceHistogram', () => {
  test('a histogram stays; a sketch becomes bins between its distinct quantile values, in whole counts', () => {
    const h = { binEdges: [0, 1, 2], counts: [3, 4] };
    expect(referenceHistogram(h, 'features[0]')).toBe(h);
    // Quartiles of 1,000 observations at 0, 10, 20, 30, 40: four bins of 250.
    const sketch = { count: 1000, quantiles: [0, 0.25, 0.5, 0.75, 1].map((q) => ({ q, value: q * 40 })) };
    expect(referenceHistogram(sketch, 'features[0]')).toEqual({ binEdges: [0, 10, 20, 30, 40], counts: [250, 250, 250, 250] });
    // Repeated values make one edge: 0, 0, 5, 10 → edges [0, 5, 10].
    const tied = {
      count: 300,
      quantiles: [
        { q: 0, value: 0 },
        { q: 1 / 3, value: 0 },
        { q: 2 / 3, value: 5 },
        { q: 1, value: 10 },
      ],
    };
    expect(referenceHistogram(tied, 'features[0]').binEdges).toEqual([0, 5, 10]);
    expectBadInput(
      () =>
        referenceHistogram(
          {
            count: 10,
            quantiles: [
              { q: 0, value: 3 },
              { q: 1, value: 3 },
            ],
          },
          'features[2]',
        ),
      'features[2].quantiles',
    );
  });

  test('the counts of a sketch reference add up to its count, within rounding', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 20 }),
        fc.integer({ min: 100, max: 1e6 }),
        (values, count) => {
          const sorted = [...values].sort((a, b) => a - b);
          const quantiles = sorted.map((value, i) => ({ q: i / (sorted.length - 1), value }));
          const h = referenceHistogram({ count, quantiles }, 'f');
          const total = h.counts.reduce((a, b) => a + b, 0);
          expect(Math.abs(total - count)).toBeLessThanOrEqual(h.counts.length);
          expect(h.counts.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('quality tolerance', () => {
  test('relative loss against validation: 5 % warns, 10 % is critical (defaults)', () => {
    expect(qualitySeverity(0.049)).toBeNull();
    expect(qualitySeverity(0.05)).toBe(AlertSeverity.WARNING);
    expect(qualitySeverity(0.0667)).toBe(AlertSeverity.WARNING);
    expect(qualitySeverity(0.1)).toBe(AlertSeverity.CRITICAL);
    expect(qualitySeverity(Infinity)).toBe(AlertSeverity.CRITICAL);
    expect(qualitySeverity(-0.2)).toBeNull(); // better than validated
    expect(qualitySeverity(0.03, { warning: 0.02, critical: 0.04 })).toBe(AlertSeverity.WARNING);
  });

  test('refusals', () => {
    expect(() => validateQualityTolerance(DEFAULT_QUALITY_TOLERANCE)).not.toThrow();
    expectBadInput(() => validateQualityTolerance({ warning: 0, critical: 0.1 }), 'qualityTolerance.warning');
    expectBadInput(() => validateQualityTolerance({ warning: 0.1, critical: 1.5 }), 'qualityTolerance.critical');
    expectBadInput(() => validateQualityTolerance({ warning: 0.2, critical: 0.1 }), 'qualityTolerance.critical');
  });
});
