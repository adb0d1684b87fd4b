/**
 * The reference rule for artifacts and the framing of downloads, one suite for every store (the filesystem and S3
 * e2e tests run it against their own): a by-reference artifact names only an object of its own model, a row from
 * before the rule that names another model's object is never served, verified, moved or deleted, and a download's
 * Content-Length is the stored object's, never the declared size.
 */
import { createHash } from 'node:crypto';
import { Role } from '../../src/common/role';
import { CreateModelDocument, GrantAccessDocument, RegisterModelVersionDocument, VerifyArtifactDocument } from '../generated/graphql';
import { modelName, registration } from './fixtures';
import { onOneConnection } from './raw-http';
import { errorCode, ok, type TestServer } from './server';

export interface ReferenceStore {
  /** A server with MODELGRAPH_VISIBILITY=granted over this store. */
  t: TestServer;
  /** The URI of a key of the store, as a client would write it (file://…, s3://<bucket>/<prefix>…). */
  uriOf(key: string): string;
  /** Writes an object into the store behind the registry's back (a pipeline, an operator). */
  place(key: string, body: Buffer): Promise<void>;
  /** The object's bytes, null when there is none. */
  read(key: string): Promise<Buffer | null>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ZEROS = '0'.repeat(64);

export function referenceRuleTests(store: () => ReferenceStore): void {
  let t: TestServer;
  let alpha: string;
  let bravo: string;
  let contributor: string; // CONTRIBUTE on alpha only
  let viewer: string; // VIEW on alpha only
  let bravoVersion: string;
  const bravoBytes = Buffer.from('bravo’s weights, which alpha’s team may not read '.repeat(20));
  const bravoKey = () => `models/${bravo}/1/artifact`;

  beforeAll(async () => {
    ({ t } = store());
    const create = async (prefix: string) =>
      ok(await t.request(CreateModelDocument, { input: { name: modelName(prefix), owner: 'ml' } })).createModel.model.id;
    alpha = await create('alpha');
    bravo = await create('bravo');
    contributor = await t.tokenFor(Role.VIEWER, 'alpha-pipeline');
    viewer = await t.tokenFor(Role.VIEWER, 'alpha-reader');
    ok(await t.request(GrantAccessDocument, { input: { modelId: alpha, subject: 'alpha-pipeline', level: 'CONTRIBUTE' } }));
    ok(await t.request(GrantAccessDocument, { input: { modelId: alpha, subject: 'alpha-reader', level: 'VIEW' } }));
    bravoVersion = ok(
      await t.request(RegisterModelVersionDocument, {
        input: registration({ modelId: bravo, artifact: { format: 'ONNX', sha256: sha256(bravoBytes), sizeBytes: bravoBytes.length } }),
      }),
    ).registerModelVersion.version.id;
    const put = await fetch(`${t.baseUrl}/artifacts/${bravoVersion}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body: bravoBytes,
    });
    expect(put.status).toBe(201);
    expect(await store().read(bravoKey())).toEqual(bravoBytes);
  });

  const register = (artifact: { uri?: string; sha256: string; sizeBytes: number }, token = contributor) =>
    t.request(RegisterModelVersionDocument, { input: registration({ modelId: alpha, artifact: { format: 'ONNX', ...artifact } }) }, token);
  const download = (versionId: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}/artifacts/${versionId}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  test('a reference to another model’s object is refused at registration, naming the rule; so is the rest of the store', async () => {
    const { uriOf } = store();
    const refused = await register({ uri: uriOf(bravoKey()), sha256: ZEROS, sizeBytes: 5000 });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions!.field).toBe('artifact.uri');
    expect(refused.errors![0].message).toContain(`models/${alpha}/`);
    expect(refused.errors![0].message).toContain('version');
    for (const key of [
      `models/${alpha}/1/artifact`, // a version's own folder: a later upload would overwrite it
      `models/${alpha}/7/artifact`, // one that does not exist yet, likewise
      `cold/models/${alpha}/imports/model.onnx`,
      'imports/model.onnx',
      `models/${alpha}/imports/../../${bravo}/1/artifact`,
    ]) {
      const answer = await register({ uri: uriOf(key), sha256: ZEROS, sizeBytes: 5000 });
      expect([key, errorCode(answer), answer.errors![0].extensions!.field]).toEqual([key, 'BAD_USER_INPUT', 'artifact.uri']);
    }

    // Its own model's folder, outside the version folders: allowed, served, and only once.
    const own = Buffer.from('alpha’s weights, placed by its pipeline');
    await store().place(`models/${alpha}/imports/model.onnx`, own);
    const first = ok(await register({ uri: uriOf(`models/${alpha}/imports/model.onnx`), sha256: sha256(own), sizeBytes: own.length }))
      .registerModelVersion.version;
    expect(first.artifact.status).toBe('READY');
    const served = await download(first.id, viewer);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(own);
    const twice = await register({ uri: uriOf(`models/${alpha}/imports/model.onnx`), sha256: sha256(own), sizeBytes: own.length });
    expect(errorCode(twice)).toBe('CONFLICT');
    expect(twice.errors![0].message).toContain(`version ${first.version}`);
    expect(twice.errors![0].extensions).toMatchObject({ field: 'artifact.uri', versionId: first.id });

    // Outside the store: allowed as before, and never served.
    const elsewhere = ok(await register({ uri: 's3://another-bucket/model.onnx', sha256: ZEROS, sizeBytes: 5000 })).registerModelVersion;
    expect((await download(elsewhere.version.id, viewer)).status).toBe(404);
  });

  test('a row from before the rule that names another model’s object is neither served nor verified', async () => {
    const { uriOf } = store();
    const { version } = ok(await register({ uri: 's3://another-bucket/old.onnx', sha256: ZEROS, sizeBytes: 5000 })).registerModelVersion;
    await t.database.db.query('UPDATE model_versions SET artifact_source_uri = $2 WHERE id = $1', [version.id, uriOf(bravoKey())]);
    for (const token of [contributor, viewer]) {
      const answer = await download(version.id, token);
      const body = Buffer.from(await answer.arrayBuffer());
      expect([answer.status, body.includes(bravoBytes.subarray(0, 20))]).toEqual([404, false]);
    }
    const verified = await t.request(VerifyArtifactDocument, { input: { versionId: version.id } }, contributor);
    expect(errorCode(verified)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(verified)).not.toContain(sha256(bravoBytes));
    // Bravo's own version is untouched and still served to whoever may see bravo.
    expect(await store().read(bravoKey())).toEqual(bravoBytes);
    expect((await download(bravoVersion, contributor)).status).toBe(404);
    expect((await download(bravoVersion, t.adminToken)).status).toBe(200);
  });

  test('the object as stored frames the answer, not the declared size; a mismatch is refused and the connection stays in step', async () => {
    const { uriOf } = store();
    const bytes = Buffer.alloc(300, 'x');
    await store().place(`models/${alpha}/imports/small-said.onnx`, bytes);
    const { version } = ok(
      await register({ uri: uriOf(`models/${alpha}/imports/small-said.onnx`), sha256: sha256(bytes), sizeBytes: 1 }),
    ).registerModelVersion;
    const auth = { authorization: `Bearer ${viewer}` };
    const mismatch = await onOneConnection(t.baseUrl, [`/artifacts/${version.id}`, '/healthz'], auth);
    expect(mismatch.responses.map((r) => r.status)).toEqual([409, 200]);
    expect(mismatch.trailing.length).toBe(0);
    expect(JSON.parse(mismatch.responses[0].body.toString()).errors[0]).toMatchObject({
      message: expect.stringContaining('no longer matches its record'),
      extensions: { code: 'CONFLICT' },
    });
    // A download marks nothing: verifyArtifact does, and says why.
    expect(ok(await t.request(VerifyArtifactDocument, { input: { versionId: version.id } }, contributor)).verifyArtifact).toMatchObject({
      verified: false,
      status: 'FAILED',
      detail: '300 bytes are stored, 1 are recorded',
    });

    // An upload whose object was replaced in the store by a longer one: refused the same way, whole or by range.
    const small = Buffer.from('nine byte');
    const uploaded = ok(await register({ sha256: sha256(small), sizeBytes: small.length })).registerModelVersion;
    const put = await fetch(`${t.baseUrl}/artifacts/${uploaded.version.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${contributor}` },
      body: small,
    });
    expect(put.status).toBe(201);
    await store().place(`${uploaded.storagePath}artifact`, bytes);
    const replaced = await onOneConnection(t.baseUrl, [`/artifacts/${uploaded.version.id}`, '/healthz'], auth);
    expect([replaced.responses.map((r) => r.status), replaced.trailing.length]).toEqual([[409, 200], 0]);
    const ranged = await onOneConnection(t.baseUrl, [`/artifacts/${uploaded.version.id}`, '/healthz'], { ...auth, range: 'bytes=2-5' });
    expect([ranged.responses.map((r) => r.status), ranged.trailing.length]).toEqual([[409, 200], 0]);

    // An object that matches: its own length, whole and by range, and the next answer right behind it.
    await store().place(`models/${alpha}/imports/right.onnx`, bytes);
    const right = ok(await register({ uri: uriOf(`models/${alpha}/imports/right.onnx`), sha256: sha256(bytes), sizeBytes: bytes.length }))
      .registerModelVersion.version;
    const whole = await onOneConnection(t.baseUrl, [`/artifacts/${right.id}`, '/healthz'], auth);
    expect([whole.responses.map((r) => r.status), whole.responses[0].headers['content-length'], whole.trailing.length]).toEqual([
      [200, 200],
      '300',
      0,
    ]);
    expect(whole.responses[0].body).toEqual(bytes);
    const part = await onOneConnection(t.baseUrl, [`/artifacts/${right.id}`, '/healthz'], { ...auth, range: 'bytes=10-19' });
    expect([part.responses.map((r) => r.status), part.responses[0].headers['content-range'], part.responses[0].body.length]).toEqual([
      [206, 200],
      'bytes 10-19/300',
      10,
    ]);
  });

  test('the artifact worker never moves or deletes another model’s object, even for a job queued before the rule', async () => {
    const { uriOf } = store();
    const legacy = async () => {
      const { version } = ok(await register({ uri: 's3://another-bucket/old.onnx', sha256: ZEROS, sizeBytes: 5000 })).registerModelVersion;
      await t.database.db.query('UPDATE model_versions SET artifact_source_uri = $2 WHERE id = $1', [version.id, uriOf(bravoKey())]);
      return version.id;
    };
    const jobs: string[] = [];
    for (const action of ['DELETE', 'MOVE_TO_COLD']) {
      const versionId = await legacy();
      const [job] = await t.database.db.query(
        `INSERT INTO artifact_jobs (version_id, model_id, action, store_key, requested_by) VALUES ($1, $2, $3, $4, 'admin') RETURNING id`,
        [versionId, alpha, action, bravoKey()],
      );
      jobs.push(job.id);
    }
    // The server's own worker runs too: whichever claims a job, wait until both are closed.
    const deadline = Date.now() + 15_000;
    const open = async () =>
      (await t.database.db.query('SELECT count(*)::int AS n FROM artifact_jobs WHERE id = ANY($1) AND done_at IS NULL', [jobs]))[0].n;
    while ((await open()) > 0 && Date.now() < deadline) await t.services.artifactWorker.runOnce();
    expect(await open()).toBe(0);
    expect(await store().read(bravoKey())).toEqual(bravoBytes);
    expect(await store().read(`cold/${bravoKey()}`)).toBeNull();
    const closed = await t.database.db.query(
      `SELECT j.last_error, v.artifact_status FROM artifact_jobs j JOIN model_versions v ON v.id = j.version_id WHERE j.id = ANY($1)`,
      [jobs],
    );
    for (const row of closed) {
      expect(row.artifact_status).toBe('READY');
      expect(row.last_error).toContain(`models/${alpha}/`);
    }
    const refusals = await t.database.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'artifact.job_refused' AND model_id = $1`,
      [alpha],
    );
    expect(refusals[0].n).toBe(2);
    expect((await fetch(`${t.baseUrl}/artifacts/${bravoVersion}`, { headers: { authorization: `Bearer ${t.adminToken}` } })).status).toBe(
      200,
    );
  });
}
