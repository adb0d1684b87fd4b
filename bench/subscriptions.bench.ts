// `npm run bench:subscriptions [-- --subscribers 5000 --clients 2 --rate 2 --seconds 20 --bursts 3 --burst 10]`:
// many idle `lifecycleEvents` subscribers on one instance — what each open socket costs the server in memory —
// then events committed through GraphQL mutations over HTTP, at a steady rate and in bursts, and how long each
// takes from its commit (its `occurredAt`) to its receipt at every subscriber it matches. Not a test: it prints figures.
//
// The mix: 45% of the subscribers take every event, 45% one model's, 10% version registrations and stage changes,
// over 10 tokens (an admin and viewers; more when a token would hold more sockets than the server's per-token bound
// allows, 1,000 by default), so each event goes to about 59% of them. The default load is a busy
// registry: 2 changes a second, then bursts of 10 at once (pipelines finishing together). Every delivery costs the
// server CPU (the table says how much), so the event rate it sustains falls as subscribers grow: past it, latency
// only measures how long the phase lasted (`--rate 10 --burst 50` shows that regime).
//
// BENCH_PROFILE=<folder>: a CPU profile of the server per phase (bench/profile-summary.js reads it).
// BENCH_HEAP_SNAPSHOT=<folder>: heap snapshots of the server before and after the sockets open (they inflate RSS).
//
// One file, three roles: the benchmark (no positional argument) forks the server under test (`server <database
// url>`: modelgraph as main.ts starts it, background jobs included, NODE_ENV=production, in a process of its own
// so that its memory and CPU are its own) and the subscribers' processes (`client`: raw `ws` speaking
// graphql-transport-ws, lighter than graphql-ws's client, each process holding its share of the sockets).
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import os from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import WebSocket from 'ws';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { matchesFilter, type EventFilter, type EventKind } from '../src/modules/events/event.rules';
import { openBenchDatabase, percentile, startBenchServer } from './bench-support';

const EVENTS_QUERY = `subscription Events($filter: LifecycleEventFilter) {
  lifecycleEvents(filter: $filter) { cursor seq kind action modelId subjectId occurredAt payload }
}`;
const SET_TAGS = `mutation Tags($input: SetModelTagsInput!) { setModelTags(input: $input) { model { id revision } } }`;
const REGISTER = `mutation Register($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { versionNumber } }`;
const SHA = 'ab'.repeat(32);

/** One subscriber: the token it authenticates with and its filter (null: every event). */
interface Spec {
  token: string;
  filter: EventFilter | null;
}

type ServerMessage =
  | { type: 'ready'; port: number; token: string }
  | {
      type: 'stats';
      subscribers: number;
      heapUsed: number;
      cpuMs: number;
      gcMs: number;
      loopP99Ms: number;
    }
  | { type: 'collected'; heapUsed: number }
  | { type: 'done' };
type ServerRequest =
  | { type: 'reset' }
  | { type: 'stats' }
  | { type: 'collect' }
  | { type: 'profile'; file: string | null }
  | { type: 'snapshot'; file: string }
  | { type: 'stop' };

type ClientMessage =
  | { type: 'opened'; ok: number; failed: number; firstError: string | null }
  | { type: 'count'; deliveries: number; closed: number; errors: number }
  | { type: 'stats'; cpuMs: number; loopP99Ms: number }
  | { type: 'results'; seqs: Int32Array; latencies: Float64Array; receivedAt: Float64Array }
  | {
      type: 'checked';
      missing: number;
      unexpected: number;
      outOfOrder: number;
      errors: number;
      closed: number;
      firstProblem: string | null;
    }
  | { type: 'done' };
type ClientRequest =
  | { type: 'open'; url: string; specs: Spec[]; concurrency: number }
  | { type: 'count' }
  | { type: 'reset' }
  | { type: 'stats'; reset: boolean }
  | { type: 'results' }
  | { type: 'check'; from: number; to: number; events: Array<{ seq: number; modelId: string | null; action: string }> }
  | { type: 'close' };

/** Sends `request` to a child and resolves with its next message of type `reply`. */
function ask<M extends { type: string }>(child: ChildProcess, request: unknown, reply: M['type']): Promise<M> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      if (message.type !== reply) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`${reply}: the child process exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (request !== null) child.send(request as never);
  });
}

// ---------------------------------------------------------------- the server under test

async function serve(url: string): Promise<void> {
  const send = (message: ServerMessage): void => void process.send?.(message);
  const { server, services, adminToken: token, startJobs, stop } = await startBenchServer(url);
  // As main.ts does: the event dispatcher (and any other background job) starts once the server serves.
  await startJobs();

  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpuAtReset = process.cpuUsage();

  // The inspector of this process only, for the benchmark: CPU profiles, a full collection, heap snapshots.
  const inspector = new Session();
  inspector.connect();
  const post = (method: string, params?: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      inspector.post(method, params, (err, result) => (err ? reject(err) : resolve(result as Record<string, unknown>))),
    );
  let profiling: string | null = null;

  process.on('message', (message: ServerRequest) => {
    void (async () => {
      switch (message.type) {
        case 'reset':
          gcMs = 0;
          loop.reset();
          cpuAtReset = process.cpuUsage();
          break;
        case 'stats': {
          const cpu = process.cpuUsage(cpuAtReset);
          send({
            type: 'stats',
            subscribers: services.eventDispatcher.size,
            heapUsed: process.memoryUsage().heapUsed,
            cpuMs: (cpu.user + cpu.system) / 1000,
            gcMs,
            loopP99Ms: loop.count ? loop.percentile(99) / 1e6 : 0,
          });
          break;
        }
        case 'collect':
          // What the heap holds when only live objects remain (the RSS figures are taken before, without this).
          await post('HeapProfiler.collectGarbage');
          send({ type: 'collected', heapUsed: process.memoryUsage().heapUsed });
          break;
        case 'profile':
          if (message.file) {
            profiling = message.file;
            await post('Profiler.enable');
            await post('Profiler.start');
          } else if (profiling) {
            const { profile } = await post('Profiler.stop');
            fs.writeFileSync(profiling, JSON.stringify(profile));
            profiling = null;
          }
          send({ type: 'done' });
          break;
        case 'snapshot': {
          const fd = fs.openSync(message.file, 'w');
          const chunk = (m: { params: { chunk: string } }) => fs.writeSync(fd, m.params.chunk);
          inspector.on('HeapProfiler.addHeapSnapshotChunk', chunk);
          await post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
          inspector.off('HeapProfiler.addHeapSnapshotChunk', chunk);
          fs.closeSync(fd);
          send({ type: 'done' });
          break;
        }
        case 'stop':
          await stop();
          process.exit(0);
      }
    })().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  });
  send({ type: 'ready', port: server.port, token });
}

// ---------------------------------------------------------------- a subscribers' process

/** A growable column of numbers. */
class Column<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(private data: T) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = value;
    this.length += 1;
  }
  values(): T {
    return this.data.slice(0, this.length) as T;
  }
}

function subscribers(): void {
  const send = (message: ClientMessage): void => void process.send?.(message);
  const sockets: WebSocket[] = [];
  /** Per subscriber: its filter, the sequence numbers received in order, errors and unexpected closes. */
  const state: Array<{ filter: EventFilter | null; seqs: number[]; closing: boolean }> = [];
  let seqs = new Column(new Int32Array(1 << 16));
  let latencies = new Column(new Float64Array(1 << 16));
  let receivedAt = new Column(new Float64Array(1 << 16));
  let errors = 0;
  let closed = 0;
  let firstProblem: string | null = null;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpuAtReset = process.cpuUsage();

  /** Opens one socket and subscribes; resolves when the server acknowledged the connection. */
  const open = (url: string, spec: Spec, index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
      const mine = { filter: spec.filter, seqs: [] as number[], closing: false };
      state[index] = mine;
      sockets[index] = ws;
      let acknowledged = false;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.token}` } })));
      ws.on('message', (data: Buffer) => {
        const now = Date.now();
        const message = JSON.parse(data.toString('utf8')) as {
          type: string;
          payload?: { data?: { lifecycleEvents: { seq: number; occurredAt: string } }; errors?: unknown[] };
        };
        if (message.type === 'next' && message.payload?.data) {
          const event = message.payload.data.lifecycleEvents;
          seqs.push(event.seq);
          latencies.push(now - Date.parse(event.occurredAt));
          receivedAt.push(now);
          mine.seqs.push(event.seq);
        } else if (message.type === 'connection_ack') {
          acknowledged = true;
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: EVENTS_QUERY, variables: { filter: spec.filter } } }));
          resolve();
        } else if (message.type === 'error' || message.type === 'complete' || message.payload?.errors) {
          errors += 1;
          firstProblem ??= `subscriber ${index}: ${data.toString('utf8').slice(0, 300)}`;
        }
      });
      ws.on('error', (err) => {
        if (!acknowledged) reject(err);
      });
      ws.on('close', (code, reason) => {
        if (!acknowledged) reject(new Error(`closed with ${code} ${reason.toString()} before the acknowledgement`));
        if (mine.closing) return;
        closed += 1;
        firstProblem ??= `subscriber ${index}: socket closed with ${code} ${reason.toString()}`;
      });
    });

  process.on('message', (message: ClientRequest) => {
    switch (message.type) {
      case 'open': {
        const base = sockets.length;
        let next = 0;
        let ok = 0;
        let failed = 0;
        let firstError: string | null = null;
        const worker = async () => {
          while (next < message.specs.length) {
            const i = next;
            next += 1;
            try {
              await open(message.url, message.specs[i], base + i);
              ok += 1;
            } catch (err) {
              failed += 1;
              firstError ??= (err as Error).message;
            }
          }
        };
        void Promise.all(Array.from({ length: message.concurrency }, worker)).then(() => send({ type: 'opened', ok, failed, firstError }));
        break;
      }
      case 'count':
        send({ type: 'count', deliveries: seqs.length, closed, errors });
        break;
      case 'reset':
        seqs = new Column(new Int32Array(1 << 16));
        latencies = new Column(new Float64Array(1 << 16));
        receivedAt = new Column(new Float64Array(1 << 16));
        break;
      case 'stats': {
        // CPU time and event-loop delay since the last reset: if this process were the bottleneck, it would show here.
        const cpu = process.cpuUsage(cpuAtReset);
        send({ type: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, loopP99Ms: loop.count ? loop.percentile(99) / 1e6 : 0 });
        if (message.reset) {
          loop.reset();
          cpuAtReset = process.cpuUsage();
        }
        break;
      }
      case 'results':
        send({ type: 'results', seqs: seqs.values(), latencies: latencies.values(), receivedAt: receivedAt.values() });
        break;
      case 'check': {
        // Exactly the events each subscriber should have had in (from, to], each once, in order.
        let missing = 0;
        let unexpected = 0;
        let outOfOrder = 0;
        for (const [i, s] of state.entries()) {
          if (!s) continue;
          const got = s.seqs.filter((seq) => seq > message.from && seq <= message.to);
          const want = message.events.filter((e) => matchesFilter(s.filter ?? {}, e)).map((e) => e.seq);
          for (let k = 1; k < got.length; k += 1) if (got[k] <= got[k - 1]) outOfOrder += 1;
          const wanted = new Set(want);
          const gotSet = new Set(got);
          const lost = want.filter((seq) => !gotSet.has(seq)).length;
          const extra = got.filter((seq) => !wanted.has(seq)).length;
          missing += lost;
          unexpected += extra;
          if ((lost || extra) && !firstProblem) firstProblem = `subscriber ${i}: ${lost} missing, ${extra} unexpected`;
        }
        send({ type: 'checked', missing, unexpected, outOfOrder, errors, closed, firstProblem });
        break;
      }
      case 'close':
        for (const s of state) if (s) s.closing = true;
        for (const ws of sockets) ws.close(1000);
        sockets.length = 0;
        state.length = 0;
        send({ type: 'done' });
        break;
    }
  });
}

// ---------------------------------------------------------------- the benchmark

const row = (cells: Array<string | number>, widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** The resident set of a process, from /proc (kB). */
function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN);
}

/** The soft limit on open files of this process (children inherit it). */
function openFilesLimit(): number {
  const match = /^Max open files\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === 'unlimited' ? Infinity : Number(match?.[1] ?? NaN);
}

class Bench {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  constructor(
    readonly server: ChildProcess,
    readonly port: number,
    readonly token: string,
    readonly clients: ChildProcess[],
  ) {}

  /** A GraphQL request over HTTP as the admin; answers with its data and the time it took in ms. */
  graphql(
    query: string,
    variables: Record<string, unknown> = {},
    requestId?: string,
    started = process.hrtime.bigint(),
  ): Promise<{ data: Record<string, unknown>; ms: number }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          path: '/graphql',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${this.token}`,
            ...(requestId ? { 'x-request-id': requestId } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const json = JSON.parse(text) as { data: Record<string, unknown>; errors?: unknown[] };
            if (res.statusCode !== 200 || json.errors) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve({ data: json.data, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as it was reused (idle past its keep-alive timeout while the
        // subscribers opened): the request never reached it, so it is sent again (as Node's documentation advises).
        if (req.reusedSocket && err.code === 'ECONNRESET') this.graphql(query, variables, requestId, started).then(resolve, reject);
        else reject(err);
      });
      req.end(JSON.stringify({ query, variables }));
    });
  }

  serverStats(): Promise<Extract<ServerMessage, { type: 'stats' }>> {
    return ask(this.server, { type: 'stats' }, 'stats');
  }

  async deliveries(): Promise<number> {
    const counts = await Promise.all(
      this.clients.map((c) => ask<Extract<ClientMessage, { type: 'count' }>>(c, { type: 'count' }, 'count')),
    );
    return counts.reduce((sum, c) => sum + c.deliveries, 0);
  }

  /** Opens the subscribers, spread over the client processes; waits until the server counts them all. */
  async open(specs: Spec[], concurrency: number): Promise<{ ok: number; failed: number; firstError: string | null }> {
    const share = Math.ceil(specs.length / this.clients.length);
    const before = (await this.serverStats()).subscribers;
    const answers = await Promise.all(
      this.clients.map((c, i) =>
        ask<Extract<ClientMessage, { type: 'opened' }>>(
          c,
          {
            type: 'open',
            url: `ws://127.0.0.1:${this.port}/graphql`,
            specs: specs.slice(i * share, (i + 1) * share),
            concurrency: Math.ceil(concurrency / this.clients.length),
          },
          'opened',
        ),
      ),
    );
    const ok = answers.reduce((sum, a) => sum + a.ok, 0);
    // A socket is acknowledged before its subscription is registered: wait for the dispatcher to count them.
    const deadline = Date.now() + 60_000;
    while ((await this.serverStats()).subscribers < before + ok && Date.now() < deadline) await sleep(50);
    return { ok, failed: answers.reduce((sum, a) => sum + a.failed, 0), firstError: answers.find((a) => a.firstError)?.firstError ?? null };
  }

  /** Closes every socket; answers how many subscriptions the server still holds, and after how long. */
  async closeSubscribers(): Promise<{ remaining: number; seconds: number }> {
    const started = Date.now();
    await Promise.all(this.clients.map((c) => ask(c, { type: 'close' }, 'done')));
    let remaining = (await this.serverStats()).subscribers;
    while (remaining > 0 && Date.now() < started + 20_000) {
      await sleep(50);
      remaining = (await this.serverStats()).subscribers;
    }
    return { remaining, seconds: (Date.now() - started) / 1000 };
  }

  /**
   * The server's RSS (median of `samples`, one every 500 ms, no collection forced), then its heap and its RSS
   * (median of 3, 250 ms apart) after a full collection: what the process keeps once only live objects remain.
   */
  async memory(samples: number): Promise<{ rssKb: number; heapMb: number; heapAfterGcMb: number; rssAfterGcKb: number }> {
    const rss: number[] = [];
    const heap: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      await sleep(500);
      rss.push(rssKb(this.server.pid as number));
      heap.push((await this.serverStats()).heapUsed);
    }
    const { heapUsed } = await ask<Extract<ServerMessage, { type: 'collected' }>>(this.server, { type: 'collect' }, 'collected');
    const kept: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await sleep(250);
      kept.push(rssKb(this.server.pid as number));
    }
    return { rssKb: median(rss), heapMb: median(heap) / 2 ** 20, heapAfterGcMb: heapUsed / 2 ** 20, rssAfterGcKb: median(kept) };
  }
}

interface Phase {
  name: string;
  /** Events committed in it: sequence numbers in (from, to]. */
  from: number;
  to: number;
  /** Wall clock (ms) when its first mutation was sent. */
  started: number;
  mutationMs: number[];
  expected: number;
  serverCpuMs: number;
  serverGcMs: number;
  serverLoopP99Ms: number;
  clientCpuMs: number;
  clientLoopP99Ms: number;
  wallMs: number;
}

async function main(): Promise<void> {
  const { values: options } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '5000' },
      clients: { type: 'string', default: '2' },
      models: { type: 'string', default: '5' },
      tokens: { type: 'string', default: '10' },
      rate: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '20' },
      bursts: { type: 'string', default: '3' },
      burst: { type: 'string', default: '10' },
      settle: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '100' },
    },
  });
  const N = Number(options.subscribers);
  const CLIENTS = Number(options.clients);
  const MODELS = Number(options.models);
  // The server under test runs with the default bounds (it reads no environment): a token may hold at most
  // maxSocketsPerToken sockets and maxSubscriptionsPerToken subscriptions, so the subscribers get enough tokens.
  const { maxSocketsPerToken, maxSubscriptionsPerToken } = loadConfig({}).events;
  const TOKENS = Math.max(Number(options.tokens), Math.ceil(N / Math.min(maxSocketsPerToken, maxSubscriptionsPerToken)));
  const RATE = Number(options.rate);
  const SECONDS = Number(options.seconds);
  const BURSTS = Number(options.bursts);
  const BURST = Number(options.burst);
  const SETTLE = Number(options.settle);

  // The server holds one descriptor per socket, each client process its share: both inherit this limit.
  const limit = openFilesLimit();
  const needed = N + 1000;
  if (limit < needed) {
    console.error(`open files limit (ulimit -n) is ${limit}: the server needs about ${needed} for ${N} sockets; raise it with ulimit -n`);
    process.exit(1);
  }

  const bench = await openBenchDatabase('subscriptions');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  const db = new Client({ connectionString: bench.url });
  await db.connect();
  const children: ChildProcess[] = [];
  try {
    // As deployed (docker/Dockerfile): graphql-js, among others, takes its fast paths only in production.
    const server = fork(__filename, ['server', bench.url], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    children.push(server);
    const ready = await ask<Extract<ServerMessage, { type: 'ready' }>>(server, null, 'ready');
    const clients = Array.from({ length: CLIENTS }, () => fork(__filename, ['client'], { stdio: 'inherit', serialization: 'advanced' }));
    children.push(...clients);
    const b = new Bench(server, ready.port, ready.token, clients);

    console.log(
      `modelgraph subscriptions benchmark: ${N} lifecycleEvents subscribers on one instance, ${CLIENTS} client processes, ${MODELS} models, ${TOKENS} tokens`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; open files limit ${limit}; server pid ${server.pid}`,
    );

    // The registry: a few models, and tokens for the subscribers (dashboards, pipelines, people).
    const modelIds: string[] = [];
    for (let m = 0; m < MODELS; m += 1) {
      const { data } = await b.graphql(`mutation($input: CreateModelInput!) { createModel(input: $input) { model { id } } }`, {
        input: { name: `bench-model-${m}`, owner: 'bench', riskTier: 'LOW' },
      });
      modelIds.push((data.createModel as { model: { id: string } }).model.id);
    }
    const tokens = [ready.token];
    for (let t = 1; t < TOKENS; t += 1) {
      const { data } = await b.graphql(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, {
        input: { subject: `dashboard-${t}`, role: 'VIEWER' },
      });
      tokens.push((data.createApiToken as { token: string }).token);
    }
    // The mix: 45% every event, 45% one model's events, 10% version registrations and stage changes of any model.
    const specs: Spec[] = Array.from({ length: N }, (_, i) => {
      const slot = i % 20;
      const filter: EventFilter | null =
        slot < 9
          ? null
          : slot < 18
            ? { modelIds: [modelIds[Math.floor(i / 20) % MODELS]] }
            : { kinds: ['VERSION_REGISTERED', 'STAGE_CHANGED'] as EventKind[] };
      return { token: tokens[i % tokens.length], filter };
    });

    let mutations = 0;
    /** One committed change: tags set or a version registered, in turn, over the models in turn. */
    /** When each mutation was sent (wall clock), by the request id it sent and its event records. */
    const sentAt = new Map<string, number>();
    const mutate = async (): Promise<number> => {
      const i = mutations;
      mutations += 1;
      const modelId = modelIds[i % MODELS];
      const requestId = `bench-${i}`;
      sentAt.set(requestId, Date.now());
      if (i % 2 === 0) {
        return (await b.graphql(SET_TAGS, { input: { modelId, tags: [{ key: 'bench', value: `run-${i}` }] } }, requestId)).ms;
      }
      const input = {
        modelId,
        code: { repo: 'https://github.com/acme/bench', commit: (i % 16).toString(16).repeat(40) },
        datasetVersions: [`s3://datasets/bench@v${i % 7}`],
        hyperparameters: { learning_rate: 0.05, max_depth: 6, run: i },
        environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA}` },
        artifact: { format: 'ONNX', uri: `s3://models/bench/${i}.onnx`, sha256: SHA, sizeBytes: 1048576 },
      };
      return (await b.graphql(REGISTER, { input }, requestId)).ms;
    };
    const head = async () => Number((await db.query('SELECT COALESCE(max(seq), 0) AS head FROM audit_events')).rows[0].head);
    /** The events committed in (from, to], as the subscribers' filters see them. */
    const events = async (from: number, to: number) =>
      (
        await db.query(
          `SELECT seq::int, model_id AS "modelId", action, client_request_id AS "requestId"
           FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
          [from, to],
        )
      ).rows as Array<{ seq: number; modelId: string | null; action: string; requestId: string | null }>;
    /** How many (subscriber, event) pairs these subscribers should receive of these events. */
    const pairs = (of: Spec[], list: Array<{ modelId: string | null; action: string }>) =>
      of.reduce((sum, s) => sum + list.filter((e) => matchesFilter(s.filter ?? {}, e)).length, 0);
    /** Waits until the subscribers received `target` events in all since the last reset (gives up after 30 s without progress). */
    const drain = async (target: number) => {
      let last = -1;
      let since = Date.now();
      for (;;) {
        const n = await b.deliveries();
        if (n >= target) return;
        if (n !== last) [last, since] = [n, Date.now()];
        if (Date.now() - since > 30_000) return;
        await sleep(50);
      }
    };
    const resetClients = () => clients.forEach((c) => c.send({ type: 'reset' } satisfies ClientRequest));

    // Warm-up, unmeasured: the first few subscribers open and receive a few events, so that the memory measured
    // next is what more sockets cost, not code compiled and caches filled on first use. They stay open.
    const WARM = Math.min(200, Math.floor(N / 10));
    await b.open(specs.slice(0, WARM), 50);
    let from = await head();
    for (let i = 0; i < 10; i += 1) await mutate();
    await drain(pairs(specs.slice(0, WARM), await events(from, await head())));
    resetClients();

    // Memory per idle connection: the server before and after the other N - WARM subscribers open and sit idle.
    await sleep(SETTLE * 1000);
    const before = await b.memory(6);
    // BENCH_HEAP_SNAPSHOT=<folder>: heap snapshots of the server before and after, to compare (e.g. in Chrome DevTools).
    const snapshots = process.env.BENCH_HEAP_SNAPSHOT;
    if (snapshots) await ask(server, { type: 'snapshot', file: `${snapshots}/subscriptions-before.heapsnapshot` }, 'done');
    const opening = Date.now();
    const opened = await b.open(specs.slice(WARM), Number(options.concurrency));
    const openSeconds = (Date.now() - opening) / 1000;
    if (opened.failed) console.log(`${opened.failed} subscribers could not open; first error: ${opened.firstError}`);
    await sleep(SETTLE * 1000);
    const after = await b.memory(6);
    if (snapshots) await ask(server, { type: 'snapshot', file: `${snapshots}/subscriptions-idle.heapsnapshot` }, 'done');
    const idle = (await b.serverStats()).subscribers;
    /** What each of the sockets opened added, in KB, between two figures in KB. */
    const perSocket = (kbBefore: number, kbAfter: number) => (kbAfter - kbBefore) / opened.ok;
    const perSocketKb = perSocket(before.rssKb, after.rssKb);
    const keptKb = perSocket(before.rssAfterGcKb, after.rssAfterGcKb);

    console.log(
      `\n${opened.ok} subscribers opened in ${openSeconds.toFixed(1)} s (${(opened.ok / openSeconds).toFixed(0)}/s) beside ${WARM} warm-up ones,` +
        ` then ${SETTLE} s idle: ${idle} subscriptions on the server`,
    );
    const mw = [30, 10, 12, 14];
    const memoryRow = (label: string, mbBefore: number, mbAfter: number) =>
      row([label, mbBefore.toFixed(1), mbAfter.toFixed(1), perSocket(mbBefore * 1024, mbAfter * 1024).toFixed(1)], mw);
    console.log(row(['server memory', `${WARM} open`, `${idle} open`, 'per socket KB'], mw));
    console.log(memoryRow('RSS MB (median of 6 samples)', before.rssKb / 1024, after.rssKb / 1024));
    console.log(memoryRow('heap used MB', before.heapMb, after.heapMb));
    console.log(memoryRow('heap used after a full GC MB', before.heapAfterGcMb, after.heapAfterGcMb));
    console.log(memoryRow('RSS after a full GC MB', before.rssAfterGcKb / 1024, after.rssAfterGcKb / 1024));

    // Unmeasured warm-up of the delivery path with every subscriber open.
    from = await head();
    for (let i = 0; i < 5; i += 1) await mutate();
    await drain(pairs(specs, await events(from, await head())));
    resetClients();

    const profileDir = process.env.BENCH_PROFILE;
    const phases: Phase[] = [];
    let delivered = 0;
    /** One measured phase: `commit` commits its events; it ends when every subscriber received what it should. */
    const phase = async (name: string, commit: (mutationMs: number[]) => Promise<void>) => {
      const start = await head();
      server.send({ type: 'reset' } satisfies ServerRequest);
      await Promise.all(clients.map((c) => ask(c, { type: 'stats', reset: true } satisfies ClientRequest, 'stats')));
      // BENCH_PROFILE=<folder>: a CPU profile of the server during each phase (bench/profile-summary.js reads it).
      if (profileDir)
        await ask(server, { type: 'profile', file: `${profileDir}/subscriptions-${name.replace(/\W+/g, '-')}.cpuprofile` }, 'done');
      const started = Date.now();
      const mutationMs: number[] = [];
      await commit(mutationMs);
      const end = await head();
      const expected = pairs(specs, await events(start, end));
      delivered += expected;
      await drain(delivered);
      const wallMs = Date.now() - started;
      if (profileDir) await ask(server, { type: 'profile', file: null }, 'done');
      const stats = await b.serverStats();
      const clientStats = await Promise.all(
        clients.map((c) => ask<Extract<ClientMessage, { type: 'stats' }>>(c, { type: 'stats', reset: false }, 'stats')),
      );
      phases.push({
        name,
        from: start,
        to: end,
        started,
        mutationMs: mutationMs.sort((x, y) => x - y),
        expected,
        serverCpuMs: stats.cpuMs,
        serverGcMs: stats.gcMs,
        serverLoopP99Ms: stats.loopP99Ms,
        clientCpuMs: clientStats.reduce((sum, s) => sum + s.cpuMs, 0),
        clientLoopP99Ms: Math.max(...clientStats.map((s) => s.loopP99Ms)),
        wallMs,
      });
      await sleep(1000);
    };

    await phase(`steady ${RATE}/s`, async (mutationMs) => {
      const started = Date.now();
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < RATE * SECONDS; i += 1) {
        const wait = started + (i * 1000) / RATE - Date.now();
        if (wait > 0) await sleep(wait);
        pending.push(mutate().then((ms) => void mutationMs.push(ms)));
      }
      await Promise.all(pending);
    });
    for (let i = 0; i < BURSTS; i += 1) {
      await phase(`burst ${i + 1} of ${BURST}`, async (mutationMs) => {
        await Promise.all(Array.from({ length: BURST }, () => mutate().then((ms) => void mutationMs.push(ms))));
      });
    }

    // Every (subscriber, event) pair, from every client process, and whether each subscriber got exactly its events.
    const results = await Promise.all(
      clients.map((c) => ask<Extract<ClientMessage, { type: 'results' }>>(c, { type: 'results' }, 'results')),
    );
    const measured = { from: phases[0].from, to: phases[phases.length - 1].to };
    const allEvents = await events(measured.from, measured.to);
    const verdicts = await Promise.all(
      clients.map((c) =>
        ask<Extract<ClientMessage, { type: 'checked' }>>(
          c,
          { type: 'check', ...measured, events: allEvents } satisfies ClientRequest,
          'checked',
        ),
      ),
    );

    // Each event's mutation, found by the request id the bench sent (the audit log keeps it as client_request_id).
    const sentOf = new Map(allEvents.map((e) => [e.seq, sentAt.get(e.requestId ?? '') ?? NaN]));

    /** The pairs whose event was committed in these phases; rates from each phase's first request to its last receipt. */
    const summarise = (name: string, of: Phase[]) => {
      const latencies: number[] = [];
      const fromRequest: number[] = [];
      const lastReceipt = of.map(() => 0);
      const perSecond = new Map<number, number>();
      for (const r of results) {
        for (let k = 0; k < r.seqs.length; k += 1) {
          const at = of.findIndex((p) => r.seqs[k] > p.from && r.seqs[k] <= p.to);
          if (at < 0) continue;
          latencies.push(r.latencies[k]);
          fromRequest.push(r.receivedAt[k] - (sentOf.get(r.seqs[k]) ?? NaN));
          lastReceipt[at] = Math.max(lastReceipt[at], r.receivedAt[k]);
          const second = Math.floor(r.receivedAt[k] / 1000);
          perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
        }
      }
      latencies.sort((x, y) => x - y);
      fromRequest.sort((x, y) => x - y);
      const mutationMs = of.flatMap((p) => p.mutationMs).sort((x, y) => x - y);
      const activeMs = of.reduce((sum, p, i) => sum + Math.max(1, lastReceipt[i] - p.started), 0);
      const wallMs = of.reduce((sum, p) => sum + p.wallMs, 0);
      const serverCpuMs = of.reduce((sum, p) => sum + p.serverCpuMs, 0);
      const ms = (sorted: number[], p: number) => (sorted.length ? percentile(sorted, p).toFixed(0) : '-');
      return {
        name,
        events: of.reduce((sum, p) => sum + p.to - p.from, 0),
        deliveries: latencies.length,
        expected: of.reduce((sum, p) => sum + p.expected, 0),
        rate: latencies.length ? (latencies.length / (activeMs / 1000)).toFixed(0) : '-',
        peak: Math.max(0, ...perSecond.values()),
        p50: ms(latencies, 50),
        p90: ms(latencies, 90),
        p99: latencies.length ? percentile(latencies, 99) : NaN,
        max: latencies.length ? latencies[latencies.length - 1].toFixed(0) : '-',
        requestP50: ms(fromRequest, 50),
        requestP99: ms(fromRequest, 99),
        lastMs: of.length === 1 && latencies.length ? (lastReceipt[0] - of[0].started).toFixed(0) : '-',
        writeP50: ms(mutationMs, 50),
        writeP99: ms(mutationMs, 99),
        serverCpu: `${((100 * serverCpuMs) / wallMs).toFixed(0)}%`,
        serverUs: latencies.length ? ((1000 * serverCpuMs) / latencies.length).toFixed(0) : '-',
        serverGc: `${((100 * of.reduce((sum, p) => sum + p.serverGcMs, 0)) / Math.max(1, serverCpuMs)).toFixed(0)}%`,
        serverLag: Math.max(...of.map((p) => p.serverLoopP99Ms)).toFixed(0),
        clientCpu: `${((100 * of.reduce((sum, p) => sum + p.clientCpuMs, 0)) / wallMs).toFixed(0)}%`,
        clientLag: Math.max(...of.map((p) => p.clientLoopP99Ms)).toFixed(0),
      };
    };
    const lines = [...phases.map((p) => summarise(p.name, [p])), ...(BURSTS > 1 ? [summarise('bursts together', phases.slice(1))] : [])];
    const all = summarise('all', phases);
    lines.push(all);

    console.log(
      `\nevents committed over HTTP (setModelTags and registerModelVersion in turn, round the models): ${RATE}/s for ${SECONDS} s,` +
        ` then ${BURSTS} burst${BURSTS === 1 ? '' : 's'} of ${BURST} at once, each delivered to every subscriber whose filter matches it`,
    );
    console.log(
      `latency (ms) from the commit: receipt at the subscriber minus the event's occurredAt (stamped in its transaction, just before it commits);`,
    );
    console.log(
      `from the request: receipt minus the moment the bench sent the mutation (its wait for the audit lock and its transaction included)`,
    );
    const w = [17, 6, 10, 11, 7, 6, 6, 6, 6, 11, 11, 8];
    console.log(
      row(
        ['phase', 'events', 'deliveries', 'delivered/s', 'peak/s', 'p50', 'p90', 'p99', 'max', 'request p50', 'request p99', 'last at'],
        w,
      ),
    );
    for (const l of lines) {
      console.log(
        row(
          [
            l.name,
            l.events,
            l.deliveries === l.expected ? l.deliveries : `${l.deliveries}/${l.expected}`,
            l.rate,
            l.peak,
            l.p50,
            l.p90,
            Number.isNaN(l.p99) ? '-' : l.p99.toFixed(0),
            l.max,
            l.requestP50,
            l.requestP99,
            l.lastMs,
          ],
          w,
        ),
      );
    }
    console.log(`(last at: from the phase's first request to its last receipt, ms)`);

    console.log(`\nwhere the time goes`);
    const v = [17, 10, 10, 8, 10, 7, 10, 8, 10];
    console.log(row(['phase', 'write p50', 'write p99', 'srv CPU', 'µs/deliv.', 'srv GC', 'srv lag99', 'cli CPU', 'cli lag99'], v));
    for (const l of lines) {
      console.log(row([l.name, l.writeP50, l.writeP99, l.serverCpu, l.serverUs, l.serverGc, l.serverLag, l.clientCpu, l.clientLag], v));
    }
    console.log(
      `(write: the mutation's HTTP round trip, ms; srv/cli CPU: the server's and all client processes' CPU time over the phase,` +
        ` 100% = one core; µs/deliv.: the server's CPU time per delivery; lag99: p99 event-loop delay, ms)`,
    );
    const total = (key: 'missing' | 'unexpected' | 'outOfOrder' | 'errors' | 'closed') => verdicts.reduce((sum, v) => sum + v[key], 0);
    const exact = ['missing', 'unexpected', 'outOfOrder', 'errors', 'closed'].every((k) => total(k as never) === 0);
    console.log(
      `every subscriber got exactly its events, in order: ${exact ? 'yes' : 'NO'} (missing ${total('missing')}, unexpected ${total('unexpected')},` +
        ` out of order ${total('outOfOrder')}, errors ${total('errors')}, sockets closed ${total('closed')})`,
    );
    const problem = verdicts.find((v) => v.firstProblem)?.firstProblem;
    if (problem) console.log(`first problem: ${problem}`);

    console.log('\ngoals');
    console.log(`  5000 subscribers on one instance: ${idle} open, ${idle >= 5000 ? 'met' : 'NOT met'}`);
    const p99 = (l: { p99: number }) => (Number.isNaN(l.p99) ? '-' : `${l.p99.toFixed(0)} ms`);
    console.log(
      `  p99 from commit to receipt under 500 ms: ${p99(all)} over all pairs, ${all.p99 < 500 ? 'met' : 'NOT met'}` +
        ` (steady: ${p99(lines[0])}, bursts: ${p99(summarise('bursts', phases.slice(1)))})`,
    );
    // Kept: the RSS once a full collection has run, before and after, so that neither figure holds garbage
    // or young-generation pages that happen to be touched at the time of the sample (see docs/benchmarks.md).
    console.log(
      `  under 20 KB kept per idle connection: ${keptKb.toFixed(1)} KB of RSS after a full GC, ${keptKb < 20 ? 'met' : 'NOT met'}` +
        ` (${perSocketKb.toFixed(1)} KB of RSS sampled without one)`,
    );

    // Closed sockets must release their subscriptions on the server, whatever their filters.
    const closed = await b.closeSubscribers();
    console.log(
      closed.remaining === 0
        ? `\nevery socket closed: the server released all ${idle} subscriptions within ${closed.seconds.toFixed(1)} s`
        : `\nevery socket closed: the server still holds ${closed.remaining} subscriptions ${closed.seconds.toFixed(0)} s later`,
    );
  } finally {
    // The server drains and exits when asked; a client process exits when its channel closes.
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child === children[0]) child.send({ type: 'stop' } satisfies ServerRequest);
      else child.disconnect();
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill();
    }
    await db.end();
    await bench.close();
  }
}

const [role, roleArgument] = process.argv.slice(2);
if (role === 'server') {
  serve(roleArgument).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (role === 'client') {
  subscribers();
  process.on('disconnect', () => process.exit(0));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
