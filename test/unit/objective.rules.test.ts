import fc from 'fast-check';
import { Comparator } from '../../src/modules/governance/governance.enums';
import {
  BURN_WINDOW_MS,
  evaluateObjective,
  MAX_OBJECTIVES,
  meetsTarget,
  validateObjectives,
  type ObjectiveSample,
  type ObjectiveSpec,
} from '../../src/modules/monitoring/objectives/objective.rules';
import { expectBadInput } from './bad-input';

const HOUR = 3600_000;
const NOW = new Date('2026-12-03T12:00:00Z');
const latency = (budget: number, windowDays: number): ObjectiveSpec => ({
  metric: 'latency_p99_ms',
  comparator: Comparator.LTE,
  target: 500,
  budget,
  windowDays,
});
/** `values[i]` for the hour ending i hours before NOW (values[0] is the last hour). */
const hourly = (values: number[]): ObjectiveSample[] =>
  values.map((value, i) => ({
    windowStart: new Date(NOW.getTime() - (i + 1) * HOUR),
    windowEnd: new Date(NOW.getTime() - i * HOUR),
    value,
  }));

describe('evaluateObjective', () => {
  test('24 hourly windows over one day, one missed long ago: 1 − (1/24)/0.01 = −3.1667, BREACHED', () => {
    const values = Array(24).fill(300);
    values[20] = 900;
    const e = evaluateObjective(latency(0.01, 1), hourly(values), NOW);
    expect(e.budgetRemaining).toBeCloseTo(1 - 1 / 24 / 0.01, 10);
    expect(e).toMatchObject({
      state: 'BREACHED',
      reportedSeconds: 86_400,
      missedSeconds: 3600,
      coverage: 1,
      burnRate: 0,
      currentValue: 300,
      currentMeets: true,
    });
  });

  test('28 days of hours, one missed: 1 − (1/672)/0.01 = 0.85119 left; the last hour missed burns at 100×: AT_RISK', () => {
    const old = Array(672).fill(300);
    old[400] = 900;
    expect(evaluateObjective(latency(0.01, 28), hourly(old), NOW)).toMatchObject({ state: 'MET', burnRate: 0 });
    expect(evaluateObjective(latency(0.01, 28), hourly(old), NOW).budgetRemaining).toBeCloseTo(0.851190476, 8);
    const recent = Array(672).fill(300);
    recent[0] = 900;
    const e = evaluateObjective(latency(0.01, 28), hourly(recent), NOW);
    expect(e).toMatchObject({ state: 'AT_RISK', burnRate: 100, currentValue: 900, currentMeets: false });
    expect(e.budgetRemaining).toBeCloseTo(0.851190476, 8);
  });

  test('a window straddling the start counts for its part inside; outside ones not at all; a point report for a second', () => {
    const spec = latency(0.5, 1);
    const samples: ObjectiveSample[] = [
      { windowStart: new Date(NOW.getTime() - 25 * HOUR), windowEnd: new Date(NOW.getTime() - 23 * HOUR), value: 900 }, // 1 h inside
      { windowStart: new Date(NOW.getTime() - 30 * HOUR), windowEnd: new Date(NOW.getTime() - 29 * HOUR), value: 900 }, // outside
      { windowStart: new Date(NOW.getTime() - 2 * HOUR), windowEnd: new Date(NOW.getTime() - 2 * HOUR), value: 100 }, // a point
    ];
    const e = evaluateObjective(spec, samples, NOW);
    expect(e.reportedSeconds).toBe(3601);
    expect(e.missedSeconds).toBe(3600);
    expect(e.burnRate).toBeNull(); // nothing reported in the last hour
    expect(e.currentValue).toBe(100);
  });

  test('NO_DATA without reports in the window; GTE objectives', () => {
    expect(evaluateObjective(latency(0.01, 1), [], NOW)).toMatchObject({
      state: 'NO_DATA',
      budgetRemaining: null,
      burnRate: null,
      currentValue: null,
      coverage: 0,
    });
    const availability: ObjectiveSpec = { metric: 'availability', comparator: Comparator.GTE, target: 0.999, budget: 0.25, windowDays: 1 };
    const e = evaluateObjective(availability, hourly([0.9995, 0.998, 0.9999, 0.9991]), NOW);
    expect(e.missedSeconds).toBe(3600);
    expect(e.budgetRemaining).toBeCloseTo(1 - 0.25 / 0.25, 10); // 1 of 4 hours missed: spent exactly
    expect(e.state).toBe('BREACHED');
  });

  test('burn window is the last hour', () => {
    expect(BURN_WINDOW_MS).toBe(HOUR);
  });

  test('the budget left never grows as more windows miss; nothing is NaN', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 48 }), fc.integer({ min: 0, max: 47 }), (misses, flip) => {
        const spec = latency(0.05, 2);
        const before = evaluateObjective(spec, hourly(misses.map((m) => (m ? 900 : 300))), NOW);
        const worse = misses.map((m, i) => m || i === flip % misses.length);
        const after = evaluateObjective(spec, hourly(worse.map((m) => (m ? 900 : 300))), NOW);
        expect(after.budgetRemaining!).toBeLessThanOrEqual(before.budgetRemaining! + 1e-12);
        for (const e of [before, after]) for (const v of Object.values(e)) if (typeof v === 'number') expect(Number.isNaN(v)).toBe(false);
      }),
    );
  });
});

describe('meetsTarget', () => {
  test('LTE at or below, GTE at or above', () => {
    expect(meetsTarget(Comparator.LTE, 500, 500)).toBe(true);
    expect(meetsTarget(Comparator.LTE, 501, 500)).toBe(false);
    expect(meetsTarget(Comparator.GTE, 0.999, 0.999)).toBe(true);
    expect(meetsTarget(Comparator.GTE, 0.998, 0.999)).toBe(false);
  });
});

describe('validateObjectives', () => {
  const ok = { metric: 'latency_p99_ms', comparator: Comparator.LTE, target: 500 };
  test('defaults filled; empty clears', () => {
    expect(validateObjectives([ok])).toEqual([{ ...ok, budget: 0.01, windowDays: 28 }]);
    expect(validateObjectives([])).toEqual([]);
  });
  test('refusals name the field', () => {
    expectBadInput(() => validateObjectives([{ ...ok, metric: '9lives' }]), 'objectives[0].metric');
    expectBadInput(() => validateObjectives([{ ...ok, comparator: 'EQ' as Comparator }]), 'objectives[0].comparator');
    expectBadInput(() => validateObjectives([{ ...ok, target: NaN }]), 'objectives[0].target');
    expectBadInput(() => validateObjectives([{ ...ok, budget: 0 }]), 'objectives[0].budget');
    expectBadInput(() => validateObjectives([{ ...ok, budget: 1 }]), 'objectives[0].budget');
    expectBadInput(() => validateObjectives([{ ...ok, windowDays: 0 }]), 'objectives[0].windowDays');
    expectBadInput(() => validateObjectives([{ ...ok, windowDays: 91 }]), 'objectives[0].windowDays');
    expectBadInput(() => validateObjectives([{ ...ok, windowDays: 1.5 }]), 'objectives[0].windowDays');
    expectBadInput(() => validateObjectives([ok, { ...ok, target: 400 }]), 'objectives[1].metric');
    expect(validateObjectives([ok, { ...ok, comparator: Comparator.GTE, target: 1 }])).toHaveLength(2);
    expectBadInput(
      () => validateObjectives(Array.from({ length: MAX_OBJECTIVES + 1 }, (_, i) => ({ ...ok, metric: `m${i}` }))),
      'objectives',
    );
  });
});
