import { accessModule } from './access';
import { aliasesModule } from './aliases';
import { artifactsModule } from './artifacts';
import { auditModule } from './audit';
import { cardsModule } from './cards';
import { bomModule } from './bom';
import { deploymentsModule } from './deployments';
import { eventsModule } from './events';
import { governanceModule } from './governance';
import { idempotencyModule } from './idempotency';
import { lifecycleModule } from './lifecycle';
import { lineageModule } from './lineage';
import { metricsModule } from './metrics';
import { modelsModule } from './models';
import { monitoringModule } from './monitoring';
import { retentionModule } from './retention';
import { tokensModule } from './tokens';
import { trustModule } from './trust';
import { versionsModule } from './versions';
import { webhooksModule } from './webhooks';

/**
 * Every module, in dependency order: a module may import only the modules listed before it
 * (dependency-cruiser checks this in `npm run lint`, reading this list), and its services factory
 * receives the services of those modules. Adding a module: its folder, one line here, its migration.
 */
export const modules = [
  auditModule,
  idempotencyModule,
  tokensModule,
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
  trustModule,
  cardsModule,
  retentionModule,
  bomModule,
] as const;
