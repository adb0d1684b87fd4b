import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import { MetricEntity } from './metric.entity';
import { createMetricLoaders } from './metric.loaders';
import { MetricResolver } from './metric.resolver';
import { MetricService } from './metric.service';

/** Metrics of versions (training, validation, test, production), logged in batches. */
export const metricsModule = defineModule({
  name: 'metrics',
  entities: [MetricEntity],
  resolvers: [MetricResolver],
  services: (db, { access }: { access: AccessService }) => ({ metrics: new MetricService(db, access) }),
  loaders: ({ metrics }) => createMetricLoaders(metrics),
});
