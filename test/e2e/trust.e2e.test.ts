/**
 * OpenSSF Model Signing over real HTTP and real PostgreSQL: trusted signers (keys, CAs, Sigstore identities; global,
 * per team, per model; revoked), signatures attached by GraphQL and by PUT /artifacts/<id>/model.sig, verified
 * against the stored files, downloadable, refused with a reason naming what failed, and the SIGNED gate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Role } from '../../src/common/role';
import { createServices } from '../../src/composition';
import { Level } from '../../src/modules/access/access.rules';
import { RiskTier } from '../../src/modules/models/model.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import {
  AttachModelSignatureDocument,
  RegisterSigningKeyDocument,
  RevokeTrustedSignerDocument,
  SignedReadinessDocument,
  TransitionModelVersionDocument,
  TrustCertificateAuthorityDocument,
  TrustedSignersDocument,
  TrustSigstoreIdentityDocument,
  VersionSignaturesDocument,
} from '../generated/graphql';
import { modelName, registration, SHA } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration, stagedVersion } from '../support/lifecycle';
import { ecKey, keyHint, makeChain, publicKeyPem, signModel, type ModelFile } from '../support/oms';
import { errorCode, ok, startTestServer, type GraphQLResponse, type TestServer } from '../support/server';
import { subscribe } from '../support/subscriber';
import { rootOf, sha256 } from '../support/artifact-folders';

const admin = caller('admin', Role.ADMIN);
const hintOf = (key: KeyObject): string => keyHint(createPublicKey(key));

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const newModel = async (prefix = 'signed') =>
  (await t.services.models.create(admin, { name: modelName(prefix), owner: 'ml', riskTier: RiskTier.LOW })).id;

const folder = (): Record<string, Buffer> => ({
  'config.json': Buffer.from('{"architectures":["Tiny"],"hidden_size":8}\n'),
  'weights/model-00001-of-00002.safetensors': Buffer.alloc(2048, 1),
  'weights/model-00002-of-00002.safetensors': Buffer.alloc(1024, 2),
});
const asModelFiles = (files: Record<string, Buffer>): ModelFile[] => Object.entries(files).map(([p, content]) => ({ path: p, content }));

const url = (versionId: string, p: string) => `${t.baseUrl}/artifacts/${versionId}/${p.split('/').map(encodeURIComponent).join('/')}`;
const put = (versionId: string, p: string, body: Buffer | string, token = t.adminToken, headers: Record<string, string> = {}) =>
  fetch(url(versionId, p), { method: 'PUT', headers: { authorization: `Bearer ${token}`, ...headers }, body });
const get = (versionId: string, p: string, token = t.adminToken) =>
  fetch(url(versionId, p), { headers: { authorization: `Bearer ${token}` } });

/** A folder registered and uploaded (READY), or with only `upload` of its files uploaded. */
async function uploadedFolder(modelId: string, files = folder(), upload = Object.keys(files)): Promise<string> {
  const { version } = await t.services.versions.register(
    admin,
    registration({
      modelId,
      artifact: {
        format: 'SAFETENSORS' as never,
        files: Object.entries(files).map(([p, body]) => ({ path: p, sizeBytes: body.length, sha256: sha256(body) })),
      },
    }) as never,
  );
  for (const p of upload) expect([p, (await put(version.id, p, files[p])).status]).toEqual([p, 201]);
  return version.id;
}

async function trustKey(
  key: KeyObject,
  scope: { scope: 'GLOBAL' | 'TEAM' | 'MODEL'; teamId?: string; modelId?: string } = { scope: 'GLOBAL' },
  token = t.adminToken,
) {
  return ok(
    await t.request(RegisterSigningKeyDocument, { input: { name: modelName('key'), publicKey: publicKeyPem(key), ...scope } }, token),
  ).registerSigningKey.signer;
}

const attach = (versionId: string, bundle: Record<string, unknown>, token = t.adminToken) =>
  t.request(AttachModelSignatureDocument, { input: { versionId, bundle } }, token);

/** A refusal: BAD_USER_INPUT (unless told), its field and message. */
function refused(res: GraphQLResponse<unknown>, code = 'BAD_USER_INPUT'): { field: unknown; message: string } {
  expect(errorCode(res)).toBe(code);
  const [error] = res.errors!;
  return { field: error.extensions?.field, message: error.message };
}

describe('a folder signed with an ECDSA key', () => {
  test('attached through GraphQL: verified against the stored files and a global key, listed on the version, idempotent', async () => {
    const modelId = await newModel();
    const files = folder();
    const versionId = await uploadedFolder(modelId, files);
    const key = ecKey('P-384');
    const trusted = await trustKey(key);
    expect(trusted).toMatchObject({ kind: 'SIGNING_KEY', scope: 'GLOBAL', fingerprint: hintOf(key), curve: 'P-384', revokedAt: null });

    const bundle = signModel(asModelFiles(files), { method: 'key', privateKey: key });
    const { signature } = ok(await attach(versionId, bundle)).attachModelSignature;
    expect(signature).toMatchObject({
      method: 'KEY',
      signer: `SHA256:${hintOf(key)}`,
      signerIssuer: null,
      attachedBy: 'admin',
      rootDigest: rootOf(files),
      counts: true,
      downloadPath: `/artifacts/${versionId}/model.sig?signature=${signature.id}`,
      trustedSigner: { id: trusted.id, name: trusted.name, scope: 'GLOBAL', revokedAt: null },
    });
    expect(signature.signedAt).toBe(signature.attachedAt); // a key bundle carries no verified time

    // The same bundle again: the signature already recorded, no second one.
    expect(ok(await attach(versionId, bundle)).attachModelSignature.signature.id).toBe(signature.id);
    const listed = ok(await t.request(VersionSignaturesDocument, { id: versionId })).modelVersion!.signatures;
    expect(listed.totalCount).toBe(1);
    expect(listed.edges[0].node).toEqual(signature);
    const [{ n }] = await t.database.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'artifact.signed' AND subject_id = $1`,
      [versionId],
    );
    expect(n).toBe(1);
  });

  test('PUT model.sig attaches it, GET model.sig downloads it; model.sig is no file of the folder', async () => {
    const modelId = await newModel();
    const files = folder();
    const versionId = await uploadedFolder(modelId, files);
    const key = ecKey();
    await trustKey(key);
    expect((await get(versionId, 'model.sig')).status).toBe(404); // nothing signed yet

    const text = JSON.stringify(signModel(asModelFiles(files), { method: 'key', privateKey: key, pretty: true }), null, 2);
    const created = await put(versionId, 'model.sig', text);
    const body = (await created.json()) as Record<string, unknown>;
    expect([created.status, body]).toMatchObject([201, { versionId, method: 'KEY', rootDigest: rootOf(files) }]);
    expect((await put(versionId, 'model.sig', text)).status).toBe(200); // the same bundle again

    const download = await get(versionId, 'model.sig');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^application\/json/);
    expect(download.headers.get('x-signature-id')).toBe(body.id);
    expect(await download.text()).toBe(text); // byte for byte as sent
    const byId = await fetch(`${t.baseUrl}${body.downloadPath as string}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(await byId.text()).toBe(text);

    // A VIEWER downloads it; a VIEWER cannot attach one (CONTRIBUTE), through either door.
    const viewer = await t.tokenFor(Role.VIEWER, modelName('viewer'));
    expect((await get(versionId, 'model.sig', viewer)).status).toBe(200);
    expect((await put(versionId, 'model.sig', text, viewer)).status).toBe(403);
    expect(refused(await attach(versionId, JSON.parse(text), viewer), 'FORBIDDEN')).toBeTruthy();
  });

  test('a single-file artifact is signed by its file name, whatever the registry stores it as', async () => {
    const modelId = await newModel();
    await aucBaseline(t.services, admin, modelId);
    const version = await stagedVersion(t.services, admin, modelId, []); // one file, sha256 eee…, stored as `artifact`
    const key = ecKey();
    await trustKey(key);
    const bundle = signModel([{ path: 'model.onnx', sha256: SHA('e'), sizeBytes: 4096 }], { method: 'key', privateKey: key });
    expect(ok(await attach(version.id, bundle)).attachModelSignature.signature.counts).toBe(true);
    const other = signModel([{ path: 'model.onnx', sha256: SHA('f'), sizeBytes: 4096 }], { method: 'key', privateKey: key });
    expect(refused(await attach(version.id, other))).toEqual({
      field: 'model.onnx',
      message: expect.stringMatching(/^manifest: "model.onnx" digest differs from the stored file's sha256/),
    });
  });
});

describe('refusals, each naming what failed', () => {
  let modelId: string;
  let versionId: string;
  let files: Record<string, Buffer>;
  let key: KeyObject;
  beforeAll(async () => {
    modelId = await newModel('refused');
    files = folder();
    versionId = await uploadedFolder(modelId, files);
    key = ecKey();
    await trustKey(key);
  });
  const signed = (list: ModelFile[], options: Partial<Parameters<typeof signModel>[1]> = {}) =>
    signModel(list, { method: 'key', privateKey: key, ...options });

  test('an altered file', async () => {
    const altered = { ...files, 'config.json': Buffer.from('{"architectures":["Evil"]}\n') };
    expect(refused(await attach(versionId, signed(asModelFiles(altered))))).toEqual({
      field: 'config.json',
      message: `manifest: "config.json" digest differs from the stored file's sha256`,
    });
  });

  test('a missing file (signed, not stored)', async () => {
    const more = { ...files, 'tokenizer.json': Buffer.from('{}') };
    expect(refused(await attach(versionId, signed(asModelFiles(more))))).toEqual({
      field: 'tokenizer.json',
      message: `manifest: "tokenizer.json" is signed but not stored`,
    });
  });

  test('an extra unsigned file (stored, not signed)', async () => {
    const fewer = asModelFiles(files).filter((f) => f.path !== 'config.json');
    expect(refused(await attach(versionId, signed(fewer)))).toEqual({
      field: 'config.json',
      message: `manifest: "config.json" is stored but not signed`,
    });
  });

  test('a wrong predicate type', async () => {
    const bundle = signed(asModelFiles(files), { editStatement: (s) => ({ ...s, predicateType: 'https://slsa.dev/provenance/v1' }) });
    const { field, message } = refused(await attach(versionId, bundle));
    expect(field).toBe('predicateType');
    expect(message).toMatch(/^statement: predicateType .*https:\/\/slsa\.dev\/provenance\/v1/);
  });

  test('an untrusted key', async () => {
    const stranger = ecKey();
    expect(refused(await attach(versionId, signModel(asModelFiles(files), { method: 'key', privateKey: stranger })))).toEqual({
      field: 'verificationMaterial.publicKey.hint',
      message: `key: no trusted signing key has the fingerprint in publicKey.hint ("${hintOf(stranger)}")`,
    });
  });

  test('a revoked key: it verifies nothing new', async () => {
    const revokedKey = ecKey();
    const signer = await trustKey(revokedKey);
    const revoked = ok(await t.request(RevokeTrustedSignerDocument, { input: { id: signer.id, reason: 'key leaked' } })).revokeTrustedSigner
      .signer;
    expect(revoked).toMatchObject({ revokedBy: 'admin', revokedReason: 'key leaked' });
    expect(revoked.revokedAt).not.toBeNull();
    expect(refused(await attach(versionId, signModel(asModelFiles(files), { method: 'key', privateKey: revokedKey }))).field).toBe(
      'verificationMaterial.publicKey.hint',
    );
    // Revoking again is a CONFLICT; the row stays, listed when revoked ones are asked for.
    expect(errorCode(await t.request(RevokeTrustedSignerDocument, { input: { id: signer.id, reason: 'again' } }))).toBe('CONFLICT');
    const all = ok(await t.request(TrustedSignersDocument, { includeRevoked: true, first: 500 })).trustedSigners.edges.map(
      (e) => e.node.id,
    );
    const live = ok(await t.request(TrustedSignersDocument, { first: 500 })).trustedSigners.edges.map((e) => e.node.id);
    expect([all.includes(signer.id), live.includes(signer.id)]).toEqual([true, false]);
  });

  test('a bundle over the bound (4 MiB): BAD_USER_INPUT naming bundle, by GraphQL and by PUT', async () => {
    const big = { ...signed(asModelFiles(files)), padding: 'x'.repeat(4 * 1024 * 1024) };
    const viaGraphql = refused(await attach(versionId, big));
    expect(viaGraphql).toEqual({ field: 'bundle', message: expect.stringMatching(/^bundle: is \d+ bytes, over the bound of 4194304/) });
    const viaPut = await put(versionId, 'model.sig', JSON.stringify(big));
    const answer = (await viaPut.json()) as { errors: Array<{ message: string; extensions: { code: string; field: string } }> };
    expect([viaPut.status, answer.errors[0].extensions]).toEqual([400, { code: 'BAD_USER_INPUT', field: 'bundle' }]);
  });

  test('not JSON, and a bundle of the invalid test vectors', async () => {
    const notJson = await put(versionId, 'model.sig', 'this is not json');
    expect([notJson.status, ((await notJson.json()) as { errors: Array<{ message: string }> }).errors[0].message]).toEqual([
      400,
      'bundle: is not JSON',
    ]);
    const vector = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'oms', name), 'utf8'));
    expect(refused(await attach(versionId, vector('invalid/missing-envelope.bundle.json'))).message).toBe(
      'bundle: dsseEnvelope is missing',
    );
    expect(refused(await attach(versionId, vector('invalid-payload/wrong-predicate.bundle.json'))).message).toMatch(/^statement: /);
  });

  test('a sigstore bundle without a configured trusted root', async () => {
    const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'oms', 'valid', 'sigstore.bundle.json'), 'utf8'));
    ok(
      await t.request(TrustSigstoreIdentityDocument, {
        input: { name: modelName('ci'), scope: 'GLOBAL', issuer: 'https://github.com/login/oauth', subject: '*@example.com' },
      }),
    );
    const { field, message } = refused(await attach(versionId, vector));
    expect(field).toBe('verificationMaterial.certificate');
    expect(message).toMatch(/^sigstore: this registry has no Sigstore trusted root \(the operator sets MODELGRAPH_SIGSTORE_TRUSTED_ROOT\)/);
  });

  test('a version whose files are not all READY: CONFLICT', async () => {
    const partial = await uploadedFolder(modelId, files, ['config.json']);
    const { field, message } = refused(await attach(partial, signed(asModelFiles(files))), 'CONFLICT');
    expect(field).toBe('versionId');
    expect(message).toMatch(/^the version's artifact is PENDING_UPLOAD: a signature is verified against the stored files/);
  });

  test('bad keys and certificates when trusting: BAD_USER_INPUT naming the field', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    const register = (publicKey: string) =>
      t.request(RegisterSigningKeyDocument, { input: { name: modelName('bad'), scope: 'GLOBAL', publicKey } });
    expect(refused(await register(rsa as string))).toEqual({
      field: 'publicKey',
      message: expect.stringMatching(/^publicKey: is an rsa key/),
    });
    expect(refused(await register('hello')).field).toBe('publicKey');
    const leaf = makeChain().leaf.certificate;
    const ca = (certificate: string) =>
      t.request(TrustCertificateAuthorityDocument, { input: { name: modelName('bad'), scope: 'GLOBAL', certificate } });
    expect(refused(await ca(leaf))).toEqual({ field: 'certificate', message: expect.stringMatching(/is not a CA certificate/) });
    expect(refused(await ca('nope')).field).toBe('certificate');
    // A name is unique per scope.
    const name = modelName('dup');
    const k = publicKeyPem(ecKey());
    ok(await t.request(RegisterSigningKeyDocument, { input: { name, scope: 'GLOBAL', publicKey: k } }));
    expect(errorCode(await t.request(RegisterSigningKeyDocument, { input: { name, scope: 'GLOBAL', publicKey: k } }))).toBe('CONFLICT');
    expect(refused(await t.request(RegisterSigningKeyDocument, { input: { name, scope: 'MODEL', publicKey: k } })).field).toBe('modelId');
  });
});

describe('scopes and rights', () => {
  test('a MODEL-scoped key counts for its model only; MANAGE on the model may trust for it, not globally', async () => {
    const [a, b] = [await newModel('scope-a'), await newModel('scope-b')];
    const files = folder();
    const [onA, onB] = [await uploadedFolder(a, files), await uploadedFolder(b, files)];
    const owner = modelName('owner');
    const ownerToken = await t.tokenFor(Role.VIEWER, owner);
    await t.services.access.grant(admin, { modelId: a, subject: owner, level: Level.MANAGE });

    const key = ecKey();
    const signer = await trustKey(key, { scope: 'MODEL', modelId: a }, ownerToken);
    expect(signer).toMatchObject({ scope: 'MODEL', modelId: a, createdBy: owner });
    expect(
      errorCode(
        await t.request(
          RegisterSigningKeyDocument,
          { input: { name: modelName('k'), scope: 'GLOBAL', publicKey: publicKeyPem(ecKey()) } },
          ownerToken,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(
        await t.request(
          RegisterSigningKeyDocument,
          { input: { name: modelName('k'), scope: 'MODEL', modelId: b, publicKey: publicKeyPem(ecKey()) } },
          ownerToken,
        ),
      ),
    ).toBe('FORBIDDEN');

    const bundle = signModel(asModelFiles(files), { method: 'key', privateKey: key });
    expect(ok(await attach(onA, bundle)).attachModelSignature.signature.trustedSigner.id).toBe(signer.id);
    expect(refused(await attach(onB, bundle)).field).toBe('verificationMaterial.publicKey.hint');

    // Listed among the signers that apply to A, not B.
    const applying = async (modelId: string) =>
      ok(await t.request(TrustedSignersDocument, { modelId, first: 500 })).trustedSigners.edges.map((e) => e.node.id);
    expect((await applying(a)).includes(signer.id)).toBe(true);
    expect((await applying(b)).includes(signer.id)).toBe(false);

    // The model's MANAGE revokes its own signer; a CONTRIBUTOR token cannot trust globally.
    ok(await t.request(RevokeTrustedSignerDocument, { input: { id: signer.id, reason: 'rotated' } }, ownerToken));
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, modelName('contributor'));
    expect(
      errorCode(
        await t.request(
          RegisterSigningKeyDocument,
          { input: { name: modelName('k'), scope: 'GLOBAL', publicKey: publicKeyPem(ecKey()) } },
          contributor,
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  test('a certificate chain to a CA trusted for a team counts on the models the team contributes to', async () => {
    const [withTeam, without] = [await newModel('team-a'), await newModel('team-b')];
    const team = await t.services.access.createTeam(admin, { name: modelName('signers') });
    await t.services.access.grant(admin, { modelId: withTeam, teamId: team.id, level: Level.CONTRIBUTE });
    const chain = makeChain({ name: 'Team' });
    const ca = ok(
      await t.request(TrustCertificateAuthorityDocument, {
        input: { name: modelName('team-ca'), scope: 'TEAM', teamId: team.id, certificate: chain.root.certificate },
      }),
    ).trustCertificateAuthority.signer;
    expect(ca).toMatchObject({
      kind: 'CERTIFICATE_AUTHORITY',
      scope: 'TEAM',
      teamId: team.id,
      subject: expect.stringMatching(/CN=Team Root CA/),
    });
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, modelName('c'));
    expect(
      errorCode(
        await t.request(
          TrustCertificateAuthorityDocument,
          { input: { name: modelName('x'), scope: 'TEAM', teamId: team.id, certificate: chain.root.certificate } },
          contributor,
        ),
      ),
    ).toBe('FORBIDDEN');

    const files = folder();
    const bundle = signModel(asModelFiles(files), {
      method: 'certificate',
      privateKey: chain.leaf.key,
      certificateChain: [chain.leaf.certificate, chain.intermediate.certificate],
    });
    const { signature } = ok(await attach(await uploadedFolder(withTeam, files), bundle)).attachModelSignature;
    expect(signature).toMatchObject({
      method: 'CERTIFICATE',
      signer: expect.stringMatching(/CN=Team model signer/),
      signerIssuer: expect.stringMatching(/CN=Team Intermediate CA/),
      trustedSigner: { id: ca.id, scope: 'TEAM' },
    });
    const elsewhere = refused(await attach(await uploadedFolder(without, files), bundle));
    expect(elsewhere.message).toMatch(/^certificate: /);
  });
});

describe('the SIGNED gate', () => {
  test('requiredSignatures: GATE_FAILED naming SIGNED until a listed signer signs; readiness lists every signer', async () => {
    const modelId = await newModel('gate');
    await aucBaseline(t.services, admin, modelId);
    const releaseKey = ecKey();
    const release = await trustKey(releaseKey);
    const otherKey = ecKey();
    const other = await trustKey(otherKey);
    await t.services.policy.setPolicy(admin, {
      modelId,
      document: { requiredSignatures: { stage: 'PRODUCTION', signers: [release.name] } },
    });
    const version = await stagedVersion(t.services, admin, modelId, []);
    const single = (key: KeyObject) =>
      signModel([{ path: 'm.onnx', sha256: SHA('e'), sizeBytes: 4096 }], { method: 'key', privateKey: key });
    const promote = () =>
      t.request(TransitionModelVersionDocument, { input: { versionId: version.id, toStage: 'PRODUCTION', expectedStage: 'STAGING' } });
    const readiness = async () =>
      ok(await t.request(SignedReadinessDocument, { versionId: version.id, targetStage: 'PRODUCTION' })).promotionReadiness;

    const unsigned = await promote();
    expect(errorCode(unsigned)).toBe('GATE_FAILED');
    expect(unsigned.errors![0].message).toMatch(/SIGNED \(no signature attached: needs one by one of /);
    // Readiness reports the gate with no signer yet.
    expect((await readiness()).gates.find((g) => g.gate === 'SIGNED')).toMatchObject({ passed: false, signers: [] });

    // Signed by a trusted key the policy does not list: reported, not counted.
    ok(await attach(version.id, single(otherKey)));
    let gate = (await readiness()).gates.find((g) => g.gate === 'SIGNED')!;
    expect(gate).toMatchObject({
      passed: false,
      signers: [
        {
          trustedAs: other.name,
          method: 'KEY',
          counts: false,
          reason: `${other.name} is not among the policy's signers (${release.name})`,
        },
      ],
    });
    expect(errorCode(await promote())).toBe('GATE_FAILED');

    // Signed by the listed key, which is then revoked: attached before its revocation, it still counts.
    ok(await attach(version.id, single(releaseKey)));
    ok(await t.request(RevokeTrustedSignerDocument, { input: { id: release.id, reason: 'rotation' } }));
    const ready = await readiness();
    gate = ready.gates.find((g) => g.gate === 'SIGNED')!;
    expect(gate.passed).toBe(true);
    expect(gate.detail).toBe(`signed by SHA256:${hintOf(releaseKey)} (trusted as ${release.name})`);
    expect(gate.signers!.map((s) => [s.trustedAs, s.counts])).toEqual([
      [other.name, false],
      [release.name, true],
    ]);
    expect(gate.signers![1].reason).toMatch(/was revoked after it was attached/);
    expect(ok(await promote()).transitionModelVersion.version.stage).toBe(Stage.PRODUCTION);
  });

  test('a key revoked before its signature was attached does not count', async () => {
    const modelId = await newModel('gate-revoked');
    await aucBaseline(t.services, admin, modelId);
    const key = ecKey();
    const signer = await trustKey(key, { scope: 'MODEL', modelId });
    await t.services.policy.setPolicy(admin, { modelId, document: { requiredSignatures: { stage: 'STAGING', signers: [] } } });
    const version = await stagedVersion(t.services, admin, modelId, []).catch((e: Error) => e);
    // The policy gates STAGING: the unsigned version does not get there.
    expect(version).toBeInstanceOf(Error);
    expect((version as Error).message).toMatch(/SIGNED/);
    const { version: v } = await t.services.versions.register(admin, readyRegistration(modelId));
    const bundle = signModel([{ path: 'm.onnx', sha256: SHA('e'), sizeBytes: 4096 }], { method: 'key', privateKey: key });
    ok(await t.request(RevokeTrustedSignerDocument, { input: { id: signer.id, reason: 'lost' } }));
    expect(refused(await attach(v.id, bundle)).field).toBe('verificationMaterial.publicKey.hint');
    // Recorded anyway (say, before a clock skew): a signature attached at or after the revocation does not count.
    await t.database.db.query(
      `INSERT INTO model_signatures (version_id, model_id, method, signer, trusted_signer_id, signed_at, attached_at, attached_by, root_digest, bundle_sha256, bundle)
       SELECT $1, $2, 'KEY', 'SHA256:x', $3, now(), revoked_at + interval '1 second', 'admin', $4, $5, '{}' FROM trusted_signers WHERE id = $3`,
      [v.id, modelId, signer.id, sha256(Buffer.from(SHA('e'), 'hex')), SHA('a')],
    );
    const gate = ok(await t.request(SignedReadinessDocument, { versionId: v.id, targetStage: 'STAGING' })).promotionReadiness.gates.find(
      (g) => g.gate === 'SIGNED',
    )!;
    expect(gate).toMatchObject({
      passed: false,
      signers: [{ counts: false, reason: expect.stringMatching(/was revoked \(.*\) before it was attached/) }],
    });
    const sig = ok(await t.request(VersionSignaturesDocument, { id: v.id })).modelVersion!.signatures.edges[0].node;
    expect(sig).toMatchObject({ counts: false, trustedSigner: { id: signer.id } });
    expect((await get(v.id, 'model.sig')).status).toBe(404); // no signature that counts to download
  });
});

describe('events', () => {
  test('ARTIFACT_SIGNED reaches a subscriber; trusting a signer is POLICY_CHANGED', async () => {
    const modelId = await newModel('events');
    const files = folder();
    const versionId = await uploadedFolder(modelId, files);
    const before = t.services.eventDispatcher.size;
    const events = subscribe<{ kind: string; action: string; subjectId: string; payload: Record<string, unknown> }>(
      t.baseUrl,
      t.adminToken,
      `subscription($filter: LifecycleEventFilter) { lifecycleEvents(filter: $filter) { kind action subjectId payload } }`,
      { filter: { modelIds: [modelId], kinds: ['ARTIFACT_SIGNED', 'POLICY_CHANGED'] } },
      'lifecycleEvents',
    );
    const deadline = Date.now() + 5000;
    while (t.services.eventDispatcher.size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    try {
      const key = ecKey();
      const signer = await trustKey(key, { scope: 'MODEL', modelId });
      const { signature } = ok(
        await attach(versionId, signModel(asModelFiles(files), { method: 'key', privateKey: key })),
      ).attachModelSignature;
      const [trusted, signed] = await events.waitFor(2);
      expect(trusted).toMatchObject({ kind: 'POLICY_CHANGED', action: 'trust.signer_trusted', subjectId: signer.id });
      expect(signed).toMatchObject({
        kind: 'ARTIFACT_SIGNED',
        action: 'artifact.signed',
        subjectId: versionId,
        payload: {
          versionId,
          signatureId: signature.id,
          method: 'KEY',
          signer: `SHA256:${hintOf(key)}`,
          trustedSigner: signer.name,
          rootDigest: rootOf(files),
        },
      });
    } finally {
      await events.close();
    }
  });
});

describe("the sigstore method, with the operator's trusted root (MODELGRAPH_SIGSTORE_TRUSTED_ROOT)", () => {
  const FIXTURES = path.join(__dirname, '..', 'fixtures', 'oms');
  const vector = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'valid', 'sigstore.bundle.json'), 'utf8'));
  const statement = JSON.parse(Buffer.from(vector.dsseEnvelope.payload, 'base64').toString('utf8'));
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ MODELGRAPH_SIGSTORE_TRUSTED_ROOT: path.join(FIXTURES, 'sigstore-public-good.trusted_root.json') });
  });
  afterAll(() => s?.close());

  test("the spec's sigstore vector verifies offline against the public-good root, for a trusted identity only", async () => {
    const modelId = (await s.services.models.create(admin, { name: modelName('sigstore'), owner: 'ml' })).id;
    const resources = statement.predicate.resources as Array<{ name: string; digest: string }>;
    const { version } = await s.services.versions.register(
      admin,
      registration({
        modelId,
        artifact: { format: 'PICKLE' as never, files: resources.map((r) => ({ path: r.name, sizeBytes: 1, sha256: r.digest })) },
      }) as never,
    );
    // The vector's files are not in the spec repository, only their digests: stored as an upload of them would leave them.
    await s.database.db.query(`UPDATE artifact_files SET status = 'READY' WHERE version_id = $1`, [version.id]);
    await s.database.db.query(`UPDATE model_versions SET artifact_status = 'READY', artifact_sha256 = $2 WHERE id = $1`, [
      version.id,
      statement.subject[0].digest.sha256,
    ]);
    const trust = (subject: string) =>
      s.request(TrustSigstoreIdentityDocument, {
        input: { name: modelName('ibm'), scope: 'MODEL', modelId, issuer: 'https://sigstore.verify.ibm.com/oauth2', subject },
      });
    ok(await trust('someone@us.ibm.com'));
    const untrusted = refused(await s.request(AttachModelSignatureDocument, { input: { versionId: version.id, bundle: vector } }));
    expect(untrusted).toEqual({
      field: 'verificationMaterial.certificate',
      message:
        'sigstore: the signer "stefanb@us.ibm.com" (OIDC issuer "https://sigstore.verify.ibm.com/oauth2") is not a trusted Sigstore identity',
    });
    const glob = ok(await trust('*@us.ibm.com')).trustSigstoreIdentity.signer;
    const { signature } = ok(
      await s.request(AttachModelSignatureDocument, { input: { versionId: version.id, bundle: vector } }),
    ).attachModelSignature;
    expect(signature).toMatchObject({
      method: 'SIGSTORE',
      signer: 'stefanb@us.ibm.com',
      signerIssuer: 'https://sigstore.verify.ibm.com/oauth2',
      signedAt: '2025-10-10T02:12:20.000Z', // the timestamp authority's time, not the attach time
      rootDigest: statement.subject[0].digest.sha256,
      trustedSigner: { id: glob.id },
      counts: true,
    });
  });

  test('a trusted root that cannot be read stops the start with one line', () => {
    const start = (file: string) => () =>
      createServices(s.database.db, { trust: { maxSignatureBytes: 1024, sigstoreTrustedRootFile: file } });
    expect(start(path.join(FIXTURES, 'missing.json'))).toThrow(/^MODELGRAPH_SIGSTORE_TRUSTED_ROOT: .* cannot be read as JSON/);
    expect(start(path.join(FIXTURES, 'valid', 'key.bundle.json'))).toThrow(
      /^MODELGRAPH_SIGSTORE_TRUSTED_ROOT: .* is not a Sigstore trusted root/,
    );
  });
});
