import { createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json';
import type { Signer } from '../../common/settings';
import type { ChainBreak } from './audit.hash';

/** A point of the chain: the event at `seq` had hash `hash` when the server signed it, at `signedAt`. */
export interface CheckpointFields {
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

/** The exact bytes signed: canonical JSON, so anyone can rebuild them from a checkpoint's fields. */
export function checkpointMessage(fields: CheckpointFields): string {
  return canonicalJson({ kind: 'modelgraph.audit-checkpoint.v1', seq: fields.seq, hash: fields.hash, signedAt: fields.signedAt });
}

export function signCheckpoint(signer: Signer, fields: CheckpointFields): SignedCheckpoint {
  return {
    ...fields,
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
      reason: `the chain ends at ${headSeq}, but event ${checkpoint.seq} was checkpointed at ${checkpoint.signedAt}: events were deleted`,
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
