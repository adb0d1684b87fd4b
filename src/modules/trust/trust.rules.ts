/**
 * What the trust module's pure rules share: the signing methods of OpenSSF Model Signing (OMS) v1.0, the layers of a
 * bundle a refusal names, and the refusal itself.
 *
 * The convention: verifying a signature never throws for what a bundle holds. A bundle that fails is a verdict,
 * `{ valid: false, layer, field, reason }`, whose `reason` starts with the layer and names the field
 * ("statement: predicateType is …", "manifest: weights.bin is stored but not signed"). Only the two bounds (a bundle
 * over the size bound, a manifest over the resource bound) throw `badInput('bundle', …)` (BAD_USER_INPUT naming the
 * field), before any cryptography: such a request is refused, not judged. A trust anchor the registry itself holds
 * that cannot be read (checked when it was registered) throws a plain Error: the registry's fault, not the signer's.
 */

/** How an OMS bundle was signed (spec §4.1): the verification material it carries decides. */
export type SigningMethod = 'key' | 'certificate' | 'sigstore';

/**
 * The layer a refusal names, outermost first: the Sigstore bundle, its DSSE envelope, the signer (by method: a
 * registered key, a certificate chain, a Sigstore certificate and its transparency log entry), the in-toto statement
 * with its OMS predicate, and the manifest compared with the stored files.
 */
export type SignatureLayer = 'bundle' | 'envelope' | SigningMethod | 'statement' | 'manifest';

/** A bundle that does not verify: one reason, naming the layer and the field that failed. */
export interface SignatureRefusal {
  readonly valid: false;
  readonly layer: SignatureLayer;
  /** The field that failed, as a path into the bundle (`verificationMaterial.publicKey.hint`), the statement
   * (`predicate.resources[3].name`), or a stored file's path for the manifest. */
  readonly field: string;
  /** `<layer>: <what failed>`, for people. */
  readonly reason: string;
}

export const refusal = (layer: SignatureLayer, field: string, message: string): SignatureRefusal => ({
  valid: false,
  layer,
  field,
  reason: `${layer}: ${message}`,
});

/** Thrown inside the rules and caught by `verifyModelSignature`, which returns its refusal: it never escapes. */
export class Refused extends Error {
  constructor(readonly refusal: SignatureRefusal) {
    super(refusal.reason);
    this.name = 'Refused';
  }
}

export const refuse = (layer: SignatureLayer, field: string, message: string): never => {
  throw new Refused(refusal(layer, field, message));
};

/** A value quoted in a reason: JSON-quoted and cut short, so a hostile bundle cannot flood a message or a log. */
export function quote(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Standard or URL-safe base64, padded or not (DSSE accepts both alphabets): checked before decoding, in one pass. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeBase64(layer: SignatureLayer, field: string, value: unknown, { allowEmpty = false } = {}): Buffer {
  if (typeof value !== 'string') return refuse(layer, field, `${field} is ${value === undefined ? 'missing' : 'not a string'}`);
  if (!allowEmpty && value.length === 0) return refuse(layer, field, `${field} is empty`);
  if (!BASE64.test(value) || value.length % 4 === 1) return refuse(layer, field, `${field} is not base64`);
  return Buffer.from(value, 'base64');
}

export const HEX_LOWER = /^[0-9a-f]+$/;

/**
 * Orders strings by Unicode code point, as the spec sorts resource names (§5.2.1), where JavaScript's `<` compares
 * UTF-16 code units: they differ when a character above U+FFFF (a surrogate pair) meets one in U+E000–U+FFFF. The
 * first differing code units decide; surrogates are moved above U+E000–U+FFFF, which is the code point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number): number => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);
