/**
 * The topology of docker/docker-compose.yml on one machine, without docker: three instances behind nginx (HTTP and
 * websockets proxied by docker/nginx.conf's own location), one PostgreSQL, events signalled through a redis-server,
 * artifacts in an S3-compatible store (s3rver standing in for MinIO). A rolling restart, one instance at a time,
 * under writers and subscribers that behave as documented: a write answered 502/503 (or cut) is sent again under its
 * idempotency key, a subscription closed with 1001 resumes from its cursor. From their point of view nothing fails:
 * every write lands once, and every subscriber receives every event once, in order; a folder uploaded before the
 * restart downloads whole from every new instance. Needs nginx (Debian's nginx-light); skipped, saying so, without
 * it; without redis-server the events go through PostgreSQL's LISTEN/NOTIFY instead, saying so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { ModelgraphClient } from '../../clients/typescript/src/client';
import { manifestOf } from '../../clients/typescript/src/files';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ok, startTestServer, type TestServer } from '../support/server';
import { freePort } from '../support/ports';
import { REDIS_SERVER, startRedis, stopRedis } from '../support/redis-server';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
if (!NGINX) console.warn('rolling restart test SKIPPED: no nginx (Debian package nginx-light)');
else if (!REDIS_SERVER) console.warn('rolling restart: no redis-server (Debian package redis-server): events signalled by LISTEN/NOTIFY');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(path.join(os.tmpdir(), 'mg-nginx-'));
chmodSync(dir, 0o777); // nginx's workers run as nobody and keep their temporary files here
let database: TestDatabase | undefined;
const instances: TestServer[] = [];
let nginx: ChildProcess | undefined;
let redis: ChildProcess | undefined;
let s3: S3rver | undefined;

afterAll(async () => {
  // SIGTERM: the master stops its workers (SIGKILL would leave them running).
  if (nginx && nginx.exitCode === null) await new Promise((resolve) => (nginx?.once('exit', resolve), nginx?.kill('SIGTERM')));
  for (const s of instances) await s.close().catch(() => undefined);
  await database?.drop();
  if (redis) await stopRedis(redis);
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What every instance is started with: the shared Redis (when there is one) and the shared S3 bucket. */
async function sharedServices(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (REDIS_SERVER) {
    const port = await freePort();
    redis = await startRedis(port);
    Object.assign(env, { REDIS_URL: `redis://127.0.0.1:${port}`, MODELGRAPH_REDIS_CHANNEL: `modelgraph-test:${path.basename(dir)}` });
  }
  mkdirSync(path.join(dir, 's3'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: path.join(dir, 's3'),
    configureBuckets: [{ name: 'models', configs: [] }],
  });
  const { port } = await s3.run();
  return Object.assign(env, {
    MODELGRAPH_ARTIFACT_STORE: 's3',
    MODELGRAPH_S3_BUCKET: 'models',
    MODELGRAPH_S3_ENDPOINT: `http://127.0.0.1:${port}`,
    MODELGRAPH_S3_FORCE_PATH_STYLE: 'true',
    MODELGRAPH_S3_ACCESS_KEY_ID: 'S3RVER',
    MODELGRAPH_S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
}

/** A block of docker/nginx.conf, from the line that opens it to its closing brace. */
function blockOf(conf: string, opening: string): string {
  const start = conf.indexOf(opening);
  if (start < 0) throw new Error(`docker/nginx.conf has no "${opening}"`);
  let depth = 0;
  for (let i = conf.indexOf('{', start); i < conf.length; i++) {
    if (conf[i] === '{') depth += 1;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start, i + 1);
  }
  throw new Error(`docker/nginx.conf: "${opening}" is never closed`);
}

/** docker/nginx.conf's own websocket map and location, in front of these instances on this machine. */
async function startNginx(ports: number[], listen: number): Promise<void> {
  const shipped = readFileSync(path.join(__dirname, '..', '..', 'docker', 'nginx.conf'), 'utf8');
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  upstream modelgraph {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n')}
  }
  ${blockOf(shipped, 'map $http_upgrade')}
  server {
    listen 127.0.0.1:${listen};
    ${blockOf(shipped, 'location / {')}
  }
}
`,
  );
  nginx = spawn(NGINX as string, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${listen}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await sleep(100);
  }
  throw new Error('nginx did not start');
}

(NGINX ? it : it.skip)(
  'restarts three instances one at a time: no write fails, every subscriber gets every event once, in order',
  async () => {
    database = await createTestDatabase();
    const shared = { url: database.url, ownerUrl: database.ownerUrl };
    const ports = [await freePort(), await freePort(), await freePort()];
    const env = await sharedServices();
    for (const port of ports) instances.push(await startTestServer(env, { database: shared, port }));
    const front = await freePort();
    await startNginx(ports, front);
    const url = `http://127.0.0.1:${front}`;
    const token = instances[0].adminToken;
    const modelId = (
      ok(
        await instances[0].post({
          query: 'mutation { createModel(input: { name: "rolling", owner: "ops", riskTier: LOW }) { model { id } } }',
        }),
      ) as {
        createModel: { model: { id: string } };
      }
    ).createModel.model.id;

    // A model folder uploaded through nginx, to whichever instance serves it, into the shared store.
    const folder = path.join(dir, 'model');
    mkdirSync(path.join(folder, 'weights'), { recursive: true });
    writeFileSync(path.join(folder, 'MLmodel'), 'flavors: {}\n');
    writeFileSync(path.join(folder, 'weights', 'part-0.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
    const uploader = new ModelgraphClient({ url, token });
    const manifest = await manifestOf(folder);
    const { version } = await uploader.registerVersion({
      modelId,
      code: { repo: 'https://github.com/acme/r', commit: 'd'.repeat(40) },
      datasetVersions: ['s3://d@v1'],
      environment: { imageDigest: `img@sha256:${'e'.repeat(64)}` },
      artifact: ModelgraphClient.artifactOf(manifest, 'PICKLE'),
    });
    await uploader.upload(version.id, folder);

    // Subscribers through nginx, each resuming from its cursor when its instance goes away (1001).
    const stop = new AbortController();
    const received: number[][] = [[], [], []];
    const reconnects = [0, 0, 0];
    const subscribers = received.map(async (seqs, i) => {
      const client = new ModelgraphClient({ url, token });
      for await (const event of client.lifecycleEvents(
        { filter: { modelIds: [modelId] } },
        { signal: stop.signal, onReconnect: () => (reconnects[i] += 1) },
      ))
        seqs.push(event.seq);
    });
    await sleep(1500);

    // Writers through nginx, retrying as documented: 502, 503, 504 or a cut connection, under the same key.
    let running = true;
    const acknowledged = new Set<string>();
    const refusals: string[] = [];
    let retries = 0;
    const writer = async (w: number) => {
      for (let n = 0; running; n++) {
        const key = `rolling-${w}-${n}`;
        for (;;) {
          const res = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({
              query: `mutation { registerModelVersion(input: { modelId: "${modelId}", code: { repo: "https://github.com/acme/r", commit: "${'a'.repeat(40)}" }, datasetVersions: ["s3://d@v1"], environment: { imageDigest: "img@sha256:${'b'.repeat(64)}" }, artifact: { format: ONNX, uri: "s3://m/${key}.onnx", sha256: "${'c'.repeat(64)}", sizeBytes: 1 }, idempotencyKey: "${key}" }) { version { id } } }`,
            }),
          }).catch(() => null);
          if (res && res.status === 200) {
            const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string }> };
            if (body.data) acknowledged.add(key);
            else refusals.push(JSON.stringify(body.errors));
            break;
          }
          if (res && ![502, 503, 504].includes(res.status)) {
            refusals.push(`HTTP ${res.status}: ${await res.text()}`);
            break;
          }
          retries += 1;
          await sleep(200);
        }
        await sleep(20);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);

    for (let i = 0; i < instances.length; i++) {
      await sleep(1000);
      await instances[i].close(); // drains: requests in flight finish, websockets close with 1001
      instances[i] = await startTestServer(env, { database: shared, port: ports[i] });
    }
    await sleep(1500);
    running = false;
    await Promise.all(writers);

    expect(refusals).toEqual([]);
    const versions = ok(await instances[0].post({ query: `{ model(id: "${modelId}") { versions(first: 1) { totalCount } } }` })) as {
      model: { versions: { totalCount: number } };
    };
    expect(versions.model.versions.totalCount).toBe(acknowledged.size + 1); // and the uploaded one

    const expected = (
      (await database.asOwner('SELECT seq FROM audit_events WHERE model_id = $1 AND seq > $2 ORDER BY seq', [modelId, 0])) as Array<{
        seq: string;
      }>
    ).map((r) => Number(r.seq));
    for (let waited = 0; received.some((r) => r.length < expected.length - 1) && waited < 15_000; waited += 100) await sleep(100);
    stop.abort();
    await Promise.all(subscribers);
    // Each subscribed after the model was created: from its first event on, every one, once, in order.
    for (const seqs of received) expect(seqs).toEqual(expected.filter((s) => s >= seqs[0]));
    expect(reconnects.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // Every instance is new: each serves the folder whole from the shared store (three rounds through nginx's round robin).
    for (let round = 0; round < 3; round++) {
      for (const file of manifest.files) {
        const res = await fetch(`${url}/artifacts/${version.id}/${file.path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(
          createHash('sha256')
            .update(Buffer.from(await res.arrayBuffer()))
            .digest('hex'),
        ).toBe(file.sha256);
      }
    }
    console.log(
      `rolling restart (events by ${REDIS_SERVER ? 'Redis' : 'LISTEN/NOTIFY'}): ${acknowledged.size} writes acknowledged, ${retries} retried on the way, ${reconnects.join('/')} subscriber reconnections`,
    );
  },
  120_000,
);
