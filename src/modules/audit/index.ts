// The front door of this module: what the composition root and the modules above it may use. They import it from
// here, never a file inside it; files inside the module import each other directly.
export { auditModule } from './audit.module';
export { COMMITTED_EVENT_COLUMNS, appendAudit, appendAudits, toCommittedEvent } from './audit.store';
export type { AuditRecord, CommittedEvent } from './audit.store';
