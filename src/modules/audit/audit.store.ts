import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { hydrate } from '../../db/hydrate';
import { AuditEventEntity } from './audit-event.entity';
import { GENESIS_HASH, hashEvent, type HashedEventFields } from './audit.hash';

/** Any constant works: it only has to be the same for every writer of the chain. */
const AUDIT_CHAIN_LOCK = 7_406_923_001;

export interface AuditRecord {
  action: string;
  subjectType: string;
  subjectId: string;
  modelId?: string | null;
  /** Usually { before, after }: what the change did, in full. */
  payload: Record<string, unknown>;
}

/**
 * Appends one event to the hash chain, inside the caller's transaction, so the event commits
 * or rolls back with the change it records. Appends take a transaction-scoped advisory lock:
 * concurrent writers queue here, which keeps the sequence gap-free and the chain unforked.
 * Call it last in a transaction, so the lock is held only until the commit that follows.
 */
export async function appendAudit(manager: EntityManager, caller: Caller, record: AuditRecord): Promise<AuditEventEntity> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('appendAudit must run inside a transaction');
  await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const [last] = (await manager.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')) as Array<{
    seq: string;
    hash: string;
  }>;
  const fields: HashedEventFields = {
    seq: last ? Number(last.seq) + 1 : 1,
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    actor: caller.subject,
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    modelId: record.modelId ?? null,
    // What is hashed must be exactly what jsonb gives back: plain JSON (dates as ISO strings).
    payload: JSON.parse(JSON.stringify(record.payload)),
    requestId: caller.requestId,
    clientRequestId: caller.clientRequestId ?? undefined,
  };
  const prevHash = last ? last.hash : GENESIS_HASH;
  const hash = hashEvent(prevHash, fields);
  const [row] = await manager.query(
    `INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id,
       client_request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
    [
      fields.seq,
      fields.id,
      fields.occurredAt,
      fields.actor,
      fields.action,
      fields.subjectType,
      fields.subjectId,
      fields.modelId,
      JSON.stringify(fields.payload),
      fields.requestId,
      fields.clientRequestId ?? null,
      prevHash,
      hash,
    ],
  );
  return hydrate(manager, AuditEventEntity, row);
}
