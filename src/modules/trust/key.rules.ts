/**
 * Signing keys of the `key` and `certificate` methods: ECDSA on P-256, P-384 or P-521 (the OMS algorithm registry),
 * each signing with the hash of its size (SHA-256, SHA-384, SHA-512, as the reference implementations do and as
 * Sigstore's PKIX_ECDSA_P384_SHA_384 and PKIX_ECDSA_P521_SHA_512 name them), and the fingerprint a bundle's
 * `publicKey.hint` carries.
 *
 * The hint (spec §4.1: "a hex-encoded key fingerprint") is, in the reference implementation (model_signing's
 * `_get_verification_material`), the SHA-256 of the public key's PEM encoding: SubjectPublicKeyInfo, base64 in
 * 64-character lines between `-----BEGIN PUBLIC KEY-----` and `-----END PUBLIC KEY-----`, each line ending in a
 * newline. The spec's test vectors confirm it: the hint of `valid/key.bundle.json`, e8450dec…3f8e, is that digest of
 * the leaf key of `valid/certificate.bundle.json`, and that key verifies the key vector's signature. A hint equal to
 * the SHA-256 of the key's DER SubjectPublicKeyInfo is accepted too (another reading of "fingerprint"): a hint only
 * chooses the key, the signature is what is checked, so accepting both readings trusts nothing more.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { crypto as sigstoreCrypto, dsse } from '@sigstore/core';
import { badInput } from '../../common/errors';

export type Curve = 'P-256' | 'P-384' | 'P-521';
export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

const CURVES: Record<string, { curve: Curve; hash: SignatureHash }> = {
  prime256v1: { curve: 'P-256', hash: 'sha256' },
  secp384r1: { curve: 'P-384', hash: 'sha384' },
  secp521r1: { curve: 'P-521', hash: 'sha512' },
};

export interface SigningKey {
  readonly key: KeyObject;
  readonly curve: Curve;
  readonly hash: SignatureHash;
  /** The hint the reference implementation writes: SHA-256 of the PEM SubjectPublicKeyInfo, lowercase hex. */
  readonly fingerprint: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex: the other reading of a hint. */
  readonly derFingerprint: string;
  readonly spki: Buffer;
}

/** A public key as an OMS signing key, or why it is not one. Accepts PEM text or DER SubjectPublicKeyInfo bytes. */
export function readSigningKey(input: string | Buffer): SigningKey | string {
  const text =
    typeof input === 'string' ? input : input.subarray(0, 11).toString('latin1') === '-----BEGIN ' ? input.toString('latin1') : null;
  if (text !== null && /PRIVATE KEY-----/.test(text)) return 'is a private key: register the public key only';
  if (text !== null && !/^\s*-----BEGIN PUBLIC KEY-----/.test(text)) return 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)';
  let key: KeyObject;
  try {
    key = text !== null ? sigstoreCrypto.createPublicKey(text) : sigstoreCrypto.createPublicKey(input as Buffer);
  } catch {
    return 'is not a public key (SubjectPublicKeyInfo)';
  }
  if (key.asymmetricKeyType !== 'ec')
    return `is a${key.asymmetricKeyType === 'rsa' ? 'n' : ''} ${key.asymmetricKeyType} key: OMS signs with ECDSA on P-256, P-384 or P-521`;
  const named = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!named)
    return `is an ECDSA key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unnamed curve'}: OMS signs with P-256, P-384 or P-521`;
  const spki = key.export({ type: 'spki', format: 'der' });
  const pem = key.export({ type: 'spki', format: 'pem' });
  return {
    key,
    ...named,
    fingerprint: createHash('sha256').update(pem).digest('hex'),
    derFingerprint: createHash('sha256').update(spki).digest('hex'),
    spki,
  };
}

/**
 * A key offered for registration (`registerSigningKey`): its curve and fingerprint, or BAD_USER_INPUT naming the field.
 * What the registry stores is the PEM; the fingerprint is what bundles name it by.
 */
export function parseSigningKey(pem: string, field = 'publicKey'): SigningKey {
  const key = readSigningKey(pem);
  if (typeof key === 'string') throw badInput(field, key);
  return key;
}

/** Whether a bundle's `publicKey.hint` names this key (either reading, any case). */
export function hintNames(hint: string, key: SigningKey): boolean {
  const wanted = hint.toLowerCase();
  return wanted === key.fingerprint || wanted === key.derFingerprint;
}

/** The DSSE signature check (DSSE protocol): the signature over PAE(payloadType, payload), with the curve's hash. */
export function verifyDsse(payloadType: string, payload: Buffer, signature: Buffer, key: KeyObject, hash: SignatureHash): boolean {
  return sigstoreCrypto.verify(dsse.preAuthEncoding(payloadType, payload), key, signature, hash);
}

/** The hash an ECDSA key of this curve signs with, for a key taken from a certificate. */
export function signatureHashOf(key: KeyObject): SignatureHash | null {
  return key.asymmetricKeyType === 'ec' ? (CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']?.hash ?? null) : null;
}
