import { MAX_POINTS_PER_CALL, validatePoints, type MetricPointShape } from '../../src/modules/metrics/metric.rules';
import { expectBadInput } from './bad-input';

const point = (overrides: Partial<MetricPointShape> = {}): MetricPointShape => ({
  name: 'auc',
  value: 0.9,
  source: 'VALIDATION',
  ...overrides,
});
const points = (count: number): MetricPointShape[] => Array.from({ length: count }, (_, i) => point({ step: i }));

/** A batch of three good points with `overrides` applied to the one at index 2. */
const batchWithBadThird = (overrides: Partial<MetricPointShape>): MetricPointShape[] => [point(), point(), point(overrides)];

describe('validatePoints', () => {
  it('accepts a valid batch using every source and optional field', () => {
    expect(() =>
      validatePoints([
        point({ source: 'TRAINING', step: 0, name: 'loss', value: -1.5 }),
        point({ source: 'VALIDATION', slice: 'eu-west', recordedAt: new Date('2024-06-01T00:00:00Z') }),
        point({ source: 'TEST', step: 12, slice: '' }),
        point({ source: 'PRODUCTION', step: null, slice: null, recordedAt: null, value: 0 }),
      ]),
    ).not.toThrow();
  });

  it('has a limit of 10,000 points per call', () => {
    expect(MAX_POINTS_PER_CALL).toBe(10_000);
  });

  it('accepts exactly 10,000 points', () => {
    expect(() => validatePoints(points(10_000))).not.toThrow();
  });

  it('refuses 10,001 points', () => {
    expect(expectBadInput(() => validatePoints(points(10_001)), 'metrics').message).toMatch(/at most 10000 points per call, got 10001/);
  });

  it('refuses an empty list', () => {
    expectBadInput(() => validatePoints([]), 'metrics');
  });

  describe('refuses the point at index 2 with', () => {
    it.each(['', '   '])('the empty name %p', (name) => {
      expectBadInput(() => validatePoints(batchWithBadThird({ name })), 'metrics[2].name');
    });

    it('a missing name', () => {
      expectBadInput(() => validatePoints(batchWithBadThird({ name: undefined as unknown as string })), 'metrics[2].name');
    });

    it('a name longer than 200 characters', () => {
      expect(() => validatePoints([point({ name: 'n'.repeat(200) })])).not.toThrow();
      expectBadInput(() => validatePoints(batchWithBadThird({ name: 'n'.repeat(201) })), 'metrics[2].name');
    });

    it.each([NaN, Infinity, -Infinity])('the value %p', (value) => {
      expectBadInput(() => validatePoints(batchWithBadThird({ value })), 'metrics[2].value');
    });

    it.each(['0.9', null, undefined])('the non-number value %p', (value) => {
      expectBadInput(() => validatePoints(batchWithBadThird({ value: value as unknown as number })), 'metrics[2].value');
    });

    it.each(['validation', 'EVAL', '', null])('the source %p', (source) => {
      const error = expectBadInput(() => validatePoints(batchWithBadThird({ source: source as string })), 'metrics[2].source');
      expect(error.message).toMatch(/TRAINING, VALIDATION, TEST, PRODUCTION/);
    });

    it.each([-1, 1.5, NaN, Infinity])('the step %p', (step) => {
      expectBadInput(() => validatePoints(batchWithBadThird({ step })), 'metrics[2].step');
    });

    it('a slice longer than 200 characters', () => {
      expectBadInput(() => validatePoints(batchWithBadThird({ slice: 's'.repeat(201) })), 'metrics[2].slice');
    });

    it('an invalid Date', () => {
      expectBadInput(() => validatePoints(batchWithBadThird({ recordedAt: new Date('not a date') })), 'metrics[2].recordedAt');
    });
  });

  it('names the first bad point when several are bad', () => {
    const batch = [point(), point({ value: NaN }), point({ source: 'NOPE' })];
    expectBadInput(() => validatePoints(batch), 'metrics[1].value');
  });

  it('names the index of a bad point at the end of a full batch', () => {
    const batch = points(10_000);
    batch[9_999] = point({ name: '' });
    expectBadInput(() => validatePoints(batch), 'metrics[9999].name');
  });
});
