// `npm run bench:catalog [-- --models 1000 --big 100000 --seconds 5]`: the catalog page through
// modelgraph over HTTP, side by side with the same answer from one hand-written SQL statement
// behind a minimal HTTP server, and with PostGraphile v4 when bench/postgraphile is installed
// (`npm --prefix bench/postgraphile ci`), on the same data in the same run. Not a test: it prints figures.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { Client } from 'pg';
import { createDataSource } from '../src/db/data-source';
import { openBenchDatabase, percentile, seedCatalog } from './bench-support';
import { CATALOG_QUERY, PARENT_PROBES, POSTGRAPHILE_CATALOG_QUERY } from './catalog.queries';
import type { ParentMessage, ServerMessage } from './catalog.server';

const { values: options } = parseArgs({
  options: {
    models: { type: 'string', default: '1000' },
    big: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '1,10' },
  },
});
const MODELS = Number(options.models);
const BIG = Number(options.big);
const SECONDS = Number(options.seconds);
const CLIENTS = options.clients.split(',').map(Number);
/** PostGraphile v4, an npm project of its own (it needs graphql 15): its server and its node_modules. */
const POSTGRAPHILE_DIR = path.resolve(__dirname, '..', '..', 'bench', 'postgraphile');

/** One server under test, forked, talked to over IPC and HTTP. */
class Target {
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly token: string | null,
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 }),
  ) {}

  static async start(name: string, kind: 'modelgraph' | 'sql' | 'postgraphile', url: string): Promise<Target> {
    // As deployed (docker/Dockerfile): graphql-js, among others, takes its fast paths only in production.
    const env = { ...process.env, NODE_ENV: 'production' };
    // fork runs the child on this process's node (process.execPath).
    const child =
      kind === 'postgraphile'
        ? fork(path.join(POSTGRAPHILE_DIR, 'server.js'), [url], { stdio: 'inherit', env, cwd: POSTGRAPHILE_DIR })
        : fork(path.join(__dirname, 'catalog.server.js'), [kind, url], { stdio: 'inherit', env });
    const ready = await Target.next<Extract<ServerMessage, { type: 'ready' }>>(child, 'ready');
    return new Target(name, child, ready.port, ready.token);
  }

  private static next<M extends ServerMessage>(child: ChildProcess, type: M['type']): Promise<M> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ServerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as M);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`${type}: the server exited with ${code}`)));
    });
  }

  async ask<M extends ServerMessage>(message: ParentMessage, reply: M['type']): Promise<M> {
    const answer = Target.next<M>(this.child, reply);
    this.child.send(message);
    return answer;
  }

  tell(message: ParentMessage): void {
    this.child.send(message);
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
          headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`${this.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve({ text, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async graphql(query: string, variables: Record<string, unknown> = {}): Promise<{ data: Record<string, unknown>; ms: number }> {
    const { text, ms } = await this.post(JSON.stringify({ query, variables }));
    const json = JSON.parse(text) as { data: Record<string, unknown>; errors?: unknown[] };
    if (json.errors) throw new Error(`${this.name}: ${JSON.stringify(json.errors)}`);
    return { data: json.data, ms };
  }

  async metric(name: string): Promise<number> {
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get({ agent: this.agent, host: '127.0.0.1', port: this.port, path: '/metrics' }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? NaN);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.tell({ type: 'stop' });
    await exited;
  }
}

/** SQL statements one request sends, read from the server's own counter over 20 requests. */
async function statementsPerRequest(target: Target, body: string, counter = 'modelgraph_db_queries_total'): Promise<number> {
  const before = await target.metric(counter);
  for (let i = 0; i < 20; i += 1) await target.post(body);
  return ((await target.metric(counter)) - before) / 20;
}

interface Connection<T> {
  edges: Array<{ node: T }>;
}
interface PostGraphileCatalog {
  allRegisteredModels: Connection<{
    id: string;
    name: string;
    modelVersionsByModelId: Connection<{
      id: string;
      version: number;
      stage: string;
      modelAliasesByVersionId: Connection<{ name: string }>;
    }>;
  }>;
}

/** PostGraphile's answer in modelgraph's field names, to be compared with modelgraph's answer as it is. */
function asModelgraphAnswer(data: PostGraphileCatalog): unknown {
  return {
    data: {
      models: {
        edges: data.allRegisteredModels.edges.map(({ node: m }) => ({
          node: {
            id: m.id,
            name: m.name,
            versions: {
              edges: m.modelVersionsByModelId.edges.map(({ node: v }) => ({
                node: {
                  id: v.id,
                  version: v.version,
                  stage: v.stage,
                  aliases: { edges: v.modelAliasesByVersionId.edges.map(({ node: a }) => ({ node: { name: a.name } })) },
                },
              })),
            },
          },
        })),
      },
    },
  };
}

/** The installed version of a package of bench/postgraphile. */
function installedVersion(name: string): string {
  const manifest = path.join(POSTGRAPHILE_DIR, 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

interface Run {
  requests: number;
  seconds: number;
  latencies: number[];
  stats: Extract<ServerMessage, { type: 'stats' }>;
}

/** `clients` loops sending the same request for SECONDS, after one second of unmeasured warm-up. */
async function load(target: Target, body: string, clients: number): Promise<Run> {
  const loop = async (until: number, latencies: number[] | null) => {
    while (Date.now() < until) {
      const { ms } = await target.post(body);
      latencies?.push(ms);
    }
  };
  await Promise.all(Array.from({ length: clients }, () => loop(Date.now() + 1000, null)));
  target.tell({ type: 'reset' });
  // BENCH_PROFILE=<folder>: each server writes a V8 CPU profile of each measured run there (bench/profile-summary.js reads it).
  const profileDir = process.env.BENCH_PROFILE;
  if (profileDir)
    target.tell({ type: 'profile', file: path.join(profileDir, `${target.name.replace(/\W+/g, '-')}-${clients}.cpuprofile`) });
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: clients }, () => loop(until, latencies)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (profileDir) target.tell({ type: 'profile', file: null });
  const stats = await target.ask<Extract<ServerMessage, { type: 'stats' }>>({ type: 'stats' }, 'stats');
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds, latencies, stats };
}

const row = (cells: Array<string | number>, widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

/** EXPLAIN ANALYZE of every statement one catalog request sends: a sequential scan on a hot statement is a finding. */
async function plans(db: Client, target: Target): Promise<string[]> {
  target.tell({ type: 'capture' });
  await target.post(JSON.stringify({ query: CATALOG_QUERY }));
  const { statements } = await target.ask<Extract<ServerMessage, { type: 'captured' }>>({ type: 'captured' }, 'captured');
  const lines: string[] = [];
  for (const { sql, parameters } of statements) {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${sql}`, parameters);
    const text = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    const seq = /Seq Scan on (\w+)/.exec(text);
    const time = /Execution Time: ([\d.]+) ms/.exec(text)?.[1];
    lines.push(
      `${(seq ? `SEQ SCAN ${seq[1]}` : 'no seq scan').padEnd(22)} ${time?.padStart(7)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 100)}`,
    );
    fs.appendFileSync(
      PLANS_FILE,
      `-- ${sql.replace(/\s+/g, ' ')}\n-- parameters: ${JSON.stringify(parameters).slice(0, 300)}\n${text}\n\n`,
    );
  }
  return lines;
}

const PLANS_FILE = path.join(os.tmpdir(), `modelgraph-catalog-plans-${process.pid}.txt`);

async function main(): Promise<void> {
  const bench = await openBenchDatabase('catalog');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  const db = new Client({ connectionString: bench.url });
  await db.connect();
  const targets: Target[] = [];
  try {
    const seeding = Date.now();
    const { bigModelId, smallModelId } = await seedCatalog(db, { models: MODELS, big: BIG });
    console.log(`modelgraph catalog benchmark: ${MODELS} models × 5 versions, one more model with ${BIG} versions; ${SECONDS} s per run`);
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const hand = await Target.start('hand-written SQL', 'sql', bench.url);
    const graph = await Target.start('modelgraph', 'modelgraph', bench.url);
    targets.push(hand, graph);

    const body = JSON.stringify({ query: CATALOG_QUERY });
    const [expected, actual] = [JSON.parse((await hand.post(body)).text), JSON.parse((await graph.post(body)).text)];
    console.log(
      `answer: ${(Buffer.byteLength(JSON.stringify(actual)) / 1024).toFixed(0)} KB; identical from both servers: ${isDeepStrictEqual(expected, actual) ? 'yes' : 'NO'}`,
    );

    // PostGraphile v4 on the same database, asked the same page through its own connection fields.
    const bodies = new Map<Target, string>([
      [hand, body],
      [graph, body],
    ]);
    let postgraphile: Target | null = null;
    if (fs.existsSync(path.join(POSTGRAPHILE_DIR, 'node_modules', 'postgraphile'))) {
      postgraphile = await Target.start('PostGraphile v4', 'postgraphile', bench.url);
      targets.push(postgraphile);
      const postgraphileBody = JSON.stringify({ query: POSTGRAPHILE_CATALOG_QUERY });
      bodies.set(postgraphile, postgraphileBody);
      const answer = await postgraphile.graphql(POSTGRAPHILE_CATALOG_QUERY);
      const same = isDeepStrictEqual(asModelgraphAnswer(answer.data as unknown as PostGraphileCatalog), actual);
      console.log(
        `PostGraphile ${installedVersion('postgraphile')} (graphql ${installedVersion('graphql')}): answer ${(Buffer.byteLength(JSON.stringify(answer.data)) / 1024).toFixed(0)} KB; same data: ${same ? 'yes' : 'no'}`,
      );
      if (!same)
        throw new Error('PostGraphile answered other models, versions or aliases than modelgraph: its figures would compare nothing');
    } else {
      console.log(`PostGraphile v4: not installed, skipped; to measure it too: npm --prefix bench/postgraphile ci`);
    }

    const widths = [18, 7, 11, 7, 7, 9, 8, 7];
    console.log(row(['target', 'clients', 'requests/s', 'p50 ms', 'p99 ms', 'heap MB', 'GC busy', 'SQL/req'], widths));
    const throughput = new Map<string, number>();
    for (const target of postgraphile ? [hand, graph, postgraphile] : [hand, graph]) {
      const targetBody = bodies.get(target) ?? body;
      for (const clients of CLIENTS) {
        const run = await load(target, targetBody, clients);
        const statements =
          target === graph
            ? await statementsPerRequest(graph, body)
            : target === postgraphile
              ? await statementsPerRequest(target, targetBody, 'postgraphile_db_queries_total')
              : 1;
        const rate = run.requests / run.seconds;
        throughput.set(`${target.name}/${clients}`, rate);
        console.log(
          row(
            [
              target.name,
              clients,
              rate.toFixed(1),
              percentile(run.latencies, 50).toFixed(1),
              percentile(run.latencies, 99).toFixed(1),
              run.stats.heapPeakMb.toFixed(0),
              `${((100 * run.stats.gcMs) / Math.max(run.stats.cpuMs, 1)).toFixed(0)}%`,
              statements.toFixed(1),
            ],
            widths,
          ),
        );
      }
    }
    for (const clients of CLIENTS) {
      const ratio = (throughput.get(`modelgraph/${clients}`) ?? 0) / (throughput.get(`hand-written SQL/${clients}`) ?? 1);
      console.log(`ratio modelgraph / hand-written at ${clients} client${clients === 1 ? '' : 's'}: ${ratio.toFixed(2)}×`);
    }
    if (postgraphile)
      for (const clients of CLIENTS) {
        const ratio = (throughput.get(`modelgraph/${clients}`) ?? 0) / (throughput.get(`${postgraphile.name}/${clients}`) ?? 1);
        console.log(`ratio modelgraph / PostGraphile v4 at ${clients} client${clients === 1 ? '' : 's'}: ${ratio.toFixed(2)}×`);
      }

    console.log(`\none request at a time through modelgraph, median of 30 (ms): a parent with 5 children and one with ${BIG}`);
    console.log(row(['field', '5 children', `${BIG} children`], [36, 10, 16]));
    for (const probe of PARENT_PROBES) {
      const medians: string[] = [];
      for (const id of [smallModelId, bigModelId]) {
        let after: string | null = null;
        if (probe.query.includes('$after')) {
          const page = await graph.graphql('query($id: UUID!) { model(id: $id) { versions(first: 50) { pageInfo { endCursor } } } }', {
            id,
          });
          after = (page.data.model as { versions: { pageInfo: { endCursor: string } } }).versions.pageInfo.endCursor;
        }
        const times: number[] = [];
        for (let i = 0; i < 35; i += 1) times.push((await graph.graphql(probe.query, { id, after })).ms);
        medians.push(
          percentile(
            times.slice(5).sort((a, b) => a - b),
            50,
          ).toFixed(1),
        );
      }
      console.log(row([probe.label, ...medians], [36, 10, 16]));
    }

    console.log(`\nstatements of one catalog request, EXPLAIN ANALYZE (full plans in ${PLANS_FILE}):`);
    for (const line of await plans(db, graph)) console.log(`  ${line}`);
  } finally {
    for (const target of targets) await target.stop();
    await db.end();
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
