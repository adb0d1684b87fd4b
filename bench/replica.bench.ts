// `npm run bench:replica [-- --models 1000 --big 100000 --seconds 5 --clients 1,10 --rounds 3 --evidence 200]`: the catalog
// page through modelgraph over HTTP, served by a server with one asynchronous streaming read replica beside one with the
// primary alone, on the same data in the same run, alternating A/B/A/B because the machine is shared. Not a test: it
// prints figures. Needs Debian's PostgreSQL server packages (/usr/lib/postgresql/<version>/bin).
//
// The same file is the forked server (`node dist/bench/replica.bench.js serve <url> [<read url>]`), so that the CPU
// the server spends is not the load generator's.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { Client } from 'pg';
import { Role } from '../src/common/role';
import { createModelgraph, createModelgraphDataSource } from '../src/composition';
import { loadConfig } from '../src/config';
import { hasReadReplicas } from '../src/db/data-source';
import { createLogger } from '../src/logger';
import { SYSTEM_CALLER } from '../src/modules/tokens/token.service';
import { startServer } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { debianPostgres, startReplicatedPostgres, type ReplicatedPostgres } from '../test/support/replicated-postgres';
import { percentile, seedCatalog } from './bench-support';
import { CATALOG_QUERY } from './catalog.queries';

type ServerMessage = { type: 'ready'; port: number; token: string; replicas: boolean } | { type: 'cpu'; ms: number };
type ParentMessage = { type: 'stop' } | { type: 'cpu' };

// ---------------------------------------------------------------------------------------------------------------
// The forked server: as the catalog benchmark's, with `readUrls` when given a read URL.

async function serve(url: string, readUrl: string | undefined): Promise<void> {
  const db = createModelgraphDataSource({ url, readUrls: readUrl ? [readUrl] : [] });
  await db.initialize();
  const { services, application } = await createModelgraph(db);
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production' });
  const server = await startServer(
    { config, db, logger: createLogger('silent'), metrics: createMetrics(), application },
    { port: 0, host: '127.0.0.1' },
  );
  // A VIEWER that never writes: read-your-writes never sends its queries to the primary.
  const { secret } = await services.tokens.create(SYSTEM_CALLER, {
    subject: readUrl ? 'bench-replica' : 'bench-primary',
    role: Role.VIEWER,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(
      () => db.destroy().then(() => process.exit(0)),
      () => process.exit(1),
    );
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') stop();
    const { user, system } = process.cpuUsage();
    if (message.type === 'cpu') process.send?.({ type: 'cpu', ms: (user + system) / 1000 } satisfies ServerMessage);
  });
  // The benchmark died without stopping us: go too.
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', port: server.port, token: secret, replicas: hasReadReplicas(db) } satisfies ServerMessage);
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark.

/** One modelgraph server, forked, talked to over HTTP. */
class Target {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly token: string,
    readonly replicas: boolean,
  ) {}

  static async start(name: string, url: string, readUrl?: string): Promise<Target> {
    // As deployed (docker/Dockerfile): graphql-js, among others, takes its fast paths only in production.
    const env = { ...process.env, NODE_ENV: 'production' };
    const child = fork(__filename, ['serve', url, ...(readUrl ? [readUrl] : [])], { stdio: 'inherit', env });
    const ready = await new Promise<Extract<ServerMessage, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`${name}: the server exited with ${code} before it was ready`)));
    });
    return new Target(name, child, ready.port, ready.token, ready.replicas);
  }

  /** The CPU time the server process has used, in ms. */
  cpu(): Promise<number> {
    return new Promise((resolve) => {
      this.child.once('message', (message: ServerMessage) => resolve(message.type === 'cpu' ? message.ms : NaN));
      this.child.send({ type: 'cpu' } satisfies ParentMessage);
    });
  }

  /** POSTs a GraphQL request; answers with the raw body and the time it took in ms. */
  post(body: string): Promise<{ text: string; ms: number }> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`${this.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            else if (text.includes('"errors"')) reject(new Error(`${this.name}: ${text.slice(0, 300)}`));
            else resolve({ text, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ParentMessage);
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A superuser connection to one server's `postgres` database (not `modelgraph`, whose statistics it would add to). */
async function admin(port: number): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  return client;
}

/** Transactions and rows read in database modelgraph, as pg_stat_database counts them on one server. */
async function databaseStats(port: number): Promise<{ xacts: number; rows: number }> {
  const client = await admin(port);
  try {
    const { rows } = await client.query(
      `SELECT xact_commit + xact_rollback AS xacts, tup_returned + tup_fetched AS rows FROM pg_stat_database WHERE datname = 'modelgraph'`,
    );
    return { xacts: Number(rows[0].xacts), rows: Number(rows[0].rows) };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { values: options } = parseArgs({
    options: {
      models: { type: 'string', default: '1000' },
      big: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '5' },
      clients: { type: 'string', default: '1,10' },
      rounds: { type: 'string', default: '3' },
      evidence: { type: 'string', default: '200' },
    },
  });
  const MODELS = Number(options.models);
  const BIG = Number(options.big);
  const SECONDS = Number(options.seconds);
  const CLIENTS = options.clients.split(',').map(Number);
  const ROUNDS = Math.max(1, Number(options.rounds));
  const EVIDENCE = Number(options.evidence);

  const bin = debianPostgres();
  if (!bin) {
    console.log(
      'bench:replica: skipped — it needs Debian PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, postgres) under ' +
        '/usr/lib/postgresql/<version>/bin (apt-get install postgresql) to start a primary and a streaming replica.',
    );
    return;
  }

  let pg: ReplicatedPostgres | undefined;
  const targets: Target[] = [];
  let stopping: Promise<void> | undefined;
  const cleanUp = () =>
    (stopping ??= (async () => {
      for (const target of targets) await target.stop().catch((err) => console.error(err));
      await pg?.stop().catch((err) => console.error(err));
    })());
  const interrupted = () => void cleanUp().then(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);

  try {
    const starting = Date.now();
    pg = await startReplicatedPostgres(bin, { synchronous: false });
    // `url` goes through a TCP proxy in this very process (it is there for failover tests): it would tax the primary's
    // connections with this process's CPU, which also runs the clients, and not the replica's. Both servers reach the
    // primary directly instead, as `readUrl` reaches the replica.
    const app = new Client({ connectionString: pg.url });
    await app.connect();
    const primaryPort = Number((await app.query('SELECT inet_server_port() AS port')).rows[0].port);
    await app.end();
    const replicaPort = Number(new URL(pg.readUrl).port);
    const primaryUrl = `postgres://mg_app:app@127.0.0.1:${primaryPort}/modelgraph`;
    const superuser = await admin(primaryPort);
    const version = (await superuser.query('SHOW server_version')).rows[0].server_version as string;
    await superuser.end();
    const started = (Date.now() - starting) / 1000;

    const seeding = Date.now();
    const owner = new Client({ host: '127.0.0.1', port: primaryPort, user: 'postgres', database: 'modelgraph' });
    await owner.connect();
    await seedCatalog(owner, { models: MODELS, big: BIG });
    const seeded = (Date.now() - seeding) / 1000;

    // The replica has replayed everything the primary wrote (the seeding, its VACUUM ANALYZE) before anything reads it.
    const catchingUp = Date.now();
    const target = (await owner.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
    await owner.end();
    const standby = await admin(replicaPort);
    let behind = Number.POSITIVE_INFINITY;
    let laggedBytes: number | undefined;
    while (behind > 0) {
      const { rows } = await standby.query(`SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::bigint AS behind`, [target]);
      behind = Number(rows[0].behind);
      laggedBytes ??= behind;
      if (behind > 0) await sleep(100);
      if (Date.now() - catchingUp > 300_000) throw new Error(`the replica is still ${behind} bytes behind after 5 minutes`);
    }
    await standby.end();
    const caughtUp = (Date.now() - catchingUp) / 1000;

    console.log(
      `modelgraph read-replica benchmark: ${MODELS} models × 5 versions, one more model with ${BIG} versions; ` +
        `${SECONDS} s per run, clients ${CLIENTS.join(',')}, ${ROUNDS} rounds A/B`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${version} (${bin}): a primary and one asynchronous ` +
        `streaming replica on this machine, started in ${started.toFixed(1)} s; seeded in ${seeded.toFixed(1)} s; the replica was ` +
        `${((laggedBytes ?? 0) / 2 ** 20).toFixed(1)} MB behind and caught up (replay LSN ≥ primary's ${target}) in ${caughtUp.toFixed(1)} s`,
    );

    const primaryOnly = await Target.start('primary only', primaryUrl);
    targets.push(primaryOnly);
    const withReplica = await Target.start('with replica', primaryUrl, pg.readUrl);
    targets.push(withReplica);
    if (primaryOnly.replicas || !withReplica.replicas)
      throw new Error(`hasReadReplicas: primary only ${primaryOnly.replicas}, with replica ${withReplica.replicas}`);

    const body = JSON.stringify({ query: CATALOG_QUERY });
    const [a, b] = [JSON.parse((await primaryOnly.post(body)).text), JSON.parse((await withReplica.post(body)).text)];
    const models = (a as { data: { models: { edges: unknown[] } } }).data.models.edges.length;
    const same = isDeepStrictEqual(a, b);
    console.log(
      `answer: ${(Buffer.byteLength(JSON.stringify(a)) / 1024).toFixed(0)} KB, ${models} models; identical from both servers: ${same ? 'yes' : 'NO'}`,
    );
    if (!same) throw new Error('the two servers answer the catalog query differently');

    // Where the statements went: pg_stat_database on each server around EVIDENCE sequential requests to one server. A
    // backend publishes its counts when idle, at the latest 10 s later (PostgreSQL 15's PGSTAT_IDLE_INTERVAL): settle first.
    const SETTLE_MS = 11_000;
    console.log(
      `\nwhere the statements went: pg_stat_database of database modelgraph on each PostgreSQL, around ${EVIDENCE} catalog ` +
        `requests to one server (read ${SETTLE_MS / 1000} s after, when the backends have published their counts)`,
    );
    const evidenceWidths = [14, 18, 18, 17, 17];
    console.log(row(['server', 'primary xacts/req', 'replica xacts/req', 'primary rows/req', 'replica rows/req'], evidenceWidths));
    await sleep(SETTLE_MS);
    for (const server of [primaryOnly, withReplica]) {
      const [p0, r0] = [await databaseStats(primaryPort), await databaseStats(replicaPort)];
      for (let i = 0; i < EVIDENCE; i += 1) await server.post(body);
      await sleep(SETTLE_MS);
      const [p1, r1] = [await databaseStats(primaryPort), await databaseStats(replicaPort)];
      const per = (n: number) => (n / EVIDENCE).toFixed(2);
      console.log(
        row(
          [server.name, per(p1.xacts - p0.xacts), per(r1.xacts - r0.xacts), per(p1.rows - p0.rows), per(r1.rows - r0.rows)],
          evidenceWidths,
        ),
      );
    }

    console.log(`\nruns (A = primary only, B = with replica; each after 1 s of unmeasured warm-up):`);
    const widths = [5, 14, 7, 10, 7, 7, 7, 16];
    console.log(row(['round', 'target', 'clients', 'requests/s', 'p50 ms', 'p95 ms', 'p99 ms', 'server CPU ms/req'], widths, 2));
    const rates = new Map<string, number[]>();
    for (const clients of CLIENTS) {
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const server of [primaryOnly, withReplica]) {
          const run = await load(server, body, clients, SECONDS);
          const rate = run.requests / run.seconds;
          const key = `${server.name}/${clients}`;
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          console.log(
            row(
              [
                round,
                server.name,
                clients,
                rate.toFixed(1),
                percentile(run.latencies, 50).toFixed(1),
                percentile(run.latencies, 95).toFixed(1),
                percentile(run.latencies, 99).toFixed(1),
                (run.cpuMs / run.requests).toFixed(2),
              ],
              widths,
              2,
            ),
          );
        }
      }
    }

    console.log(`\nratio replica / primary (requests/s of the server with the replica over the primary-only server's):`);
    for (const clients of CLIENTS) {
      const [ra, rb] = [rates.get(`primary only/${clients}`) ?? [], rates.get(`with replica/${clients}`) ?? []];
      const perRound = rb.map((r, i) => (r / ra[i]).toFixed(2));
      console.log(
        `  ${String(clients).padStart(3)} client${clients === 1 ? ' ' : 's'}: median ${median(ra).toFixed(1)} → ${median(rb).toFixed(1)} ` +
          `requests/s = ${(median(rb) / median(ra)).toFixed(2)}×; round by round ${perRound.join(', ')}`,
      );
    }
  } finally {
    await cleanUp();
  }
}

/** `clients` loops sending the same request for `seconds`, after one second of unmeasured warm-up. */
async function load(
  target: Target,
  body: string,
  clients: number,
  seconds: number,
): Promise<{ requests: number; seconds: number; latencies: number[]; cpuMs: number }> {
  const loop = async (until: number, latencies: number[] | null) => {
    while (Date.now() < until) {
      const { ms } = await target.post(body);
      latencies?.push(ms);
    }
  };
  await Promise.all(Array.from({ length: clients }, () => loop(Date.now() + 1000, null)));
  const latencies: number[] = [];
  const cpuBefore = await target.cpu();
  const started = process.hrtime.bigint();
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, () => loop(until, latencies)));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuMs = (await target.cpu()) - cpuBefore;
  latencies.sort((x, y) => x - y);
  return { requests: latencies.length, seconds: elapsed, latencies, cpuMs };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A table row: the first `left` cells aligned left, the others right. */
const row = (cells: Array<string | number>, widths: number[], left = 1): string =>
  cells.map((c, i) => (i < left ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

const [mode, url, readUrl] = process.argv.slice(2);
(mode === 'serve' ? serve(url, readUrl) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
