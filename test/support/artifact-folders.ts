/**
 * A model folder in the artifact store, one suite for every store (the filesystem and S3 e2e tests run it against
 * their own): a folder uploaded file by file and READY only after the last, each file served whole and by range
 * with its own digest, a wrong file FAILED alone and uploaded again, verification file by file, and the artifact
 * worker and restoreArtifact moving every file of the folder.
 */
import { createHash } from 'node:crypto';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import { ArtifactFilesDocument, RegisterModelVersionDocument, RestoreArtifactDocument, VerifyArtifactDocument } from '../generated/graphql';
import { modelName, registration } from './fixtures';
import { errorCode, ok, type TestServer } from './server';

export interface FolderStore {
  t: TestServer;
  /** Writes an object into the store behind the registry's back. */
  place(key: string, body: Buffer): Promise<void>;
  /** The object's bytes, null when there is none. */
  read(key: string): Promise<Buffer | null>;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** The OMS root digest, computed here on its own: sha256 over the raw file digests in the byte order of their paths. */
export const rootOf = (files: Record<string, Buffer>): string =>
  sha256(
    Buffer.concat(
      Object.keys(files)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .map((p) => Buffer.from(sha256(files[p]), 'hex')),
    ),
  );

/** An MLflow model, more or less: its MLmodel, its environment and its pickle. */
export const mlflowFolder = (): Record<string, Buffer> => ({
  MLmodel: Buffer.from(
    'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\n',
  ),
  'conda.yaml': Buffer.from('channels: [conda-forge]\ndependencies: [python=3.11.9, scikit-learn=1.5.2]\n'),
  'model.pkl': Buffer.concat([Buffer.from([0x80, 0x05]), Buffer.alloc(3000, 0x2a), Buffer.from('.')]),
});

interface UploadAnswer {
  versionId: string;
  path: string;
  status: string;
  sha256: string;
  sizeBytes: number;
  artifact: { status: string; sha256: string | null; sizeBytes: number | null };
}

export function folderTests(store: () => FolderStore): void {
  let t: TestServer;
  let modelId: string;
  beforeAll(async () => {
    ({ t } = store());
    modelId = (await t.services.models.create(SYSTEM_CALLER, { name: modelName('folder'), owner: 'ml' })).id;
  });

  /** Registers a folder of these files (declaring the digests of those in `declare`, all by default). */
  const register = async (files: Record<string, Buffer>, declare: string[] = Object.keys(files)) =>
    ok(
      await t.request(RegisterModelVersionDocument, {
        input: registration({
          modelId,
          artifact: {
            format: 'PICKLE',
            files: Object.entries(files).map(([path, body]) => ({
              path,
              sizeBytes: body.length,
              ...(declare.includes(path) ? { sha256: sha256(body) } : {}),
            })),
          },
        }),
      }),
    ).registerModelVersion;
  const url = (versionId: string, path?: string) =>
    `${t.baseUrl}/artifacts/${versionId}${path === undefined ? '' : `/${path.split('/').map(encodeURIComponent).join('/')}`}`;
  const put = (versionId: string, path: string | undefined, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(url(versionId, path), { method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}`, ...headers }, body });
  const get = (versionId: string, path?: string, headers: Record<string, string> = {}) =>
    fetch(url(versionId, path), { headers: { authorization: `Bearer ${t.adminToken}`, ...headers } });
  const filesOf = async (versionId: string, first?: number, after?: string) =>
    ok(await t.request(ArtifactFilesDocument, { id: versionId, first, after })).modelVersion!.artifact;
  /** Uploads every file, in the order given, expecting each to be taken. */
  const uploadAll = async (versionId: string, files: Record<string, Buffer>) => {
    for (const [path, body] of Object.entries(files)) expect([path, (await put(versionId, path, body)).status]).toEqual([path, 201]);
  };

  test('three files uploaded one by one: READY only after the last; each served whole and by range with its own digest', async () => {
    const files = mlflowFolder();
    const total = Object.values(files).reduce((n, b) => n + b.length, 0);
    // conda.yaml's digest is declared by its upload, not at registration: the folder's digest waits for it.
    const { version, storagePath } = await register(files, ['MLmodel', 'model.pkl']);
    expect(version.artifact).toMatchObject({ status: 'PENDING_UPLOAD', sha256: null, sizeBytes: total });

    const first = await put(version.id, 'MLmodel', files.MLmodel);
    expect([first.status, await first.json()]).toEqual([
      201,
      {
        versionId: version.id,
        path: 'MLmodel',
        status: 'READY',
        sha256: sha256(files.MLmodel),
        sizeBytes: files.MLmodel.length,
        artifact: { status: 'PENDING_UPLOAD', sha256: null, sizeBytes: total },
      },
    ]);
    expect((await get(version.id, 'MLmodel')).status).toBe(409); // the artifact is not READY yet
    expect((await put(version.id, 'MLmodel', files.MLmodel)).status).toBe(409); // a READY file is never replaced
    const undeclared = await put(version.id, 'conda.yaml', files['conda.yaml']);
    expect([
      undeclared.status,
      ((await undeclared.json()) as { errors: Array<{ extensions: { field: string } }> }).errors[0].extensions.field,
    ]).toEqual([400, 'x-artifact-sha256']);
    expect((await put(version.id, 'conda.yaml', files['conda.yaml'], { 'x-artifact-sha256': sha256(files['conda.yaml']) })).status).toBe(
      201,
    );
    expect((await filesOf(version.id)).status).toBe('PENDING_UPLOAD');

    const last = (await (await put(version.id, 'model.pkl', files['model.pkl'])).json()) as UploadAnswer;
    expect(last.artifact).toEqual({ status: 'READY', sha256: rootOf(files), sizeBytes: total });
    const listed = await filesOf(version.id);
    expect(listed.files.totalCount).toBe(3);
    expect(listed.files.edges.map((e) => [e.node.path, e.node.status, e.node.sha256, e.node.sizeBytes])).toEqual(
      ['MLmodel', 'conda.yaml', 'model.pkl'].map((p) => [p, 'READY', sha256(files[p]), files[p].length]),
    );

    for (const [path, body] of Object.entries(files)) {
      expect(await store().read(`${storagePath}${path}`)).toEqual(body);
      const whole = await get(version.id, path);
      expect([path, whole.status, whole.headers.get('x-artifact-sha256'), whole.headers.get('etag')]).toEqual([
        path,
        200,
        sha256(body),
        `"${sha256(body)}"`,
      ]);
      expect(whole.headers.get('content-disposition')).toContain(`filename="${path}"`);
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(body);
      const part = await get(version.id, path, { range: 'bytes=2-9' });
      expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 2-9/${body.length}`]);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(body.subarray(2, 10));
      const tail = await get(version.id, path, { range: 'bytes=-4' });
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(body.subarray(body.length - 4));
      expect((await get(version.id, path, { range: `bytes=${body.length}-` })).status).toBe(416);
    }
    // A folder of several files is asked for file by file; a file it does not have is not found.
    const whole = await get(version.id);
    expect([
      whole.status,
      ((await whole.json()) as { errors: Array<{ extensions: { field: string } }> }).errors[0].extensions.field,
    ]).toEqual([400, 'path']);
    expect((await get(version.id, 'weights.bin')).status).toBe(404);
    expect((await put(version.id, 'model.pkl', files['model.pkl'])).status).toBe(409);

    // The audit trail: the manifest as registered, then one upload event per file, the last one naming the folder's digest.
    const [registered] = await t.database.db.query(
      `SELECT payload FROM audit_events WHERE action = 'version.registered' AND subject_id = $1`,
      [version.id],
    );
    expect(registered.payload.after.artifactFiles).toEqual([
      { path: 'MLmodel', sizeBytes: files.MLmodel.length, sha256: sha256(files.MLmodel) },
      { path: 'conda.yaml', sizeBytes: files['conda.yaml'].length, sha256: null },
      { path: 'model.pkl', sizeBytes: files['model.pkl'].length, sha256: sha256(files['model.pkl']) },
    ]);
    const uploads = await t.database.db.query(
      `SELECT payload FROM audit_events WHERE action = 'artifact.uploaded' AND subject_id = $1 ORDER BY seq`,
      [version.id],
    );
    expect(uploads.map((u: { payload: { path: string; artifactStatus: string } }) => [u.payload.path, u.payload.artifactStatus])).toEqual([
      ['MLmodel', 'PENDING_UPLOAD'],
      ['conda.yaml', 'PENDING_UPLOAD'],
      ['model.pkl', 'READY'],
    ]);
    expect(uploads[2].payload.artifactSha256).toBe(rootOf(files));
  });

  test('a file whose digest does not match: that file FAILED with the reason and nothing kept, the folder not READY; uploaded again, READY', async () => {
    const files = { 'config.json': Buffer.from('{"model_type": "bert"}'), 'weights/model.safetensors': Buffer.alloc(5000, 7) };
    const { version, storagePath } = await register(files);
    expect(version.artifact.sha256).toBe(rootOf(files)); // every digest declared: known at registration
    await uploadAll(version.id, { 'config.json': files['config.json'] });
    const wrong = await put(version.id, 'weights/model.safetensors', Buffer.alloc(5000, 8));
    expect(wrong.status).toBe(400);
    const error = ((await wrong.json()) as { errors: Array<{ message: string; extensions: unknown }> }).errors[0];
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(error.message).toContain('weights/model.safetensors refused: the sha256 of what arrived is');
    const failed = await filesOf(version.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.files.edges.map((e) => [e.node.path, e.node.status])).toEqual([
      ['config.json', 'READY'],
      ['weights/model.safetensors', 'FAILED'],
    ]);
    expect(failed.files.edges[1].node.failureReason).toContain(`${sha256(files['weights/model.safetensors'])} was declared`);
    expect(await store().read(`${storagePath}weights/model.safetensors`)).toBeNull();
    expect(await store().read(`${storagePath}config.json`)).toEqual(files['config.json']);
    expect((await get(version.id, 'config.json')).status).toBe(409); // not served until the folder is READY

    await uploadAll(version.id, { 'weights/model.safetensors': files['weights/model.safetensors'] });
    expect(await filesOf(version.id)).toMatchObject({ status: 'READY' });
    expect(Buffer.from(await (await get(version.id, 'weights/model.safetensors')).arrayBuffer())).toEqual(
      files['weights/model.safetensors'],
    );
  });

  test('verifyArtifact reads every file again: one changed in the store fails alone, and so does the folder', async () => {
    const files = mlflowFolder();
    const { version, storagePath } = await register(files);
    await uploadAll(version.id, files);
    const verify = async () => ok(await t.request(VerifyArtifactDocument, { input: { versionId: version.id } })).verifyArtifact;
    expect(await verify()).toMatchObject({
      verified: true,
      status: 'READY',
      sha256: rootOf(files),
      filesChecked: 3,
      filesFailed: 0,
      failures: [],
      detail: 'all 3 files match their recorded sha256 and size',
    });

    await store().place(`${storagePath}conda.yaml`, Buffer.from('dependencies: [python=3.11.9, scikit-learn=1.5.2, requests]\n'));
    // A download is framed by the object as stored: one whose size is no longer the recorded one is not served.
    const framed = await get(version.id, 'conda.yaml');
    expect([framed.status, await framed.text()]).toEqual([409, expect.stringContaining('no longer matches its record')]);
    const bad = await verify();
    expect(bad).toMatchObject({ verified: false, status: 'FAILED', filesChecked: 3, filesFailed: 1 });
    expect(bad.failures).toEqual([
      {
        path: 'conda.yaml',
        verified: false,
        sha256: expect.any(String),
        sizeBytes: expect.any(Number),
        detail: expect.stringContaining('is recorded'),
      },
    ]);
    expect(bad.detail).toMatch(/^1 of 3 files do not match: conda\.yaml: /);
    const listed = await filesOf(version.id);
    expect(listed.files.edges.map((e) => [e.node.path, e.node.status])).toEqual([
      ['MLmodel', 'READY'],
      ['conda.yaml', 'FAILED'],
      ['model.pkl', 'READY'],
    ]);
    expect((await get(version.id, 'MLmodel')).status).toBe(409);

    await store().place(`${storagePath}conda.yaml`, files['conda.yaml']);
    expect(await verify()).toMatchObject({ verified: true, status: 'READY', filesFailed: 0 });
    expect((await get(version.id, 'conda.yaml')).status).toBe(200);
  });

  test('files pages through the manifest by path, in byte order', async () => {
    const files = Object.fromEntries(['b', 'B', 'a/z', 'é', '~', 'a/b'].map((p) => [p, Buffer.from(p)]));
    const { version } = await register(files, []);
    const first = await filesOf(version.id, 4);
    expect(first.files.edges.map((e) => e.node.path)).toEqual(['B', 'a/b', 'a/z', 'b']);
    expect([first.files.totalCount, first.files.pageInfo.hasNextPage]).toEqual([6, true]);
    const rest = await filesOf(version.id, 4, first.files.pageInfo.endCursor!);
    expect(rest.files.edges.map((e) => e.node.path)).toEqual(['~', 'é']);
    expect(rest.files.pageInfo.hasNextPage).toBe(false);
  });

  test('the artifact worker moves every file to cold storage, restoreArtifact brings every file back, a deletion removes every file', async () => {
    const files = mlflowFolder();
    const { version, storagePath } = await register(files);
    await uploadAll(version.id, files);
    const job = async (action: 'MOVE_TO_COLD' | 'DELETE') => {
      const [row] = await t.database.db.query(
        `INSERT INTO artifact_jobs (version_id, model_id, action, store_key, requested_by) VALUES ($1, $2, $3, $4, 'admin') RETURNING id`,
        [version.id, modelId, action, storagePath],
      );
      // The server's own worker may be running too: whichever claims the job, wait until it is done.
      const deadline = Date.now() + 15_000;
      const open = async () => (await t.database.db.query('SELECT done_at, last_error FROM artifact_jobs WHERE id = $1', [row.id]))[0];
      while (!(await open()).done_at && Date.now() < deadline) await t.services.artifactWorker.runOnce();
      expect(await open()).toMatchObject({ done_at: expect.any(Date), last_error: null });
    };

    await job('MOVE_TO_COLD');
    const cold = await filesOf(version.id);
    expect([cold.status, cold.files.edges.map((e) => e.node.status)]).toEqual(['COLD', ['COLD', 'COLD', 'COLD']]);
    for (const [path, body] of Object.entries(files)) {
      expect([path, await store().read(`${storagePath}${path}`), await store().read(`cold/${storagePath}${path}`)]).toEqual([
        path,
        null,
        body,
      ]);
    }
    expect((await get(version.id, 'model.pkl')).status).toBe(409);

    expect(ok(await t.request(RestoreArtifactDocument, { input: { versionId: version.id } })).restoreArtifact.status).toBe('READY');
    for (const [path, body] of Object.entries(files)) {
      expect([path, await store().read(`${storagePath}${path}`), await store().read(`cold/${storagePath}${path}`)]).toEqual([
        path,
        body,
        null,
      ]);
    }
    expect(Buffer.from(await (await get(version.id, 'model.pkl')).arrayBuffer())).toEqual(files['model.pkl']);
    expect(errorCode(await t.request(RestoreArtifactDocument, { input: { versionId: version.id } }))).toBe('CONFLICT');

    await job('DELETE');
    const deleted = await filesOf(version.id);
    expect([deleted.status, deleted.files.edges.map((e) => e.node.status)]).toEqual(['DELETED', ['DELETED', 'DELETED', 'DELETED']]);
    for (const path of Object.keys(files)) expect(await store().read(`${storagePath}${path}`)).toBeNull();
    const events = await t.database.db.query(
      `SELECT action, payload FROM audit_events WHERE subject_id = $1 AND action IN ('artifact.moved_to_cold', 'artifact.restored', 'artifact.deleted') ORDER BY seq`,
      [version.id],
    );
    expect(events.map((e: { action: string; payload: { files: number } }) => [e.action, e.payload.files])).toEqual([
      ['artifact.moved_to_cold', 3],
      ['artifact.restored', 3],
      ['artifact.deleted', 3],
    ]);
  });
}
