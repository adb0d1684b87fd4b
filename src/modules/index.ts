import { accessModule } from './access/access.module';
import { aliasesModule } from './aliases/aliases.module';
import { auditModule } from './audit/audit.module';
import { authModule } from './auth/auth.module';
import { deploymentsModule } from './deployments/deployments.module';
import { eventsModule } from './events/events.module';
import { governanceModule } from './governance/governance.module';
import { idempotencyModule } from './idempotency/idempotency.module';
import { lifecycleModule } from './lifecycle/lifecycle.module';
import { lineageModule } from './lineage/lineage.module';
import { metricsModule } from './metrics/metrics.module';
import { modelsModule } from './models/models.module';
import { monitoringModule } from './monitoring/monitoring.module';
// Out of alphabetical order on purpose: type-graphql orders Mutation fields as resolvers are declared (on import),
// and schema/schema.graphql has verifyArtifact after the monitoring mutations, before retention's.
import { artifactsModule } from './artifacts/artifacts.module';
import { retentionModule } from './retention/retention.module';
import { versionsModule } from './versions/versions.module';
import { webhooksModule } from './webhooks/webhooks.module';

/**
 * Every module, in dependency order: a module may import only the modules listed before it
 * (dependency-cruiser checks this in `npm run lint`, reading this list), and its services factory
 * receives the services of those modules. Adding a module: its folder, one line here, its migration.
 */
export const modules = [
  auditModule,
  idempotencyModule,
  authModule,
  accessModule,
  modelsModule,
  versionsModule,
  aliasesModule,
  metricsModule,
  deploymentsModule,
  governanceModule,
  lifecycleModule,
  lineageModule,
  eventsModule,
  webhooksModule,
  monitoringModule,
  artifactsModule,
  retentionModule,
] as const;
