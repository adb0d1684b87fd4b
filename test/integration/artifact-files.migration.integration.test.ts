/**
 * The artifact-files migration on a database holding versions from before it: the database is taken back to the
 * schema before it (its `down`), versions are written as the registry then wrote them (an upload READY, one FAILED,
 * one being uploaded, a reference, one in cold storage, one waiting), and `up` makes each a folder of one whose
 * file carries what the version had. Then the registry serves, verifies, restores and takes uploads of them as before.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { QueryRunner } from 'typeorm';
import { Role } from '../../src/common/role';
import { createServices, type Services } from '../../src/composition';
import { ArtifactFiles1765000000000 } from '../../src/db/migrations/1765000000000-artifact-files';
import { ArtifactScans1765200000000 } from '../../src/db/migrations/1765200000000-artifact-scans';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName, SHA } from '../support/fixtures';
import { caller } from '../support/lifecycle';

let t: TestDatabase;
let s: Services;
let dir: string;
const admin = caller('admin', Role.ADMIN);
const migration = new ArtifactFiles1765000000000();
/** A later migration whose table refers to artifact_files: taken down first and put back after, as a rollback would. */
const scans = new ArtifactScans1765200000000();
/** The migration runs as the database's owner, as at start-up. */
const owner = () => ({ query: (sql: string, params?: unknown[]) => t.asOwner(sql, params) }) as unknown as QueryRunner;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-artifact-files-migration-'));
  s = createServices(t.db, { artifacts: { store: 'filesystem', directory: dir, maxBytes: 1024 ** 3 } });
});
afterAll(async () => {
  await t.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

test('versions from before become folders of one, and are served, verified, restored and uploaded as before', async () => {
  await scans.down(owner());
  await migration.down(owner());
  expect(await t.asOwner(`SELECT to_regclass('artifact_files') AS t`)).toEqual([{ t: null }]);

  const model = await s.models.create(admin, { name: modelName('legacy'), owner: 'ml' });
  const bytes = (n: number) => Buffer.from(`the weights of legacy version ${n} `.repeat(40));
  const place = async (key: string, body: Buffer) => {
    await fs.mkdir(path.dirname(path.join(dir, key)), { recursive: true });
    await fs.writeFile(path.join(dir, key), body);
  };
  // As the registry wrote them before: the artifact's columns on the version, the upload's lease too.
  const legacy = async (n: number, columns: Record<string, unknown>) => {
    const row = {
      model_id: model.id,
      version: n,
      code_repo: 'https://github.com/acme/legacy',
      code_commit: 'a'.repeat(40),
      artifact_format: 'ONNX',
      artifact_storage_path: `models/${model.id}/${n}/`,
      created_by: 'ci',
      ...columns,
    };
    const names = Object.keys(row);
    const [{ id }] = await t.asOwner(
      `INSERT INTO model_versions (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(row),
    );
    return id as string;
  };
  const ready = await legacy(1, {
    artifact_status: 'READY',
    artifact_sha256: sha256(bytes(1)),
    artifact_size_bytes: bytes(1).length,
    artifact_verified_at: new Date('2026-01-02T03:04:05Z'),
  });
  await place(`models/${model.id}/1/artifact`, bytes(1));
  const failed = await legacy(2, {
    artifact_status: 'FAILED',
    artifact_sha256: sha256(bytes(2)),
    artifact_failure_reason: '3 bytes arrived, 1320 were declared',
  });
  const uploading = await legacy(3, {
    artifact_status: 'PENDING_UPLOAD',
    artifact_sha256: sha256(bytes(3)),
    artifact_upload_id: '00000000-0000-4000-8000-000000000003',
    artifact_upload_started_at: new Date(),
  });
  const referenced = await legacy(4, {
    artifact_status: 'READY',
    artifact_source_uri: 's3://elsewhere/legacy.onnx',
    artifact_sha256: SHA('c'),
    artifact_size_bytes: 4096,
  });
  const cold = await legacy(5, { artifact_status: 'COLD', artifact_sha256: sha256(bytes(5)), artifact_size_bytes: bytes(5).length });
  await place(`cold/models/${model.id}/5/artifact`, bytes(5));
  const waiting = await legacy(6, { artifact_status: 'PENDING_UPLOAD' });
  await t.asOwner('UPDATE registered_models SET version_counter = 6 WHERE id = $1', [model.id]);

  await migration.up(owner());
  await scans.up(owner());
  // The server's login gets its grants on the new tables after the migrations, as at start-up (grantServerRole).
  await t.asOwner(`GRANT SELECT, INSERT, UPDATE, DELETE ON artifact_files, artifact_scans TO ${process.env.MODELGRAPH_TEST_SERVER}`);

  const files = await t.db.query(
    `SELECT v.version, v.artifact_layout AS layout, f.path, f.size_bytes::int AS size, f.sha256, f.status, f.failure_reason AS reason,
       f.upload_id IS NOT NULL AS uploading, f.verified_at AS verified
     FROM artifact_files f JOIN model_versions v ON v.id = f.version_id WHERE v.model_id = $1 ORDER BY v.version`,
    [model.id],
  );
  const file = (version: number, rest: Record<string, unknown>) => ({
    version,
    layout: 'FILE',
    path: 'artifact',
    size: null,
    sha256: null,
    reason: null,
    uploading: false,
    verified: null,
    ...rest,
  });
  expect(files).toEqual([
    file(1, { size: bytes(1).length, sha256: sha256(bytes(1)), status: 'READY', verified: new Date('2026-01-02T03:04:05Z') }),
    file(2, { sha256: sha256(bytes(2)), status: 'FAILED', reason: '3 bytes arrived, 1320 were declared' }),
    file(3, { sha256: sha256(bytes(3)), status: 'PENDING_UPLOAD', uploading: true }),
    file(4, { size: 4096, sha256: SHA('c'), status: 'READY' }),
    file(5, { size: bytes(5).length, sha256: sha256(bytes(5)), status: 'COLD' }),
    file(6, { status: 'PENDING_UPLOAD' }),
  ]);
  const leases = await t.asOwner(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'model_versions' AND column_name LIKE 'artifact_upload%'`,
  );
  expect(leases).toEqual([]); // the lease is the file's now

  // Served and verified as before.
  const out = await s.artifacts.download(admin, ready, () => null);
  expect(out.unsatisfiable).toBe(false);
  if (!out.unsatisfiable) {
    const chunks: Buffer[] = [];
    for await (const chunk of out.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes(1));
  }
  expect(await s.artifacts.verify(admin, ready)).toMatchObject({
    verified: true,
    status: 'READY',
    sha256: sha256(bytes(1)),
    filesChecked: 1,
  });
  // A FAILED upload may be uploaded again; one in progress still holds its lease; one waiting takes its upload.
  await s.artifacts.upload(admin, failed, Readable.from([bytes(2)]), { sha256: null, sizeBytes: null });
  await expect(s.artifacts.upload(admin, uploading, Readable.from([bytes(3)]), { sha256: null, sizeBytes: null })).rejects.toMatchObject({
    code: 'CONFLICT',
    message: 'another upload of this artifact is in progress',
  });
  const answer = await s.artifacts.upload(admin, waiting, Readable.from([bytes(6)]), { sha256: sha256(bytes(6)), sizeBytes: null });
  expect(answer.version).toMatchObject({
    artifactStatus: 'READY',
    artifactSha256: sha256(bytes(6)),
    artifactSizeBytes: String(bytes(6).length),
  });
  // A reference outside the store is left alone; a cold one comes back.
  await expect(s.artifacts.verify(admin, referenced)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(await s.artifacts.restore(admin, cold)).toEqual({ versionId: cold, status: 'READY' });
  expect(await fs.readFile(path.join(dir, `models/${model.id}/5/artifact`))).toEqual(bytes(5));
  const after = await t.db.query('SELECT version, artifact_status AS status FROM model_versions WHERE model_id = $1 ORDER BY version', [
    model.id,
  ]);
  expect(after.map((r: { status: string }) => r.status)).toEqual(['READY', 'READY', 'PENDING_UPLOAD', 'READY', 'READY', 'READY']);

  // Going back down would lose a folder: refused while one exists, and nothing is changed.
  const { version: folder } = await s.versions.register(admin, {
    modelId: model.id,
    code: { repo: 'https://github.com/acme/legacy', commit: 'b'.repeat(40) },
    datasetVersions: ['s3://d@v1'],
    environment: { imageDigest: `ghcr.io/acme/x@sha256:${SHA('d')}` },
    artifact: { format: 'OTHER' as never, files: [{ path: 'MLmodel', sizeBytes: 1 }] },
  });
  expect(folder.artifactLayout).toBe('FOLDER');
  await expect(migration.down(owner())).rejects.toThrow('1 versions have a folder as their artifact');
  expect(await t.asOwner(`SELECT to_regclass('artifact_files') IS NOT NULL AS t`)).toEqual([{ t: true }]);
});
