// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { MetricSource } from './metric.enums';
export { insertMetricPoints, validationValues } from './metric.store';
export { metricsModule } from './metrics.module';
