import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signerOf } from '../../src/common/ed25519';
import { signCheckpoint } from '../../src/modules/audit/checkpoint.rules';
import { Role } from '../../src/common/role';
import { CreateModelDocument, RegisterModelVersionDocument } from '../generated/graphql';
import { modelName, registration, SHA } from '../support/fixtures';
import { aucBaseline, caller, stagedVersion } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

/** The console is served by the registry: these are the parts a browser is not needed to check. */
describe('console: served at /ui', () => {
  let server: TestServer;
  let emptyDir: string;
  let unbuilt: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    emptyDir = await mkdtemp(path.join(os.tmpdir(), 'mg-no-ui-'));
    unbuilt = await startTestServer({ MODELGRAPH_UI_DIR: emptyDir });
  });
  afterAll(async () => {
    await server?.close();
    await unbuilt?.close();
    await rm(emptyDir, { recursive: true, force: true });
  });

  const get = (base: string, p: string) => fetch(base + p, { redirect: 'manual' });

  it('answers the app for any page under /ui, so a shared link opens that page, under a strict content policy', async () => {
    for (const page of ['/ui/', '/ui/models?owner=ml', '/ui/lineage/0b0c8f6e-0000-4000-8000-000000000000?depth=3']) {
      const res = await get(server.baseUrl, page);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
      expect(await res.text()).toMatch(/<div id="root"><\/div>/);
    }
  });

  it('sends / and /ui to /ui/, and serves hashed assets for good, with the API untouched', async () => {
    expect((await get(server.baseUrl, '/')).headers.get('location')).toBe('/ui/');
    const bare = await get(server.baseUrl, '/ui');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/ui/');
    const html = await (await get(server.baseUrl, '/ui/')).text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await get(server.baseUrl, script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await get(server.baseUrl, '/ui/assets/missing.js')).status).toBe(404);
    expect((await get(server.baseUrl, '/healthz')).status).toBe(200);
  });

  it('has an icon, so no browser asks for a /favicon.ico that is not there', async () => {
    const html = await (await get(server.baseUrl, '/ui/')).text();
    const icon = /<link rel="icon"[^>]* href="([^"]+)"/.exec(html)?.[1];
    expect(icon).toBe('/ui/favicon.svg');
    const res = await get(server.baseUrl, icon!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await res.text()).toMatch(/^<svg/);
    // A browser on any other page of the server asks for /favicon.ico: it is sent to the same icon.
    const legacy = await get(server.baseUrl, '/favicon.ico');
    expect(legacy.status).toBe(301);
    expect(legacy.headers.get('location')).toBe('/ui/favicon.svg');
  });

  it('says how to build the console when it is not built', async () => {
    const res = await get(unbuilt.baseUrl, '/ui/models');
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/npm run build:ui/);
  });
});

describe('console: what the API gained for it', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { audit: true });
  });
  afterAll(() => server?.close());

  it('filters models by the stage one of their versions is in', async () => {
    const owner = modelName('stage-owner');
    const make = async () =>
      ok(await server.request(CreateModelDocument, { input: { name: modelName('stage'), owner } })).createModel.model.id;
    const [staged, developing] = [await make(), await make()];
    // One version in STAGING (validated against a baseline), the other's only version still in DEVELOPMENT.
    const admin = caller('admin', Role.ADMIN);
    await aucBaseline(server.services, admin, staged);
    await stagedVersion(server.services, admin, staged, []);
    ok(
      await server.request(RegisterModelVersionDocument, {
        input: {
          ...registration(),
          modelId: developing,
          artifact: { format: 'ONNX', uri: 's3://m/x.onnx', sha256: SHA('e'), sizeBytes: 1 },
        },
      }),
    );
    const list = async (stage: string) => {
      const res = await server.post({
        query: 'query($f: ModelFilter) { models(first: 10, filter: $f) { totalCount edges { node { id } } } }',
        variables: { f: { owner, stage } },
      });
      const models = ok(res).models as { totalCount: number; edges: Array<{ node: { id: string } }> };
      return { total: models.totalCount, ids: models.edges.map((e) => e.node.id) };
    };
    expect(await list('STAGING')).toEqual({ total: 1, ids: [staged] });
    expect(await list('DEVELOPMENT')).toEqual({ total: 1, ids: [developing] });
    expect(await list('PRODUCTION')).toEqual({ total: 0, ids: [] });
    expect(errorCode(await server.post({ query: '{ models(filter: { stage: LIVE }) { totalCount } }' }))).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('lists the signed checkpoints newest first, each saying whether it verifies with the server key', async () => {
    const query = 'query($n: Int) { auditCheckpoints(first: $n) { seq hash keyFingerprint trusted } }';
    ok(await server.request(CreateModelDocument, { input: { name: modelName('cp'), owner: 'audit' } }));
    const signed = await server.services.checkpoints.checkpoint();
    // A row that did not come from this server: signed by another key, it must not pass for a checkpoint.
    const forged = signCheckpoint(signerOf(generateKeyPairSync('ed25519').privateKey), {
      seq: signed!.seq,
      hash: signed!.hash,
      signedAt: new Date().toISOString(),
    });
    await server.database.db.query(
      `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_fingerprint, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
      [forged.seq, forged.hash, forged.signedAt, forged.keyFingerprint, forged.publicKey, forged.signature],
    );
    const rows = ok(await server.post({ query, variables: { n: 5 } })).auditCheckpoints as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      { seq: signed!.seq, hash: signed!.hash, keyFingerprint: forged.keyFingerprint, trusted: false },
      { seq: signed!.seq, hash: signed!.hash, keyFingerprint: signed!.keyFingerprint, trusted: true },
    ]);
    for (const n of [0, 101]) {
      const res = await server.post({ query, variables: { n } });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/between 1 and 100/);
    }
    expect(errorCode(await server.post({ query, variables: { n: 5 } }, null))).toBe('UNAUTHENTICATED');
  });
});
