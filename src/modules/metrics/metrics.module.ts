import { defineModule } from '../../common/module';
import { MetricEntity } from './metric.entity';
import { createMetricLoaders } from './metric.loaders';
import { MetricResolver } from './metric.resolver';
import { MetricService } from './metric.service';

/** Metrics of versions (training, validation, test, production), logged in batches. */
export const metricsModule = defineModule({
  name: 'metrics',
  entities: [MetricEntity],
  resolvers: [MetricResolver],
  services: (db) => ({ metrics: new MetricService(db) }),
  loaders: ({ metrics }) => createMetricLoaders(metrics),
});
