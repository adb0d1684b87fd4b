import { ChainVerifier, type ChainBreak, type StoredEvent } from './audit.rules';
import { checkpointVerifies, compareWithCheckpoint, mayBelongTo, type SignedCheckpoint } from './checkpoint.rules';

export interface ExportVerification {
  ok: boolean;
  eventsChecked: number;
  /** The registry the export is of: the id of its first event (null when the export does not start there). */
  registryId: string | null;
  /** Checkpoints signed by the trusted key for this registry (or before registries had an identity), compared with the events. */
  checkpointsChecked: number;
  /** Lines of the checkpoint file not signed by the trusted key (ignored, and reported). */
  untrustedCheckpoints: number;
  /** Checkpoints signed by the trusted key for another registry (ignored, and reported): not this export's. */
  otherRegistryCheckpoints: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

/**
 * Checks an exported audit trail (GET /audit/export) against the checkpoints the server signed and its
 * public key, with nothing from the server: the chain links and hashes, and every trusted checkpoint of
 * this registry still holds (an event with that hash at that sequence number). Events arrive in order,
 * one at a time.
 */
export class ExportVerifier {
  private readonly chain = new ChainVerifier();
  private readonly checkpoints: SignedCheckpoint[];
  private readonly untrusted: number;
  private broken: ChainBreak | null = null;
  private head: { seq: number; hash: string } | null = null;
  private registryId: string | null = null;
  private readonly hashAt = new Map<number, string>();

  constructor(checkpoints: SignedCheckpoint[], publicKeyPem: string) {
    this.checkpoints = checkpoints.filter((c) => checkpointVerifies(c, publicKeyPem));
    this.untrusted = checkpoints.length - this.checkpoints.length;
    for (const c of this.checkpoints) this.hashAt.set(c.seq, '');
  }

  add(event: StoredEvent): void {
    if (event.seq === 1) this.registryId = event.id;
    if (this.broken) return;
    this.broken = this.chain.check(event);
    if (this.hashAt.has(event.seq)) this.hashAt.set(event.seq, event.hash);
    this.head = { seq: event.seq, hash: event.hash };
  }

  result(): ExportVerification {
    const registry = { id: this.registryId, empty: this.head === null };
    const ours = this.checkpoints.filter((c) => mayBelongTo(c, registry));
    let broken = this.broken;
    if (!broken) {
      for (const checkpoint of [...ours].sort((a, b) => a.seq - b.seq)) {
        const hash = this.hashAt.get(checkpoint.seq);
        broken = compareWithCheckpoint(checkpoint, hash ? { seq: checkpoint.seq, hash } : null, this.head?.seq ?? 0);
        if (broken) break;
      }
    }
    return {
      ok: !broken,
      eventsChecked: this.chain.checked,
      registryId: this.registryId,
      checkpointsChecked: ours.length,
      untrustedCheckpoints: this.untrusted,
      otherRegistryCheckpoints: this.checkpoints.length - ours.length,
      firstBrokenSeq: broken?.seq ?? null,
      reason: broken?.reason ?? null,
    };
  }
}
