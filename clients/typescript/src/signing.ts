/**
 * Signing on the pipeline's side: an OpenSSF Model Signing v1.0 bundle over a model folder with a local ECDSA key
 * (method `key`), and an approver's Ed25519 signature over the registry's approval challenge.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelgraphError } from './errors';
import { manifestOf, rootDigest, type ManifestFile } from './files';

const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const HASH_OF_CURVE: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** A private key from a PEM file (PKCS#8 or SEC1 for ECDSA, PKCS#8 for Ed25519). */
export async function readPrivateKey(file: string): Promise<KeyObject> {
  const pem = await readFile(file, 'utf8').catch(() => {
    throw new ModelgraphError('BAD_USER_INPUT', `${file}: cannot read the key file`, { field: 'key' });
  });
  try {
    return createPrivateKey(pem);
  } catch {
    throw new ModelgraphError('BAD_USER_INPUT', `${file}: not a PEM private key`, { field: 'key' });
  }
}

/** DSSE's pre-authentication encoding: what the signature covers. */
const pae = (payload: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`DSSEv1 ${PAYLOAD_TYPE.length} ${PAYLOAD_TYPE} ${payload.length} `), payload]);

export interface SignedFolder {
  /** The Sigstore bundle v0.3 (JSON), as `model.sig` holds it. */
  bundle: Record<string, unknown>;
  /** The folder's root digest: the statement's subject. */
  rootDigest: string;
  files: ManifestFile[];
}

/**
 * Signs a model folder (or one file) with an ECDSA key (P-256, P-384 or P-521): every file's sha256 in an in-toto
 * statement with the OMS predicate, signed in a DSSE envelope, the key named by its hint (the sha256 of its public
 * PEM) — what the registry's `registerSigningKey` expects. `model.sig` and version control files are left out.
 */
export async function signModelFolder(target: string, privateKey: KeyObject): Promise<SignedFolder> {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  const hash = curve ? HASH_OF_CURVE[curve] : undefined;
  if (privateKey.asymmetricKeyType !== 'ec' || !hash)
    throw new ModelgraphError('BAD_USER_INPUT', 'the signing key must be an ECDSA key on P-256, P-384 or P-521', { field: 'key' });
  const { files } = await manifestOf(target);
  const root = rootDigest(files);
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: path.basename(path.resolve(target)), digest: { sha256: root } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: {
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: false,
        ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'],
      },
      resources: files.map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.sha256 })),
    },
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const signature = sign(hash, pae(payload), privateKey);
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
  const bundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: createHash('sha256').update(publicPem).digest('hex') } },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ sig: signature.toString('base64'), keyid: '' }],
    },
  };
  return { bundle, rootDigest: root, files };
}

/** An approver's signature over the challenge message, byte for byte (Ed25519). */
export function signChallenge(message: string, privateKey: KeyObject): string {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new ModelgraphError('BAD_USER_INPUT', 'the approver key must be an Ed25519 key', { field: 'key' });
  return sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64');
}

/** The raw 32-byte Ed25519 public key, base64: what `registerApproverKey` takes. */
export function approverPublicKey(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32).toString('base64');
}
