import type { PageArgs } from '../../db/pagination';
import { pageLoaders } from '../../graphql/loaders';
import type { MetricSource } from './metric.enums';
import type { MetricService } from './metric.service';

export function createMetricLoaders(metrics: MetricService) {
  return {
    latest: pageLoaders((ids, args: { names?: string[]; source?: MetricSource; page: PageArgs }) => metrics.latestByVersions(ids, args)),
    history: pageLoaders((ids, args: { name: string; source: MetricSource; slice?: string; page: PageArgs }) => metrics.history(ids, args)),
  };
}

export type MetricLoaders = ReturnType<typeof createMetricLoaders>;
