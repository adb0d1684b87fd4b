import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm start` exactly as a newcomer runs it: build, embedded PostgreSQL in a data folder,
 * migrations, the admin token printed once, Ctrl-C shutting everything down, and a restart
 * that finds its data again.
 */
const root = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-start-'));
fs.chmodSync(dataDir, 0o755); // the embedded server may run as another user and must reach its folder

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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
  // Structured logs: one JSON line per request, with its request id.
  const requestLine = first
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"request"') && l.includes('"path":"/graphql"'));
  expect(JSON.parse(requestLine as string)).toMatchObject({ requestId: expect.any(String), status: 200, method: 'POST' });

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
