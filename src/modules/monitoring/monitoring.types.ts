import { registerEnumType } from 'type-graphql';
import { ProductionMetricKind } from './monitoring.rules';

registerEnumType(ProductionMetricKind, {
  name: 'ProductionMetricKind',
  description: 'What a production metric measures: which way is worse, its range, and how a canary is tested on it',
});

/** Registered as a GraphQL enum here: the canary's and the reports' types take it from this file. */
export { ProductionMetricKind };
