// PostGraphile v4 over HTTP, deployed as its documentation recommends for production, for bench:catalog
// (issue 25) to measure beside modelgraph on the same database in the same run. Its own npm project
// because PostGraphile v4 needs graphql 15 (modelgraph has 16): `npm --prefix bench/postgraphile ci`.
//   NODE_ENV=production node bench/postgraphile/server.js <database url> [port]
// Forked by catalog.bench.ts, it speaks the same IPC messages as catalog.server.ts (ready, reset, stats,
// capture/captured, profile, stop); run by hand, it prints where it listens. GET /metrics answers
// postgraphile_db_queries_total, the statements its pool has been sent.
/* global console, setInterval */
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const { Session } = require('node:inspector');
const { PerformanceObserver } = require('node:perf_hooks');
const pg = require('pg');
const { postgraphile } = require('postgraphile');

const [url, portArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: node bench/postgraphile/server.js <database url> [port]');
  process.exit(2);
}
if (process.env.NODE_ENV !== 'production')
  console.warn('postgraphile server: NODE_ENV is not production, graphql 15 runs its slower checks');
const send = (message) => void (process.send && process.send(message));

// Every statement the pool is sent, counted (and captured on request), as modelgraph's own counter does.
let queries = 0;
let capturing = null;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, values, callback) {
  queries += 1;
  if (capturing) {
    const sql = typeof config === 'string' ? config : config && config.text;
    const parameters = (Array.isArray(values) ? values : config && config.values) || [];
    if (sql) capturing.push({ sql, parameters });
  }
  return query.call(this, config, values, callback);
};

// GC time, CPU time and heap since the last reset, as catalog.server.ts measures them.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
let cpuAtReset = process.cpuUsage();
let heapPeak = 0;
setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 100).unref();

const inspector = new Session();
inspector.connect();
const post = (method) => new Promise((resolve, reject) => inspector.post(method, (err, result) => (err ? reject(err) : resolve(result))));
let profiling = null;
async function profile(file) {
  if (file) {
    await post('Profiler.enable');
    profiling = post('Profiler.start').then(() => file);
    return;
  }
  if (!profiling) return;
  const target = await profiling;
  const { profile: result } = await post('Profiler.stop');
  fs.writeFileSync(target, JSON.stringify(result));
  profiling = null;
}

async function main() {
  // The same pool size as modelgraph's and the hand-written server's.
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // https://www.graphile.org/postgraphile/usage-library/#recommended-options (production), read-only:
  // no mutations, no subscriptions, no watch mode, no GraphiQL, no query log.
  const middleware = postgraphile(pool, 'public', {
    disableDefaultMutations: true,
    subscriptions: false,
    watchPg: false,
    retryOnInitFail: false,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    extendedErrors: ['errcode'],
    graphiql: false,
    enableQueryBatching: true,
    disableQueryLog: true,
    legacyRelations: 'omit',
  });
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`postgraphile_db_queries_total ${queries}\n`);
      return;
    }
    middleware(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(Number(portArg ?? 0), '127.0.0.1', resolve));
  // The schema is built on the first request otherwise; build it now, so that the server is ready when it says so.
  await middleware.getGraphQLSchema();
  const { port } = server.address();
  const stop = () => new Promise((resolve) => server.close(() => resolve())).then(() => middleware.release()).then(() => pool.end());

  process.on('message', (message) => {
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
        send({ type: 'captured', statements: capturing || [] });
        capturing = null;
        break;
      case 'profile':
        void profile(message.file);
        break;
      case 'stop':
        void stop().then(() => process.exit(0));
        break;
    }
  });
  if (process.send) send({ type: 'ready', port, token: null });
  else console.log(`PostGraphile ${require('postgraphile/package.json').version} on http://127.0.0.1:${port}/graphql`);
  process.on('SIGINT', () => void stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
