/**
 * Failover: the primary dies under eight writers, its synchronous streaming replica is promoted, and the TCP proxy in
 * front of both moves to it. Requests meanwhile answer 503 UNAVAILABLE (never a 500); writes resume within 10 s of
 * the promotion; every write the server acknowledged is on the new primary, once; the audit chain and a new signed
 * checkpoint hold. Needs Debian's PostgreSQL server packages (initdb, pg_ctl, pg_basebackup); skipped, saying so,
 * without them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signerOf } from '../../src/common/ed25519';
import { debianPostgres, startReplicatedPostgres, type ReplicatedPostgres } from '../support/replicated-postgres';
import { ok, startTestServer, type TestServer } from '../support/server';

const BIN = debianPostgres();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (!BIN) console.warn('failover test SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)');

let pg: ReplicatedPostgres | undefined;
let t: TestServer | undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'mg-failover-audit-'));
afterAll(async () => {
  await t?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

(BIN ? it : it.skip)(
  'fails over to the promoted replica: 503s meanwhile, writes back within 10 s, nothing acknowledged lost',
  async () => {
    pg = await startReplicatedPostgres(BIN as string);
    const audit = { signer: signerOf(generateKeyPairSync('ed25519').privateKey), checkpointFile: path.join(dir, 'checkpoints.jsonl') };
    t = await startTestServer({}, { database: pg, audit });
    const server = t;
    const model = ok(
      await server.post({
        query: 'mutation { createModel(input: { name: "failover-drill", owner: "ops", riskTier: LOW }) { model { id } } }',
      }),
    ) as {
      createModel: { model: { id: string } };
    };
    const modelId = model.createModel.model.id;
    await server.services.checkpoints.checkpoint();

    const statuses: Array<{ status: number; code?: string }> = [];
    const acknowledged = new Map<string, { id: string; at: number }>();
    let running = true;
    const writer = async (w: number) => {
      for (let n = 0; running; n++) {
        const key = `failover-${w}-${n}`;
        for (;;) {
          const res = await fetch(`${server.baseUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
            body: JSON.stringify({
              query: `mutation { registerModelVersion(input: { modelId: "${modelId}", code: { repo: "https://github.com/acme/f", commit: "${'a'.repeat(40)}" }, datasetVersions: ["s3://d@v1"], environment: { imageDigest: "img@sha256:${'b'.repeat(64)}" }, artifact: { format: ONNX, uri: "s3://m/${key}.onnx", sha256: "${'c'.repeat(64)}", sizeBytes: 1 }, idempotencyKey: "${key}" }) { version { id } } }`,
            }),
          });
          const body = (await res.json()) as {
            data?: { registerModelVersion: { version: { id: string } } };
            errors?: Array<{ extensions?: { code?: string } }>;
          };
          statuses.push({ status: res.status, code: body.errors?.[0]?.extensions?.code });
          if (res.status === 200 && body.data) {
            acknowledged.set(key, { id: body.data.registerModelVersion.version.id, at: Date.now() });
            break;
          }
          await sleep(Number(res.headers.get('retry-after') ?? 1) * 200);
        }
      }
    };
    const load = Array.from({ length: 8 }, (_, w) => writer(w));
    await sleep(1500);
    const { promotedAt } = await pg.failover();
    await sleep(6000);
    running = false;
    await Promise.all(load);

    const failed = statuses.filter((s) => s.status !== 200 || s.code);
    expect(failed.filter((s) => !(s.status === 503 && s.code === 'UNAVAILABLE'))).toEqual([]);
    const firstAfter = Math.min(...[...acknowledged.values()].filter((a) => a.at > promotedAt).map((a) => a.at));
    expect(firstAfter - promotedAt).toBeLessThan(10_000);
    const versions = ok(await server.post({ query: `{ model(id: "${modelId}") { versions(first: 1) { totalCount } } }` })) as {
      model: { versions: { totalCount: number } };
    };
    expect(versions.model.versions.totalCount).toBe(acknowledged.size);
    expect(ok(await server.post({ query: '{ verifyAuditChain { ok } }' }))).toEqual({ verifyAuditChain: { ok: true } });
    expect(await server.services.checkpoints.checkpoint()).toMatchObject({ seq: expect.any(Number) });
    console.log(
      `failover: ${acknowledged.size} writes acknowledged, ${failed.length} answered 503 meanwhile; the first write after the promotion ${firstAfter - promotedAt} ms after it`,
    );
  },
  120_000,
);
