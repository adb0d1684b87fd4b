import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (a registry of its own, so tests never share counters). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'operation' | 'status'>;
  requestDuration: Histogram<'operation'>;
  errors: Counter<'code'>;
  dbQueries: Counter;
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
