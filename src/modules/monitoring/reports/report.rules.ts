import { badInput } from '../../../common/errors';

/** A report's window: at most this long, and not ending later than this past the server's clock (skew). */
export const MAX_WINDOW_MS = 31 * 24 * 3600 * 1000;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ReportWindow {
  start: Date;
  end: Date;
}

/** window.start ≤ window.end, at most 31 days long, not in the future (beyond five minutes of skew). */
export function validateWindow(window: ReportWindow, now: Date, field = 'window'): void {
  for (const side of ['start', 'end'] as const) {
    if (!(window[side] instanceof Date) || Number.isNaN(window[side].getTime())) throw badInput(`${field}.${side}`, 'is not a valid time');
  }
  if (window.end < window.start) throw badInput(`${field}.end`, 'must not be before window.start');
  if (window.end.getTime() - window.start.getTime() > MAX_WINDOW_MS) throw badInput(`${field}.end`, 'a window is at most 31 days long');
  if (window.end.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw badInput(`${field}.end`, 'is in the future');
}

/** How many reports one reportFeatureDistributions call may carry (and MAX_VALUES_PER_REPORT numbers in all). */
export const MAX_REPORTS_PER_BATCH = 100;
