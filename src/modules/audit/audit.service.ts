import type { DataSource } from 'typeorm';
import { hydratePage } from '../../db/hydrate';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { AuditEventEntity } from './audit-event.entity';
import { ChainVerifier, type StoredEvent } from './audit.hash';

export interface AuditFilter {
  modelId?: string | null;
  subjectId?: string | null;
  action?: string | null;
  actor?: string | null;
  since?: Date | null;
  until?: Date | null;
}

function auditList(filter: AuditFilter, direction: 'ASC' | 'DESC'): ListQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter.modelId) where.push(`x.model_id = ${params.p(filter.modelId)}`);
  if (filter.subjectId) where.push(`x.subject_id = ${params.p(filter.subjectId)}`);
  if (filter.action) where.push(`x.action = ${params.p(filter.action)}`);
  if (filter.actor) where.push(`x.actor = ${params.p(filter.actor)}`);
  if (filter.since) where.push(`x.occurred_at >= ${params.p(filter.since)}`);
  if (filter.until) where.push(`x.occurred_at < ${params.p(filter.until)}`);
  return { from: 'audit_events', where, params, order: ['x.seq'], direction };
}

export interface ChainVerification {
  ok: boolean;
  eventsChecked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

/** Reading the audit trail and verifying its hash chain. */
export class AuditService {
  constructor(private readonly db: DataSource) {}

  async list(filter: AuditFilter, page: PageArgs & { direction?: 'ASC' | 'DESC' | null }): Promise<Page<AuditEventEntity>> {
    const events = auditList(filter, page.direction ?? 'DESC');
    return hydratePage(this.db.manager, AuditEventEntity, await keysetPage(this.db.manager, events, page));
  }

  /** With no filter, the last sequence number: the chain is gap-free, so that is the count, without counting. */
  async count(filter: AuditFilter): Promise<number> {
    if (Object.values(filter).every((v) => v === undefined || v === null)) {
      const [{ n }] = await this.db.query('SELECT COALESCE(max(seq), 0)::bigint::text AS n FROM audit_events');
      return Number(n);
    }
    return keysetCount(this.db.manager, auditList(filter, 'DESC'));
  }

  /** Re-hashes the whole chain in sequence order, streaming it in batches; names the first broken link. */
  async verifyChain(batchSize = 2000): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let afterSeq = 0;
    for (;;) {
      const rows = (await this.db.query(
        `SELECT seq, id, occurred_at, actor, action, subject_type, subject_id, model_id, payload, request_id, client_request_id, prev_hash, hash
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
    clientRequestId: (row.client_request_id as string | null) ?? undefined,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}
