import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily } from '../../graphql/loaders';
import type { MetricSource } from './metric.entity';
import type { MetricService } from './metric.service';

export function createMetricLoaders(metrics: MetricService) {
  return {
    latestMetrics: loaderFamily(
      (ids, args: { names?: string[]; source?: MetricSource; page: PageArgs }) => metrics.latestByVersions(ids, args),
      (args) => emptyPage(args.page.after),
    ),
    metricHistory: loaderFamily(
      (ids, args: { name: string; source: MetricSource; slice?: string; page: PageArgs }) => metrics.history(ids, args),
      (args) => emptyPage(args.page.after),
    ),
  };
}
