/**
 * OpenSSF Model Signing (OMS) v1.0 verification, pure: a bundle, the registry's trust anchors and the stored files in,
 * a verdict out. No database, no GraphQL; the only I/O is the optional `shardDigests` the caller gives.
 *
 * In order, the first failure decides the reason (see trust.rules.ts for the convention):
 * 1. the bounds (BAD_USER_INPUT, thrown): a bundle over `maxBundleBytes` before it is parsed; a manifest over
 *    `maxResources` resources as soon as the payload is parsed, before any resource is read or any signature checked;
 * 2. the bundle (spec §8.1): JSON, the OMS bundle schema (only mediaType, verificationMaterial, dsseEnvelope; a Sigstore
 *    bundle v0.3 media type; exactly one of publicKey, x509CertificateChain, certificate, which decides the method; a
 *    Rekor entry for `sigstore`), then @sigstore/protobuf-specs' reader and @sigstore/bundle's assertions;
 * 3. the envelope: the DSSE envelope schema (payloadType application/vnd.in-toto+json, one signature, `keyid` absent,
 *    empty or null), the payload base64 JSON;
 * 4. the statement and its predicate (statement.rules.ts), and what this registry cannot check (blake2b, blake3,
 *    shards without a way to re-read the bytes): all before any cryptography;
 * 5. the signer, by method: `key` (a registered key, by `hint` or `rawBytes`), `certificate` (certificate.rules.ts),
 *    `sigstore` (sigstore.rules.ts); then the DSSE signature over PAE(payloadType, payload);
 * 6. the manifest against the stored files (manifest.rules.ts).
 * Steps 2–4 read the payload before its signature is checked: they only parse (bounded by step 1), and a bundle that
 * fails both a structural check and its signature is refused either way; reporting the structural reason names what
 * is wrong with it rather than only that the signature does not cover it.
 */
import { assertBundleV02, ValidationError, type Bundle } from '@sigstore/bundle';
import { Bundle as BundleMessage } from '@sigstore/protobuf-specs';
import { badInput } from '../../common/errors';
import { certificateFacts, parseCertificate, verifyCertificateChain, type TrustedCertificateAuthority } from './certificate.rules';
import { hintNames, readSigningKey, verifyDsse, type Curve, type SigningKey } from './key.rules';
import { checkSupported, compareManifest, DEFAULT_SIGNATURE_PATH, type ShardDigests, type StoredFile } from './manifest.rules';
import { verifySigstoreBundle, type SigstoreTrust } from './sigstore.rules';
import { readStatement, type HashType, type ResourceDescriptor } from './statement.rules';
import { decodeBase64, isObject, quote, refuse, Refused, type SignatureRefusal, type SigningMethod } from './trust.rules';

export type { StoredFile, ShardDigests } from './manifest.rules';
export type { SignatureRefusal, SigningMethod, SignatureLayer } from './trust.rules';

/** The Sigstore bundle media types of v0.3, the version OMS bundles are (spec Appendix A). */
export const BUNDLE_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
] as const;
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * The bounds: 4 MiB of bundle, 10,000 resources. Issue 21 asks for 1 MB of bundle; this deviates on purpose, since
 * the two bounds of the issue disagree: a resource is about 115 bytes of bundle (JSON, then base64), so a
 * 10,000-file manifest is a 1.5 MB bundle with 6-character names in compact JSON and 2.1 MB pretty-printed as the
 * reference implementation writes it; 1 MiB holds only about 5,200 files named like
 * `model-042/shard-04200-of-10000.safetensors` (`npm run bench:signature`). 4 MiB holds a 10,000-file folder with
 * long names either way. The server's bound is the setting MODELGRAPH_MAX_SIGNATURE_BYTES (default this one, see
 * docs/configuration.md); callers pass theirs in `limits`.
 */
export const OMS_LIMITS = { maxBundleBytes: 4_194_304, maxResources: 10_000 } as const;

/** A public key the registry trusts (`registerSigningKey`): PEM SubjectPublicKeyInfo, ECDSA P-256, P-384 or P-521. */
export interface TrustedSigningKey {
  readonly id: string;
  readonly publicKey: string;
}

/** What the registry trusts, already narrowed by the caller to what counts here (global, the team's, the model's; not revoked). */
export interface TrustAnchors {
  readonly keys?: ReadonlyArray<TrustedSigningKey>;
  readonly certificateAuthorities?: ReadonlyArray<TrustedCertificateAuthority>;
  readonly sigstore?: SigstoreTrust;
}

export interface VerifyOptions {
  /**
   * The time the signature is judged at: now when it is attached, the attach time when it is judged again. A
   * certificate chain must be valid at it (the `certificate` method reads no timestamps); `sigstore` uses its own
   * verified timestamps.
   */
  readonly at: Date;
  /** The bundle's own path in the model folder, never part of the manifest. Default `model.sig`. */
  readonly signaturePath?: string;
  /** Accept stored files the manifest does not list (the spec's `--ignore-unsigned-files`); they are reported. */
  readonly ignoreUnsignedFiles?: boolean;
  /** Re-reads a stored file's shards; without it a `shards` bundle is refused. */
  readonly shardDigests?: ShardDigests;
  readonly limits?: Partial<{ maxBundleBytes: number; maxResources: number }>;
}

export type SignerIdentity =
  | { readonly method: 'key'; readonly fingerprint: string; readonly curve: Curve }
  | {
      readonly method: 'certificate';
      readonly subject: string;
      readonly issuer: string;
      /** SHA-256 of the leaf certificate's DER. */
      readonly fingerprint: string;
      readonly serialNumber: string;
      readonly curve: Curve;
    }
  | { readonly method: 'sigstore'; readonly identity: string; readonly issuer: string };

export type TrustAnchorKind = 'signingKey' | 'certificateAuthority' | 'sigstoreIdentity';

export interface VerifiedModelSignature {
  readonly valid: true;
  readonly method: SigningMethod;
  readonly signer: SignerIdentity;
  /** When the signature existed at the latest, where a verified timestamp says so (`sigstore`); null otherwise. */
  readonly signedAt: Date | null;
  readonly signedAtSource: 'timestamp-authority' | 'transparency-log' | null;
  /** The trust anchor that made the signer count. */
  readonly anchor: { readonly kind: TrustAnchorKind; readonly id: string };
  /** `subject[0].name`, informational. */
  readonly modelName: string;
  /** The root digest of the manifest (`subject[0].digest.sha256`), checked. */
  readonly rootDigest: string;
  readonly resources: readonly ResourceDescriptor[];
  readonly serialization: {
    readonly method: 'files' | 'shards';
    readonly hashType: HashType;
    readonly shardSize: number | null;
    readonly allowSymlinks: boolean;
    readonly ignorePaths: readonly string[];
  };
  /** Stored files outside the manifest, when `ignoreUnsignedFiles` let them be. */
  readonly unsignedFiles: readonly string[];
}

export type ModelSignatureVerification = VerifiedModelSignature | SignatureRefusal;

/**
 * Verifies an OMS bundle for a model folder: the bundle as text, bytes or parsed JSON; the anchors that count; the
 * stored files. Resolves to the signer, method, time and manifest, or to one refusal naming the layer and field.
 */
export async function verifyModelSignature(
  bundleJson: unknown,
  trust: TrustAnchors,
  files: ReadonlyArray<StoredFile>,
  options: VerifyOptions,
): Promise<ModelSignatureVerification> {
  const limits = { ...OMS_LIMITS, ...options.limits };
  const raw = readBundleJson(bundleJson, limits.maxBundleBytes);
  try {
    const parsed = readBundle(raw);
    const statement = readStatement(parsed.statement, limits);
    checkSupported(statement.serialization, options);
    const signer = verifySigner(parsed, trust, options.at);
    const manifest = await compareManifest(statement.resources, statement.serialization, files, {
      signaturePath: options.signaturePath ?? DEFAULT_SIGNATURE_PATH,
      ignoreUnsignedFiles: options.ignoreUnsignedFiles ?? false,
      shardDigests: options.shardDigests,
    });
    return {
      valid: true,
      ...signer,
      modelName: statement.modelName,
      rootDigest: statement.rootDigest,
      resources: statement.resources,
      serialization: statement.serialization,
      unsignedFiles: manifest.unsignedFiles,
    };
  } catch (e) {
    if (e instanceof Refused) return e.refusal;
    throw e;
  }
}

/** The bundle as JSON, its size bounded before it is parsed. Text and bytes are measured as given; an object as JSON. */
function readBundleJson(input: unknown, maxBytes: number): unknown {
  let size: number;
  let text: string | null = null;
  if (typeof input === 'string') {
    size = Buffer.byteLength(input, 'utf8');
    text = input;
  } else if (input instanceof Uint8Array) {
    size = input.byteLength;
    if (size <= maxBytes) text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  } else {
    size = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  }
  if (size > maxBytes) throw badInput('bundle', `is ${size} bytes, over the bound of ${maxBytes}`);
  if (text === null) return input;
  if (text.trim().length === 0) return EMPTY;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

const EMPTY = Symbol('empty');
const NOT_JSON = Symbol('not JSON');

interface ParsedBundle {
  readonly method: SigningMethod;
  readonly bundle: Bundle;
  readonly material: Record<string, unknown>;
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
  readonly statement: unknown;
}

const BUNDLE_KEYS = new Set(['mediaType', 'verificationMaterial', 'dsseEnvelope']);
const ENVELOPE_KEYS = new Set(['payload', 'payloadType', 'signatures']);
const SIGNATURE_KEYS = new Set(['sig', 'keyid']);
const MEDIA_TYPES = new Set<string>(BUNDLE_MEDIA_TYPES);

function readBundle(raw: unknown): ParsedBundle {
  if (raw === EMPTY) return refuse('bundle', '', 'is empty');
  if (raw === NOT_JSON) return refuse('bundle', '', 'is not JSON');
  if (!isObject(raw)) return refuse('bundle', '', 'is not a JSON object (a Sigstore bundle)');
  if ('messageSignature' in raw)
    return refuse('bundle', 'messageSignature', 'holds a messageSignature: an OMS bundle signs a DSSE envelope (dsseEnvelope)');
  const extra = Object.keys(raw).find((key) => !BUNDLE_KEYS.has(key));
  if (extra !== undefined)
    return refuse('bundle', extra, `${quote(extra)} is not a field of an OMS bundle (mediaType, verificationMaterial, dsseEnvelope)`);
  if (raw.mediaType === undefined) return refuse('bundle', 'mediaType', 'mediaType is missing');
  if (typeof raw.mediaType !== 'string' || !MEDIA_TYPES.has(raw.mediaType))
    return refuse(
      'bundle',
      'mediaType',
      `mediaType ${quote(raw.mediaType)} is not a Sigstore bundle v0.3 media type (${BUNDLE_MEDIA_TYPES[0]})`,
    );
  const material = raw.verificationMaterial;
  if (material === undefined) return refuse('bundle', 'verificationMaterial', 'verificationMaterial is missing');
  if (!isObject(material)) return refuse('bundle', 'verificationMaterial', 'verificationMaterial is not an object');
  const method = methodOf(material);
  if (raw.dsseEnvelope === undefined) return refuse('bundle', 'dsseEnvelope', 'dsseEnvelope is missing');
  const envelope = readEnvelope(raw.dsseEnvelope);

  let bundle: Bundle;
  try {
    const message = BundleMessage.fromJSON(raw);
    // v0.2's assertions: the base ones and inclusion proofs with checkpoints on tlog entries. Not v0.3's ban on
    // certificate chains: OMS's `certificate` method carries one in a v0.3 bundle (spec §4.1).
    assertBundleV02(message);
    bundle = message;
  } catch (e) {
    if (e instanceof ValidationError)
      return refuse('bundle', e.fields[0] ?? '', `does not pass @sigstore/bundle's checks: ${e.fields.join(', ')}`);
    return refuse('bundle', '', `is not a Sigstore bundle: ${(e as Error).message}`);
  }
  return { method, bundle, material, ...envelope };
}

function methodOf(material: Record<string, unknown>): SigningMethod {
  const at = 'verificationMaterial';
  const present = (['publicKey', 'x509CertificateChain', 'certificate'] as const).filter(
    (key) => material[key] !== undefined && material[key] !== null,
  );
  if (present.length === 0)
    return refuse('bundle', at, `${at} holds none of publicKey (key), x509CertificateChain (certificate), certificate (sigstore)`);
  if (present.length > 1) return refuse('bundle', at, `${at} holds ${present.join(' and ')}: a bundle is signed by one method`);
  const tlog = material.tlogEntries;
  if (tlog !== undefined && !Array.isArray(tlog)) return refuse('bundle', `${at}.tlogEntries`, `${at}.tlogEntries is not a list`);
  switch (present[0]) {
    case 'publicKey': {
      const key = material.publicKey;
      if (!isObject(key)) return refuse('bundle', `${at}.publicKey`, `${at}.publicKey is not an object`);
      const hasHint = typeof key.hint === 'string' && key.hint.length > 0;
      const hasRaw = typeof key.rawBytes === 'string' && key.rawBytes.length > 0;
      if (!hasHint && !hasRaw)
        return refuse('bundle', `${at}.publicKey`, `${at}.publicKey has neither a hint (a key fingerprint) nor rawBytes`);
      return 'key';
    }
    case 'x509CertificateChain': {
      const chain = material.x509CertificateChain;
      const certs = isObject(chain) ? chain.certificates : undefined;
      if (!Array.isArray(certs) || certs.length === 0)
        return refuse('bundle', `${at}.x509CertificateChain.certificates`, `${at}.x509CertificateChain.certificates is missing or empty`);
      if (certs.length > 10)
        return refuse(
          'bundle',
          `${at}.x509CertificateChain.certificates`,
          `${at}.x509CertificateChain.certificates holds ${certs.length}, over the bound of 10`,
        );
      return 'certificate';
    }
    case 'certificate':
      if (!Array.isArray(tlog) || tlog.length === 0)
        return refuse(
          'bundle',
          `${at}.tlogEntries`,
          `${at}.tlogEntries is ${tlog === undefined ? 'missing' : 'empty'}: the sigstore method (a Fulcio certificate) needs at least one Rekor entry`,
        );
      return 'sigstore';
  }
}

function readEnvelope(value: unknown): Pick<ParsedBundle, 'payloadType' | 'payload' | 'signature' | 'statement'> {
  if (!isObject(value)) return refuse('envelope', 'dsseEnvelope', 'dsseEnvelope is not an object');
  const extra = Object.keys(value).find((key) => !ENVELOPE_KEYS.has(key));
  if (extra !== undefined)
    return refuse(
      'envelope',
      `dsseEnvelope.${extra}`,
      `${quote(extra)} is not a field of a DSSE envelope (payload, payloadType, signatures)`,
    );
  if (value.payloadType !== DSSE_PAYLOAD_TYPE)
    return refuse('envelope', 'dsseEnvelope.payloadType', `payloadType is ${quote(value.payloadType)}, not ${DSSE_PAYLOAD_TYPE}`);
  const signatures = value.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0)
    return refuse('envelope', 'dsseEnvelope.signatures', 'signatures is missing or empty');
  if (signatures.length > 1)
    return refuse('envelope', 'dsseEnvelope.signatures', `signatures holds ${signatures.length}: a Sigstore bundle carries exactly one`);
  const entry: unknown = signatures[0];
  if (!isObject(entry)) return refuse('envelope', 'dsseEnvelope.signatures[0]', 'signatures[0] is not an object');
  const extraInSignature = Object.keys(entry).find((key) => !SIGNATURE_KEYS.has(key));
  if (extraInSignature !== undefined)
    return refuse(
      'envelope',
      `dsseEnvelope.signatures[0].${extraInSignature}`,
      `${quote(extraInSignature)} is not a field of a DSSE signature (sig, keyid)`,
    );
  if (entry.keyid !== undefined && entry.keyid !== null && typeof entry.keyid !== 'string')
    return refuse('envelope', 'dsseEnvelope.signatures[0].keyid', 'signatures[0].keyid is not a string (absent, empty or null are fine)');
  const signature = decodeBase64('envelope', 'dsseEnvelope.signatures[0].sig', entry.sig);
  const payload = decodeBase64('envelope', 'dsseEnvelope.payload', value.payload);
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return refuse('envelope', 'dsseEnvelope.payload', 'payload is not JSON (an in-toto Statement, base64)');
  }
  return { payloadType: DSSE_PAYLOAD_TYPE, payload, signature, statement };
}

type VerifiedSigner = Pick<VerifiedModelSignature, 'method' | 'signer' | 'signedAt' | 'signedAtSource' | 'anchor'>;

function verifySigner(parsed: ParsedBundle, trust: TrustAnchors, at: Date): VerifiedSigner {
  switch (parsed.method) {
    case 'key':
      return verifyKeySigner(parsed, trust);
    case 'certificate':
      return verifyCertificateSigner(parsed, trust, at);
    case 'sigstore': {
      const verified = verifySigstoreBundle(parsed.bundle, parsed.payloadType, parsed.payload, trust.sigstore);
      return {
        method: 'sigstore',
        signer: { method: 'sigstore', identity: verified.identity, issuer: verified.issuer },
        signedAt: verified.signedAt,
        signedAtSource: verified.signedAtSource,
        anchor: { kind: 'sigstoreIdentity', id: verified.anchorId },
      };
    }
  }
}

function checkEnvelopeSignature(parsed: ParsedBundle, key: SigningKey, what: string): void {
  if (!verifyDsse(parsed.payloadType, parsed.payload, parsed.signature, key.key, key.hash))
    refuse(
      'envelope',
      'dsseEnvelope.signatures[0].sig',
      `signature does not verify against ${what} (ECDSA ${key.curve} with ${key.hash.toUpperCase()} over the DSSE PAE)`,
    );
}

function trustedKeys(trust: TrustAnchors): Array<{ id: string; key: SigningKey }> {
  return (trust.keys ?? []).map((anchor) => {
    const key = readSigningKey(anchor.publicKey);
    if (typeof key === 'string') throw new Error(`trusted signing key ${anchor.id} ${key}`);
    return { id: anchor.id, key };
  });
}

function verifyKeySigner(parsed: ParsedBundle, trust: TrustAnchors): VerifiedSigner {
  const at = 'verificationMaterial.publicKey';
  const publicKey = parsed.material.publicKey as Record<string, unknown>;
  const hint = typeof publicKey.hint === 'string' && publicKey.hint.length > 0 ? publicKey.hint : null;
  const keys = trustedKeys(trust);
  let match: { id: string; key: SigningKey } | undefined;
  if (typeof publicKey.rawBytes === 'string' && publicKey.rawBytes.length > 0) {
    // Older bundles (pre-v1.1.0): the key itself, base64 of its PEM or DER SubjectPublicKeyInfo. It counts only if
    // it is a registered key.
    const offered = readSigningKey(decodeBase64('bundle', `${at}.rawBytes`, publicKey.rawBytes));
    if (typeof offered === 'string') return refuse('key', `${at}.rawBytes`, `publicKey.rawBytes ${offered}`);
    match = keys.find((k) => k.key.spki.equals(offered.spki));
    if (!match)
      return refuse('key', `${at}.rawBytes`, `publicKey.rawBytes is not a trusted signing key (fingerprint ${offered.fingerprint})`);
    if (hint !== null && !hintNames(hint, match.key))
      return refuse('key', `${at}.hint`, `publicKey.hint ${quote(hint)} does not name the key in publicKey.rawBytes`);
  } else {
    match = keys.find((k) => hintNames(hint!, k.key));
    if (!match) return refuse('key', `${at}.hint`, `no trusted signing key has the fingerprint in publicKey.hint (${quote(hint, 80)})`);
  }
  checkEnvelopeSignature(parsed, match.key, `the trusted key ${match.key.fingerprint}`);
  return {
    method: 'key',
    signer: { method: 'key', fingerprint: match.key.fingerprint, curve: match.key.curve },
    signedAt: null,
    signedAtSource: null,
    anchor: { kind: 'signingKey', id: match.id },
  };
}

function verifyCertificateSigner(parsed: ParsedBundle, trust: TrustAnchors, at: Date): VerifiedSigner {
  const field = 'verificationMaterial.x509CertificateChain.certificates';
  const chain = (parsed.material.x509CertificateChain as { certificates: unknown[] }).certificates.map((entry, i) => {
    const der = decodeBase64('bundle', `${field}[${i}].rawBytes`, isObject(entry) ? entry.rawBytes : undefined);
    const cert = parseCertificate(der);
    return cert ?? refuse('certificate', `${field}[${i}]`, `${field}[${i}] is not a DER X.509 certificate`);
  });
  const anchors = (trust.certificateAuthorities ?? []).map((anchor) => {
    const cert = parseCertificate(anchor.certificate);
    if (!cert) throw new Error(`trusted certificate authority ${anchor.id} is not an X.509 certificate`);
    return { id: anchor.id, cert };
  });
  const verified = verifyCertificateChain(chain, anchors, at);
  const facts = certificateFacts(verified.leaf);
  checkEnvelopeSignature(parsed, verified.key, `the leaf certificate's key (${facts.subject})`);
  return {
    method: 'certificate',
    signer: {
      method: 'certificate',
      subject: facts.subject,
      issuer: facts.issuer,
      fingerprint: facts.fingerprint,
      serialNumber: facts.serialNumber,
      curve: verified.key.curve,
    },
    signedAt: null,
    signedAtSource: null,
    anchor: { kind: 'certificateAuthority', id: verified.anchorId },
  };
}
