import { createHash } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json';

/** The prevHash of the first event in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * A committed audit event as the modules that read the log take it (the event dispatcher, whose envelope adds a
 * cursor and a kind; the webhook worker, which delivers it): read from its row by toCommittedEvent (audit.store).
 */
export interface CommittedEvent {
  seq: number;
  id: string;
  occurredAt: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  modelId: string | null;
  /** Usually { before, after }: what the change did (AuditRecord.payload). */
  payload: Record<string, unknown>;
}

/**
 * The fields of an event that its hash covers: everything but the hash itself. A CommittedEvent's fields, with the
 * time as the ISO text that was hashed, and the request ids; listed here in full, as the hash's definition.
 */
export interface HashedEventFields {
  seq: number;
  id: string;
  occurredAt: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  modelId: string | null;
  payload: unknown;
  requestId: string | null;
  /** The client's own request id: hashed only when present, so events from before it existed verify as they did. */
  clientRequestId?: string;
}

/** hash = sha256(prevHash ‖ canonical JSON of the event), hex. */
export function hashEvent(prevHash: string, event: HashedEventFields): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(event)).digest('hex');
}

export interface StoredEvent extends HashedEventFields {
  prevHash: string;
  hash: string;
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Walks the chain one event at a time (so the caller can stream it in batches) and reports
 * the first event whose sequence, link or content does not add up.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private expectedPrevHash: string;
  checked = 0;

  /** `after`: a point already known good (a verified checkpoint), to go on from instead of the start. */
  constructor(after?: { seq: number; hash: string }) {
    this.expectedSeq = after ? after.seq + 1 : 1;
    this.expectedPrevHash = after ? after.hash : GENESIS_HASH;
  }

  /** After a break an administrator has acknowledged: the chain goes on from this event, as it now is. */
  resync(event: StoredEvent): void {
    this.expectedSeq = event.seq + 1;
    this.expectedPrevHash = event.hash;
  }

  /** Returns the break at this event, or null when it is sound. */
  check(event: StoredEvent): ChainBreak | null {
    this.checked += 1;
    if (event.seq !== this.expectedSeq) {
      return { seq: this.expectedSeq, reason: `sequence gap: expected ${this.expectedSeq}, found ${event.seq}` };
    }
    if (event.prevHash !== this.expectedPrevHash) {
      return { seq: event.seq, reason: 'prevHash does not match the hash of the previous event' };
    }
    const fields: HashedEventFields = {
      seq: event.seq,
      id: event.id,
      occurredAt: event.occurredAt,
      actor: event.actor,
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      modelId: event.modelId,
      payload: event.payload,
      requestId: event.requestId,
      clientRequestId: event.clientRequestId,
    };
    if (hashEvent(event.prevHash, fields) !== event.hash) {
      return { seq: event.seq, reason: 'hash does not match the event content' };
    }
    this.resync(event);
    return null;
  }
}
