/**
 * Trusted signers and the signatures recorded against them, pure: how a verified signer is named, the inputs'
 * bounds, the OMS root digest a version has now, and whether a recorded signature counts for the SIGNED gate.
 *
 * Revocation (issue 21: "a signature made by a key revoked before it was attached stops counting"): a signature
 * attached before its trusted signer was revoked keeps counting; one attached at or after the revocation never
 * counts (and a new one is refused, since a revoked signer is no longer a trust anchor). Revoking a key is
 * therefore "trust nothing new from it", not "distrust what it signed while it was trusted".
 */
import { createHash } from 'node:crypto';
import { badInput } from '../../common/errors';
import { validateText } from '../../common/text';
import { isObject } from './trust.rules';
import type { SignerIdentity } from './signature.rules';

export enum TrustScope {
  GLOBAL = 'GLOBAL',
  TEAM = 'TEAM',
  MODEL = 'MODEL',
}

export enum TrustedSignerKind {
  SIGNING_KEY = 'SIGNING_KEY',
  CERTIFICATE_AUTHORITY = 'CERTIFICATE_AUTHORITY',
  SIGSTORE_IDENTITY = 'SIGSTORE_IDENTITY',
}

export enum SigningMethod {
  KEY = 'KEY',
  CERTIFICATE = 'CERTIFICATE',
  SIGSTORE = 'SIGSTORE',
}

/** The bundle bound when none is configured: 4 MiB (see `OMS_LIMITS` in signature.rules.ts for why not 1 MB). */
export const DEFAULT_MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
/** The largest bound an operator may configure (the `model_signatures.bundle` column's CHECK). */
export const MAX_SIGNATURE_BYTES_CEILING = 64 * 1024 * 1024;

/** Bounds of what a trusted signer records (the migration's CHECKs say the same). */
export const SIGNER_BOUNDS = {
  name: 200, // a policy's requiredSignatures.signers names are at most 200 characters
  publicKey: 10_000,
  certificate: 20_000,
  issuer: 1_000,
  subject: 1_000,
  reason: 2_000,
} as const;

/** A trusted signer's name: what a policy's `requiredSignatures.signers` lists; unique per scope among unrevoked ones. */
export function validateSignerName(name: string, field = 'name'): string {
  validateText(name, field, { required: true, max: SIGNER_BOUNDS.name });
  if (name !== name.trim()) throw badInput(field, 'must not start or end with white space');
  return name;
}

/** Where a trusted signer counts: exactly one of teamId (TEAM) and modelId (MODEL), neither for GLOBAL. */
export function validateScope(scope: TrustScope, teamId: string | null | undefined, modelId: string | null | undefined): void {
  if (scope === TrustScope.TEAM && !teamId) throw badInput('teamId', 'is required for a TEAM-scoped signer');
  if (scope === TrustScope.MODEL && !modelId) throw badInput('modelId', 'is required for a MODEL-scoped signer');
  if (scope !== TrustScope.TEAM && teamId) throw badInput('teamId', `is only for a TEAM-scoped signer, not ${scope}`);
  if (scope !== TrustScope.MODEL && modelId) throw badInput('modelId', `is only for a MODEL-scoped signer, not ${scope}`);
}

/**
 * A Sigstore identity's subject: exact, or a glob where `*` stands for any run of characters (matched in one pass by
 * access's aliasMatches). Answers how it is matched.
 */
export function validateSigstoreIdentity(issuer: string, subject: string): 'exact' | 'glob' {
  validateText(issuer, 'issuer', { required: true, max: SIGNER_BOUNDS.issuer });
  validateText(subject, 'subject', { required: true, max: SIGNER_BOUNDS.subject });
  if (!/^https?:\/\/\S+$/.test(issuer))
    throw badInput('issuer', 'must be the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com');
  if (/\s/.test(subject)) throw badInput('subject', 'must not contain white space');
  if (subject.replace(/\*/g, '') === '') throw badInput('subject', 'must name something besides `*`: trust an identity, not every signer');
  return subject.includes('*') ? 'glob' : 'exact';
}

/** The most of a name (a certificate's subject, a Sigstore identity) kept for people; longer ones are cut, marked `…`. */
export const MAX_NAME_CHARS = 1000;

/** A name cut to MAX_NAME_CHARS: what a certificate says is bounded only by the bundle's size. */
export const displayName = (name: string): string => (name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}…` : name);

/** How a verified signer is named for people: a key's fingerprint, a certificate's subject, a Sigstore identity. */
export function signerName(signer: SignerIdentity): { signer: string; issuer: string | null } {
  switch (signer.method) {
    case 'key':
      return { signer: `SHA256:${signer.fingerprint}`, issuer: null };
    case 'certificate':
      return { signer: displayName(signer.subject), issuer: displayName(signer.issuer) };
    case 'sigstore':
      return { signer: displayName(signer.identity), issuer: displayName(signer.issuer) };
  }
}

export const methodOf = (method: 'key' | 'certificate' | 'sigstore'): SigningMethod =>
  ({ key: SigningMethod.KEY, certificate: SigningMethod.CERTIFICATE, sigstore: SigningMethod.SIGSTORE })[method];

/**
 * The OMS root digest of a version's artifact as it is now, from the version's own digest: a folder's is its
 * `artifact_sha256` (versions' manifest.rules.ts rootDigest); a single file's is SHA-256 over its digest's bytes
 * (the root digest of a folder of one file, whatever its name). Null while a digest is unknown.
 */
export function currentRootDigest(layout: 'FILE' | 'FOLDER', artifactSha256: string | null): string | null {
  if (!artifactSha256) return null;
  if (layout === 'FOLDER') return artifactSha256;
  return createHash('sha256').update(Buffer.from(artifactSha256, 'hex')).digest('hex');
}

/**
 * The names the bundle's statement gives its resources when it has exactly one (a single file signed by its
 * basename), else null. Reads without judging: a bundle this cannot read is refused by the verifier with its reason.
 */
export function singleResourceName(bundle: unknown): string | null {
  try {
    const raw =
      typeof bundle === 'string' ? JSON.parse(bundle) : bundle instanceof Uint8Array ? JSON.parse(Buffer.from(bundle).toString()) : bundle;
    if (!isObject(raw) || !isObject(raw.dsseEnvelope) || typeof raw.dsseEnvelope.payload !== 'string') return null;
    const statement: unknown = JSON.parse(Buffer.from(raw.dsseEnvelope.payload, 'base64').toString('utf8'));
    if (!isObject(statement) || !isObject(statement.predicate) || !Array.isArray(statement.predicate.resources)) return null;
    const resources = statement.predicate.resources as unknown[];
    if (resources.length !== 1 || !isObject(resources[0]) || typeof resources[0].name !== 'string') return null;
    return resources[0].name;
  } catch {
    return null;
  }
}

/** A recorded signature, with what the gate needs of its trusted signer. */
export interface RecordedSignature {
  readonly signer: string;
  readonly method: SigningMethod;
  readonly rootDigest: string;
  readonly attachedAt: Date;
  readonly signedAt: Date;
  readonly trustedSigner: { readonly name: string; readonly scope: TrustScope; readonly revokedAt: Date | null };
}

export interface SignatureVerdict {
  readonly counts: boolean;
  readonly reason: string;
}

/**
 * Whether a recorded signature counts now: its trusted signer was not revoked before it was attached, it signs the
 * version's current root digest, and (for the gate) its trusted signer is one the policy names (any, when the list
 * is empty or there is no policy rule).
 */
export function signatureCounts(
  sig: RecordedSignature,
  currentRoot: string | null,
  requiredSigners: readonly string[] = [],
): SignatureVerdict {
  const { trustedSigner } = sig;
  if (trustedSigner.revokedAt && trustedSigner.revokedAt <= sig.attachedAt)
    return { counts: false, reason: `${trustedSigner.name} was revoked (${trustedSigner.revokedAt.toISOString()}) before it was attached` };
  if (currentRoot === null || sig.rootDigest !== currentRoot)
    return {
      counts: false,
      reason: `it signs root digest ${sig.rootDigest}, not the version's files as they are now (${currentRoot ?? 'unknown'})`,
    };
  if (requiredSigners.length > 0 && !requiredSigners.includes(trustedSigner.name))
    return { counts: false, reason: `${trustedSigner.name} is not among the policy's signers (${requiredSigners.join(', ')})` };
  const revoked = trustedSigner.revokedAt ? `; ${trustedSigner.name} was revoked after it was attached, which does not undo it` : '';
  return { counts: true, reason: `verified against ${trustedSigner.name} (${trustedSigner.scope})${revoked}` };
}

/** Where a signature's bundle is downloaded (trust.routes.ts serves it). */
export const signatureDownloadPath = (versionId: string, signatureId: string): string =>
  `/artifacts/${versionId}/model.sig?signature=${signatureId}`;
