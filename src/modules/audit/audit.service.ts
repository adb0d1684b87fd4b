import type { DataSource } from 'typeorm';
import { RegistryAction, type Authorization } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import type { Settings } from '../../common/settings';
import type { ModelVisibility } from '../../common/visibility';
import { hydratePage } from '../../db/hydrate';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { AuditEventEntity } from './audit.entity';
import { ChainVerifier, type ChainBreak } from './audit.rules';
import { STORED_EVENT_COLUMNS, toStoredEvent, walkChain, type StoredEvent } from './audit.store';
import { compareWithCheckpoint } from './checkpoint.rules';
import { acknowledgements, latestTrustedCheckpoint, recordBreak, registryIdentity } from './checkpoint.store';

export interface AuditFilter {
  modelId?: string | null;
  subjectId?: string | null;
  action?: string | null;
  actor?: string | null;
  since?: Date | null;
  until?: Date | null;
}

/**
 * Who reads the trail: with visibility 'granted', a caller who does not see everything reads only the
 * events of models it can see (filtered in SQL, so pages and totals stay true).
 */
export interface AuditReader {
  caller: Caller;
  visibility: ModelVisibility;
}

function auditList(filter: AuditFilter, direction: 'ASC' | 'DESC', reader: AuditReader): ListQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (!reader.visibility.seesEverything(reader.caller)) {
    where.push(`x.model_id IS NOT NULL`);
    const visible = reader.visibility.visibleModels(reader.caller, 'x.model_id', params);
    if (visible) where.push(visible);
  }
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
  /** The latest signed checkpoint the chain was compared with, if any. */
  checkpointSeq: number | null;
  /** Breaks an ADMIN has acknowledged: the chain goes on past them. */
  acknowledgedBreaks: number[];
}

/** Reading the audit trail and verifying its hash chain. */
export class AuditService {
  constructor(
    private readonly db: DataSource,
    private readonly authorization: Authorization,
    private readonly settings: Settings = {},
  ) {}

  /** verifyAuditChain: verifyChain(), for a caller who may read the whole trail (its answer counts every event). */
  async verifyChainFor(caller: Caller): Promise<ChainVerification> {
    this.authorization.authorizeRegistry(caller, RegistryAction.READ_WHOLE_TRAIL);
    return this.verifyChain();
  }

  async list(
    reader: AuditReader,
    filter: AuditFilter,
    page: PageArgs & { direction?: 'ASC' | 'DESC' | null },
  ): Promise<Page<AuditEventEntity>> {
    const events = auditList(filter, page.direction ?? 'DESC', reader);
    return hydratePage(this.db.manager, AuditEventEntity, await keysetPage(this.db.manager, events, page));
  }

  /** With no filter, the last sequence number: the chain is gap-free, so that is the count, without counting. */
  async count(reader: AuditReader, filter: AuditFilter): Promise<number> {
    if (reader.visibility.seesEverything(reader.caller) && Object.values(filter).every((v) => v === undefined || v === null)) {
      const [{ n }] = await this.db.query('SELECT COALESCE(max(seq), 0)::bigint::text AS n FROM audit_events');
      return Number(n);
    }
    return keysetCount(this.db.manager, auditList(filter, 'DESC', reader));
  }

  /**
   * Re-hashes the whole chain in sequence order, streaming it in batches, and compares it with the latest
   * checkpoint the server signed (from the database and from the export file outside it). Names the first
   * break: a gap, a bad link, a rewritten event, a deleted tail. A break no ADMIN has acknowledged is
   * recorded, and from then on nothing more is appended to the chain until one does.
   */
  async verifyChain(batchSize = 2000): Promise<ChainVerification> {
    const m = this.db.manager;
    const acknowledged = await acknowledgements(m);
    const answer = (broken: ChainBreak | null, checked: number, checkpointSeq: number | null): ChainVerification => ({
      ok: !broken,
      eventsChecked: checked,
      firstBrokenSeq: broken?.seq ?? null,
      reason: broken?.reason ?? null,
      checkpointSeq,
      acknowledgedBreaks: [...acknowledged.seqs].sort((a, b) => a - b),
    });
    const walked = await walkChain(m, new ChainVerifier(), acknowledged.seqs, batchSize);
    if (walked.broken) {
      await recordBreak(m, walked.broken);
      return answer(walked.broken, walked.checked, null);
    }
    const audit = this.settings.audit;
    if (!audit) return answer(null, walked.checked, null);
    const registry = await registryIdentity(m);
    const checkpoint = await latestTrustedCheckpoint(m, audit.signer.publicKeyPem, audit.checkpointFile, acknowledged.latestAt, registry);
    if (!checkpoint) return answer(null, walked.checked, null);
    const [event] = (await m.query('SELECT seq, hash FROM audit_events WHERE seq = $1', [checkpoint.seq])) as Array<{
      seq: string;
      hash: string;
    }>;
    const broken = compareWithCheckpoint(checkpoint, event ? { seq: Number(event.seq), hash: event.hash } : null, walked.headSeq);
    if (broken && !acknowledged.seqs.has(broken.seq)) {
      await recordBreak(m, broken);
      return answer(broken, walked.checked, checkpoint.seq);
    }
    return answer(null, walked.checked, checkpoint.seq);
  }

  /** Every event after `afterSeq`, in order, as stored (for export and offline verification). */
  async eventsAfter(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = (await this.db.query(`SELECT ${STORED_EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      afterSeq,
      limit,
    ])) as Array<Record<string, unknown>>;
    return rows.map(toStoredEvent);
  }
}
