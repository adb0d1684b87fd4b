import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { hydrate, hydratePage } from '../../db/data-source';
import { emptyPage, keysetPages, SqlParams, type Page, type PageArgs } from '../../db/pagination';
import { AuditEventEntity } from './audit-event.entity';
import { ChainVerifier, GENESIS_HASH, hashEvent, type HashedEventFields, type StoredEvent } from './audit.hash';

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

export interface AuditFilter {
  modelId?: string | null;
  subjectId?: string | null;
  action?: string | null;
  actor?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export interface ChainVerification {
  ok: boolean;
  eventsChecked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
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
  };
  const prevHash = last ? last.hash : GENESIS_HASH;
  const hash = hashEvent(prevHash, fields);
  const [row] = await manager.query(
    `INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
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
      prevHash,
      hash,
    ],
  );
  return hydrate(manager, AuditEventEntity, row);
}

export class AuditService {
  constructor(private readonly db: DataSource) {}

  async list(filter: AuditFilter, page: PageArgs & { direction?: 'ASC' | 'DESC' | null }): Promise<Page<AuditEventEntity>> {
    const params = new SqlParams();
    const where: string[] = [];
    if (filter.modelId) where.push(`x.model_id = ${params.p(filter.modelId)}`);
    if (filter.subjectId) where.push(`x.subject_id = ${params.p(filter.subjectId)}`);
    if (filter.action) where.push(`x.action = ${params.p(filter.action)}`);
    if (filter.actor) where.push(`x.actor = ${params.p(filter.actor)}`);
    if (filter.since) where.push(`x.occurred_at >= ${params.p(filter.since)}`);
    if (filter.until) where.push(`x.occurred_at < ${params.p(filter.until)}`);
    const pages = await keysetPages(this.db.manager, {
      table: 'audit_events',
      where,
      params,
      order: ['x.seq'],
      direction: page.direction ?? 'DESC',
      first: page.first,
      after: page.after,
    });
    return hydratePage(this.db.manager, AuditEventEntity, pages.get('') ?? emptyPage(page.after));
  }

  /** Re-hashes the whole chain in sequence order, streaming it in batches; names the first broken link. */
  async verifyChain(batchSize = 2000): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let afterSeq = 0;
    for (;;) {
      const rows = (await this.db.query(
        `SELECT seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id, prev_hash, hash
         FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [afterSeq, batchSize],
      )) as Array<Record<string, unknown>>;
      for (const row of rows) {
        const broken = verifier.check(toStoredEvent(row));
        if (broken) return { ok: false, eventsChecked: verifier.checked, firstBrokenSeq: broken.seq, reason: broken.reason };
      }
      if (rows.length < batchSize) break;
      afterSeq = Number(rows[rows.length - 1].seq);
    }
    return { ok: true, eventsChecked: verifier.checked, firstBrokenSeq: null, reason: null };
  }
}

function toStoredEvent(row: Record<string, unknown>): StoredEvent {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    occurredAt: (row.occurred_at as Date).toISOString(),
    actor: String(row.actor),
    action: String(row.action),
    subjectType: String(row.subject_type),
    subjectId: String(row.subject_id),
    modelId: (row.model_id as string | null) ?? null,
    payload: row.payload,
    requestId: (row.request_id as string | null) ?? null,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}
