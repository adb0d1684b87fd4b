/**
 * The artifact store's disk fills up: a real file system of 1 MiB (tmpfs, mounted by the test; skipped, saying so,
 * where mounting is not allowed). An upload that does not fit answers 503 UNAVAILABLE with Retry-After, keeps
 * nothing (no partial object, nothing READY), and the same upload succeeds once there is room again.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ok, startTestServer, type TestServer } from '../support/server';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mg-full-store-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
  mounted = true;
} catch {
  console.warn('artifact store full test SKIPPED: this machine does not let the test mount a small tmpfs (needs root with CAP_SYS_ADMIN)');
}

/** Every file under the store, relative: what the store kept. */
const filesOf = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));

let t: TestServer;
afterAll(async () => {
  await t?.close();
  if (mounted) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

(mounted ? it : it.skip)(
  'answers 503 UNAVAILABLE when the disk is full, keeps nothing, and takes the upload once there is room',
  async () => {
    const store = path.join(dir, 'store');
    mkdirSync(store);
    t = await startTestServer({ MODELGRAPH_ARTIFACT_DIR: store });
    const bytes = Buffer.alloc(400 * 1024, 7);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const registered = ok(
      await t.post({
        query: `mutation { createModel(input: { name: "full-disk", owner: "ops" }) { model { id } } }`,
      }),
    ) as { createModel: { model: { id: string } } };
    const version = ok(
      await t.post({
        query: `mutation { registerModelVersion(input: { modelId: "${registered.createModel.model.id}", code: { repo: "https://github.com/acme/x", commit: "${'a'.repeat(40)}" }, datasetVersions: ["s3://d@v1"], environment: { imageDigest: "img@sha256:${'b'.repeat(64)}" }, artifact: { format: ONNX, sha256: "${sha256}", sizeBytes: ${bytes.length} } }) { version { id } } }`,
      }),
    ) as { registerModelVersion: { version: { id: string } } };
    const id = version.registerModelVersion.version.id;
    const upload = () =>
      fetch(`${t.baseUrl}/artifacts/${id}`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${t.adminToken}` } });
    const status = async () =>
      (
        ok(await t.post({ query: `{ modelVersion(id: "${id}") { artifact { status failureReason } } }` })) as {
          modelVersion: { artifact: { status: string; failureReason: string | null } };
        }
      ).modelVersion.artifact;

    // Ballast: the disk has less room left than the upload needs.
    const ballast = path.join(dir, 'ballast');
    writeFileSync(ballast, Buffer.alloc(800 * 1024));
    const before = filesOf(store);
    const refused = await upload();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    // Refused before its body was all read: the client must not send its next request on this connection.
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({
      errors: [
        {
          message:
            'the artifact store cannot take the artifact now (no space left on its device): nothing of it was kept, and it may be uploaded again later',
          extensions: { code: 'UNAVAILABLE', retryAfterSeconds: 60 },
        },
      ],
    });
    expect(filesOf(store)).toEqual(before);
    expect(await status()).toEqual({ status: 'FAILED', failureReason: 'the store could not take it: no space left on its device' });

    unlinkSync(ballast);
    const taken = await upload();
    expect(taken.status).toBe(201);
    expect(await status()).toEqual({ status: 'READY', failureReason: null });
  },
);
