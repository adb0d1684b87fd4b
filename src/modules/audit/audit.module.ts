import { defineModule } from '../../common/module';
import type { Authorization } from '../../common/authorization';
import { AuditEventEntity } from './audit.entity';
import { AuditResolver } from './audit.resolver';
import { auditRoutes } from './audit.routes';
import { AuditService } from './audit.service';
import { CheckpointService } from './checkpoint.service';

/** The hash-chained audit trail: every other module appends to it (audit.store.ts) in its own transactions. */
export const auditModule = defineModule({
  name: 'audit',
  entities: [AuditEventEntity],
  resolvers: [AuditResolver],
  services: (db, { authorization }: { authorization: Authorization }, settings) => ({
    audit: new AuditService(db, authorization, settings),
    checkpoints: new CheckpointService(db, authorization, settings),
  }),
  routes: ({ audit }, all) => auditRoutes(audit, all.access as Authorization),
});
