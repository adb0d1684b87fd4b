import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DomainError, ErrorCode } from '../../src/common/errors';
import { parseCertificateAuthority } from '../../src/modules/trust/certificate.rules';
import { parseSigningKey } from '../../src/modules/trust/key.rules';
import { parseTrustedRoot, type TrustedSigstoreIdentity } from '../../src/modules/trust/sigstore.rules';
import {
  verifyModelSignature,
  type ModelSignatureVerification,
  type StoredFile,
  type TrustAnchors,
  type VerifiedModelSignature,
  type VerifyOptions,
} from '../../src/modules/trust/signature.rules';
import { compareCodePoints } from '../../src/modules/trust/trust.rules';
import {
  ecKey,
  keyHint,
  makeCertificate,
  makeChain,
  publicKeyPem,
  sha256,
  signModel,
  signStatement,
  statementFor,
  storedFiles,
  type ModelFile,
} from '../support/oms';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'oms');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));
const vector = (name: string): Record<string, unknown> => JSON.parse(fixture(name).toString('utf8'));

const MODEL: ModelFile[] = [
  { path: 'config.json', content: '{"architectures":["TinyNet"],"hidden_size":8}' },
  { path: 'tokenizer.json', content: '{"version":"1.0","vocab":{"a":0,"b":1}}' },
  { path: 'weights.bin', content: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 251)) },
];
const STORED = storedFiles(MODEL);
const AT: VerifyOptions = { at: new Date() };

async function refused(result: Promise<ModelSignatureVerification>): Promise<{ layer: string; field: string; reason: string }> {
  const r = await result;
  if (r.valid) throw new Error(`expected a refusal, got a valid signature by ${JSON.stringify(r.signer)}`);
  expect(r.reason.startsWith(`${r.layer}: `)).toBe(true);
  return r;
}

async function valid(result: Promise<ModelSignatureVerification>): Promise<VerifiedModelSignature> {
  const r = await result;
  if (!r.valid) throw new Error(`expected a valid signature, got: ${r.reason}`);
  return r;
}

async function expectBadInputAsync(result: Promise<unknown>, field: string): Promise<DomainError> {
  const error = await result.then(
    () => {
      throw new Error(`expected BAD_USER_INPUT on ${field}, but it resolved`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(ErrorCode.BAD_USER_INPUT);
  expect((error as DomainError).details).toEqual({ field });
  return error as DomainError;
}

const keyTrust = (...keys: Array<{ id: string; key: ReturnType<typeof ecKey> }>): TrustAnchors => ({
  keys: keys.map(({ id, key }) => ({ id, publicKey: publicKeyPem(key) })),
});

describe('the key method', () => {
  test.each(['P-256', 'P-384', 'P-521'] as const)('a three-file model signed with a %s key verifies', async (curve) => {
    const key = ecKey(curve);
    const bundle = signModel(MODEL, { method: 'key', privateKey: key, modelName: 'tiny-net' });
    const r = await valid(
      verifyModelSignature(JSON.stringify(bundle), keyTrust({ id: 'other', key: ecKey() }, { id: 'k1', key }), STORED, AT),
    );
    expect(r.method).toBe('key');
    expect(r.signer).toEqual({ method: 'key', fingerprint: keyHint(createPublicKey(key)), curve });
    expect(r.anchor).toEqual({ kind: 'signingKey', id: 'k1' });
    expect(r.signedAt).toBeNull();
    expect(r.modelName).toBe('tiny-net');
    expect(r.resources.map((x) => x.name)).toEqual(['config.json', 'tokenizer.json', 'weights.bin']);
    expect(r.resources[2].digest).toBe(sha256(MODEL[2] && 'content' in MODEL[2] ? MODEL[2].content : ''));
    expect(r.serialization).toMatchObject({ method: 'files', hashType: 'sha256', shardSize: null, allowSymlinks: false });
    expect(r.unsignedFiles).toEqual([]);
  });

  test('the bundle may be given as bytes, text or parsed JSON; keyid may be absent, empty or null', async () => {
    const key = ecKey();
    const bundle = signModel(MODEL, { method: 'key', privateKey: key });
    const trust = keyTrust({ id: 'k', key });
    await valid(verifyModelSignature(Buffer.from(JSON.stringify(bundle)), trust, STORED, AT));
    await valid(verifyModelSignature(bundle, trust, STORED, AT));
    const envelope = bundle.dsseEnvelope as { signatures: Array<Record<string, unknown>> };
    for (const keyid of [undefined, null, '', 'some-key-id']) {
      const sig = { sig: envelope.signatures[0].sig, ...(keyid === undefined ? {} : { keyid }) };
      await valid(verifyModelSignature({ ...bundle, dsseEnvelope: { ...envelope, signatures: [sig] } }, trust, STORED, AT));
    }
  });

  test('a pretty-printed payload (as the reference implementation writes it) verifies', async () => {
    const key = ecKey('P-384');
    await valid(
      verifyModelSignature(signModel(MODEL, { method: 'key', privateKey: key, pretty: true }), keyTrust({ id: 'k', key }), STORED, AT),
    );
  });

  test('a bundle signed by an untrusted key is refused', async () => {
    const bundle = signModel(MODEL, { method: 'key', privateKey: ecKey() });
    const r = await refused(verifyModelSignature(bundle, keyTrust({ id: 'k', key: ecKey() }), STORED, AT));
    expect(r.layer).toBe('key');
    expect(r.field).toBe('verificationMaterial.publicKey.hint');
    expect(r.reason).toMatch(/^key: no trusted signing key has the fingerprint in publicKey.hint/);
    await refused(verifyModelSignature(bundle, {}, STORED, AT));
  });

  test('a hint naming a trusted key does not help a signature made by another key', async () => {
    const trusted = ecKey();
    const bundle = signModel(MODEL, { method: 'key', privateKey: ecKey() });
    (bundle.verificationMaterial as { publicKey: { hint: string } }).publicKey.hint = keyHint(createPublicKey(trusted));
    const r = await refused(verifyModelSignature(bundle, keyTrust({ id: 'k', key: trusted }), STORED, AT));
    expect(r.reason).toMatch(/^envelope: signature does not verify against the trusted key [0-9a-f]{64} \(ECDSA P-256 with SHA256/);
  });

  test('a hint of the DER SubjectPublicKeyInfo digest names the key too', async () => {
    const key = ecKey();
    const bundle = signModel(MODEL, { method: 'key', privateKey: key });
    const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
    (bundle.verificationMaterial as { publicKey: { hint: string } }).publicKey.hint = createHash('sha256').update(der).digest('hex');
    await valid(verifyModelSignature(bundle, keyTrust({ id: 'k', key }), STORED, AT));
  });

  describe('rawBytes (bundles before v1.1.0)', () => {
    const withRawBytes = (bundle: Record<string, unknown>, bytes: Buffer) => ({
      ...bundle,
      verificationMaterial: { publicKey: { rawBytes: bytes.toString('base64') }, tlogEntries: [] },
    });

    test('a trusted key given as rawBytes (PEM or DER) verifies', async () => {
      const key = ecKey('P-384');
      const bundle = signModel(MODEL, { method: 'key', privateKey: key });
      const pub = createPublicKey(key);
      for (const bytes of [Buffer.from(pub.export({ type: 'spki', format: 'pem' })), pub.export({ type: 'spki', format: 'der' })]) {
        const r = await valid(verifyModelSignature(withRawBytes(bundle, bytes), keyTrust({ id: 'k', key }), STORED, AT));
        expect(r.anchor.id).toBe('k');
      }
    });

    test('a rawBytes key that is not trusted is refused', async () => {
      const key = ecKey();
      const bundle = withRawBytes(
        signModel(MODEL, { method: 'key', privateKey: key }),
        createPublicKey(key).export({ type: 'spki', format: 'der' }),
      );
      const r = await refused(verifyModelSignature(bundle, keyTrust({ id: 'k', key: ecKey() }), STORED, AT));
      expect(r.layer).toBe('key');
      expect(r.field).toBe('verificationMaterial.publicKey.rawBytes');
      expect(r.reason).toMatch(/^key: publicKey.rawBytes is not a trusted signing key \(fingerprint [0-9a-f]{64}\)$/);
    });

    test('rawBytes that are no EC key are refused naming them', async () => {
      const bundle = withRawBytes(signModel(MODEL, { method: 'key', privateKey: ecKey() }), Buffer.from('not a key'));
      expect((await refused(verifyModelSignature(bundle, keyTrust({ id: 'k', key: ecKey() }), STORED, AT))).reason).toMatch(
        /^key: publicKey.rawBytes is not a public key/,
      );
    });
  });

  test('a payload changed after signing does not verify', async () => {
    const key = ecKey();
    const bundle = signModel(MODEL, { method: 'key', privateKey: key });
    const forged = signModel([...MODEL, { path: 'extra.py', content: 'import os' }], { method: 'key', privateKey: ecKey() });
    const envelope = { ...(bundle.dsseEnvelope as object), payload: (forged.dsseEnvelope as { payload: string }).payload };
    const r = await refused(
      verifyModelSignature(
        { ...bundle, dsseEnvelope: envelope },
        keyTrust({ id: 'k', key }),
        [...STORED, ...storedFiles([{ path: 'extra.py', content: 'import os' }])],
        AT,
      ),
    );
    expect(r.layer).toBe('envelope');
    expect(r.field).toBe('dsseEnvelope.signatures[0].sig');
    expect(r.reason).toMatch(/^envelope: signature does not verify against the trusted key/);
  });
});

describe('the manifest against the stored files', () => {
  const key = ecKey();
  const trust = keyTrust({ id: 'k', key });
  const bundle = signModel(MODEL, { method: 'key', privateKey: key, ignorePaths: ['notes', 'cache/tmp'] });

  test('an altered file is refused naming it', async () => {
    const altered = STORED.map((f) => (f.path === 'config.json' ? { ...f, sha256: sha256('{"hidden_size":9}') } : f));
    const r = await refused(verifyModelSignature(bundle, trust, altered, AT));
    expect(r).toMatchObject({ layer: 'manifest', field: 'config.json' });
    expect(r.reason).toBe(`manifest: "config.json" digest differs from the stored file's sha256`);
  });

  test('two altered files: the first by name, and how many more', async () => {
    const altered = STORED.map((f) => ({ ...f, sha256: 'f'.repeat(64) }));
    expect((await refused(verifyModelSignature(bundle, trust, altered, AT))).reason).toBe(
      `manifest: "config.json" digest differs from the stored file's sha256 (and 2 more files differ)`,
    );
  });

  test('a missing file is refused naming it', async () => {
    const r = await refused(
      verifyModelSignature(
        bundle,
        trust,
        STORED.filter((f) => f.path !== 'tokenizer.json'),
        AT,
      ),
    );
    expect(r).toMatchObject({ layer: 'manifest', field: 'tokenizer.json', reason: 'manifest: "tokenizer.json" is signed but not stored' });
  });

  test('an extra unsigned file is refused naming it', async () => {
    const extra = [...STORED, { path: 'weights.bin.orig', sha256: sha256('x'), sizeBytes: 1 }];
    const r = await refused(verifyModelSignature(bundle, trust, extra, AT));
    expect(r).toMatchObject({
      layer: 'manifest',
      field: 'weights.bin.orig',
      reason: 'manifest: "weights.bin.orig" is stored but not signed',
    });
  });

  test('the default exclusions (top-level only), ignore_paths (exact paths and their subtrees) and model.sig are not expected to be signed', async () => {
    const extra = (p: string): StoredFile => ({ path: p, sha256: sha256(p), sizeBytes: p.length });
    const excluded = [
      '.git/HEAD',
      '.git',
      '.gitignore',
      '.gitattributes',
      '.github/workflows/sign.yml',
      'notes',
      'notes/a.md',
      'cache/tmp/x',
      'model.sig',
    ];
    await valid(verifyModelSignature(bundle, trust, [...STORED, ...excluded.map(extra)], AT));
    for (const notExcluded of ['sub/.git/HEAD', 'notes.md', 'cache/tmp2', 'cache/x', '.github.old', 'sub/model.sig']) {
      const r = await refused(verifyModelSignature(bundle, trust, [...STORED, extra(notExcluded)], AT));
      expect(r.reason).toBe(`manifest: ${JSON.stringify(notExcluded)} is stored but not signed`);
    }
  });

  test('the signature file may live elsewhere', async () => {
    const sig = { path: 'signatures/model.sig', sha256: sha256('b'), sizeBytes: 1 };
    await refused(verifyModelSignature(bundle, trust, [...STORED, sig], AT));
    await valid(verifyModelSignature(bundle, trust, [...STORED, sig], { ...AT, signaturePath: 'signatures/model.sig' }));
  });

  test('ignoreUnsignedFiles accepts stored files the manifest does not list, and reports them', async () => {
    const extra = [...STORED, { path: 'README.md', sha256: sha256('r'), sizeBytes: 1 }];
    const r = await valid(verifyModelSignature(bundle, trust, extra, { ...AT, ignoreUnsignedFiles: true }));
    expect(r.unsignedFiles).toEqual(['README.md']);
    await refused(verifyModelSignature(bundle, trust, STORED.slice(1), { ...AT, ignoreUnsignedFiles: true }));
  });

  test('files in folders and names beyond the BMP are compared byte-exactly, sorted by code point', async () => {
    const files: ModelFile[] = [
      { path: 'a/b/c.bin', content: '1' },
      { path: 'a/b.bin', content: '2' },
      { path: 'z\u{1F600}.txt', content: '3' },
      { path: 'z\uFF5E.txt', content: '4' },
      { path: 'Z.txt', content: '5' },
    ];
    const k = ecKey();
    const r = await valid(
      verifyModelSignature(signModel(files, { method: 'key', privateKey: k }), keyTrust({ id: 'k', key: k }), storedFiles(files), AT),
    );
    expect(r.resources.map((x) => x.name)).toEqual(['Z.txt', 'a/b.bin', 'a/b/c.bin', 'z\uFF5E.txt', 'z\u{1F600}.txt']);
    expect(compareCodePoints('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFF5E').toBe(true); // UTF-16 order disagrees: why compareCodePoints exists
  });
});

describe('the statement', () => {
  const key = ecKey();
  const trust = keyTrust({ id: 'k', key });
  const signEdited = (edit: (s: ReturnType<typeof statementFor>) => unknown) =>
    signStatement(edit(statementFor(MODEL)), { method: 'key', privateKey: key });

  test('a wrong predicate type is refused naming it', async () => {
    const r = await refused(
      verifyModelSignature(
        signEdited((s) => ({ ...s, predicateType: 'https://slsa.dev/provenance/v1' })),
        trust,
        STORED,
        AT,
      ),
    );
    expect(r).toMatchObject({ layer: 'statement', field: 'predicateType' });
    expect(r.reason).toBe('statement: predicateType is "https://slsa.dev/provenance/v1", not https://model_signing/signature/v1.0');
  });

  test('the deprecated v0.1 predicate is refused naming it', async () => {
    const r = await refused(
      verifyModelSignature(
        signEdited((s) => ({ ...s, predicateType: 'https://model_signing/Digests/v0.1' })),
        trust,
        STORED,
        AT,
      ),
    );
    expect(r.reason).toMatch(/^statement: predicateType is https:\/\/model_signing\/Digests\/v0\.1, the deprecated v0\.1 predicate/);
  });

  test.each<[string, (s: ReturnType<typeof statementFor>) => unknown, RegExp]>([
    [
      'a wrong _type',
      (s) => ({ ...s, _type: 'https://in-toto.io/Statement/v0.1' }),
      /^statement: _type is "https:\/\/in-toto.io\/Statement\/v0.1", not/,
    ],
    ['an unknown statement field', (s) => ({ ...s, extra: 1 }), /^statement: "extra" is not a field of an OMS statement/],
    ['two subjects', (s) => ({ ...s, subject: [s.subject[0], s.subject[0]] }), /^statement: subject must hold exactly one entry/],
    [
      'an empty subject name',
      (s) => ({ ...s, subject: [{ ...s.subject[0], name: '' }] }),
      /^statement: subject\[0\].name is not a non-empty string/,
    ],
    [
      'a wrong root digest',
      (s) => ({ ...s, subject: [{ name: 'm', digest: { sha256: 'a'.repeat(64) } }] }),
      /^statement: subject\[0\].digest.sha256 is not the root digest/,
    ],
    [
      'unsorted resources',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [...s.predicate.resources].reverse() } }),
      /^statement: predicate.resources are not sorted by name: "weights.bin" comes before "tokenizer.json"/,
    ],
    [
      'a duplicated resource',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [s.predicate.resources[0], ...s.predicate.resources] } }),
      /^statement: predicate.resources\[1\].name "config.json" is listed twice/,
    ],
    ['no resources', (s) => ({ ...s, predicate: { ...s.predicate, resources: [] } }), /^statement: predicate.resources is empty/],
    [
      'a name with ..',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [{ ...s.predicate.resources[0], name: '../etc/passwd' }] } }),
      /^statement: predicate.resources\[0\].name "..\/etc\/passwd" has a .. component/,
    ],
    [
      'an absolute name',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [{ ...s.predicate.resources[0], name: '/config.json' }] } }),
      /^statement: predicate.resources\[0\].name "\/config.json" is absolute/,
    ],
    [
      'an upper-case digest',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [{ ...s.predicate.resources[0], digest: 'A'.repeat(64) }] } }),
      /^statement: predicate.resources\[0\].digest is not a sha256 digest/,
    ],
    [
      'an algorithm other than hash_type',
      (s) => ({ ...s, predicate: { ...s.predicate, resources: [{ ...s.predicate.resources[0], algorithm: 'blake3' }] } }),
      /^statement: predicate.resources\[0\].algorithm is blake3, not the serialization's hash_type sha256/,
    ],
    [
      'no serialization',
      (s) => ({ ...s, predicate: { resources: s.predicate.resources } }),
      /^statement: predicate.serialization is missing/,
    ],
    [
      'an unknown method',
      (s) => ({ ...s, predicate: { ...s.predicate, serialization: { ...s.predicate.serialization, method: 'tree' } } }),
      /^statement: predicate.serialization.method is "tree", not files or shards/,
    ],
    [
      'shard_size with files',
      (s) => ({ ...s, predicate: { ...s.predicate, serialization: { ...s.predicate.serialization, shard_size: 10 } } }),
      /^statement: predicate.serialization.shard_size is set, but the method is files/,
    ],
    [
      'no allow_symlinks',
      (s) => ({ ...s, predicate: { ...s.predicate, serialization: { method: 'files', hash_type: 'sha256' } } }),
      /^statement: predicate.serialization.allow_symlinks is missing/,
    ],
  ])('%s is refused', async (_name, edit, reason) => {
    expect((await refused(verifyModelSignature(signEdited(edit), trust, STORED, AT))).reason).toMatch(reason);
  });

  test('ignore_paths may be absent (bundles before v1.1.0)', async () => {
    const bundle = signEdited((s) => ({
      ...s,
      predicate: { ...s.predicate, serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false } },
    }));
    await valid(verifyModelSignature(bundle, trust, STORED, AT));
  });

  test('blake2b and blake3 are refused: the registry keeps sha256', async () => {
    for (const hash of ['blake2b', 'blake3']) {
      const length = hash === 'blake2b' ? 128 : 64;
      const bundle = signEdited((s) => {
        const resources = s.predicate.resources.map((r) => ({
          ...r,
          digest: createHash('sha512').update(r.name).digest('hex').slice(0, length),
          algorithm: hash,
        }));
        const root = createHash('sha256');
        for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
        return {
          ...s,
          subject: [{ name: 'm', digest: { sha256: root.digest('hex') } }],
          predicate: { resources, serialization: { ...s.predicate.serialization, hash_type: hash } },
        };
      });
      const r = await refused(verifyModelSignature(bundle, trust, STORED, AT));
      expect(r).toMatchObject({ layer: 'manifest', field: 'predicate.serialization.hash_type' });
      expect(r.reason).toBe(`manifest: hash_type ${hash}: this registry keeps sha256 digests; re-sign with hash_type sha256`);
    }
  });
});

describe('shards', () => {
  const key = ecKey();
  const trust = keyTrust({ id: 'k', key });
  const SHARD = 1000;
  const files = [
    { path: 'weights.bin', content: Buffer.alloc(2500, 7) },
    { path: 'config.json', content: Buffer.from('{}') },
    { path: 'empty.txt', content: Buffer.alloc(0) },
  ];
  const shardsOf = (content: Buffer): string[] => {
    const out: string[] = [];
    for (let at = 0; at < content.length; at += SHARD) out.push(sha256(content.subarray(at, at + SHARD)));
    return out;
  };
  const bundle = signStatement(
    (() => {
      const resources = files
        .flatMap((f) =>
          shardsOf(f.content).map((digest, i) => ({
            name: `${f.path}:${i * SHARD}:${Math.min((i + 1) * SHARD, f.content.length)}`,
            digest,
            algorithm: 'sha256',
          })),
        )
        .sort((a, b) => compareCodePoints(a.name, b.name));
      const root = createHash('sha256');
      for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
      return {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'sharded', digest: { sha256: root.digest('hex') } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: { resources, serialization: { method: 'shards', hash_type: 'sha256', shard_size: SHARD, allow_symlinks: false } },
      };
    })(),
    { method: 'key', privateKey: key },
  );
  const stored = storedFiles(files);
  const reread = (content: Map<string, Buffer>) => async (p: string, size: number) => {
    expect(size).toBe(SHARD);
    return shardsOf(content.get(p)!);
  };

  test('without a way to re-read the bytes, a shards bundle is refused', async () => {
    const r = await refused(verifyModelSignature(bundle, trust, stored, AT));
    expect(r).toMatchObject({ layer: 'manifest', field: 'predicate.serialization.method' });
    expect(r.reason).toMatch(
      /^manifest: the bundle signs shards \(one digest per byte range\) and this registry keeps one sha256 per file/,
    );
  });

  test('with shardDigests, it verifies; an altered shard or a wrong size is refused', async () => {
    const contents = new Map(files.map((f) => [f.path, f.content]));
    const r = await valid(verifyModelSignature(bundle, trust, stored, { ...AT, shardDigests: reread(contents) }));
    expect(r.serialization).toMatchObject({ method: 'shards', shardSize: SHARD });
    expect(r.resources.map((x) => x.name)).toEqual([
      'config.json:0:2',
      'weights.bin:0:1000',
      'weights.bin:1000:2000',
      'weights.bin:2000:2500',
    ]);
    const altered = Buffer.from(files[0].content);
    altered[1500] = 0;
    const bad = await refused(
      verifyModelSignature(bundle, trust, stored, { ...AT, shardDigests: reread(new Map([...contents, ['weights.bin', altered]])) }),
    );
    expect(bad.reason).toBe(`manifest: "weights.bin:1000:2000" digest differs from the stored bytes' sha256`);
    const longer = stored.map((f) => (f.path === 'weights.bin' ? { ...f, sizeBytes: 3500 } : f));
    expect((await refused(verifyModelSignature(bundle, trust, longer, { ...AT, shardDigests: reread(contents) }))).reason).toMatch(
      /^manifest: "weights.bin" is signed as 3 shards of 1000 bytes up to byte 2500, but 3500 bytes are stored \(4 shards\)/,
    );
    const unsigned = [...stored, { path: 'more.bin', sha256: sha256('m'), sizeBytes: 1 }];
    expect((await refused(verifyModelSignature(bundle, trust, unsigned, { ...AT, shardDigests: reread(contents) }))).reason).toBe(
      'manifest: "more.bin" is stored but not signed',
    );
  });
});

describe('the certificate method', () => {
  const chains = {
    'P-256': makeChain({ curve: 'P-256', name: 'P256' }),
    'P-384': makeChain({ curve: 'P-384', name: 'P384' }),
    'P-521': makeChain({ curve: 'P-521', name: 'P521' }),
  };
  // Judged now, after openssl issued the certificates (valid from the second they were made).
  const now = (): VerifyOptions => ({ at: new Date() });
  const caTrust = (...cas: Array<{ id: string; certificate: string }>): TrustAnchors => ({ certificateAuthorities: cas });
  const signWith = (chain: (typeof chains)['P-256'], withRoot = false) =>
    signModel(MODEL, {
      method: 'certificate',
      privateKey: chain.leaf.key,
      certificateChain: [chain.leaf.certificate, chain.intermediate.certificate, ...(withRoot ? [chain.root.certificate] : [])],
    });

  test.each(['P-256', 'P-384', 'P-521'] as const)(
    'a model signed by a %s leaf ← intermediate ← root verifies, trusted by its root',
    async (curve) => {
      const chain = chains[curve];
      const trust = caTrust(
        { id: 'other', certificate: chains[curve === 'P-256' ? 'P-384' : 'P-256'].root.certificate },
        { id: 'root', certificate: chain.root.certificate },
      );
      const r = await valid(verifyModelSignature(signWith(chain), trust, STORED, now()));
      const leaf = new X509Certificate(chain.leaf.certificate);
      expect(r.method).toBe('certificate');
      expect(r.signer).toEqual({
        method: 'certificate',
        subject: `CN=${curve.replace('-', '')} model signer, O=modelgraph tests`,
        issuer: `CN=${curve.replace('-', '')} Intermediate CA, O=modelgraph tests`,
        fingerprint: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
        serialNumber: leaf.serialNumber.toLowerCase(),
        curve,
      });
      expect(r.anchor).toEqual({ kind: 'certificateAuthority', id: 'root' });
      await valid(verifyModelSignature(signWith(chain, true), trust, STORED, now()));
    },
  );

  test('an intermediate may be the trusted CA', async () => {
    const chain = chains['P-256'];
    const r = await valid(
      verifyModelSignature(signWith(chain), caTrust({ id: 'int', certificate: chain.intermediate.certificate }), STORED, now()),
    );
    expect(r.anchor.id).toBe('int');
  });

  test('a chain to an untrusted root is refused', async () => {
    const r = await refused(
      verifyModelSignature(
        signWith(chains['P-256'], true),
        caTrust({ id: 'root', certificate: chains['P-384'].root.certificate }),
        STORED,
        now(),
      ),
    );
    expect(r).toMatchObject({ layer: 'certificate', field: 'verificationMaterial.x509CertificateChain.certificates' });
    expect(r.reason).toBe(
      'certificate: the chain from the leaf CN=P256 model signer, O=modelgraph tests ends at CN=P256 Root CA, O=modelgraph tests, issued by CN=P256 Root CA, O=modelgraph tests: no trusted certificate authority issued it',
    );
    const withoutIntermediate = signModel(MODEL, {
      method: 'certificate',
      privateKey: chains['P-256'].leaf.key,
      certificateChain: [chains['P-256'].leaf.certificate],
    });
    expect(
      (
        await refused(
          verifyModelSignature(withoutIntermediate, caTrust({ id: 'root', certificate: chains['P-256'].root.certificate }), STORED, now()),
        )
      ).reason,
    ).toMatch(/ends at CN=P256 model signer, O=modelgraph tests, issued by CN=P256 Intermediate CA/);
  });

  test('a leaf expired at the signing time is refused; valid before', async () => {
    const chain = makeChain({ name: 'Short', leafDays: 1 });
    const trust = caTrust({ id: 'root', certificate: chain.root.certificate });
    await valid(verifyModelSignature(signWith(chain), trust, STORED, now()));
    const later = new Date(Date.now() + 3 * 86_400_000);
    const r = await refused(verifyModelSignature(signWith(chain), trust, STORED, { at: later }));
    expect(r.reason).toMatch(
      /^certificate: the leaf CN=Short model signer, O=modelgraph tests expired at \S+, before the signing time \S+$/,
    );
    const earlier = new Date(Date.now() - 86_400_000);
    expect((await refused(verifyModelSignature(signWith(chain), trust, STORED, { at: earlier }))).reason).toMatch(
      /^certificate: the leaf .* is not valid until/,
    );
  });

  test('a leaf whose key usage does not allow digital signatures is refused', async () => {
    const chain = makeChain({ name: 'Enc', leafKeyUsage: 'critical,keyEncipherment' });
    const r = await refused(
      verifyModelSignature(signWith(chain), caTrust({ id: 'root', certificate: chain.root.certificate }), STORED, now()),
    );
    expect(r.reason).toBe("certificate: the leaf CN=Enc model signer, O=modelgraph tests's key usage does not allow digital signatures");
  });

  test('an issuer that is not a CA is refused', async () => {
    const root = chains['P-256'].root;
    const notCa = makeCertificate({ subject: '/CN=Not a CA', issuer: root });
    const leaf = makeCertificate({ subject: '/CN=Under a leaf', issuer: notCa });
    const bundle = signModel(MODEL, {
      method: 'certificate',
      privateKey: leaf.key,
      certificateChain: [leaf.certificate, notCa.certificate],
    });
    expect(
      (await refused(verifyModelSignature(bundle, caTrust({ id: 'root', certificate: root.certificate }), STORED, now()))).reason,
    ).toBe('certificate: CN=Not a CA signs CN=Under a leaf but is not a CA (basicConstraints CA and keyCertSign)');
  });

  test('a signature by another key than the leaf does not verify', async () => {
    const chain = chains['P-256'];
    const bundle = signModel(MODEL, {
      method: 'certificate',
      privateKey: ecKey(),
      certificateChain: [chain.leaf.certificate, chain.intermediate.certificate],
    });
    expect(
      (await refused(verifyModelSignature(bundle, caTrust({ id: 'root', certificate: chain.root.certificate }), STORED, now()))).reason,
    ).toMatch(/^envelope: signature does not verify against the leaf certificate's key \(CN=P256 model signer/);
  });

  test('parseCertificateAuthority takes CA certificates, in PEM or base64 DER', () => {
    const pem = chains['P-256'].root.certificate;
    expect(parseCertificateAuthority(pem).subject).toBe('CN=P256 Root CA, O=modelgraph tests');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
    expect(parseCertificateAuthority(der).fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(() => parseCertificateAuthority(chains['P-256'].leaf.certificate)).toThrow(
      /certificate: CN=P256 model signer, O=modelgraph tests is not a CA certificate/,
    );
    expect(() => parseCertificateAuthority('nonsense')).toThrow(/certificate: is not an X.509 certificate/);
  });
});

describe('the bundle and the envelope', () => {
  const key = ecKey();
  const trust = keyTrust({ id: 'k', key });
  const bundle = signModel(MODEL, { method: 'key', privateKey: key });
  const envelope = bundle.dsseEnvelope as Record<string, unknown>;

  test.each<[string, unknown, RegExp]>([
    ['not JSON', '{', /^bundle: is not JSON$/],
    ['empty', '', /^bundle: is empty$/],
    ['a list', '[]', /^bundle: is not a JSON object/],
    [
      'another media type',
      { ...bundle, mediaType: 'application/vnd.dev.sigstore.bundle.v0.2+json' },
      /^bundle: mediaType "application\/vnd.dev.sigstore.bundle.v0.2\+json" is not a Sigstore bundle v0.3 media type/,
    ],
    ['a message signature', { ...bundle, messageSignature: {} }, /^bundle: holds a messageSignature/],
    ['an unknown field', { ...bundle, extra: true }, /^bundle: "extra" is not a field of an OMS bundle/],
    [
      'two methods',
      { ...bundle, verificationMaterial: { publicKey: { hint: 'ab' }, certificate: { rawBytes: 'AAAA' } } },
      /^bundle: verificationMaterial holds publicKey and certificate/,
    ],
    [
      'an empty publicKey',
      { ...bundle, verificationMaterial: { publicKey: {} } },
      /^bundle: verificationMaterial.publicKey has neither a hint/,
    ],
    [
      'a wrong payloadType',
      { ...bundle, dsseEnvelope: { ...envelope, payloadType: 'application/json' } },
      /^envelope: payloadType is "application\/json", not application\/vnd.in-toto\+json$/,
    ],
    ['no signature', { ...bundle, dsseEnvelope: { ...envelope, signatures: [] } }, /^envelope: signatures is missing or empty$/],
    [
      'two signatures',
      {
        ...bundle,
        dsseEnvelope: { ...envelope, signatures: [...(envelope.signatures as unknown[]), ...(envelope.signatures as unknown[])] },
      },
      /^envelope: signatures holds 2/,
    ],
    [
      'a payload that is not base64',
      { ...bundle, dsseEnvelope: { ...envelope, payload: '%%%' } },
      /^envelope: dsseEnvelope.payload is not base64$/,
    ],
    [
      'a payload that is not JSON',
      { ...bundle, dsseEnvelope: { ...envelope, payload: Buffer.from('nope').toString('base64') } },
      /^envelope: payload is not JSON/,
    ],
    [
      'a numeric keyid',
      { ...bundle, dsseEnvelope: { ...envelope, signatures: [{ sig: 'AAAA', keyid: 3 }] } },
      /^envelope: signatures\[0\].keyid is not a string/,
    ],
  ])('%s is refused', async (_name, input, reason) => {
    expect((await refused(verifyModelSignature(input, trust, STORED, AT))).reason).toMatch(reason);
  });

  test('a bundle over the size bound is BAD_USER_INPUT before anything is parsed', async () => {
    const big = JSON.stringify({ ...bundle, padding: 'x'.repeat(4_194_304) });
    const error = await expectBadInputAsync(verifyModelSignature(big, trust, STORED, AT), 'bundle');
    expect(error.message).toMatch(/^bundle: is \d+ bytes, over the bound of 4194304$/);
    const small = { ...AT, limits: { maxBundleBytes: 1000 } };
    expect((await expectBadInputAsync(verifyModelSignature(JSON.stringify(bundle), trust, STORED, small), 'bundle')).message).toMatch(
      /over the bound of 1000$/,
    );
    await expectBadInputAsync(verifyModelSignature(Buffer.from(big), trust, STORED, AT), 'bundle');
    await expectBadInputAsync(verifyModelSignature(JSON.parse(big), trust, STORED, AT), 'bundle');
  });

  test('a manifest over 10,000 resources is BAD_USER_INPUT before any signature is checked', async () => {
    const many: ModelFile[] = Array.from({ length: 10_001 }, (_, i) => ({ path: `f${i}`, sha256: sha256(String(i)) }));
    const huge = signModel(many, { method: 'key', privateKey: key });
    const error = await expectBadInputAsync(verifyModelSignature(huge, {}, [], { ...AT, limits: { maxBundleBytes: 4_000_000 } }), 'bundle');
    expect(error.message).toBe('bundle: predicate.resources lists 10001 files, over the bound of 10000');
    const atBound = signModel(many.slice(1), { method: 'key', privateKey: key });
    await valid(verifyModelSignature(atBound, trust, storedFiles(many.slice(1)), { ...AT, limits: { maxBundleBytes: 4_000_000 } }));
  });
});

describe('the sigstore method', () => {
  const trustedRoot = JSON.parse(fixture('sigstore-public-good.trusted_root.json').toString('utf8'));
  const bundle = fixture('valid/sigstore.bundle.json');
  const statement = JSON.parse(
    Buffer.from((vector('valid/sigstore.bundle.json').dsseEnvelope as { payload: string }).payload, 'base64').toString('utf8'),
  );
  const files: StoredFile[] = statement.predicate.resources.map((r: { name: string; digest: string }) => ({
    path: r.name,
    sha256: r.digest,
    sizeBytes: 1,
  }));
  const identity = (
    subject: string,
    match: 'exact' | 'glob' = 'exact',
    issuer = 'https://sigstore.verify.ibm.com/oauth2',
  ): TrustedSigstoreIdentity => ({
    id: `${subject}@${issuer}`,
    issuer,
    subject,
    match,
  });

  test('the spec vector verifies offline against the public-good trusted root, for a trusted identity', async () => {
    const r = await valid(
      verifyModelSignature(
        bundle,
        { sigstore: { trustedRoot, identities: [identity('someone@example.com'), identity('stefanb@us.ibm.com')] } },
        files,
        AT,
      ),
    );
    expect(r.method).toBe('sigstore');
    expect(r.signer).toEqual({ method: 'sigstore', identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' });
    expect(r.anchor).toEqual({ kind: 'sigstoreIdentity', id: 'stefanb@us.ibm.com@https://sigstore.verify.ibm.com/oauth2' });
    expect(r.signedAt?.toISOString()).toBe('2025-10-10T02:12:20.000Z');
    expect(r.signedAtSource).toBe('timestamp-authority');
    expect(r.modelName).toBe('v1.1.0-sigstore');
  });

  test('a glob identity matches in one pass', async () => {
    await valid(verifyModelSignature(bundle, { sigstore: { trustedRoot, identities: [identity('*@us.ibm.com', 'glob')] } }, files, AT));
    await refused(verifyModelSignature(bundle, { sigstore: { trustedRoot, identities: [identity('*@us.ibm.com', 'exact')] } }, files, AT));
  });

  test('an identity the registry does not trust is refused naming it', async () => {
    for (const trusted of [identity('someone@us.ibm.com'), identity('stefanb@us.ibm.com', 'exact', 'https://accounts.google.com')]) {
      const r = await refused(verifyModelSignature(bundle, { sigstore: { trustedRoot, identities: [trusted] } }, files, AT));
      expect(r.layer).toBe('sigstore');
      expect(r.reason).toBe(
        'sigstore: the signer "stefanb@us.ibm.com" (OIDC issuer "https://sigstore.verify.ibm.com/oauth2") is not a trusted Sigstore identity',
      );
    }
    expect((await refused(verifyModelSignature(bundle, {}, files, AT))).reason).toMatch(
      /^sigstore: the registry trusts no Sigstore identity/,
    );
  });

  test('a trusted root without the Fulcio CA, or without the Rekor key, refuses it', async () => {
    const withoutFulcio = { ...trustedRoot, certificateAuthorities: trustedRoot.certificateAuthorities.slice(0, 1) };
    const r = await refused(
      verifyModelSignature(bundle, { sigstore: { trustedRoot: withoutFulcio, identities: [identity('stefanb@us.ibm.com')] } }, files, AT),
    );
    expect(r).toMatchObject({ layer: 'sigstore', field: 'verificationMaterial.certificate' });
    expect(r.reason).toMatch(/CERTIFICATE_ERROR/);
    const withoutRekor = { ...trustedRoot, tlogs: trustedRoot.tlogs.slice(1) };
    const t = await refused(
      verifyModelSignature(bundle, { sigstore: { trustedRoot: withoutRekor, identities: [identity('stefanb@us.ibm.com')] } }, files, AT),
    );
    expect(t).toMatchObject({ layer: 'sigstore', field: 'verificationMaterial.tlogEntries' });
  });

  test('a changed payload is refused: the Rekor entry and the signature cover it', async () => {
    const raw = vector('valid/sigstore.bundle.json');
    const edited = { ...statement, subject: [{ ...statement.subject[0], name: 'renamed' }] };
    const forged = {
      ...raw,
      dsseEnvelope: { ...(raw.dsseEnvelope as object), payload: Buffer.from(JSON.stringify(edited)).toString('base64') },
    };
    const r = await refused(
      verifyModelSignature(forged, { sigstore: { trustedRoot, identities: [identity('stefanb@us.ibm.com')] } }, files, AT),
    );
    expect(r.layer).toBe('sigstore');
  });

  test('unreadable verification material is refused, never thrown', async () => {
    const raw = vector('valid/sigstore.bundle.json') as { verificationMaterial: Record<string, unknown> } & Record<string, unknown>;
    const material = raw.verificationMaterial as { tlogEntries: Array<Record<string, unknown>>; timestampVerificationData: unknown };
    const garbage = Buffer.from('garbage').toString('base64');
    const variants = [
      { ...material, certificate: { rawBytes: garbage } },
      { ...material, tlogEntries: [{ ...material.tlogEntries[0], canonicalizedBody: garbage }] },
      { ...material, timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: garbage }] } },
    ];
    for (const verificationMaterial of variants) {
      const r = await refused(
        verifyModelSignature(
          { ...raw, verificationMaterial },
          { sigstore: { trustedRoot, identities: [identity('stefanb@us.ibm.com')] } },
          files,
          AT,
        ),
      );
      expect(r.layer).toBe('sigstore');
    }
  });

  test('parseTrustedRoot refuses what is not a trusted root', () => {
    expect(parseTrustedRoot(trustedRoot).tlogs.length).toBe(2);
    expect(() => parseTrustedRoot({ mediaType: 'x' })).toThrow(/trustedRoot: mediaType "x" is not a Sigstore trusted root's/);
    expect(() => parseTrustedRoot({ ...trustedRoot, certificateAuthorities: [] })).toThrow(/trustedRoot: names no certificate authority/);
  });
});

describe('the specification test vectors (test/fixtures/oms, from ossf/model-signing-spec)', () => {
  const certVector = vector('valid/certificate.bundle.json');
  const chain = (certVector.verificationMaterial as { x509CertificateChain: { certificates: Array<{ rawBytes: string }> } })
    .x509CertificateChain.certificates;
  const leafKeyPem = new X509Certificate(Buffer.from(chain[0].rawBytes, 'base64')).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  const intermediatePem = new X509Certificate(Buffer.from(chain[1].rawBytes, 'base64')).toString();
  const statementOf = (b: Record<string, unknown>) =>
    JSON.parse(Buffer.from((b.dsseEnvelope as { payload: string }).payload, 'base64').toString('utf8'));
  // The model files the vectors were made from are not published: the stored files are described by the digests the
  // statements list, so the manifest comparison passes and everything else (bundle, envelope, signature, chain,
  // statement) is checked for real.
  const filesOf = (b: Record<string, unknown>): StoredFile[] =>
    statementOf(b).predicate.resources.map((r: { name: string; digest: string }) => ({ path: r.name, sha256: r.digest, sizeBytes: 1 }));

  test.each<[string, string, RegExp]>([
    ['invalid/empty.bundle.json', 'bundle', /^bundle: is empty$/],
    ['invalid/missing-envelope.bundle.json', 'bundle', /^bundle: dsseEnvelope is missing$/],
    [
      'invalid/missing-tlog-entries.bundle.json',
      'bundle',
      /^bundle: verificationMaterial.tlogEntries is missing: the sigstore method \(a Fulcio certificate\) needs at least one Rekor entry$/,
    ],
    ['invalid/missing-verification-material.bundle.json', 'bundle', /^bundle: verificationMaterial is missing$/],
    [
      'invalid-payload/wrong-predicate.bundle.json',
      'statement',
      /^statement: predicateType is "https:\/\/example.com\/wrong-predicate\/v1.0", not https:\/\/model_signing\/signature\/v1.0$/,
    ],
  ])('%s is refused: %s', async (name, layer, reason) => {
    const trust: TrustAnchors = {
      keys: [{ id: 'k', publicKey: leafKeyPem }],
      certificateAuthorities: [{ id: 'ca', certificate: intermediatePem }],
    };
    const r = await refused(verifyModelSignature(fixture(name), trust, [], AT));
    expect(r.layer).toBe(layer);
    expect(r.reason).toMatch(reason);
  });

  test('every vector under invalid/ and invalid-payload/ is in the table above', () => {
    const listed = ['empty', 'missing-envelope', 'missing-tlog-entries', 'missing-verification-material'].map(
      (n) => `invalid/${n}.bundle.json`,
    );
    expect(
      fs
        .readdirSync(path.join(FIXTURES, 'invalid'))
        .map((n) => `invalid/${n}`)
        .sort(),
    ).toEqual(listed.sort());
    expect(fs.readdirSync(path.join(FIXTURES, 'invalid-payload'))).toEqual(['wrong-predicate.bundle.json']);
  });

  test("key.bundle.json's hint is the SHA-256 of the PEM SubjectPublicKeyInfo of certificate.bundle.json's leaf key, which signed both", async () => {
    const keyVector = vector('valid/key.bundle.json');
    expect((keyVector.verificationMaterial as { publicKey: { hint: string } }).publicKey.hint).toBe(sha256(leafKeyPem));
    expect(parseSigningKey(leafKeyPem)).toMatchObject({ curve: 'P-384', hash: 'sha384', fingerprint: sha256(leafKeyPem) });
    const r = await valid(
      verifyModelSignature(
        fixture('valid/key.bundle.json'),
        { keys: [{ id: 'vector-key', publicKey: leafKeyPem }] },
        filesOf(keyVector),
        AT,
      ),
    );
    expect(r.signer).toEqual({
      method: 'key',
      fingerprint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
      curve: 'P-384',
    });
    expect(r.rootDigest).toBe('92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
    expect(r.serialization.ignorePaths).toEqual(['.gitattributes', '.github', 'ignore-me', '.gitignore', '.git']);
    const ignored = [...filesOf(keyVector), { path: 'ignore-me', sha256: sha256('i'), sizeBytes: 1 }];
    await valid(
      verifyModelSignature(fixture('valid/key.bundle.json'), { keys: [{ id: 'vector-key', publicKey: leafKeyPem }] }, ignored, AT),
    );
  });

  test('certificate.bundle.json verifies with its intermediate trusted (its root-ca is not published)', async () => {
    const trust: TrustAnchors = { certificateAuthorities: [{ id: 'vector-intermediate', certificate: intermediatePem }] };
    const r = await valid(
      verifyModelSignature(fixture('valid/certificate.bundle.json'), trust, filesOf(certVector), { at: new Date('2026-01-01T00:00:00Z') }),
    );
    expect(r.signer).toMatchObject({ method: 'certificate', subject: 'CN=intermediate-ca', issuer: 'CN=intermediate-ca', curve: 'P-384' });
    expect(r.anchor).toEqual({ kind: 'certificateAuthority', id: 'vector-intermediate' });
    const before = await refused(
      verifyModelSignature(fixture('valid/certificate.bundle.json'), trust, filesOf(certVector), { at: new Date('2025-01-01T00:00:00Z') }),
    );
    expect(before.reason).toMatch(/^certificate: the leaf CN=intermediate-ca is not valid until 2025-05-02T23:36:28.000Z/);
  });

  test('the valid vectors parse and their statements are OMS v1.0 statements', () => {
    for (const name of ['key', 'certificate', 'sigstore']) {
      const s = statementOf(vector(`valid/${name}.bundle.json`));
      expect(s._type).toBe('https://in-toto.io/Statement/v1');
      expect(s.predicateType).toBe('https://model_signing/signature/v1.0');
      expect(s.predicate.resources.map((r: { name: string }) => r.name)).toEqual(['signme-1', 'signme-2']);
    }
  });
});
