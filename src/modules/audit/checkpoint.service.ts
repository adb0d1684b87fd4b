import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { RegistryAction, type Authorization } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { DomainError, ErrorCode, notFound } from '../../common/errors';
import type { Settings } from '../../common/settings';
import { validateText } from '../../common/text';
import { ChainVerifier } from './audit.rules';
import { appendAudit, walkChain } from './audit.store';
import {
  checkpointVerifies,
  compareWithCheckpoint,
  foreignCheckpoints,
  missingSince,
  signCheckpoint,
  type RegistryIdentity,
  type SignedCheckpoint,
} from './checkpoint.rules';
import {
  acknowledgements,
  chainHead,
  insertCheckpoint,
  lastExportedCheckpoint,
  latestTrustedCheckpoint,
  recentCheckpoints,
  recordBreak,
  registryIdentity,
} from './checkpoint.store';

export interface AcknowledgedBreak {
  seq: number;
  reason: string;
  detectedAt: Date;
  acknowledgedAt: Date;
  acknowledgedBy: string;
  acknowledgement: string;
}

/**
 * Signed checkpoints of the audit chain: the server signs (seq, hash) of the head with its own Ed25519
 * key, stores the checkpoint and appends it to a file outside the database. Before signing, it checks
 * what was added since the last checkpoint, and that the last checkpoint still holds, so a rewrite
 * or a deleted tail is found within one checkpoint interval.
 */
export class CheckpointService {
  constructor(
    private readonly db: DataSource,
    private readonly authorization: Authorization,
    private readonly settings: Settings = {},
  ) {}

  /** createAuditCheckpoint: checkpoint(), asked for by a caller (KEEP_AUDIT_TRAIL) rather than by the timer. */
  async checkpointFor(caller: Caller): Promise<SignedCheckpoint | null> {
    this.authorization.authorizeRegistry(caller, RegistryAction.KEEP_AUDIT_TRAIL);
    return this.checkpoint();
  }

  /**
   * Why the checkpoint file is not this database's (another registry's checkpoints, or any at all while the
   * database has no trail), or null. Start-up refuses with it, before anything is written.
   */
  async foreignCheckpointFile(): Promise<string | null> {
    return this.foreignTo(await registryIdentity(this.db.manager));
  }

  private foreignTo(registry: RegistryIdentity): string | null {
    const audit = this.settings.audit;
    const latest = audit && lastExportedCheckpoint(audit.checkpointFile);
    if (!audit || !latest || !checkpointVerifies(latest, audit.signer.publicKeyPem)) return null;
    return foreignCheckpoints(audit.checkpointFile, latest, registry);
  }

  /**
   * Signs the head of the chain if it moved since the last checkpoint, or if the last one predates
   * registry identities (so it is adopted: signed again with this registry's); answers with the latest
   * checkpoint. AUDIT_CHAIN_BROKEN, and nothing signed, when the chain no longer holds; CONFLICT, and
   * nothing signed, when the checkpoint file is another registry's.
   */
  async checkpoint(): Promise<SignedCheckpoint | null> {
    const audit = this.settings.audit;
    if (!audit) throw new DomainError(ErrorCode.CONFLICT, 'this server has no audit signing key: checkpoints are off');
    const m = this.db.manager;
    const registry = await registryIdentity(m);
    const foreign = this.foreignTo(registry);
    if (foreign) throw new DomainError(ErrorCode.CONFLICT, foreign);
    const acknowledged = await acknowledgements(m);
    const last = await latestTrustedCheckpoint(m, audit.signer.publicKeyPem, audit.checkpointFile, acknowledged.latestAt, registry);
    // Where the last checkpoint still holds, only what came after it needs checking.
    let start: SignedCheckpoint | undefined;
    if (last) {
      const [event] = (await m.query('SELECT seq, hash FROM audit_events WHERE seq = $1', [last.seq])) as Array<{
        seq: string;
        hash: string;
      }>;
      const head = await chainHead(m);
      const broken = compareWithCheckpoint(last, event ? { seq: Number(event.seq), hash: event.hash } : null, head);
      if (broken && !acknowledged.seqs.has(broken.seq)) return this.refuse(broken);
      if (!broken) start = last;
    }
    const walked = await walkChain(m, new ChainVerifier(start), acknowledged.seqs, 2000, start?.seq ?? 0);
    if (walked.broken) return this.refuse(walked.broken);
    const head = walked.headHash ? { seq: walked.headSeq, hash: walked.headHash } : start;
    // Where the first event is gone (deleted: verifyAuditChain names that gap), the registry is the one last signed for.
    const registryId = registry.id ?? last?.registryId;
    if (!head || (last && head.seq === last.seq && last.registryId === registryId)) return last;
    const checkpoint = signCheckpoint(audit.signer, { registryId, seq: head.seq, hash: head.hash, signedAt: new Date().toISOString() });
    await insertCheckpoint(m, checkpoint);
    fs.mkdirSync(path.dirname(audit.checkpointFile), { recursive: true });
    fs.appendFileSync(audit.checkpointFile, `${JSON.stringify(checkpoint)}\n`);
    return checkpoint;
  }

  /**
   * At start-up: whether this database ends before the last checkpoint this server signed (a restore from an older
   * backup, most likely), said plainly with what to do — or null. The break itself is recorded by the first
   * checkpoint or verification, and writes wait until an ADMIN acknowledges it.
   */
  async restoredBeforeLastCheckpoint(): Promise<string | null> {
    const audit = this.settings.audit;
    if (!audit) return null;
    const m = this.db.manager;
    const acknowledged = await acknowledgements(m);
    const last = await latestTrustedCheckpoint(
      m,
      audit.signer.publicKeyPem,
      audit.checkpointFile,
      acknowledged.latestAt,
      await registryIdentity(m),
    );
    const head = await chainHead(m);
    if (!last || head >= last.seq || acknowledged.seqs.has(last.seq)) return null;
    return (
      `the audit trail ends at event ${head}, but checkpoint ${last.seq} was signed at ${last.signedAt}: ${missingSince(head, last)}. ` +
      `Writes wait until an ADMIN acknowledges it: acknowledgeAuditBreak(input: { seq: ${last.seq}, reason: "restored from the backup of …" }) ` +
      `(docs/operations.md, "Backups and restore")`
    );
  }

  /** The newest checkpoints, each saying whether it verifies with this server's key (a forged row does not). */
  async recent(caller: Caller, first: number): Promise<Array<SignedCheckpoint & { trusted: boolean }>> {
    // A checkpoint is the head of the whole chain: how much happened, across every model.
    this.authorization.authorizeRegistry(caller, RegistryAction.READ_WHOLE_TRAIL);
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'first must be between 1 and 100', { field: 'first' });
    }
    const publicKeyPem = this.settings.audit?.signer.publicKeyPem;
    const rows = await recentCheckpoints(this.db.manager, first);
    return rows.map((c) => ({ ...c, trusted: publicKeyPem !== undefined && checkpointVerifies(c, publicKeyPem) }));
  }

  /**
   * An ADMIN's acknowledgement of a break (after looking into it): appending resumes, verification steps
   * over it, and checkpoints signed before it no longer count. The acknowledgement is itself audited.
   */
  async acknowledge(caller: Caller, seq: number, acknowledgement: string): Promise<AcknowledgedBreak> {
    this.authorization.authorizeRegistry(caller, RegistryAction.KEEP_AUDIT_TRAIL);
    validateText(acknowledgement, 'reason', { required: true, max: 2000 });
    return this.db.transaction(async (m) => {
      const [row] = (
        await m.query(
          `UPDATE audit_chain_breaks SET acknowledged_at = now(), acknowledged_by = $2, acknowledgement = $3
           WHERE seq = $1 AND acknowledged_at IS NULL RETURNING *`,
          [seq, caller.subject, acknowledgement],
        )
      )[0] as Array<Record<string, unknown>>;
      if (!row) throw notFound('unacknowledged audit chain break at event', String(seq));
      const acknowledged: AcknowledgedBreak = {
        seq: Number(row.seq),
        reason: String(row.reason),
        detectedAt: row.detected_at as Date,
        acknowledgedAt: row.acknowledged_at as Date,
        acknowledgedBy: String(row.acknowledged_by),
        acknowledgement: String(row.acknowledgement),
      };
      await appendAudit(m, caller, {
        action: 'audit.break_acknowledged',
        subjectType: 'AuditChain',
        subjectId: String(seq),
        payload: { seq, reason: acknowledged.reason, detectedAt: acknowledged.detectedAt, acknowledgement },
      });
      return acknowledged;
    });
  }

  private async refuse(broken: { seq: number; reason: string }): Promise<never> {
    await recordBreak(this.db.manager, broken);
    throw new DomainError(ErrorCode.AUDIT_CHAIN_BROKEN, `the audit chain is broken at event ${broken.seq}: ${broken.reason}`, {
      brokenSeq: broken.seq,
    });
  }
}
