import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { DomainError, ErrorCode } from '../../common/errors';
import { hydrate } from '../../db/hydrate';
import { AuditEventEntity } from './audit.entity';
import {
  GENESIS_HASH,
  hashEvent,
  type CommittedEvent,
  type ChainBreak,
  type ChainVerifier,
  type HashedEventFields,
  type StoredEvent,
} from './audit.rules';

export type { CommittedEvent, StoredEvent };

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
  const [event] = await appendAudits(manager, caller, [record]);
  return event;
}

/**
 * Appends several events in order, as appendAudit does one: one lock, one read of the chain's head and
 * one INSERT for all of them (a production report with the alerts it raised is one write, not three).
 */
export async function appendAudits(manager: EntityManager, caller: Caller, records: AuditRecord[]): Promise<AuditEventEntity[]> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('appendAudit must run inside a transaction');
  if (!records.length) return [];
  // The lock, then the head of the chain and whether a break was found in it that no ADMIN has acknowledged:
  // one round trip (the migration AuditChainHead explains why it is a function).
  const [{ seq: lastSeq, hash: lastHash, broken_at: brokenAt, broken_reason: brokenReason }] = (await manager.query(
    'SELECT * FROM audit_chain_head($1)',
    [AUDIT_CHAIN_LOCK],
  )) as Array<{ seq: string | null; hash: string | null; broken_at: string | null; broken_reason: string | null }>;
  if (brokenAt !== null) {
    throw new DomainError(
      ErrorCode.AUDIT_CHAIN_BROKEN,
      `the audit chain is broken at event ${brokenAt} (${brokenReason}): nothing more is written until an ADMIN acknowledges it (acknowledgeAuditBreak)`,
      { brokenSeq: Number(brokenAt) },
    );
  }
  let seq = lastSeq === null ? 0 : Number(lastSeq);
  let prevHash = lastSeq === null ? GENESIS_HASH : (lastHash as string);
  const occurredAt = new Date().toISOString();
  const rows = records.map((record) => {
    const fields: HashedEventFields = {
      seq: (seq += 1),
      id: randomUUID(),
      occurredAt,
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
    const hash = hashEvent(prevHash, fields);
    const row = [
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
    ];
    prevHash = hash;
    return row;
  });
  const width = rows[0].length;
  const inserted = (await manager.query(
    `INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id,
       client_request_id, prev_hash, hash)
     VALUES ${rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ')}
     RETURNING *`,
    rows.flat(),
  )) as Array<Record<string, unknown>>;
  return inserted.sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => hydrate(manager, AuditEventEntity, row));
}

/** The columns toCommittedEvent reads: what readers of the log (events, webhooks) select. */
export const COMMITTED_EVENT_COLUMNS = 'seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload';

/** The columns toStoredEvent reads: an event with what its hash covers and its links in the chain. */
export const STORED_EVENT_COLUMNS = `${COMMITTED_EVENT_COLUMNS}, request_id, client_request_id, prev_hash, hash`;

/** An audit_events row (at least COMMITTED_EVENT_COLUMNS, as pg answers them) as the event readers of the log take. */
export function toCommittedEvent(row: Record<string, unknown>): CommittedEvent {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    occurredAt: row.occurred_at as Date,
    actor: String(row.actor),
    action: String(row.action),
    subjectType: String(row.subject_type),
    subjectId: String(row.subject_id),
    modelId: (row.model_id as string | null) ?? null,
    payload: row.payload as Record<string, unknown>,
  };
}

/**
 * Walks the chain after the verifier's starting point, in batches; an acknowledged break is stepped over
 * (the chain goes on from the event as it now is). Answers with the first other break, if any.
 */
export async function walkChain(
  m: EntityManager,
  verifier: ChainVerifier,
  acknowledged: ReadonlySet<number>,
  batchSize = 2000,
  afterSeq = 0,
): Promise<{ broken: ChainBreak | null; checked: number; headSeq: number; headHash: string | null }> {
  let head = { seq: afterSeq, hash: null as string | null };
  for (;;) {
    const rows = (await m.query(`SELECT ${STORED_EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      head.seq,
      batchSize,
    ])) as Array<Record<string, unknown>>;
    for (const row of rows) {
      const event = toStoredEvent(row);
      const broken = verifier.check(event);
      if (broken && acknowledged.has(broken.seq)) verifier.resync(event);
      else if (broken) return { broken, checked: verifier.checked, headSeq: head.seq, headHash: head.hash };
      head = { seq: event.seq, hash: event.hash };
    }
    if (rows.length < batchSize) return { broken: null, checked: verifier.checked, headSeq: head.seq, headHash: head.hash };
  }
}

/** A row (STORED_EVENT_COLUMNS) as the chain's verifier and the export take it: the time as the ISO text hashed. */
export function toStoredEvent(row: Record<string, unknown>): StoredEvent {
  const event = toCommittedEvent(row);
  return {
    ...event,
    occurredAt: event.occurredAt.toISOString(),
    requestId: (row.request_id as string | null) ?? null,
    clientRequestId: (row.client_request_id as string | null) ?? undefined,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}
