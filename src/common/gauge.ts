import type { Caller } from './caller';

/** One value of a gauge, with its labels. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A Prometheus gauge a module computes when /metrics is scraped (from the database, so every instance
 * answers the same). Its labels must be bounded: every distinct label set is a time series. Its labels may
 * name models, so it is computed for the token that scrapes, over the models that token may see.
 */
export interface GaugeSource {
  name: string;
  help: string;
  labelNames: string[];
  collect(caller: Caller): Promise<GaugeSample[]>;
}
