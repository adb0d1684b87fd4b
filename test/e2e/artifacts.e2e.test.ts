/**
 * Artifact uploads and downloads over real HTTP into the filesystem store: the digest and size checked on the way
 * in, FAILED with the reason and nothing left behind otherwise, one upload at a time, ranges on the way out,
 * verification of what is stored, the reference rule (a version names only its own model's objects) and downloads
 * framed by the object as stored — and a 200 MB upload with the server's memory flat.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Role } from '../../src/common/role';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import type { RegisterVersionInput } from '../../src/modules/versions/version.service';
import { DomainError, ErrorCode } from '../../src/common/errors';
import type { TapOutcome, UploadedFile } from '../../src/modules/artifacts';
import { RegisterModelVersionDocument, VerifyArtifactDocument, VersionArtifactDocument } from '../generated/graphql';
import { folderTests, mlflowFolder, rootOf } from '../support/artifact-folders';
import { referenceRuleTests } from '../support/artifact-references';
import { modelName, registration } from '../support/fixtures';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let artifactDir: string;
beforeAll(async () => {
  artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-artifacts-e2e-'));
  t = await startTestServer({ MODELGRAPH_ARTIFACT_DIR: artifactDir });
});
afterAll(async () => {
  await t.close();
  await fs.rm(artifactDir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function pendingVersion(artifact: Partial<RegisterVersionInput['artifact']> = {}, modelId?: string) {
  const model = modelId ?? (await t.services.models.create(SYSTEM_CALLER, { name: modelName('artifacts'), owner: 'ml' })).id;
  const { version } = await t.services.versions.register(SYSTEM_CALLER, {
    ...registration(),
    modelId: model,
    artifact: { format: 'ONNX', ...artifact },
  } as RegisterVersionInput);
  return version;
}

function put(versionId: string, body: Buffer, headers: Record<string, string> = {}, token: string | null = t.adminToken) {
  return fetch(`${t.baseUrl}/artifacts/${versionId}`, {
    method: 'PUT',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/octet-stream', ...headers },
    body,
  });
}

function get(versionId: string, headers: Record<string, string> = {}, token = t.adminToken) {
  return fetch(`${t.baseUrl}/artifacts/${versionId}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

const artifactOf = async (id: string) => ok(await t.request(VersionArtifactDocument, { id })).modelVersion!.artifact;
const fileOf = (storagePath: string) => path.join(artifactDir, storagePath, 'artifact');

describe('upload', () => {
  test('the declared digest and size match: READY; the bytes come back whole and by range, with the digest', async () => {
    const body = Buffer.from('an onnx model, or near enough: '.repeat(100));
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    expect((await artifactOf(version.id)).status).toBe('PENDING_UPLOAD');

    const res = await put(version.id, body);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      versionId: version.id,
      status: 'READY',
      sha256: sha256(body),
      sizeBytes: body.length,
      storagePath: version.artifactStoragePath,
    });
    const artifact = await artifactOf(version.id);
    expect(artifact).toMatchObject({ status: 'READY', sha256: sha256(body), sizeBytes: body.length, failureReason: null });
    expect(artifact.verifiedAt).not.toBeNull();
    expect(await fs.readFile(fileOf(version.artifactStoragePath))).toEqual(body);

    const whole = await get(version.id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-artifact-sha256')).toBe(sha256(body));
    expect(whole.headers.get('etag')).toBe(`"${sha256(body)}"`);
    expect(whole.headers.get('digest')).toBe(`sha-256=${Buffer.from(sha256(body), 'hex').toString('base64')}`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(body);

    const part = await get(version.id, { range: 'bytes=3-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 3-9/${body.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(body.subarray(3, 10));
    const last = await get(version.id, { range: 'bytes=-5' });
    expect(Buffer.from(await last.arrayBuffer())).toEqual(body.subarray(body.length - 5));
    const past = await get(version.id, { range: `bytes=${body.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${body.length}`);
    expect((await get(version.id, { range: 'bytes=1-2,4-5' })).status).toBe(400);

    // READY is final: a second upload is refused and the stored bytes stay as they were.
    const again = await put(version.id, Buffer.from('something else'));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('CONFLICT');
    expect(await fs.readFile(fileOf(version.artifactStoragePath))).toEqual(body);
    const actions = await t.database.db.query(
      `SELECT action, payload FROM audit_events WHERE subject_id = $1 AND action LIKE 'artifact.%' ORDER BY seq`,
      [version.id],
    );
    expect(actions).toEqual([
      { action: 'artifact.uploaded', payload: expect.objectContaining({ sha256: sha256(body), sizeBytes: body.length }) },
      // The scanner's summary of the version, once its last (here: only) file is in.
      { action: 'artifact.scanned', payload: expect.objectContaining({ versionId: version.id, filesScanned: 1 }) },
    ]);
  });

  test('a digest or size that does not match: FAILED with the reason, nothing kept; a right upload then succeeds', async () => {
    const body = Buffer.from('the real bytes');
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    const wrong = await put(version.id, Buffer.from('the fake bytes'));
    expect(wrong.status).toBe(400);
    const error = ((await wrong.json()) as { errors: Array<{ message: string; extensions: { code: string; field: string } }> }).errors[0];
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(error.message).toContain(`${sha256(body)} was declared`);
    expect(await artifactOf(version.id)).toMatchObject({ status: 'FAILED', sha256: sha256(body) });
    expect((await artifactOf(version.id)).failureReason).toContain('the sha256 of what arrived is');
    await expect(fs.stat(fileOf(version.artifactStoragePath))).rejects.toThrow();
    expect((await get(version.id)).status).toBe(409);

    const longer = await put(version.id, Buffer.concat([body, Buffer.from('!')]));
    expect(longer.status).toBe(400);
    expect((await artifactOf(version.id)).failureReason).toMatch(/bytes declared arrived|bytes arrived/);

    expect((await put(version.id, body)).status).toBe(201);
    expect(await artifactOf(version.id)).toMatchObject({ status: 'READY', failureReason: null });
    expect(
      (
        await t.database.db.query(`SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'artifact.%' ORDER BY seq`, [
          version.id,
        ])
      ).map((r: { action: string }) => r.action),
    ).toEqual(['artifact.upload_failed', 'artifact.upload_failed', 'artifact.uploaded', 'artifact.scanned']);
  });

  test('no digest at registration: the X-Artifact-Sha256 header declares it; without either the upload is refused', async () => {
    const body = Buffer.from('declared at upload time');
    const version = await pendingVersion();
    const undeclared = await put(version.id, body);
    expect(undeclared.status).toBe(400);
    expect(((await undeclared.json()) as { errors: Array<{ extensions: { field: string } }> }).errors[0].extensions.field).toBe(
      'x-artifact-sha256',
    );
    expect((await artifactOf(version.id)).status).toBe('PENDING_UPLOAD'); // refused before a byte was read: no verdict
    expect((await put(version.id, body, { 'x-artifact-sha256': 'not-hex' })).status).toBe(400);
    const res = await put(version.id, body, { 'x-artifact-sha256': sha256(body).toUpperCase() });
    expect(res.status).toBe(201);
    expect(await artifactOf(version.id)).toMatchObject({ status: 'READY', sha256: sha256(body), sizeBytes: body.length });
  });

  test('rights: a VIEWER may download but not upload; no token is 401; an unknown version 404; by reference 409', async () => {
    const body = Buffer.from('rights');
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    const viewer = await t.tokenFor(Role.VIEWER, 'artifact-viewer');
    expect((await put(version.id, body, {}, viewer)).status).toBe(403);
    expect((await put(version.id, body, {}, null)).status).toBe(401);
    expect((await put('00000000-0000-4000-8000-000000000000', body)).status).toBe(404);
    expect((await put('not-a-uuid', body)).status).toBe(404);
    expect((await put(version.id, body)).status).toBe(201);
    expect((await get(version.id, {}, viewer)).status).toBe(200);
    const referenced = await pendingVersion({ uri: 's3://elsewhere/model.onnx', sha256: sha256(body), sizeBytes: body.length });
    expect((await put(referenced.id, body)).status).toBe(409);
    expect((await get(referenced.id)).status).toBe(404);
  });

  test('a client that goes away mid-upload leaves a FAILED artifact, no object, and may try again', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 7);
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    await new Promise<void>((resolve) => {
      const request = http.request(`${t.baseUrl}/artifacts/${version.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-length': String(body.length) },
      });
      request.on('error', () => resolve());
      request.write(body.subarray(0, 1024 * 1024), () => setTimeout(() => request.destroy(), 100));
    });
    const deadline = Date.now() + 10_000;
    while ((await artifactOf(version.id)).status === 'PENDING_UPLOAD' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await artifactOf(version.id)).toMatchObject({ status: 'FAILED' });
    expect((await artifactOf(version.id)).failureReason).toContain('broke off');
    await expect(fs.stat(fileOf(version.artifactStoragePath))).rejects.toThrow();
    const leftovers = await fs.readdir(path.dirname(fileOf(version.artifactStoragePath))).catch(() => []);
    expect(leftovers).toEqual([]);
    expect((await put(version.id, body)).status).toBe(201);
  });

  test('two uploads at once: one stores, the other is told another is in progress', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 3);
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    const statuses = (await Promise.all([put(version.id, body), put(version.id, body)])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    expect((await artifactOf(version.id)).status).toBe('READY');
  });
});

describe('verifyArtifact', () => {
  test('the stored bytes are read again: a match stays READY, a change on disk makes it FAILED', async () => {
    const body = Buffer.from('verify me');
    const version = await pendingVersion({ sha256: sha256(body), sizeBytes: body.length });
    expect((await put(version.id, body)).status).toBe(201);
    const good = ok(await t.request(VerifyArtifactDocument, { input: { versionId: version.id } })).verifyArtifact;
    expect(good).toMatchObject({ verified: true, status: 'READY', sha256: sha256(body), sizeBytes: body.length });

    await fs.writeFile(fileOf(version.artifactStoragePath), 'tampered');
    const bad = ok(await t.request(VerifyArtifactDocument, { input: { versionId: version.id } })).verifyArtifact;
    expect(bad).toMatchObject({ verified: false, status: 'FAILED', sha256: sha256(Buffer.from('tampered')) });
    expect(bad.detail).toContain(`${sha256(body)} is recorded`);
    expect(await artifactOf(version.id)).toMatchObject({ status: 'FAILED', failureReason: bad.detail });

    await fs.rm(fileOf(version.artifactStoragePath));
    const gone = ok(await t.request(VerifyArtifactDocument, { input: { versionId: version.id } })).verifyArtifact;
    expect(gone).toMatchObject({ verified: false, sha256: null });
    expect(gone.detail).toContain('no object at file://');
    const actions = await t.database.db.query(
      `SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'artifact.verif%' ORDER BY seq`,
      [version.id],
    );
    expect(actions.map((r: { action: string }) => r.action)).toEqual([
      'artifact.verified',
      'artifact.verification_failed',
      'artifact.verification_failed',
    ]);
  });

  test('a version registered by reference to an object in the store is checked; one elsewhere cannot be', async () => {
    const body = Buffer.from('placed by the pipeline');
    // In its model's folder, outside the version folders (see 'references' below for the rule).
    const model = await t.services.models.create(SYSTEM_CALLER, { name: modelName('by-reference'), owner: 'ml' });
    const file = path.join(artifactDir, 'models', model.id, 'imports', 'model.onnx');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
    const inStore = await pendingVersion({ uri: pathToFileURL(file).href, sha256: sha256(body), sizeBytes: body.length }, model.id);
    expect(ok(await t.request(VerifyArtifactDocument, { input: { versionId: inStore.id } })).verifyArtifact).toMatchObject({
      verified: true,
    });
    const elsewhere = await pendingVersion({ uri: 's3://elsewhere/model.onnx', sha256: sha256(body), sizeBytes: body.length });
    const refused = await t.request(VerifyArtifactDocument, { input: { versionId: elsewhere.id } });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    const viewer = await t.tokenFor(Role.VIEWER, 'verify-viewer');
    expect(errorCode(await t.request(VerifyArtifactDocument, { input: { versionId: inStore.id } }, viewer))).toBe('FORBIDDEN');
  });
});

describe('references, with MODELGRAPH_VISIBILITY=granted', () => {
  let granted: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-references-'));
    granted = await startTestServer({ MODELGRAPH_ARTIFACT_DIR: dir, MODELGRAPH_VISIBILITY: 'granted' });
  });
  afterAll(async () => {
    await granted.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  referenceRuleTests(() => ({
    t: granted,
    // Not through path.join: a key with `..` must reach the server as written.
    uriOf: (key) => `${pathToFileURL(dir).href}/${key}`,
    place: async (key, body) => {
      await fs.mkdir(path.dirname(path.join(dir, key)), { recursive: true });
      await fs.writeFile(path.join(dir, key), body);
    },
    read: (key) => fs.readFile(path.join(dir, key)).catch(() => null),
  }));
});

describe('a model folder', () => {
  folderTests(() => ({
    t,
    place: async (key, body) => {
      await fs.mkdir(path.dirname(path.join(artifactDir, key)), { recursive: true });
      await fs.writeFile(path.join(artifactDir, key), body);
    },
    read: (key) => fs.readFile(path.join(artifactDir, key)).catch(() => null),
  }));

  const folder = (files: Array<{ path: string; sizeBytes?: number; sha256?: string }>, model?: string) =>
    pendingVersion({ files: files.map((f) => ({ sizeBytes: 1, ...f })) } as Partial<RegisterVersionInput['artifact']>, model);
  const putFile = (versionId: string, file: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}/artifacts/${versionId}/${file}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.adminToken}`, ...headers },
      body,
    });

  test('a manifest is refused rule by rule, naming the field, and nothing is registered', async () => {
    const model = await t.services.models.create(SYSTEM_CALLER, { name: modelName('manifest'), owner: 'ml' });
    const register = (artifact: Record<string, unknown>) =>
      t.request(RegisterModelVersionDocument, {
        input: registration({ modelId: model.id, artifact: { format: 'OTHER', ...artifact } as never }),
      });
    const file = (p: string, extra: Record<string, unknown> = {}) => ({ path: p, sizeBytes: 1, ...extra });
    const many = Array.from({ length: 10_001 }, (_, i) => file(`shard-${i}.bin`));
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['an empty manifest', { files: [] }, 'artifact.files', 'at least one'],
      ['10,001 files', { files: many }, 'artifact.files', '10,000'],
      [
        'a parent segment',
        { files: [file('MLmodel'), file('conda.yaml'), file('model.pkl'), file('../etc/passwd')] },
        'artifact.files[3].path',
        '..',
      ],
      ['an absolute path', { files: [file('/etc/passwd')] }, 'artifact.files[0].path', 'no leading /'],
      ['a folder', { files: [file('weights/')] }, 'artifact.files[0].path', 'not a folder'],
      ['a control character', { files: [file('a\u0007b')] }, 'artifact.files[0].path', 'control'],
      ['a backslash', { files: [file('weights\\shard.bin')] }, 'artifact.files[0].path', '/'],
      ['a path over 1,024 bytes', { files: [file(`${'d/'.repeat(450)}${'x'.repeat(200)}`)] }, 'artifact.files[0].path', '1024'],
      ['the same path twice', { files: [file('a/b'), file('./a//b')] }, 'artifact.files[1].path', 'artifact.files[0].path'],
      ['a file that is also a folder', { files: [file('weights'), file('weights/a.bin')] }, 'artifact.files[1].path', 'weights/'],
      ['the signature bundle', { files: [file('model.sig')] }, 'artifact.files[0].path', 'signature bundle'],
      ['a negative size', { files: [file('a', { sizeBytes: -1 })] }, 'artifact.files[0].sizeBytes', 'non-negative'],
      ['a bad digest', { files: [file('a', { sha256: 'ABC' })] }, 'artifact.files[0].sha256', 'sha256'],
      ['a folder by reference', { uri: 's3://elsewhere/model/', files: [file('a')] }, 'artifact.uri', 'file by file'],
      ['a folder with one digest', { sha256: '0'.repeat(64), files: [file('a')] }, 'artifact.sha256', 'root digest'],
      ['a folder with one size', { sizeBytes: 10, files: [file('a')] }, 'artifact.sizeBytes', 'total'],
    ];
    for (const [what, artifact, field, why] of cases) {
      const refused = await register(artifact);
      expect([what, errorCode(refused), refused.errors![0].extensions!.field]).toEqual([what, 'BAD_USER_INPUT', field]);
      expect([what, refused.errors![0].message]).toEqual([what, expect.stringContaining(why)]);
    }
    const [{ version_counter: counter }] = await t.database.db.query('SELECT version_counter FROM registered_models WHERE id = $1', [
      model.id,
    ]);
    expect(counter).toBe(0);
  });

  test('a manifest of 10,000 files: registered, audited and paged 500 at a time', async () => {
    const model = await t.services.models.create(SYSTEM_CALLER, { name: modelName('shards'), owner: 'ml' });
    const files = Array.from({ length: 10_000 }, (_, i) => ({
      path: `shards/${String(i).padStart(5, '0')}.safetensors`,
      sizeBytes: i,
      sha256: sha256(Buffer.from(String(i))),
    }));
    const started = Date.now();
    const { version } = ok(
      await t.request(RegisterModelVersionDocument, {
        input: registration({ modelId: model.id, artifact: { format: 'SAFETENSORS', files } }),
      }),
    ).registerModelVersion;
    const took = Date.now() - started;
    expect(version.artifact).toMatchObject({ status: 'PENDING_UPLOAD', sizeBytes: (9_999 * 10_000) / 2 });
    const [{ n }] = await t.database.db.query('SELECT count(*)::int AS n FROM artifact_files WHERE version_id = $1', [version.id]);
    expect(n).toBe(10_000);
    const [event] = await t.database.db.query(`SELECT payload FROM audit_events WHERE action = 'version.registered' AND subject_id = $1`, [
      version.id,
    ]);
    expect(event.payload.after.artifactFiles).toHaveLength(10_000);
    let after: string | undefined;
    const seen: string[] = [];
    for (let page = 0; page < 20; page += 1) {
      const answer = ok(
        await t.post({
          query:
            'query($id: UUID!, $after: String) { modelVersion(id: $id) { artifact { files(first: 500, after: $after) { pageInfo { hasNextPage endCursor } edges { node { path } } } } } }',
          variables: { id: version.id, after },
        }),
      ) as {
        modelVersion: {
          artifact: { files: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { path: string } }> } };
        };
      };
      const { pageInfo, edges } = answer.modelVersion.artifact.files;
      seen.push(...edges.map((e) => e.node.path));
      after = pageInfo.endCursor;
      if (!pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(files.map((f) => f.path));
    console.log(`a manifest of 10,000 files registered in ${took} ms`);
  });

  test('paths are normalised at registration and in the route alike; a path outside the manifest is not found', async () => {
    const body = Buffer.from('weights');
    const version = await folder([{ path: './weights//model.onnx', sizeBytes: body.length, sha256: sha256(body) }]);
    expect((await putFile(version.id, 'weights/../model.onnx', body)).status).toBe(404); // fetch resolves the .. first
    expect((await putFile(version.id, 'weights%5Cmodel.onnx', body)).status).toBe(400);
    expect((await putFile(version.id, 'weights%2Fmodel.onnx', body)).status).toBe(201); // an encoded / separates as well
    expect((await get(version.id)).status).toBe(200); // a folder of one is also its only file
    const named = await fetch(`${t.baseUrl}/artifacts/${version.id}/weights//model.onnx`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect([named.status, Buffer.from(await named.arrayBuffer())]).toEqual([200, body]);
    // model.sig is no file of the folder: the trust module's route answers it, the version's signature (none yet).
    const signature = await fetch(`${t.baseUrl}/artifacts/${version.id}/model.sig`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect([signature.status, ((await signature.json()) as { errors: Array<{ message: string }> }).errors[0].message]).toEqual([
      404,
      `a signature that counts on model version ${version.id} not found`,
    ]);
    expect(await fs.readFile(path.join(artifactDir, version.artifactStoragePath, 'weights', 'model.onnx'))).toEqual(body);
  });

  test('two uploads of one file at once: one stores it; two files at once: both stored, and the folder READY', async () => {
    const a = Buffer.alloc(2 * 1024 * 1024, 1);
    const b = Buffer.alloc(2 * 1024 * 1024, 2);
    const same = await folder([
      { path: 'a.bin', sizeBytes: a.length, sha256: sha256(a) },
      { path: 'b.bin', sizeBytes: b.length, sha256: sha256(b) },
    ]);
    expect((await Promise.all([putFile(same.id, 'a.bin', a), putFile(same.id, 'a.bin', a)])).map((r) => r.status).sort()).toEqual([
      201, 409,
    ]);
    expect((await artifactOf(same.id)).status).toBe('PENDING_UPLOAD');
    const both = await folder([
      { path: 'a.bin', sizeBytes: a.length, sha256: sha256(a) },
      { path: 'b.bin', sizeBytes: b.length, sha256: sha256(b) },
    ]);
    for (let round = 0; round < 3; round += 1) {
      const version =
        round === 0
          ? both
          : await folder([
              { path: 'a.bin', sizeBytes: a.length, sha256: sha256(a) },
              { path: 'b.bin', sizeBytes: b.length, sha256: sha256(b) },
            ]);
      expect((await Promise.all([putFile(version.id, 'a.bin', a), putFile(version.id, 'b.bin', b)])).map((r) => r.status)).toEqual([
        201, 201,
      ]);
      expect(await artifactOf(version.id)).toMatchObject({ status: 'READY', sha256: rootOf({ 'a.bin': a, 'b.bin': b }) });
    }
  });

  test('taps see every uploaded byte as it streams in, and the hook receives their results in the recording transaction', async () => {
    const files = mlflowFolder();
    const watched = new Set<string>();
    const seen: Array<{ file: UploadedFile; outcomes: TapOutcome[]; inTransaction: boolean }> = [];
    t.services.artifacts.taps.add('test-digest', (file) => {
      if (!watched.has(file.versionId)) return null;
      const hash = createHash('sha256');
      let chunks = 0;
      return {
        write: async (chunk) => {
          chunks += 1;
          hash.update(chunk);
          await new Promise((resolve) => setImmediate(resolve)); // a tap that asks to be waited for
        },
        end: () => ({ sha256: hash.digest('hex'), chunks }),
      };
    });
    t.services.artifacts.taps.add('test-broken', (file) =>
      watched.has(file.versionId) && file.path === 'model.pkl'
        ? {
            write: () => {
              throw new Error('the tap broke');
            },
            end: () => 'never',
          }
        : null,
    );
    t.services.artifacts.fileUploaded.add(async (m, _caller, file, outcomes) => {
      if (!watched.has(file.versionId)) return;
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM artifact_files WHERE version_id = $1 AND status = 'READY'`, [
        file.versionId,
      ]);
      seen.push({ file, outcomes, inTransaction: n >= 1 && Boolean(m.queryRunner?.isTransactionActive) });
      if (file.path === 'refuse-me.bin') throw new DomainError(ErrorCode.BAD_USER_INPUT, 'the scanner refused it', { field: 'body' });
    });

    const version = await folder(Object.entries(files).map(([p, body]) => ({ path: p, sizeBytes: body.length, sha256: sha256(body) })));
    watched.add(version.id);
    for (const [p, body] of Object.entries(files)) expect((await putFile(version.id, p, body)).status).toBe(201);
    expect(seen.map((s) => [s.file.path, s.file.sha256, s.file.artifactStatus, s.inTransaction])).toEqual([
      ['MLmodel', sha256(files.MLmodel), 'PENDING_UPLOAD', true],
      ['conda.yaml', sha256(files['conda.yaml']), 'PENDING_UPLOAD', true],
      ['model.pkl', sha256(files['model.pkl']), 'READY', true],
    ]);
    // The registry's own tap (the scanner's, `scan`) comes first; the ones added here follow, in the order added.
    for (const { file, outcomes } of seen) {
      expect(outcomes.map((o) => o.tap)).toEqual(
        file.path === 'model.pkl' ? ['scan', 'test-digest', 'test-broken'] : ['scan', 'test-digest'],
      );
      expect(outcomes[1]).toEqual({ tap: 'test-digest', result: { sha256: file.sha256, chunks: expect.any(Number) } });
    }
    expect(seen[2].outcomes[2]).toEqual({ tap: 'test-broken', error: 'the tap broke' });

    // A hook that throws refuses the file: FAILED with its reason, nothing kept; a wrong upload never reaches it.
    const refused = Buffer.from('refuse me');
    const other = await folder([{ path: 'refuse-me.bin', sizeBytes: refused.length, sha256: sha256(refused) }]);
    watched.add(other.id);
    const answer = await putFile(other.id, 'refuse-me.bin', refused);
    expect([answer.status, ((await answer.json()) as { errors: Array<{ message: string }> }).errors[0].message]).toEqual([
      400,
      'the scanner refused it',
    ]);
    expect(await artifactOf(other.id)).toMatchObject({
      status: 'FAILED',
      failureReason: 'refuse-me.bin: not recorded: the scanner refused it',
    });
    await expect(fs.stat(path.join(artifactDir, other.artifactStoragePath, 'refuse-me.bin'))).rejects.toThrow();
    const before = seen.length;
    expect((await putFile(other.id, 'refuse-me.bin', Buffer.from('something else'))).status).toBe(400);
    expect(seen.length).toBe(before);
  });
});

describe('a 200 MB artifact', () => {
  const SIZE = 200 * 1024 * 1024;
  /**
   * Growth of what is kept alive that would mean the artifact is being held: half of it. Holding it would be +200 MB;
   * streaming it keeps only what is in flight, which on this 2-core machine is 15 to 50 MB, and once, in a CI run under
   * Node 24 with the other jest worker busy (upload at 47 MB/s), 65.5 MB: the in-flight buffers of the client, the
   * server and the download, all in this one process, not the artifact.
   */
  const BOUND = SIZE / 2;
  /** SIZE bytes made as they are read, 1 MB at a time: the client never holds the artifact either. */
  const generated = () => {
    let sent = 0;
    return new Readable({
      read() {
        if (sent >= SIZE) return void this.push(null);
        const chunk = Buffer.alloc(1024 * 1024, sent % 251);
        chunk.writeUInt32BE(sent / (1024 * 1024), 0);
        sent += chunk.length;
        this.push(chunk);
      },
    });
  };

  test('streams in and out with the server’s memory flat', async () => {
    const digest = createHash('sha256');
    for await (const chunk of generated()) digest.update(chunk as Buffer);
    const expected = digest.digest('hex');
    const version = await pendingVersion({ sha256: expected, sizeBytes: SIZE });
    // What JavaScript keeps alive (heap and Buffers) is what buffering an upload would grow; RSS is printed beside
    // it. Garbage not yet collected is not kept alive: a sample over the bound is taken again after a full
    // collection (rare, so the collections do not slow the run), and only what survives it counts.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    gc();
    const baseline = used();
    const held = () => {
      const now = used();
      if (now - baseline < BOUND) return now;
      gc();
      return used();
    };
    // The same reference for the check as for the collection above: measured again a moment later, it could read a
    // few KB lower (a minor collection) and a sample just under the bound would then count as just over it.
    const before = { held: baseline, rss: process.memoryUsage().rss };
    const peak = { ...before };
    const sampler = setInterval(() => {
      peak.held = Math.max(peak.held, held());
      peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
    }, 20);
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${t.baseUrl}/artifacts/${version.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-length': String(SIZE) },
      });
      request.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      request.on('error', reject);
      generated().pipe(request);
    });
    const uploadSeconds = (Date.now() - started) / 1000;
    expect(status).toBe(201);
    const downloaded = createHash('sha256');
    let bytes = 0;
    const res = await get(version.id);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      downloaded.update(chunk);
      bytes += chunk.length;
    }
    clearInterval(sampler);
    expect(bytes).toBe(SIZE);
    expect(downloaded.digest('hex')).toBe(expected);
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    // Client and server share this process: whatever either held would show; the 200 MB held would be +200 MB here.
    console.log(
      `200 MB artifact: upload ${uploadSeconds.toFixed(1)} s (${(200 / uploadSeconds).toFixed(0)} MB/s); heap + buffers ` +
        `${mb(before.held)} MB before, peak ${mb(peak.held)} MB (+${mb(peak.held - before.held)}); RSS ${mb(before.rss)} MB, peak ${mb(peak.rss)} MB`,
    );
    expect(peak.held - before.held).toBeLessThan(BOUND);
  });
});
