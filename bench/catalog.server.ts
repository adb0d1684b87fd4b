// Forked by catalog.bench.ts: one server under test in a process of its own, so that the CPU time,
// heap and garbage collection it reports are its own and not the load generator's.
//   node dist/bench/catalog.server.js modelgraph <database url>
//   node dist/bench/catalog.server.js sql <database url>
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { Pool } from 'pg';
import { createModelgraph, createModelgraphDataSource } from '../src/composition';
import { loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import { createLogger } from '../src/logger';
import { SYSTEM_CALLER } from '../src/modules/tokens/token.service';
import { startServer } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { CATALOG_SQL } from './catalog.queries';

export type ServerMessage =
  | { type: 'ready'; port: number; token: string | null }
  | { type: 'stats'; cpuMs: number; gcMs: number; heapUsedMb: number; heapPeakMb: number }
  | { type: 'captured'; statements: Array<{ sql: string; parameters: unknown[] }> };
export type ParentMessage =
  | { type: 'reset' }
  | { type: 'stats' }
  | { type: 'capture' }
  | { type: 'captured' }
  | { type: 'profile'; file: string | null }
  | { type: 'stop' };

const [kind, url] = process.argv.slice(2);
const send = (message: ServerMessage): void => void process.send?.(message);

// GC time and CPU time since the last reset: their ratio is the share of busy time spent collecting garbage.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
let cpuAtReset = process.cpuUsage();
let heapPeak = 0;
setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 100).unref();

let capturing: Array<{ sql: string; parameters: unknown[] }> | null = null;

// CPU profiles of a measured window only (start-up, seeding and the other server's turn left out).
const inspector = new Session();
inspector.connect();
const post = (method: string) =>
  new Promise<Record<string, unknown>>((resolve, reject) =>
    inspector.post(method, (err, result) => (err ? reject(err) : resolve(result as Record<string, unknown>))),
  );
let profiling: Promise<unknown> | null = null;

/** `file`: start profiling, to be written there when the next message with file null stops it. */
async function profile(file: string | null): Promise<void> {
  if (file) {
    await post('Profiler.enable');
    profiling = post('Profiler.start').then(() => file);
    return;
  }
  if (!profiling) return;
  const target = (await profiling) as string;
  const { profile: result } = await post('Profiler.stop');
  fs.writeFileSync(target, JSON.stringify(result));
  profiling = null;
}

async function startModelgraph(): Promise<{ port: number; token: string; stop: () => Promise<void> }> {
  const metrics = createMetrics();
  const db = createModelgraphDataSource({
    url,
    onQuery: (sql, parameters) => {
      metrics.dbQueries.inc();
      capturing?.push({ sql, parameters: parameters ?? [] });
    },
  });
  await db.initialize();
  const { services, application } = await createModelgraph(db);
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production' });
  const server = await startServer({ config, db, logger: createLogger('silent'), metrics, application }, { port: 0, host: '127.0.0.1' });
  const { secret } = await services.tokens.create(SYSTEM_CALLER, { subject: 'bench', role: Role.VIEWER });
  return { port: server.port, token: secret, stop: () => server.close().then(() => db.destroy()) };
}

/** The reference: a minimal HTTP server answering with the JSON one SQL statement builds. */
async function startHandWritten(): Promise<{ port: number; token: null; stop: () => Promise<void> }> {
  const pool = new Pool({ connectionString: url, max: 20 });
  const server = http.createServer((req, res) => {
    req.resume(); // the body is the catalog query; this server knows only that one
    req.on('end', () => {
      pool.query(CATALOG_SQL).then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(result.rows[0].body);
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    token: null,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => pool.end()),
  };
}

async function main(): Promise<void> {
  const target = kind === 'modelgraph' ? await startModelgraph() : await startHandWritten();
  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'reset':
        gcMs = 0;
        heapPeak = 0;
        cpuAtReset = process.cpuUsage();
        break;
      case 'stats': {
        const cpu = process.cpuUsage(cpuAtReset);
        const heapUsed = process.memoryUsage().heapUsed;
        send({
          type: 'stats',
          cpuMs: (cpu.user + cpu.system) / 1000,
          gcMs,
          heapUsedMb: heapUsed / 2 ** 20,
          heapPeakMb: Math.max(heapPeak, heapUsed) / 2 ** 20,
        });
        break;
      }
      case 'capture':
        capturing = [];
        break;
      case 'captured':
        send({ type: 'captured', statements: capturing ?? [] });
        capturing = null;
        break;
      case 'profile':
        void profile(message.file);
        break;
      case 'stop':
        void target.stop().then(() => process.exit(0));
        break;
    }
  });
  send({ type: 'ready', port: target.port, token: target.token });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
