import { createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json';
import type { Signer } from '../../common/settings';
import type { ChainBreak } from './audit.rules';

/** A point of the chain: the event at `seq` had hash `hash` when the server signed it, at `signedAt`. */
export interface CheckpointFields {
  /**
   * The registry whose chain this is: the id of its first event. Absent on checkpoints signed before
   * registries had an identity (they are signed without it, and verify as they did).
   */
  registryId?: string;
  seq: number;
  hash: string;
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointFields {
  keyFingerprint: string;
  publicKey: string;
  /** Ed25519, base64, over checkpointMessage(fields). */
  signature: string;
}

/**
 * The exact bytes signed: canonical JSON, so anyone can rebuild them from a checkpoint's fields. A checkpoint
 * with a registry is v2 and signs it; one without is v1, as signed before registries had an identity (so
 * dropping the registry from a v2 checkpoint breaks its signature).
 */
export function checkpointMessage(fields: CheckpointFields): string {
  const { seq, hash, signedAt } = fields;
  if (fields.registryId === undefined) return canonicalJson({ kind: 'modelgraph.audit-checkpoint.v1', seq, hash, signedAt });
  return canonicalJson({ kind: 'modelgraph.audit-checkpoint.v2', registryId: fields.registryId, seq, hash, signedAt });
}

export function signCheckpoint(signer: Signer, fields: CheckpointFields): SignedCheckpoint {
  return {
    ...(fields.registryId === undefined ? {} : { registryId: fields.registryId }),
    seq: fields.seq,
    hash: fields.hash,
    signedAt: fields.signedAt,
    keyFingerprint: signer.fingerprint,
    publicKey: signer.publicKeyPem,
    signature: sign(null, Buffer.from(checkpointMessage(fields)), signer.privateKey).toString('base64'),
  };
}

/**
 * True when the checkpoint was signed by the trusted key: its own claimed key must be that key (a
 * checkpoint signed with any other key, say one inserted by someone with database access, counts for nothing).
 */
export function checkpointVerifies(checkpoint: SignedCheckpoint, trustedPublicKeyPem: string): boolean {
  try {
    const trusted = createPublicKey(trustedPublicKeyPem);
    if (!createPublicKey(checkpoint.publicKey).equals(trusted)) return false;
    return verify(null, Buffer.from(checkpointMessage(checkpoint)), trusted, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * What a chain that ends before a checkpoint means: the database was restored from a backup older than that
 * checkpoint (expected after a restore: acknowledged, and the registry carries on), or its last events were deleted.
 * From the data alone the two look the same; the operator knows which.
 */
export function missingSince(headSeq: number, checkpoint: CheckpointFields): string {
  const missing = checkpoint.seq - headSeq;
  return (
    `the ${missing} checkpointed event${missing === 1 ? '' : 's'} after event ${headSeq} ${missing === 1 ? 'is' : 'are'} missing — ` +
    `a restore from a backup older than that checkpoint, or events deleted`
  );
}

/**
 * Whether the chain as it is now still holds the signed point: the event at the checkpoint's seq exists
 * and has the signed hash. A deleted tail leaves no event there; a rewrite, even one that recomputed every
 * hash after it, leaves another hash there.
 */
export function compareWithCheckpoint(
  checkpoint: CheckpointFields,
  event: { seq: number; hash: string } | null,
  headSeq: number,
): ChainBreak | null {
  if (!event) {
    return {
      seq: checkpoint.seq,
      reason:
        `the chain ends at ${headSeq}, but event ${checkpoint.seq} was checkpointed at ${checkpoint.signedAt}: ` +
        // Gone from within the chain (its head is past the checkpoint) can only be a deletion.
        (headSeq < checkpoint.seq ? missingSince(headSeq, checkpoint) : 'events were deleted'),
    };
  }
  if (event.hash !== checkpoint.hash) {
    return {
      seq: checkpoint.seq,
      reason: `event ${checkpoint.seq} no longer has the hash signed at ${checkpoint.signedAt}: the chain was rewritten`,
    };
  }
  return null;
}

/**
 * A registry as its database tells it: `id` is the id of its first event (null when there is none: an empty
 * chain, or one whose first event is gone); `empty` when it has no events at all.
 */
export interface RegistryIdentity {
  id: string | null;
  empty: boolean;
}

/** Whether a checkpoint may be this registry's: its own, one from before registries had an identity, or any when it cannot tell. */
export function mayBelongTo(checkpoint: CheckpointFields, registry: RegistryIdentity): boolean {
  return checkpoint.registryId === undefined || registry.id === null || checkpoint.registryId === registry.id;
}

/**
 * Why the latest checkpoint of a checkpoint file cannot be this database's, or null when it may be (then it is
 * compared with the chain, and a mismatch is tampering). Another registry's checkpoints, or any on a database
 * with no trail, mean the database or the file was swapped: the operator says which is right, nothing is
 * written meanwhile, and no break is recorded. Checkpoints from before registries had an identity are taken
 * as the database's own when it has a trail (they are compared as they always were).
 */
export function foreignCheckpoints(file: string, latest: CheckpointFields, registry: RegistryIdentity): string | null {
  const theirs =
    latest.registryId === undefined
      ? `the checkpoints in ${file} were signed before registries had an identity (up to event ${latest.seq})`
      : `the checkpoints in ${file} belong to registry ${latest.registryId}`;
  let found: string;
  if (registry.empty) found = `${theirs}, and this database has no audit trail (a new database, or one whose trail was deleted)`;
  else if (!mayBelongTo(latest, registry)) found = `${theirs}, this database is registry ${registry.id}`;
  else return null;
  return `${found}: point MODELGRAPH_AUDIT_CHECKPOINT_FILE at this registry's file, or move the old file away if this database is meant to replace it`;
}
