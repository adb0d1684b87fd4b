import {
  directionOf,
  isModelQuality,
  isProportion,
  MAX_METRICS_PER_REPORT,
  ProductionMetricKind,
  validateProductionMetrics,
  worseBy,
} from '../../src/modules/monitoring/monitoring.rules';
import { expectBadInput } from './bad-input';

describe('kinds', () => {
  test('direction, proportion and quality', () => {
    expect(directionOf(ProductionMetricKind.LATENCY_MS)).toBe('LOWER_IS_BETTER');
    expect(directionOf(ProductionMetricKind.AVAILABILITY)).toBe('HIGHER_IS_BETTER');
    expect(directionOf(ProductionMetricKind.KPI_RATE)).toBe('HIGHER_IS_BETTER');
    expect(isProportion(ProductionMetricKind.ERROR_RATE)).toBe(true);
    expect(isProportion(ProductionMetricKind.KPI)).toBe(false);
    expect(Object.values(ProductionMetricKind).filter(isModelQuality)).toEqual(['QUALITY', 'LOSS']);
  });

  test('worseBy: positive is worse, relative to the reference', () => {
    expect(worseBy(ProductionMetricKind.QUALITY, 0.8, 0.9)).toBeCloseTo(0.1 / 0.9, 12);
    expect(worseBy(ProductionMetricKind.LATENCY_MS, 90, 100)).toBeCloseTo(-0.1, 12);
    expect(worseBy(ProductionMetricKind.LOSS, 0.3, 0.2)).toBeCloseTo(0.5, 12);
    expect(worseBy(ProductionMetricKind.KPI, -2, -1)).toBeCloseTo(1, 12); // a negative reference: |−1|
    expect(worseBy(ProductionMetricKind.ERROR_RATE, 0, 0)).toBe(0);
    expect(worseBy(ProductionMetricKind.ERROR_RATE, 0.1, 0)).toBe(Infinity);
    expect(worseBy(ProductionMetricKind.AVAILABILITY, 0.1, 0)).toBe(-Infinity);
  });
});

describe('validateProductionMetrics', () => {
  const ok = { name: 'ctr', kind: 'KPI_RATE', value: 0.1, observations: 1000 };
  test('a good batch passes', () => {
    expect(() => validateProductionMetrics([ok, { name: 'latency_p99_ms', kind: 'LATENCY_MS', value: 120 }])).not.toThrow();
  });
  test('refusals name the field', () => {
    expectBadInput(() => validateProductionMetrics([]), 'metrics');
    expectBadInput(
      () => validateProductionMetrics(Array.from({ length: MAX_METRICS_PER_REPORT + 1 }, (_, i) => ({ ...ok, name: `m${i}` }))),
      'metrics',
    );
    expectBadInput(() => validateProductionMetrics([{ ...ok, name: 'has space' }]), 'metrics[0].name');
    expectBadInput(() => validateProductionMetrics([{ ...ok, name: '' }]), 'metrics[0].name');
    expectBadInput(() => validateProductionMetrics([{ ...ok, kind: 'SPEED' }]), 'metrics[0].kind');
    expectBadInput(() => validateProductionMetrics([{ ...ok, value: NaN }]), 'metrics[0].value');
    expectBadInput(() => validateProductionMetrics([{ ...ok, value: Infinity }]), 'metrics[0].value');
    expectBadInput(() => validateProductionMetrics([{ ...ok, value: 1.01 }]), 'metrics[0].value');
    expectBadInput(() => validateProductionMetrics([{ ...ok, kind: 'COST', value: -1 }]), 'metrics[0].value');
    expect(() => validateProductionMetrics([{ ...ok, kind: 'KPI', value: -1 }])).not.toThrow();
    expectBadInput(() => validateProductionMetrics([{ ...ok, observations: 1.5 }]), 'metrics[0].observations');
    expectBadInput(() => validateProductionMetrics([{ ...ok, observations: -1 }]), 'metrics[0].observations');
    expectBadInput(() => validateProductionMetrics([ok, ok]), 'metrics[1].name');
  });
});
