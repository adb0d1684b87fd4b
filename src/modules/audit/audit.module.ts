import { defineModule } from '../../common/module';
import { AuditEventEntity } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';
import { AuditService } from './audit.service';

/** The hash-chained audit trail: every other module appends to it (audit.store.ts) in its own transactions. */
export const auditModule = defineModule({
  name: 'audit',
  entities: [AuditEventEntity],
  resolvers: [AuditResolver],
  services: (db) => ({ audit: new AuditService(db) }),
});
