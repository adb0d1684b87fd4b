import { defineModule } from '../../common/module';
import type { ModelVisibility } from '../../common/visibility';
import { AuditEventEntity } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';
import { auditRoutes } from './audit.routes';
import { AuditService } from './audit.service';
import { CheckpointService } from './checkpoint.service';

/** The hash-chained audit trail: every other module appends to it (audit.store.ts) in its own transactions. */
export const auditModule = defineModule({
  name: 'audit',
  entities: [AuditEventEntity],
  resolvers: [AuditResolver],
  services: (db, _below, settings) => ({ audit: new AuditService(db, settings), checkpoints: new CheckpointService(db, settings) }),
  routes: ({ audit }, all) => auditRoutes(audit, all.access as ModelVisibility),
});
