/**
 * Signing model folders the way OpenSSF Model Signing v1.0 describes (spec §6), for tests, benchmarks and docs: each
 * file's SHA-256, resources sorted by name, the root digest as the subject, an in-toto Statement v1 with the OMS
 * predicate, a DSSE signature over PAE(payloadType, payload) made with node's crypto (ECDSA with the curve's hash, DER),
 * and a Sigstore bundle v0.3 whose verification material is the key's `hint` (SHA-256 of its PEM SubjectPublicKeyInfo,
 * as the reference implementation writes it) or the certificate chain.
 *
 * Certificates come from openssl 3 (`openssl req` / `openssl x509 -req`, through execFileSync): node can verify and read
 * X.509 certificates but has no way to issue one, and no certificate builder is among the installed packages. Each
 * call works in its own temporary folder, which it removes.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
export const DEFAULT_IGNORE_PATHS = ['.git', '.gitignore', '.gitattributes', '.github'];

export type Curve = 'P-256' | 'P-384' | 'P-521';
const NAMED_CURVE: Record<Curve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const HASH: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** A file of a model folder: its bytes, or only its SHA-256 (for large synthetic manifests). */
export type ModelFile = { path: string; content: Buffer | string } | { path: string; sha256: string; sizeBytes?: number };

export interface SignOptions {
  method: 'key' | 'certificate';
  privateKey: KeyObject;
  /** PEM certificates, the leaf first (its key is `privateKey`), then intermediates: for `certificate`. */
  certificateChain?: string[];
  /** `subject[0].name`: the model folder's basename. Default `model`. */
  modelName?: string;
  /** Recorded in `serialization.ignore_paths` after the default exclusions and the signature file. */
  ignorePaths?: string[];
  /** Changes the statement before it is signed (tests of what a verifier refuses). */
  editStatement?: (statement: Statement) => Statement | Record<string, unknown>;
  /** Pretty-prints the payload as the reference implementation does (2 spaces), instead of compact JSON. */
  pretty?: boolean;
}

export interface Statement {
  _type: string;
  subject: Array<{ name: string; digest: Record<string, string> }>;
  predicateType: string;
  predicate: {
    resources: Array<{ name: string; digest: string; algorithm: string }>;
    serialization: Record<string, unknown>;
  };
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Code point order (§5.2.1), which is UTF-8 byte order. */
const byCodePoint = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The files as the registry stores them: path, sha256, size. */
export function storedFiles(files: ModelFile[]): Array<{ path: string; sha256: string; sizeBytes: number }> {
  return files.map((f) =>
    'content' in f
      ? { path: f.path, sha256: sha256(f.content), sizeBytes: Buffer.byteLength(f.content) }
      : { path: f.path, sha256: f.sha256, sizeBytes: f.sizeBytes ?? 0 },
  );
}

/** The statement a signer makes for these files (spec §6.1–§6.6). */
export function statementFor(files: ModelFile[], options: Pick<SignOptions, 'modelName' | 'ignorePaths'> = {}): Statement {
  const resources = storedFiles(files)
    .map((f) => ({ name: f.path, digest: f.sha256, algorithm: 'sha256' }))
    .sort((a, b) => byCodePoint(a.name, b.name));
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: options.modelName ?? 'model', digest: { sha256: root.digest('hex') } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      resources,
      serialization: {
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: false,
        ignore_paths: [...DEFAULT_IGNORE_PATHS, 'model.sig', ...(options.ignorePaths ?? [])],
      },
    },
  };
}

/** DSSE Pre-Authentication Encoding (DSSE protocol): "DSSEv1" SP len(type) SP type SP len(body) SP body. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The hint the reference implementation writes: SHA-256 of the PEM SubjectPublicKeyInfo, hex. */
export function keyHint(publicKey: KeyObject): string {
  return sha256(publicKey.export({ type: 'spki', format: 'pem' }) as string);
}

/** The public half of a key, as the PEM a registry registers. */
export const publicKeyPem = (key: KeyObject): string => createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string;

/** Signs a statement as an OMS bundle (spec §6.7, §6.8). */
export function signStatement(
  statement: unknown,
  options: Omit<SignOptions, 'modelName' | 'ignorePaths' | 'editStatement'>,
): Record<string, unknown> {
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(options.pretty ? JSON.stringify(statement, null, 2) : JSON.stringify(statement), 'utf8');
  const curve = options.privateKey.asymmetricKeyDetails?.namedCurve ?? '';
  const hash = HASH[curve];
  if (!hash) throw new Error(`signStatement: ${curve} is not P-256, P-384 or P-521`);
  const sig = sign(hash, pae(payloadType, payload), options.privateKey);
  const verificationMaterial =
    options.method === 'key'
      ? { publicKey: { hint: keyHint(createPublicKey(options.privateKey)) } }
      : {
          x509CertificateChain: {
            certificates: (options.certificateChain ?? []).map((pem) => ({ rawBytes: pemToDer(pem).toString('base64') })),
          },
        };
  if (options.method === 'certificate' && !options.certificateChain?.length)
    throw new Error('signStatement: certificate needs a certificateChain');
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial,
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  };
}

/** Signs a model folder: the bundle a signer would write to `model.sig`, as JSON. */
export function signModel(files: ModelFile[], options: SignOptions): Record<string, unknown> {
  const statement = statementFor(files, options);
  return signStatement(options.editStatement ? options.editStatement(statement) : statement, options);
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
}

export function ecKey(curve: Curve = 'P-256'): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: NAMED_CURVE[curve] }).privateKey;
}

/** A certificate and its key, as PEM. */
export interface Issued {
  key: KeyObject;
  certificate: string;
}

export interface CertificateOptions {
  /** The subject, openssl's form: `/CN=Test Root/O=modelgraph`. */
  subject: string;
  key?: KeyObject;
  curve?: Curve;
  /** The issuer; self-signed without one. */
  issuer?: Issued;
  ca?: boolean;
  /** Validity from now, in days (openssl's -days). Default 3650. */
  days?: number;
  /** keyUsage, openssl's form. Default: keyCertSign, cRLSign for a CA; digitalSignature for a leaf. */
  keyUsage?: string;
  /** pathlen of a CA's basicConstraints. */
  pathLength?: number;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Issues a certificate with openssl 3: self-signed (a root) or by `issuer`. */
export function makeCertificate(options: CertificateOptions): Issued {
  const key = options.key ?? ecKey(options.curve ?? 'P-256');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-cert-'));
  try {
    const ca = options.ca ?? false;
    const usage = options.keyUsage ?? (ca ? 'critical,keyCertSign,cRLSign' : 'critical,digitalSignature');
    const constraints = ca
      ? `critical,CA:TRUE${options.pathLength === undefined ? '' : `,pathlen:${options.pathLength}`}`
      : 'critical,CA:FALSE';
    fs.writeFileSync(
      path.join(dir, 'openssl.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        '[ext]',
        `basicConstraints = ${constraints}`,
        `keyUsage = ${usage}`,
        'subjectKeyIdentifier = hash',
        ...(options.issuer ? ['authorityKeyIdentifier = keyid'] : []),
        ...(ca ? [] : ['extendedKeyUsage = codeSigning']),
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'key.pem'), key.export({ type: 'pkcs8', format: 'pem' }));
    const days = String(options.days ?? 3650);
    if (!options.issuer) {
      openssl(dir, [
        'req',
        '-x509',
        '-new',
        '-key',
        'key.pem',
        '-subj',
        options.subject,
        '-days',
        days,
        '-config',
        'openssl.cnf',
        '-extensions',
        'ext',
        '-out',
        'cert.pem',
      ]);
    } else {
      fs.writeFileSync(path.join(dir, 'issuer.pem'), options.issuer.certificate);
      fs.writeFileSync(path.join(dir, 'issuer-key.pem'), options.issuer.key.export({ type: 'pkcs8', format: 'pem' }));
      openssl(dir, ['req', '-new', '-key', 'key.pem', '-subj', options.subject, '-config', 'openssl.cnf', '-out', 'req.csr']);
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        'req.csr',
        '-CA',
        'issuer.pem',
        '-CAkey',
        'issuer-key.pem',
        '-set_serial',
        `0x${createHash('sha256')
          .update(options.subject + Math.random())
          .digest('hex')
          .slice(0, 16)}`,
        '-days',
        days,
        '-extfile',
        'openssl.cnf',
        '-extensions',
        'ext',
        '-out',
        'cert.pem',
      ]);
    }
    return { key, certificate: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A root, an intermediate and a leaf (leaf ← intermediate ← root), the leaf's key on `curve`. */
export function makeChain(options: { curve?: Curve; name?: string; leafDays?: number; leafKeyUsage?: string } = {}): {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
} {
  const name = options.name ?? 'Test';
  const root = makeCertificate({ subject: `/CN=${name} Root CA/O=modelgraph tests`, ca: true });
  const intermediate = makeCertificate({
    subject: `/CN=${name} Intermediate CA/O=modelgraph tests`,
    ca: true,
    issuer: root,
    pathLength: 0,
  });
  const leaf = makeCertificate({
    subject: `/CN=${name} model signer/O=modelgraph tests`,
    curve: options.curve,
    issuer: intermediate,
    days: options.leafDays,
    keyUsage: options.leafKeyUsage,
  });
  return { root, intermediate, leaf };
}
