import { badInput } from '../../../common/errors';
import { Comparator } from '../../governance/governance.enums';
import { validateMetricName } from '../monitoring.rules';

/**
 * A service-level objective on a production metric, with an error budget: the share of reported time the
 * metric may miss its target over a rolling window. "latency_p99_ms LTE 500, budget 0.01 over 28 days": p99
 * latency may be above 500 ms for at most 1 % of the reported time of the last 28 days.
 */
export interface ObjectiveSpec {
  metric: string;
  /** LTE: the value must be at or below target; GTE: at or above. */
  comparator: Comparator;
  target: number;
  /** 0 < budget < 1. */
  budget: number;
  /** Rolling window, whole days, 1..90. */
  windowDays: number;
}

export const DEFAULT_OBJECTIVE_BUDGET = 0.01;
export const DEFAULT_OBJECTIVE_WINDOW_DAYS = 28;
/** The short window burn rate is measured over. */
export const BURN_WINDOW_MS = 60 * 60 * 1000;
export const MAX_OBJECTIVES = 50;

/** One report window's value of the metric. */
export interface ObjectiveSample {
  windowStart: Date;
  windowEnd: Date;
  value: number;
}

export type ObjectiveState = 'NO_DATA' | 'MET' | 'AT_RISK' | 'BREACHED';

export interface ObjectiveEvaluation {
  state: ObjectiveState;
  /** The value of the latest window (by its end) inside the rolling window. */
  currentValue: number | null;
  currentMeets: boolean | null;
  /** Reported time inside the rolling window, and of it the time that missed the target. */
  reportedSeconds: number;
  missedSeconds: number;
  /** reportedSeconds over the window's length, at most 1. */
  coverage: number;
  /** 1 − (missed / reported) / budget: 1 untouched, 0 spent, negative overspent; null with no data. */
  budgetRemaining: number | null;
  /** (missed share over the last hour) / budget: above 1 spends faster than the budget lasts; null with no report that hour. */
  burnRate: number | null;
}

export function meetsTarget(comparator: Comparator, value: number, target: number): boolean {
  return comparator === Comparator.LTE ? value <= target : value >= target;
}

/**
 * Time-weighted: each sample counts for the part of its window inside the period (a point report, start =
 * end, for one second). BREACHED once the budget is spent; AT_RISK while the last hour burns it faster than
 * it lasts; else MET.
 */
export function evaluateObjective(spec: ObjectiveSpec, samples: ObjectiveSample[], now: Date): ObjectiveEvaluation {
  const end = now.getTime();
  const windowMs = spec.windowDays * 24 * 3600 * 1000;
  const tally = (from: number) => {
    let reported = 0;
    let missed = 0;
    for (const s of samples) {
      const start = s.windowStart.getTime();
      const stop = s.windowEnd.getTime();
      const seconds =
        stop === start ? (start >= from && start <= end ? 1 : 0) : Math.max(0, Math.min(stop, end) - Math.max(start, from)) / 1000;
      reported += seconds;
      if (!meetsTarget(spec.comparator, s.value, spec.target)) missed += seconds;
    }
    return { reported, missed };
  };
  const whole = tally(end - windowMs);
  const recent = tally(end - BURN_WINDOW_MS);
  const inside = samples.filter((s) => s.windowEnd.getTime() >= end - windowMs && s.windowStart.getTime() <= end);
  const latest = inside.reduce<ObjectiveSample | null>((best, s) => (!best || s.windowEnd > best.windowEnd ? s : best), null);
  if (whole.reported === 0) {
    return {
      state: 'NO_DATA',
      currentValue: null,
      currentMeets: null,
      reportedSeconds: 0,
      missedSeconds: 0,
      coverage: 0,
      budgetRemaining: null,
      burnRate: null,
    };
  }
  const budgetRemaining = 1 - whole.missed / whole.reported / spec.budget;
  const burnRate = recent.reported > 0 ? recent.missed / recent.reported / spec.budget : null;
  const state: ObjectiveState = budgetRemaining <= 1e-12 ? 'BREACHED' : burnRate !== null && burnRate > 1 ? 'AT_RISK' : 'MET';
  return {
    state,
    currentValue: latest ? latest.value : null,
    currentMeets: latest ? meetsTarget(spec.comparator, latest.value, spec.target) : null,
    reportedSeconds: whole.reported,
    missedSeconds: whole.missed,
    coverage: Math.min(1, whole.reported / (windowMs / 1000)),
    budgetRemaining,
    burnRate,
  };
}

export type ObjectiveInput = Pick<ObjectiveSpec, 'metric' | 'comparator' | 'target'> & {
  budget?: number | null;
  windowDays?: number | null;
};

/** The objectives with their defaults, or the first refusal naming its field (objectives[2].budget). Empty clears them. */
export function validateObjectives(objectives: ObjectiveInput[], field = 'objectives'): ObjectiveSpec[] {
  if (!Array.isArray(objectives)) throw badInput(field, 'must be a list');
  if (objectives.length > MAX_OBJECTIVES) throw badInput(field, `at most ${MAX_OBJECTIVES} objectives, got ${objectives.length}`);
  const seen = new Set<string>();
  return objectives.map((o, i) => {
    const at = `${field}[${i}]`;
    validateMetricName(o.metric, `${at}.metric`);
    if (o.comparator !== Comparator.GTE && o.comparator !== Comparator.LTE) throw badInput(`${at}.comparator`, 'must be GTE or LTE');
    const key = `${o.metric} ${o.comparator}`;
    if (seen.has(key)) throw badInput(`${at}.metric`, `${o.metric} already has a ${o.comparator} objective`);
    seen.add(key);
    if (typeof o.target !== 'number' || !Number.isFinite(o.target)) throw badInput(`${at}.target`, 'must be a finite number');
    const budget = o.budget ?? DEFAULT_OBJECTIVE_BUDGET;
    if (!Number.isFinite(budget) || budget <= 0 || budget >= 1)
      throw badInput(`${at}.budget`, 'must be a share above 0 and below 1 (0.01 is 1 %)');
    const windowDays = o.windowDays ?? DEFAULT_OBJECTIVE_WINDOW_DAYS;
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 90)
      throw badInput(`${at}.windowDays`, 'must be a whole number of days from 1 to 90');
    return { metric: o.metric, comparator: o.comparator, target: o.target, budget, windowDays };
  });
}
