// `npm run bench:start [-- --restarts 5 --runs 10]`: how long starting and running commands take once built.
// (a) `npm start` with an up-to-date build, to /readyz 200, over a data folder already initialised (a temporary
// MODELGRAPH_DATA_DIR and the embedded PostgreSQL; the first start, which initialises it, is reported apart);
// (b) scripts/build-once.js's check when nothing changed; (c) `npm run admin:token` and `npm run audit:verify`,
// beside `node` running the same compiled command, so what npm and the check add shows; (d) the CLI
// (clients/typescript/bin/modelgraph.js), when it exists: `--version`, and `models list --json` against the
// started server less the same requests sent by fetch from this warm process (the server's share), after one
// run not counted (the CLI builds itself when its sources changed).
// Not a test: it prints figures. Everything it starts it stops, and its temporary folder goes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, percentile } from './bench-support';

const { values } = parseArgs({
  options: { restarts: { type: 'string', default: '5' }, runs: { type: 'string', default: '10' } },
});
const RESTARTS = Number(values.restarts);
const RUNS = Number(values.runs);

/** The repository: this file runs as dist/bench/start.bench.js. */
const root = path.resolve(__dirname, '../..');
const CLI = path.join(root, 'clients', 'typescript', 'bin', 'modelgraph.js');
const TOKEN = 'mg_bench_start_admin_token_0123456789';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-bench-start-'));
fs.chmodSync(dataDir, 0o755); // the embedded server may run as another user and must reach its folder

interface Ran {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and answers its wall time, exit code and output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const f = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
  return `min ${f(sorted[0])}, median ${f(percentile(sorted, 50))}, max ${f(sorted[sorted.length - 1])} (${ms.length} runs)`;
}

const median = (ms: number[]) =>
  percentile(
    [...ms].sort((a, b) => a - b),
    50,
  );

/** `runs` runs of a command that must exit 0; answers their wall times. */
async function timed(runs: number, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const ran = await run(command, args, env);
    if (ran.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${ran.code}:\n${ran.stdout}${ran.stderr}`);
    times.push(ran.ms);
  }
  return times;
}

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

let current: Server | undefined;
let serverPort = 0;

/** `npm start` in its own process group; answers when /readyz says 200, with the time that took. */
async function start(env: NodeJS.ProcessEnv, port: number): Promise<{ server: Server; ms: number }> {
  const started = performance.now();
  let output = '';
  const child = spawn('npm', ['start'], { cwd: root, env: { ...process.env, ...env }, detached: true });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const server = { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
  current = server;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (performance.now() - started > 300_000) throw new Error(`npm start not ready in 300 s:\n${output}`);
    const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return { server, ms: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** SIGTERM to npm's process group (npm, its shell, the server); waits until the server has stopped its database. */
async function stop(server: Server, port: number): Promise<void> {
  try {
    process.kill(-(server.child.pid as number), 'SIGTERM');
  } catch {
    // Gone already.
  }
  await server.exited;
  const deadline = Date.now() + 60_000;
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => resolve(false));
    });
  while (fs.existsSync(pidFile) || (await listening())) {
    if (Date.now() > deadline) throw new Error(`the server did not stop:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  current = undefined;
}

/** What a command sends: an HTTP proxy in front of the server that records each request it forwards. */
async function recordRequests(target: number): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)),
      ) as Record<string, string>;
      requests.push({
        method: req.method as string,
        path: req.url as string,
        headers,
        body: body.length ? body.toString('utf8') : undefined,
      });
      const forward = http.request(
        { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode as number, answer.headers);
          answer.pipe(res);
        },
      );
      forward.once('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function main(): Promise<void> {
  const nodeVersion = (await run('node', ['--version'])).stdout.trim();
  const npmVersion = (await run('npm', ['--version'])).stdout.trim();
  console.log(`node ${nodeVersion} (the node on PATH, which npm runs), npm ${npmVersion}, ${os.cpus().length} CPUs`);

  // The build is made up to date first, so that every start below finds nothing to build.
  const built = await run('node', ['scripts/build-once.js', 'all']);
  if (built.code !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
  console.log(built.stderr.trim() ? `build brought up to date first (${(built.ms / 1000).toFixed(1)} s)` : 'build already up to date');

  const port = await freePort();
  serverPort = port;
  const env = {
    PORT: String(port),
    MODELGRAPH_DATA_DIR: dataDir,
    MODELGRAPH_EMBEDDED_PG_PORT: String(await freePort()),
    DATABASE_URL: '',
    LOG_LEVEL: 'warn',
    MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
  };

  // (a) The first start initialises the data folder (initdb, migrations, the first admin token): not counted.
  const first = await start(env, port);
  console.log(`\n(a) npm start to /readyz 200, embedded PostgreSQL, build up to date`);
  console.log(`  first start (initialises the data folder; not counted): ${(first.ms / 1000).toFixed(2)} s`);
  await stop(first.server, port);
  const restarts: number[] = [];
  let server: Server | undefined;
  for (let i = 0; i < RESTARTS; i += 1) {
    const started = await start(env, port);
    if (/building /.test(started.server.output())) throw new Error(`npm start built something:\n${started.server.output()}`);
    restarts.push(started.ms);
    if (i < RESTARTS - 1) await stop(started.server, port);
    else server = started.server; // the last one stays up for the commands below
  }
  console.log(`  restart: ${summary(restarts)}`);
  console.log(`  goal < 5 s: ${median(restarts) < 5000 && Math.max(...restarts) < 5000 ? 'met' : 'NOT met'}`);

  // (b) The check alone, nothing changed; node starting and exiting beside it.
  const check = await timed(RUNS, 'node', ['scripts/build-once.js', 'all']);
  const bare = await timed(RUNS, 'node', ['-e', '0']);
  console.log(`\n(b) node scripts/build-once.js all, nothing changed`);
  console.log(`  ${summary(check)}; node -e 0 alone: median ${median(bare).toFixed(0)} ms`);
  console.log(`  the check's own share: ${(median(check) - median(bare)).toFixed(0)} ms`);

  // (c) The two npm commands against the running server's data folder, and the same compiled command by node.
  const gql = async (query: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query }),
    });
    return res.json() as Promise<{ data?: unknown; errors?: unknown }>;
  };
  for (let i = 0; i < 5; i += 1) {
    const created = await gql(`mutation { createModel(input: { name: "bench-start-${i}", owner: "bench" }) { model { id } } }`);
    if (created.errors) throw new Error(JSON.stringify(created.errors));
  }
  const exportFile = path.join(dataDir, 'audit-export.jsonl');
  const exported = await fetch(`http://127.0.0.1:${port}/audit/export`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (exported.status !== 200) throw new Error(`GET /audit/export answered ${exported.status}`);
  fs.writeFileSync(exportFile, await exported.text());
  const events = fs.readFileSync(exportFile, 'utf8').split('\n').filter(Boolean).length;
  const verifyArgs = [
    exportFile,
    '--checkpoints',
    path.join(dataDir, 'audit-checkpoints.jsonl'),
    '--public-key',
    path.join(dataDir, 'audit-signing-key.pem.pub'),
  ];
  const adminNpm = await timed(RUNS, 'npm', ['run', 'admin:token', '--', '--subject', 'bench'], env);
  const adminNode = await timed(RUNS, 'node', ['dist/src/admin-token.js', '--subject', 'bench'], env);
  const verifyNpm = await timed(RUNS, 'npm', ['run', 'audit:verify', '--', ...verifyArgs], env);
  const verifyNode = await timed(RUNS, 'node', ['dist/src/audit-verify.js', ...verifyArgs], env);
  console.log(`\n(c) the npm commands, beside the running server, build up to date`);
  console.log(`  npm run admin:token: ${summary(adminNpm)}`);
  console.log(`    node dist/src/admin-token.js alone: median ${median(adminNode).toFixed(0)} ms`);
  console.log(`    npm and the check add: ${(median(adminNpm) - median(adminNode)).toFixed(0)} ms`);
  console.log(`  npm run audit:verify (${events} events): ${summary(verifyNpm)}`);
  console.log(`    node dist/src/audit-verify.js alone: median ${median(verifyNode).toFixed(0)} ms`);
  console.log(`    npm and the check add: ${(median(verifyNpm) - median(verifyNode)).toFixed(0)} ms`);

  // (d) The CLI, if it is there.
  console.log(`\n(d) the CLI, node ${path.relative(root, CLI)}`);
  if (!fs.existsSync(CLI)) {
    console.log(`  SKIPPED: ${path.relative(root, CLI)} does not exist (yet): no CLI figures`);
  } else {
    const cliEnv = { MODELGRAPH_URL: `http://127.0.0.1:${port}`, MODELGRAPH_TOKEN: TOKEN };
    // One run first, not counted: the CLI compiles itself when its sources changed (as npm start does the server).
    const warm = await run('node', [CLI, '--version'], cliEnv);
    if (warm.code !== 0) throw new Error(`the CLI's --version exited ${warm.code}:\n${warm.stdout}${warm.stderr}`);
    const building = /building[^\n]*/.exec(warm.stderr)?.[0];
    if (building) console.log(`  first run built it (not counted): ${(warm.ms / 1000).toFixed(1)} s ("${building}")`);
    const version = await timed(RUNS, 'node', [CLI, '--version'], cliEnv);
    console.log(`  --version (no request): ${summary(version)}; node -e 0 alone: median ${median(bare).toFixed(0)} ms`);
    // What `models list --json` sends, recorded once through a proxy, then sent from this warm process.
    const recorder = await recordRequests(port);
    const recorded = await run('node', [CLI, 'models', 'list', '--json'], { ...cliEnv, MODELGRAPH_URL: recorder.url });
    await recorder.close();
    if (recorded.code !== 0 || recorder.requests.length === 0) {
      console.log(`  SKIPPED models list --json: it exited ${recorded.code} after ${recorder.requests.length} requests:`);
      console.log(`  ${(recorded.stdout + recorded.stderr).trim().split('\n').join('\n  ')}`);
    } else {
      const list = await timed(RUNS, 'node', [CLI, 'models', 'list', '--json'], cliEnv);
      const replay = async () => {
        for (const r of recorder.requests) {
          const res = await fetch(`http://127.0.0.1:${port}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
          await res.arrayBuffer();
        }
      };
      for (let i = 0; i < 3; i += 1) await replay(); // warm: connections, the server's caches
      const server: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        await replay();
        server.push(performance.now() - started);
      }
      console.log(`  models list --json: ${summary(list)}`);
      console.log(
        `    the same ${recorder.requests.length} request(s) by fetch from a warm process: median ${median(server).toFixed(1)} ms`,
      );
      const overhead = median(list) - median(server);
      console.log(`  CLI overhead (models list --json less the server's share): ${overhead.toFixed(0)} ms`);
      console.log(`  goal < 1 s: ${overhead < 1000 && median(version) < 1000 ? 'met' : 'NOT met'}`);
    }
  }

  if (server) await stop(server, port);
}

async function cleanUp(): Promise<void> {
  if (current) await stop(current, serverPort).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

main().then(
  () => cleanUp(),
  async (err: Error) => {
    console.error(err.message);
    await cleanUp();
    process.exit(1);
  },
);
