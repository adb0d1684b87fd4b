/**
 * Two modelgraph processes on one database: an event committed on one reaches subscribers of the other,
 * and a subscriber whose instance dies resumes on the other with its last cursor and gets exactly what it
 * missed. Over PostgreSQL LISTEN/NOTIFY, and over Redis when one answers at 127.0.0.1:6379.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';
import { openSocket, subscribe } from '../support/subscriber';
import { freePort } from '../support/ports';

const root = path.resolve(__dirname, '../..');
/** Its own build, so it never races another test's `npm start` writing dist/src. */
const outDir = path.join(root, 'dist', 'instances');
const TOKEN = 'mg_events_instances_test_token_0123456789';

const redisAnswers =
  spawnSync(
    process.execPath,
    ['-e', "require('net').connect(6379, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"],
    { timeout: 3000 },
  ).status === 0;

interface Instance {
  child: ChildProcess;
  baseUrl: string;
  exited: Promise<unknown>;
}

async function startInstance(database: TestDatabase, env: Record<string, string>, port?: number): Promise<Instance> {
  port ??= await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-instance-'));
  let output = '';
  const child = spawn(process.execPath, [path.join(outDir, 'src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODELGRAPH_DATA_DIR: dataDir,
      MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      MODELGRAPH_AUDIT_CHECKPOINT_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!output.includes('modelgraph ready at')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the instance did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, baseUrl: `http://127.0.0.1:${port}`, exited };
}

async function gql<T = { createModel: { model: { id: string } } }>(
  instance: Instance,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${instance.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

const CREATE = `mutation($name: String!) { createModel(input: { name: $name, owner: "ml" }) { model { id } } }`;
const TAG = `mutation($id: UUID!, $v: String!) { setModelTags(input: { modelId: $id, tags: [{ key: "n", value: $v }] }) { model { id } } }`;
const EVENTS = `subscription($filter: LifecycleEventFilter, $after: String) { lifecycleEvents(filter: $filter, after: $after) { cursor seq action modelId } }`;

interface Event {
  cursor: string;
  seq: number;
  action: string;
}

beforeAll(() => {
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
}, 180_000);

const transports: Array<[string, Record<string, string>]> = [['PostgreSQL LISTEN/NOTIFY', {}]];
if (redisAnswers) transports.push(['Redis pub/sub', { REDIS_URL: 'redis://127.0.0.1:6379' }]);

describe.each(transports)('over %s', (_name, transportEnv) => {
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;
  let channel: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A channel of this test's own: other registries on the same Redis hear nothing of it.
    channel = `modelgraph:test:${new URL(database.url).pathname.slice(1)}`;
    const env = { ...transportEnv, MODELGRAPH_REDIS_CHANNEL: channel };
    a = await startInstance(database, env);
    b = await startInstance(database, env);
  }, 120_000);

  afterAll(async () => {
    for (const instance of [a, b]) {
      if (instance && instance.child.exitCode === null) {
        instance.child.kill('SIGTERM');
        await instance.exited;
      }
    }
    await database?.drop();
  }, 60_000);

  test('both instances listen on the transport', async () => {
    if (transportEnv.REDIS_URL) {
      const redis = new Redis(transportEnv.REDIS_URL);
      const [, listeners] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      await redis.quit();
      expect(listeners).toBe(2);
    } else {
      const [{ n }] = await database.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN modelgraph_events'`,
      );
      expect(n).toBe(2);
    }
  });

  test('an event committed on one instance reaches a subscriber of the other', async () => {
    const modelId = (await gql(a, CREATE, { name: modelName('instances') })).createModel.model.id;
    const heard = subscribe<Event>(a.baseUrl, TOKEN, EVENTS, { filter: { modelIds: [modelId] } }, 'lifecycleEvents');
    // A live subscription hears what commits after it started: keep writing until the first arrives.
    for (let i = 0; heard.items.length === 0 && i < 50; i += 1) {
      await gql(b, TAG, { id: modelId, v: String(i) });
      await new Promise((r) => setTimeout(r, 100));
    }
    const [event] = await heard.waitFor(1);
    expect(event.action).toBe('model.tags_set');
    await heard.close();
  }, 60_000);

  test('a subscriber whose instance dies resumes on the other with its cursor: exactly what it missed', async () => {
    const modelId = (await gql(b, CREATE, { name: modelName('resume') })).createModel.model.id;
    const filter = { modelIds: [modelId] };
    const first = subscribe<Event>(a.baseUrl, TOKEN, EVENTS, { filter, after: null }, 'lifecycleEvents');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await gql(b, TAG, { id: modelId, v: String(written) });
        written += 1;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await first.waitFor(5, 30_000);
    a.child.kill('SIGKILL'); // the instance dies mid-stream, its socket with it
    await a.exited;
    const received = [...first.items];
    const last = received[received.length - 1];
    await new Promise((r) => setTimeout(r, 300)); // more commits while the subscriber is away

    const resumed = subscribe<Event>(b.baseUrl, TOKEN, EVENTS, { filter, after: last.cursor }, 'lifecycleEvents');
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await writer;
    const rows = await database.db.query('SELECT seq FROM audit_events WHERE model_id = $1 AND seq > $2 ORDER BY seq', [modelId, last.seq]);
    const missed = rows.map((r: { seq: string }) => Number(r.seq));
    await resumed.waitFor(missed.length, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.items.map((e) => e.seq)).toEqual(missed);
    const all = [...received, ...resumed.items].map((e) => e.seq);
    expect(new Set(all).size).toBe(all.length);
    await Promise.all([first.close(), resumed.close()]);
  }, 90_000);
});

describe('an instance that starts', () => {
  test('refuses sockets with 1013 (try again later) until it publishes events, never an internal error', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // A client connecting again and again from before the process starts: refused connections, then sockets the
    // starting server closes, then sockets it serves. Each attempt's outcome, in order.
    const outcomes: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const socket = openSocket(baseUrl, TOKEN);
        const opened = await socket.opened;
        if (!opened.acknowledged) outcomes.push(opened.code === 1006 ? 'not listening' : `closed ${opened.code}`);
        else {
          socket.subscribe('1', EVENTS);
          await new Promise((r) => setTimeout(r, 150));
          const errors = socket.frames.filter((f) => f.id === '1' && f.type === 'error');
          outcomes.push(errors.length ? `error ${JSON.stringify(errors[0].payload)}` : 'served');
        }
        await socket.close();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    let instance: Instance | undefined;
    try {
      instance = await startInstance(database, {}, port);
      const deadline = Date.now() + 10_000;
      while (!outcomes.includes('served') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      polling = false;
      await poller;
      if (instance) {
        instance.child.kill('SIGTERM');
        await instance.exited;
      }
      await database.drop();
    }
    const kinds = [...new Set(outcomes)];
    expect(kinds.filter((k) => !['not listening', 'closed 1013', 'served'].includes(k))).toEqual([]);
    expect(outcomes[outcomes.length - 1]).toBe('served');
  }, 90_000);
});
