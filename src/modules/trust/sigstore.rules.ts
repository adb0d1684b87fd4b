/**
 * The `sigstore` method: a short-lived Fulcio certificate and a Rekor transparency log entry, verified offline by
 * @sigstore/verify against a trusted root the operator provides (Sigstore's `trusted_root.json`: Fulcio CAs, Rekor
 * and CT log keys, timestamp authorities), then the certificate's identity (its subject alternative name and the
 * OIDC issuer Fulcio recorded) matched against the identities the registry trusts.
 *
 * The Verifier checks, in its order: every timestamp (RFC 3161 timestamps against the trusted TSAs, the Rekor entry's
 * integrated time under its signed entry timestamp), at least one; the certificate chain to a trusted Fulcio CA, valid
 * at every timestamp, with an SCT from a trusted CT log; every Rekor entry (inclusion proof and checkpoint against a
 * trusted log key, its body matching this envelope's payload and signature), at least one; the DSSE signature. One
 * change to what it is given: the signature is checked with the hash of the certificate key's curve (a P-384 key
 * signs with SHA-384), where @sigstore/verify's DSSE check lets node pick SHA-256 for every EC key.
 */
import type { Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { badInput } from '../../common/errors';
import { aliasMatches } from '../access/access.rules';
import { signatureHashOf, verifyDsse } from './key.rules';
import { isObject, quote, refuse } from './trust.rules';

/**
 * An identity the registry trusts to sign with Sigstore (`trustSigstoreIdentity`): the OIDC issuer, exactly, and the
 * certificate's subject (an e-mail address, or a URI such as a CI workflow's), exactly or as a glob where `*` stands
 * for any run of characters, `/` included (`https://github.com/acme/*`), matched in one pass without backtracking.
 */
export interface TrustedSigstoreIdentity {
  readonly id: string;
  readonly issuer: string;
  readonly subject: string;
  readonly match: 'exact' | 'glob';
}

export interface SigstoreTrust {
  /** The operator's `trusted_root.json`, parsed (an object): the same object is parsed into trust material once. */
  readonly trustedRoot: unknown;
  readonly identities: ReadonlyArray<TrustedSigstoreIdentity>;
}

const TRUSTED_ROOT_MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
]);

/** A trusted root as @sigstore/verify's trust material, or BAD_USER_INPUT naming the field (when the operator gives it). */
export function parseTrustedRoot(json: unknown, field = 'trustedRoot'): TrustMaterial {
  if (!isObject(json)) throw badInput(field, 'is not a JSON object (a Sigstore trusted_root.json)');
  if (typeof json.mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPES.has(json.mediaType))
    throw badInput(
      field,
      `mediaType ${quote(json.mediaType)} is not a Sigstore trusted root's (${[...TRUSTED_ROOT_MEDIA_TYPES].join(' or ')})`,
    );
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(TrustedRoot.fromJSON(json));
  } catch (e) {
    throw badInput(field, `is not a Sigstore trusted root: ${(e as Error).message}`);
  }
  if (material.certificateAuthorities.length === 0) throw badInput(field, 'names no certificate authority (Fulcio)');
  if (material.tlogs.length === 0) throw badInput(field, 'names no transparency log (Rekor)');
  return material;
}

const materials = new WeakMap<object, TrustMaterial>();

function trustMaterialOf(trustedRoot: unknown): TrustMaterial {
  if (!isObject(trustedRoot)) throw new Error('the configured Sigstore trusted root is not a JSON object');
  let material = materials.get(trustedRoot);
  if (!material) {
    try {
      material = parseTrustedRoot(trustedRoot);
    } catch (e) {
      // Checked when the operator configures it: one that fails here is the registry's fault, not the signer's.
      throw new Error(`the configured Sigstore trusted root is invalid: ${(e as Error).message}`);
    }
    materials.set(trustedRoot, material);
  }
  return material;
}

export const identityMatches = (trusted: TrustedSigstoreIdentity, issuer: string, subject: string): boolean =>
  trusted.issuer === issuer && (trusted.match === 'glob' ? aliasMatches(trusted.subject, subject) : trusted.subject === subject);

export interface VerifiedSigstoreSigner {
  /** The certificate's subject alternative name: an e-mail address or a URI. */
  readonly identity: string;
  /** The OIDC issuer Fulcio recorded in the certificate. */
  readonly issuer: string;
  readonly anchorId: string;
  /** The earliest verified time the signature existed at (an RFC 3161 timestamp or the Rekor entry's integrated time). */
  readonly signedAt: Date | null;
  readonly signedAtSource: 'timestamp-authority' | 'transparency-log' | null;
}

/** Verifies a `sigstore` bundle offline, or refuses naming what failed. */
export function verifySigstoreBundle(
  bundle: Bundle,
  payloadType: string,
  payload: Buffer,
  trust: SigstoreTrust | undefined,
): VerifiedSigstoreSigner {
  if (!trust || trust.identities.length === 0)
    return refuse(
      'sigstore',
      'verificationMaterial.certificate',
      'the registry trusts no Sigstore identity (no trusted root and identities configured)',
    );
  const material = trustMaterialOf(trust.trustedRoot);
  let signer: ReturnType<Verifier['verify']>;
  try {
    const entity = toSignedEntity(bundle);
    const signed: SignedEntity = { ...entity, signature: curveAware(entity.signature, payloadType, payload) };
    signer = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(signed);
  } catch (e) {
    if (e instanceof VerificationError) {
      const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
      return refuse('sigstore', FIELD_OF[e.code] ?? 'verificationMaterial', `${e.message}${cause} [${e.code}]`);
    }
    // What @sigstore/core cannot parse (a certificate, a timestamp, a log entry's body): the bundle's fault, not ours.
    return refuse('sigstore', 'verificationMaterial', `the verification material cannot be read: ${(e as Error).message}`);
  }
  const identity = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  const anchor = trust.identities.find((trusted) => identityMatches(trusted, issuer, identity));
  if (!anchor)
    return refuse(
      'sigstore',
      'verificationMaterial.certificate',
      `the signer ${quote(identity)} (OIDC issuer ${quote(issuer)}) is not a trusted Sigstore identity`,
    );
  return { identity, issuer, anchorId: anchor.id, ...signingTime(bundle) };
}

const FIELD_OF: Record<string, string> = {
  CERTIFICATE_ERROR: 'verificationMaterial.certificate',
  PUBLIC_KEY_ERROR: 'verificationMaterial.certificate',
  TIMESTAMP_ERROR: 'verificationMaterial.timestampVerificationData',
  TLOG_ERROR: 'verificationMaterial.tlogEntries',
  TLOG_INCLUSION_PROOF_ERROR: 'verificationMaterial.tlogEntries',
  TLOG_INCLUSION_PROMISE_ERROR: 'verificationMaterial.tlogEntries',
  TLOG_MISSING_INCLUSION_ERROR: 'verificationMaterial.tlogEntries',
  TLOG_BODY_ERROR: 'verificationMaterial.tlogEntries',
  SIGNATURE_ERROR: 'dsseEnvelope.signatures[0].sig',
};

function curveAware(content: SignedEntity['signature'], payloadType: string, payload: Buffer): SignedEntity['signature'] {
  return {
    signature: content.signature,
    compareSignature: (signature) => content.compareSignature(signature),
    compareDigest: (digest) => content.compareDigest(digest),
    verifySignature: (key) => {
      const hash = signatureHashOf(key);
      return hash ? verifyDsse(payloadType, payload, content.signature, key, hash) : content.verifySignature(key);
    },
  };
}

/** The Verifier checked every timestamp; the earliest says when the signature existed at the latest. */
function signingTime(bundle: Bundle): Pick<VerifiedSigstoreSigner, 'signedAt' | 'signedAtSource'> {
  const times: Array<{ at: Date; source: 'timestamp-authority' | 'transparency-log' }> = [];
  for (const ts of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [])
    times.push({ at: RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime, source: 'timestamp-authority' });
  for (const entry of bundle.verificationMaterial.tlogEntries)
    if (entry.inclusionPromise) times.push({ at: new Date(Number(entry.integratedTime) * 1000), source: 'transparency-log' });
  if (times.length === 0) return { signedAt: null, signedAtSource: null };
  const first = times.reduce((a, b) => (b.at < a.at ? b : a));
  return { signedAt: first.at, signedAtSource: first.source };
}
