/**
 * The database restarts (`pg_ctl restart -m fast`) under load, as an operator meets it: eight writers, two readers,
 * a readiness probe and a subscriber. What cannot be served answers 503 UNAVAILABLE with Retry-After — never a 500,
 * never a 200 carrying an error; /readyz says 503 until the pool works again; every write retried under its
 * idempotency key lands exactly once; the subscriber misses nothing and gets nothing twice; the webhook worker
 * delivers every event, in order (a delivery whose outcome the restart cut may come twice, with the same webhook-id,
 * as at-least-once delivery allows); the audit chain holds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelgraphClient } from '../../clients/typescript/src/client';
import { startRestartablePostgres, type RestartablePostgres } from '../support/restartable-postgres';
import { ok, startTestServer, type TestServer } from '../support/server';

let pg: RestartablePostgres;
let t: TestServer;
let hookUrl: string;
/** Ends the test's subscription, whether the test passed or not. */
const stopSubscriber = new AbortController();

beforeAll(async () => {
  pg = await startRestartablePostgres();
  t = await startTestServer({ MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }, { database: pg });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
}, 120_000);
afterAll(async () => {
  stopSubscriber.abort();
  hooks.closeAllConnections();
  hooks.close();
  await t?.close();
  await pg?.stop();
});

interface Seen {
  status: number;
  code?: string;
  retryAfter: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A webhook receiver: the webhook-id of each delivery, in the order they came; `hold` keeps its answers back. */
const delivered: string[] = [];
let hold: Promise<void> | null = null;
let held = 0;
const hooks = http.createServer((req, res) => {
  delivered.push(String(req.headers['webhook-id']));
  req.resume().on('end', () => {
    if (!hold) return res.end();
    held += 1;
    void hold.then(() => res.end());
  });
});

it('answers 503 UNAVAILABLE with Retry-After while the database restarts, loses nothing and does nothing twice', async () => {
  const model = ok(
    await t.post({ query: 'mutation { createModel(input: { name: "restart-drill", owner: "ops", riskTier: LOW }) { model { id } } }' }),
  ) as {
    createModel: { model: { id: string } };
  };
  const modelId = model.createModel.model.id;
  ok(await t.post({ query: `mutation { createWebhook(input: { url: "${hookUrl}", filter: { modelIds: ["${modelId}"] } }) { secret } }` }));
  const seen: Seen[] = [];
  const send = async (
    query: string,
  ): Promise<{ seen: Seen; body: { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> } }> => {
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> };
    const one = { status: res.status, code: body.errors?.[0]?.extensions?.code, retryAfter: res.headers.get('retry-after') };
    seen.push(one);
    return { seen: one, body };
  };

  // The subscriber, through the client that resumes from its cursor.
  const subscriber = new ModelgraphClient({ url: t.baseUrl, token: t.adminToken });
  const received: number[] = [];
  const subscribed = (async () => {
    for await (const event of subscriber.lifecycleEvents({ filter: { modelIds: [modelId] } }, { signal: stopSubscriber.signal }))
      received.push(event.seq);
  })();
  await sleep(1000);

  let running = true;
  const acknowledged = new Map<string, string>();
  const writer = async (w: number) => {
    for (let n = 0; running; n++) {
      const key = `drill-${w}-${n}`;
      // A write that could not be served is sent again, under the same key, until it is acknowledged.
      for (;;) {
        const { seen: one, body } = await send(
          `mutation { registerModelVersion(input: { modelId: "${modelId}", code: { repo: "https://github.com/acme/drill", commit: "${'a'.repeat(40)}" }, datasetVersions: ["s3://d@v1"], environment: { imageDigest: "img@sha256:${'b'.repeat(64)}" }, artifact: { format: ONNX, uri: "s3://m/${key}.onnx", sha256: "${'c'.repeat(64)}", sizeBytes: 1 }, idempotencyKey: "${key}" }) { version { id } } }`,
        );
        if (one.status === 200 && body.data) {
          acknowledged.set(key, (body.data.registerModelVersion as { version: { id: string } }).version.id);
          break;
        }
        await sleep(Number(one.retryAfter ?? 1) * 1000);
      }
    }
  };
  const reader = async () => {
    while (running) {
      await send('{ models(first: 5) { totalCount edges { node { name latestVersion { version } } } } }');
      await sleep(20);
    }
  };
  const ready: number[] = [];
  const prober = (async () => {
    while (running) {
      const res = await fetch(`${t.baseUrl}/readyz`);
      ready.push(res.status);
      await sleep(50);
    }
  })();

  const load = [...Array.from({ length: 8 }, (_, w) => writer(w)), reader(), reader()];
  await sleep(1500);
  await pg.restart();
  await sleep(3000);
  running = false;
  await Promise.all([...load, prober]);

  // The restart was met: requests failed and the probe said so.
  const failed = seen.filter((s) => s.status !== 200 || s.code);
  expect(failed.length).toBeGreaterThan(0);
  expect(ready).toContain(503);
  expect(ready.at(-1)).toBe(200);
  // Each one as documented: 503, UNAVAILABLE, Retry-After; no 500, no 200 with an error.
  expect(failed.filter((s) => !(s.status === 503 && s.code === 'UNAVAILABLE' && s.retryAfter === '1'))).toEqual([]);

  // Every acknowledged write is there, once: as many versions as keys, each key its own version.
  const versions = ok(await t.post({ query: `{ model(id: "${modelId}") { versions(first: 1) { totalCount } } }` })) as {
    model: { versions: { totalCount: number } };
  };
  expect(versions.model.versions.totalCount).toBe(acknowledged.size);
  expect(new Set(acknowledged.values()).size).toBe(acknowledged.size);

  // The subscriber got every event of the model from its first one on, once, in order (it started live).
  const eventsSince = async () =>
    (
      (await t.database.asOwner('SELECT seq FROM audit_events WHERE model_id = $1 AND seq >= $2 ORDER BY seq', [
        modelId,
        received[0],
      ])) as Array<{
        seq: string;
      }>
    ).map((e) => Number(e.seq));
  let expected = await eventsSince();
  for (let waited = 0; received.length < expected.length && waited < 15_000; waited += 100) await sleep(100);
  stopSubscriber.abort();
  await subscribed;
  expected = await eventsSince();
  expect(expected.length).toBeGreaterThan(acknowledged.size - 1);
  expect(received).toEqual(expected);

  // The webhook worker delivered every event of the model since the webhook was made, first arrivals in order.
  const hookEvents = (
    (await t.database.asOwner(
      `SELECT id FROM audit_events WHERE model_id = $1 AND seq > (SELECT seq FROM audit_events WHERE action = 'webhook.created') ORDER BY seq`,
      [modelId],
    )) as Array<{ id: string }>
  ).map((e) => e.id);
  for (let waited = 0; new Set(delivered).size < hookEvents.length && waited < 20_000; waited += 100) await sleep(100);
  expect([...new Set(delivered)]).toEqual(hookEvents);
  const twice = delivered.length - new Set(delivered).size;
  console.log(
    `database restart: ${acknowledged.size} writes acknowledged, ${failed.length} answered 503; ${hookEvents.length} webhook deliveries, ${twice} sent twice`,
  );

  const chain = ok(await t.post({ query: '{ verifyAuditChain { ok firstBrokenSeq } }' })) as { verifyAuditChain: { ok: boolean } };
  expect(chain.verifyAuditChain.ok).toBe(true);
}, 120_000);

it('the webhook worker records what it delivered and goes on as soon as the database is back, not when its claim lapses', async () => {
  const before = delivered.length;
  let release = () => undefined as void;
  hold = new Promise<void>((resolve) => (release = resolve));
  held = 0;
  ok(await t.post({ query: `mutation { createWebhook(input: { url: "${hookUrl}", filter: { kinds: [MODEL_CHANGED] } }) { secret } }` }));
  const models: string[] = [];
  for (const name of ['after-restart-1', 'after-restart-2', 'after-restart-3']) {
    const created = ok(
      await t.post({ query: `mutation { createModel(input: { name: "${name}", owner: "ops", riskTier: LOW }) { model { id } } }` }),
    );
    models.push((created as { createModel: { model: { id: string } } }).createModel.model.id);
  }
  // A delivery is in flight, its answer held back.
  for (let waited = 0; held === 0 && waited < 10_000; waited += 50) await sleep(50);
  expect(held).toBe(1);
  // The database goes away while the receiver answers: the worker cannot record the delivery nor release its claim.
  await pg.restart(async () => {
    hold = null;
    release();
    await sleep(1500);
  });
  // Back: what follows is delivered within seconds (the claim would lapse only after 40 s), nothing sent twice.
  const created = ok(
    await t.post({ query: `mutation { createModel(input: { name: "after-restart-4", owner: "ops", riskTier: LOW }) { model { id } } }` }),
  );
  models.push((created as { createModel: { model: { id: string } } }).createModel.model.id);
  const expected = (
    (await t.database.asOwner(`SELECT id FROM audit_events WHERE action = 'model.created' AND subject_id = ANY($1) ORDER BY seq`, [
      models,
    ])) as Array<{ id: string }>
  ).map((e) => e.id);
  expect(expected).toHaveLength(4);
  for (let waited = 0; delivered.length - before < 4 && waited < 20_000; waited += 100) await sleep(100);
  await sleep(500);
  expect(delivered.slice(before)).toEqual(expected);
}, 60_000);
