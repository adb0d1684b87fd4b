import { connectionLoader } from '../../graphql/loaders';
import type { MetricEntity } from './metric.entity';
import type { LatestFilter, MetricService, Series } from './metric.service';

export function createMetricLoaders(metrics: MetricService) {
  return {
    latest: connectionLoader<LatestFilter, MetricEntity>({
      pages: (ids, filter, page) => metrics.latestPages(ids, filter, page),
      counts: (ids, filter) => metrics.latestCounts(ids, filter),
    }),
    history: connectionLoader<Series, MetricEntity>({
      pages: (ids, series, page) => metrics.historyPages(ids, series, page),
      counts: (ids, series) => metrics.historyCounts(ids, series),
    }),
  };
}

export type MetricLoaders = ReturnType<typeof createMetricLoaders>;
