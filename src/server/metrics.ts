import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Caller } from '../common/caller';
import type { GaugeSource } from '../common/gauge';

/** Prometheus metrics of one server instance (a registry of its own, so tests never share counters). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'operation' | 'status'>;
  requestDuration: Histogram<'operation'>;
  errors: Counter<'code'>;
  dbQueries: Counter;
}

/** How many distinct operation names get a label of their own; the rest share OTHER_OPERATION. */
export const MAX_OPERATION_LABELS = 100;
export const OTHER_OPERATION = 'other';

/**
 * The `operation` label for an operation name: clients choose names freely, and every distinct label
 * value is a time series, so only the first MAX_OPERATION_LABELS names seen get their own.
 */
export function operationLabeller(max = MAX_OPERATION_LABELS): (name: string) => string {
  const known = new Set<string>();
  return (name) => {
    if (known.has(name)) return name;
    if (known.size >= max) return OTHER_OPERATION;
    known.add(name);
    return name;
  };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'modelgraph_' });
  return {
    registry,
    requests: new Counter({
      name: 'modelgraph_graphql_requests_total',
      help: 'GraphQL requests by operation name and outcome',
      labelNames: ['operation', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'modelgraph_graphql_request_duration_seconds',
      help: 'GraphQL request duration by operation name',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'modelgraph_graphql_errors_total',
      help: 'GraphQL errors by extensions.code',
      labelNames: ['code'],
      registers: [registry],
    }),
    dbQueries: new Counter({
      name: 'modelgraph_db_queries_total',
      help: 'SQL statements sent to PostgreSQL',
      registers: [registry],
    }),
  };
}

/**
 * The modules' gauges for one scrape by `caller`, as exposition text: a registry of their own each time, since
 * what they answer depends on who asks. A gauge whose source fails (the database away) is left empty for that
 * scrape rather than failing the whole page: the process metrics still answer.
 */
export async function gaugesFor(sources: GaugeSource[], caller: Caller, onError: (err: unknown) => void): Promise<string> {
  const registry = new Registry();
  for (const source of sources) {
    new Gauge({
      name: source.name,
      help: source.help,
      labelNames: source.labelNames,
      registers: [registry],
      async collect() {
        try {
          for (const sample of await source.collect(caller)) this.set(sample.labels, sample.value);
        } catch (err) {
          onError(err);
        }
      },
    });
  }
  return registry.metrics();
}
