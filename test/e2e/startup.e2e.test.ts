import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/ports';

/**
 * `npm start` exactly as a newcomer runs it: build, embedded PostgreSQL in a data folder,
 * migrations, the admin token printed once, Ctrl-C shutting everything down, and a restart
 * that finds its data again.
 */
const root = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-start-'));
fs.chmodSync(dataDir, 0o755); // the embedded server may run as another user and must reach its folder

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

async function start(env: Record<string, string>): Promise<Started> {
  let output = '';
  const child = spawn('npm', ['start'], { cwd: root, env: { ...process.env, ...env }, detached: true });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 90_000;
  while (!output.includes('modelgraph ready at')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => output, exited };
}

/** Waits for the server's own account of a clean stop: drained, connections closed, database stopped, in that order. */
async function stoppedCleanly(s: Started): Promise<void> {
  await s.exited;
  const deadline = Date.now() + 30_000;
  while (!s.output().includes('stopped cleanly')) {
    if (Date.now() > deadline) throw new Error(`no clean stop:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const order = ['"msg":"server drained"', '"msg":"database connections closed"', '"msg":"stopped cleanly"'].map((m) =>
    s.output().indexOf(m),
  );
  expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]))).toBe(true);
}

/**
 * Ctrl-C: SIGINT to the whole process group, as a terminal sends it (the embedded database gets
 * it too and begins its own fast shutdown). npm dies of the signal at once.
 */
async function interrupt(s: Started): Promise<void> {
  process.kill(-(s.child.pid as number), 'SIGINT');
  await stoppedCleanly(s);
}

/** SIGTERM to the server process alone, as docker and process managers send it. */
async function terminate(s: Started): Promise<void> {
  const pid = Number(/"pid":(\d+)/.exec(s.output())?.[1]);
  process.kill(pid, 'SIGTERM');
  await stoppedCleanly(s);
  // Only the server was signalled: it closes its connections before it stops the database.
  expect(s.output()).not.toContain('pool raised an error');
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('npm start serves the API on embedded PostgreSQL, prints the admin token once, and stops cleanly', async () => {
  const port = await freePort();
  const pgPort = await freePort();
  const env = {
    PORT: String(port),
    MODELGRAPH_DATA_DIR: dataDir,
    MODELGRAPH_EMBEDDED_PG_PORT: String(pgPort),
    LOG_LEVEL: 'info',
    DATABASE_URL: '',
  };
  const first = await start(env);
  const token = /admin token.*: (mg_\S+)/.exec(first.output())?.[1];
  expect(token).toBeDefined();
  expect(first.output()).toContain(`http://localhost:${port}/graphql`);

  const call = (query: string) =>
    fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    }).then((r) => r.json());
  expect(await call('mutation { createModel(input: { name: "survives-restart", owner: "me" }) { model { name } } }')).toEqual({
    data: { createModel: { model: { name: 'survives-restart' } } },
  });
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  // Structured logs: one JSON line per request, with its request id (written once the response has gone: waited for).
  const requestLineOf = () =>
    first
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"request"') && l.includes('"path":"/graphql"'));
  for (const deadline = Date.now() + 10_000; !requestLineOf() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
  expect(JSON.parse(requestLineOf() as string)).toMatchObject({ requestId: expect.any(String), status: 200, method: 'POST' });

  await interrupt(first);
  expect(await portOpen(pgPort)).toBe(false); // the embedded database went down with it
  expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);

  const second = await start(env);
  try {
    expect(second.output()).not.toContain('admin token');
    expect(await call('{ model(name: "survives-restart") { name owner } }')).toEqual({
      data: { model: { name: 'survives-restart', owner: 'me' } },
    });
  } finally {
    await terminate(second);
  }
}, 240_000);

/** The server's own pid, from its start-up log line. */
const serverPid = (s: Started): number => Number(/"pid":(\d+)/.exec(s.output())?.[1]);

function gql(port: number, token: string, query: string, variables: Record<string, unknown> = {}) {
  return fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
}

test('after kill -9 the next npm start starts cleanly with every committed write; Ctrl-C lets in-flight requests finish', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-crash-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const env = {
    PORT: String(port),
    MODELGRAPH_DATA_DIR: dir,
    MODELGRAPH_EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    DATABASE_URL: '',
    MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN: 'mg_crash_test_admin_token_0123456789',
  };
  const token = env.MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN;
  try {
    const first = await start(env);
    const created = await gql(
      port,
      token,
      'mutation { createModel(input: { name: "committed-before-crash", owner: "me" }) { model { id } } }',
    );
    const modelId = ((await created.json()) as { data: { createModel: { model: { id: string } } } }).data.createModel.model.id;
    process.kill(serverPid(first), 'SIGKILL');
    await first.exited;

    // The database the killed server left running is stopped cleanly, and a new one starts on the same folder.
    const second = await start(env);
    const read = await (await gql(port, token, '{ model(name: "committed-before-crash") { id } }')).json();
    expect(read).toEqual({ data: { model: { id: modelId } } });

    // The server connects as a login that is no superuser and owns nothing: it cannot switch the audit triggers off.
    const credentials = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
    expect(fs.statSync(path.join(dir, 'credentials.json')).mode & 0o077).toBe(0);
    const server = new Client({
      connectionString: `postgres://modelgraph_app:${encodeURIComponent(credentials.server)}@127.0.0.1:${env.MODELGRAPH_EMBEDDED_PG_PORT}/modelgraph`,
    });
    await server.connect();
    try {
      expect((await server.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows).toEqual([{ rolsuper: false }]);
      await expect(server.query('SET session_replication_role = replica')).rejects.toThrow(/permission denied/);
      await expect(server.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
    } finally {
      await server.end();
    }
    // Checkpoints of the chain were signed at start-up, into the file outside the database too.
    expect(fs.readFileSync(path.join(dir, 'audit-checkpoints.jsonl'), 'utf8')).toMatch(/"signature":/);

    // npm run admin:token beside the running server issues a working ADMIN token, and says so in the trail.
    const issued = spawnSync('node', ['dist/src/admin-token.js', '--subject', 'rescue'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(issued.status).toBe(0);
    const rescue = /: (mg_\S+)/.exec(issued.stdout)?.[1] as string;
    expect(await (await gql(port, rescue, '{ viewer { subject role } }')).json()).toEqual({
      data: { viewer: { subject: 'rescue', role: 'ADMIN' } },
    });
    const trail = (await (
      await gql(port, token, '{ auditEvents(first: 1, filter: { action: "token.created", actor: "cli:admin-token" }) { totalCount } }')
    ).json()) as { data: { auditEvents: { totalCount: number } } };
    expect(trail.data.auditEvents.totalCount).toBe(1);

    // Ctrl-C while six metric batches are in flight: all six finish, then the database stops.
    const register = await gql(
      port,
      token,
      `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }`,
      {
        input: {
          modelId,
          code: { repo: 'https://github.com/acme/x', commit: 'a'.repeat(40) },
          datasetVersions: ['s3://d@v1'],
          environment: { packageLock: 'x==1' },
          artifact: { format: 'ONNX' },
        },
      },
    );
    const versionId = ((await register.json()) as { data: { registerModelVersion: { version: { id: string } } } }).data.registerModelVersion
      .version.id;
    const points = Array.from({ length: 10_000 }, (_, i) => ({ name: 'loss', value: 1 / (i + 1), step: i, source: 'TRAINING' }));
    const inFlight = Array.from({ length: 6 }, () =>
      gql(port, token, 'mutation($input: LogMetricsInput!) { logMetrics(input: $input) { count } }', {
        input: { versionId, metrics: points },
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { errors?: unknown; data?: { logMetrics: { count: number } } },
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(-(second.child.pid as number), 'SIGINT');
    const answers = await Promise.all(inFlight);
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: { data: { logMetrics: { count: 10_000 } } } });
    await stoppedCleanly(second);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

test('each start-up problem is one clear line and a non-zero exit, before anything starts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-bad-start-'));
  fs.chmodSync(dir, 0o755);
  const run = (env: Record<string, string>) => {
    const result = spawnSync('node', ['dist/src/main.js'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', MODELGRAPH_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = result.stderr.trim().split('\n');
    expect(result.status).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^modelgraph cannot start: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return lines[0];
  };
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '0.0.0.0', resolve));
  const busyPort = (busy.address() as net.AddressInfo).port;
  try {
    expect(run({ PORT: '99999' })).toMatch(/PORT must be a whole number from 0 to 65535/);
    expect(run({ PORT: String(busyPort) })).toMatch(new RegExp(`port ${busyPort} is in use`));
    expect(fs.existsSync(path.join(dir, 'data', 'pg'))).toBe(false); // refused before the database started
    expect(run({ PORT: String(await freePort()), MODELGRAPH_EMBEDDED_PG_PORT: String(busyPort) })).toMatch(/MODELGRAPH_EMBEDDED_PG_PORT/);
    expect(run({ PORT: String(await freePort()), DATABASE_URL: 'mysql://nope' })).toMatch(/DATABASE_URL must start with postgres/);
    const replica = 'postgres://app@replica:5432/modelgraph';
    expect(run({ PORT: String(await freePort()), MODELGRAPH_READ_DATABASE_URL: replica })).toMatch(
      /MODELGRAPH_READ_DATABASE_URL needs DATABASE_URL/,
    );
    expect(run({ PORT: String(await freePort()), DATABASE_URL: replica, MODELGRAPH_READ_DATABASE_URL: `${replica},mysql://nope` })).toMatch(
      /MODELGRAPH_READ_DATABASE_URL must start with postgres/,
    );
    expect(run({ PORT: String(await freePort()), MODELGRAPH_READ_YOUR_WRITES_SECONDS: '0' })).toMatch(
      /MODELGRAPH_READ_YOUR_WRITES_SECONDS must be a whole number from 1 to 3600/,
    );
    if (process.getuid?.() === 0) {
      // As root the database runs as `postgres`, which cannot enter a folder only root may.
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(locked, { mode: 0o700 });
      expect(run({ PORT: String(await freePort()), MODELGRAPH_DATA_DIR: path.join(locked, 'data') })).toMatch(/cannot reach/);
    }
  } finally {
    busy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

/** The server as `npm start` runs it once built; built here too, so that this file's tests can run alone. */
let built = false;
function buildOnce(): void {
  if (built) return;
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  built = true;
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
  /** Waits until the server says it is ready (true) or exits or gives no sign for 60 s (false). */
  settled: () => Promise<boolean>;
}

/** The built server, started with `env` on top of this process's. */
function spawnBuilt(env: Record<string, string>): Spawned {
  let output = '';
  const child = spawn('node', ['dist/src/main.js'], { cwd: root, env: { ...process.env, ...env } });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const settled = async () => {
    const deadline = Date.now() + 60_000;
    while (!output.includes('modelgraph ready at') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return output.includes('modelgraph ready at');
  };
  return { child, output: () => output, exited, settled };
}

/**
 * SIGTERM, and if the server does not stop (a start-up that hung), SIGKILL and then the embedded database it
 * left running, by the pid in its data folder.
 */
async function stopHowever(s: Spawned, dir: string): Promise<void> {
  s.child.kill('SIGTERM');
  const stopped = await Promise.race([s.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
  if (!stopped) {
    s.child.kill('SIGKILL');
    await s.exited;
    const postmaster = path.join(dir, 'pg', 'postmaster.pid');
    if (fs.existsSync(postmaster)) {
      const pid = Number(fs.readFileSync(postmaster, 'utf8').split('\n')[0]);
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      // PostgreSQL's fast shutdown, then its immediate one.
      for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
        if (alive()) process.kill(pid, signal);
        const deadline = Date.now() + 15_000;
        while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/**
 * Empty databases on the test run's PostgreSQL server, owned by its owner login: with DATABASE_URL alone, the
 * server migrates as that login, and may create tables with it.
 */
function emptyDatabases() {
  const admin = new Client({ connectionString: process.env.MODELGRAPH_TEST_ADMIN_URL });
  const connected = admin.connect();
  const names: string[] = [];
  return {
    create: async (): Promise<{ DATABASE_URL: string }> => {
      await connected;
      const name = `${process.env.MODELGRAPH_TEST_PREFIX}empty_${names.length}`;
      await admin.query(`CREATE DATABASE ${name} OWNER ${process.env.MODELGRAPH_TEST_OWNER}`);
      names.push(name);
      const url = new URL(process.env.MODELGRAPH_TEST_ADMIN_URL as string);
      url.pathname = `/${name}`;
      url.username = process.env.MODELGRAPH_TEST_OWNER as string;
      url.password = process.env.MODELGRAPH_TEST_PASSWORD as string;
      return { DATABASE_URL: url.toString() };
    },
    query: async (url: string, sql: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    },
    dropAll: async () => {
      await connected;
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Probes /readyz every 2 ms from three clients at once, as an impatient orchestrator would, and records each
 * answer in the order it came (a refused connection, before the server listens, is not an answer).
 */
function hammerReadyz(port: number): { stop: () => Promise<Array<{ status: number; body: string }>> } {
  const answers: Array<{ status: number; body: string }> = [];
  let stopped = false;
  const probe = async () => {
    while (!stopped) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
        answers.push({ status: res.status, body: await res.text() });
      } catch (err) {
        // Refused: not listening yet. A probe left unanswered is an answer, and a wrong one.
        if ((err as Error).name === 'TimeoutError') answers.push({ status: 0, body: 'no answer in 5 s' });
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const probes = Array.from({ length: 3 }, probe);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(probes);
      return answers;
    },
  };
}

test('a first start survives /readyz probed every few milliseconds: 503 while it starts, 200 once ready', async () => {
  buildOnce();
  // Two kinds of empty database: the embedded one (the server's login owns nothing), and DATABASE_URL alone on
  // a new database (the server's login owns it and may create tables: a probe that creates one races the migration).
  const databases = emptyDatabases();
  const embedded = async () => ({ DATABASE_URL: '', MODELGRAPH_EMBEDDED_PG_PORT: String(await freePort()) });
  const kinds = [embedded, embedded, embedded, databases.create, databases.create, databases.create];
  const outcomes: string[] = [];
  try {
    for (const kind of kinds) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-probed-'));
      fs.chmodSync(dir, 0o755);
      const port = await freePort();
      const server = spawnBuilt({ PORT: String(port), MODELGRAPH_DATA_DIR: dir, LOG_LEVEL: 'warn', ...(await kind()) });
      const probes = hammerReadyz(port);
      try {
        const up = await server.settled();
        await new Promise((r) => setTimeout(r, 100)); // a few probes after it said it is ready
        const answers = await probes.stop();
        if (!up) {
          outcomes.push(`died: ${/modelgraph cannot start: .*/.exec(server.output())?.[0] ?? 'not ready after 60 s'}`);
          continue;
        }
        // 503 "starting" until start-up has finished, then 200 "ready", never back.
        const firstReady = answers.findIndex((a) => a.status === 200);
        const before = new Set(answers.slice(0, Math.max(firstReady, 0)).map((a) => `${a.status} ${a.body}`));
        const after = new Set(answers.slice(firstReady).map((a) => `${a.status} ${a.body}`));
        const expected =
          firstReady > 0 && [...before].join() === '503 {"status":"starting"}' && [...after].join() === '200 {"status":"ready"}';
        outcomes.push(expected ? 'up' : `up, but /readyz answered ${[...before].join(', ')} then ${[...after].join(', ')}`);
      } finally {
        await probes.stop();
        await stopHowever(server, dir);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(outcomes).toEqual(kinds.map(() => 'up'));
  } finally {
    await databases.dropAll();
  }
}, 600_000);

test("a data folder's checkpoints meeting another database: start-up refuses, naming the file and both registries, before writing", async () => {
  buildOnce();
  const databases = emptyDatabases();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-registry-'));
  const file = path.join(dir, 'audit-checkpoints.jsonl');
  const port = await freePort();
  const token = 'mg_registry_test_admin_token_0123456789';
  const env = (database: { DATABASE_URL: string }) => ({
    ...database,
    PORT: String(port),
    MODELGRAPH_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN: token,
  });
  /** Starts the server and answers what happened: refused (its line), or the first write's outcome. */
  const outcome = async (database: { DATABASE_URL: string }): Promise<string> => {
    const server = spawnBuilt(env(database));
    try {
      if (!(await server.settled())) return server.output().trim();
      const res = await gql(port, token, `mutation { createModel(input: { name: "m-${Date.now()}", owner: "o" }) { model { id } } }`);
      const body = (await res.json()) as { errors?: Array<{ extensions: { code: string }; message: string }> };
      return body.errors
        ? `started; the first write: ${body.errors[0].extensions.code} ${body.errors[0].message}`
        : 'started; the first write: ok';
    } finally {
      await stopHowever(server, dir);
    }
  };
  try {
    const first = await databases.create();
    expect(await outcome(first)).toBe('started; the first write: ok');
    const [{ id: registry }] = await databases.query(first.DATABASE_URL, 'SELECT id FROM audit_events WHERE seq = 1');
    expect(fs.readFileSync(file, 'utf8')).toContain(`"registryId":"${registry}"`);

    // The database is replaced by an empty one, the data folder kept.
    const second = await databases.create();
    expect(await outcome(second)).toBe(
      `modelgraph cannot start: the checkpoints in ${file} belong to registry ${registry}, and this database has no audit trail ` +
        `(a new database, or one whose trail was deleted): point MODELGRAPH_AUDIT_CHECKPOINT_FILE at this registry's file, ` +
        `or move the old file away if this database is meant to replace it`,
    );
    expect(await databases.query(second.DATABASE_URL, 'SELECT count(*)::int AS n FROM audit_events')).toEqual([{ n: 0 }]);
    // Its own database starts as before; the new one once the old file is moved away.
    expect(await outcome(first)).toBe('started; the first write: ok');
    fs.renameSync(file, `${file}.old`);
    expect(await outcome(second)).toBe('started; the first write: ok');
  } finally {
    await databases.dropAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
