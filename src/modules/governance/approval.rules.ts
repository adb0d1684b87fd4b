import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { badInput } from '../../common/errors';
import { canonicalJson } from '../../common/canonical-json';
import { keyFingerprint } from '../../common/ed25519';
import type { Decision } from './governance.enums';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface ApprovalMessageFields {
  versionId: string;
  artifactSha256: string;
  targetStage: string;
  decision: Decision;
  approver: string;
  signedAt: string;
}

/**
 * The exact text an approver signs: canonical JSON of what the decision is about, so the
 * signature binds it to this artifact digest, this stage, this decision, this person and time.
 */
export function approvalMessage(fields: ApprovalMessageFields): string {
  return canonicalJson({ kind: 'modelgraph.approval.v1', ...fields });
}

/** Accepts an Ed25519 public key as PEM (SPKI) or as the 32 raw bytes in base64. */
export function parsePublicKey(text: string): { key: KeyObject; pem: string; fingerprint: string } {
  // Node would quietly derive the public half of a private key: refuse it instead, loudly.
  if (/PRIVATE KEY/.test(text)) {
    throw badInput(
      'publicKey',
      'this is a private key: send only the public key, and replace this key pair, since the private half has left your hands',
    );
  }
  let key: KeyObject;
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith('-----BEGIN')) {
      key = createPublicKey(trimmed);
    } else {
      const raw = Buffer.from(trimmed, 'base64');
      if (raw.length !== 32 || raw.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) throw new Error('not 32 bytes');
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch {
    throw badInput('publicKey', 'must be an Ed25519 public key: PEM, or the 32 raw bytes in base64');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw badInput('publicKey', `must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  return { key, pem: key.export({ format: 'pem', type: 'spki' }).toString(), fingerprint: keyFingerprint(key) };
}

/** True when `signature` (base64) is the key's Ed25519 signature of `message`. */
export function verifySignature(publicKeyPem: string, message: string, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(message), createPublicKey(publicKeyPem), bytes);
}
