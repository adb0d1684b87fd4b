// `npm run bench:soak [-- --minutes 30 --subscribers 50 --writers 2 --readers 2 --reporters 1 --pause-ms 100 --out <dir>]`:
// a long mixed load on one server, to see whether its memory or its latency drift. For the whole run: writers
// register versions (with idempotency keys, every tenth sent twice and expected to replay), log a metric, validate,
// and move each version DEVELOPMENT → STAGING → ARCHIVED; readers ask the catalog page; a reporter alternates
// reportProductionMetrics and reportFeatureDistribution on ACTIVE deployments; `--subscribers` graphql-ws
// subscribers (real websockets) follow every lifecycleEvent; one webhook (created over GraphQL) delivers every event
// to a local HTTP receiver. Each client waits `--pause-ms` between its requests (a moderate load, not a saturating
// one). Every minute (every tenth of the run for runs under 10 minutes) a sample: the server's RSS, its event-loop
// delay p99 and max, the requests' p99 over the window, requests done, errors by code. At the end `soak.csv`, `soak.svg`
// (RSS and p99 over time) in `--out` and the verdict: RSS growth from the end of minute 5 (of the first third for
// runs under 10 minutes) to the end, within 10% or not. Not a test: it prints figures.
//
// One file, two roles, as bench/monitoring.bench.ts: the benchmark (no positional argument) forks the server under
// test (`server <database url>`: modelgraph as main.ts starts it, background jobs included, NODE_ENV=production, in a
// process of its own, so that its RSS and event loop are its own), which sets up the models and says where it listens.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Caller } from '../src/common/caller';
import { Role } from '../src/common/role';
import { createDataSource } from '../src/db/data-source';
import { BaselineReference, Comparator } from '../src/modules/governance/governance.enums';
import { RiskTier } from '../src/modules/models/model.enums';
import {
  EDGES,
  featureName,
  openBenchDatabase,
  percentile,
  REFERENCE,
  seedMonitoredDeployment,
  SHA,
  startBenchServer,
} from './bench-support';

const MINUTE = 60_000;
const MODELS = 4;
const FEATURES = 10;

const REGISTER = `mutation Register($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) { replayed version { id version stage } }
}`;
const LOG_METRICS = `mutation Log($input: LogMetricsInput!) { logMetrics(input: $input) { __typename } }`;
const VALIDATE = `mutation Validate($input: ValidateModelVersionInput!) { validateModelVersion(input: $input) { report { passed } } }`;
const TRANSITION = `mutation Move($input: TransitionModelVersionInput!) {
  transitionModelVersion(input: $input) { version { id stage } }
}`;
const CATALOG = `query Catalog { models(first: 20) { totalCount edges { node { id name
  versions(first: 5) { totalCount edges { node { id version stage aliases(first: 10) { edges { node { name } } } } } } } } } }`;
const PRODUCTION_METRICS = `mutation Report($input: ReportProductionMetricsInput!) { reportProductionMetrics(input: $input) { replayed report { id } } }`;
const DISTRIBUTION = `mutation Report($input: ReportFeatureDistributionInput!) {
  reportFeatureDistribution(input: $input) { replayed report { id driftRate } }
}`;
const CREATE_WEBHOOK = `mutation Hook($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } secret } }`;
const EVENTS = `subscription Events { lifecycleEvents { seq kind modelId } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  modelId: string;
  deploymentId: string;
}

type ServerMessage =
  | { type: 'ready'; port: number; adminToken: string; targets: Target[] }
  | { type: 'sample'; rssMb: number; heapUsedMb: number; loopP99Ms: number; loopMaxMs: number };
type ServerRequest = { type: 'sample' } | { type: 'stop' };

/** Sends `request` to the server process and resolves with its next message of type `reply`. */
function ask<M extends ServerMessage>(child: ChildProcess, request: ServerRequest | null, reply: M['type']): Promise<M> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      if (message.type !== reply) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`${reply}: the server process exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (request) child.send(request);
  });
}

// ---------------------------------------------------------------- the server under test

async function serve(url: string): Promise<void> {
  const send = (message: ServerMessage): void => void process.send?.(message);
  const {
    server,
    services: s,
    adminToken,
    startJobs,
    stop,
  } = await startBenchServer(url, { MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });

  // Per model: a baseline (auc ≥ 0.8, so that validated versions may go to STAGING), one version deployed ACTIVE
  // with a reference distribution of every feature (for the monitoring reports).
  const admin: Caller = { tokenId: 'bench', subject: 'bench-admin', role: Role.ADMIN, requestId: 'bench' };
  const targets: Target[] = [];
  for (let i = 0; i < MODELS; i += 1) {
    const model = await s.models.create(admin, { name: `soak-${i}`, owner: 'bench', riskTier: RiskTier.MEDIUM });
    await s.policy.setBaseline(admin, {
      modelId: model.id,
      metric: 'auc',
      comparator: Comparator.GTE,
      reference: BaselineReference.FIXED,
      threshold: 0.8,
    });
    const { deploymentId } = await seedMonitoredDeployment(s, admin, model.id, { label: `soak-${i}`, features: FEATURES });
    targets.push({ modelId: model.id, deploymentId });
  }
  // As main.ts does: the event dispatcher, the webhook worker and the other jobs start once the server serves.
  await startJobs();

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (message: ServerRequest) => {
    void (async () => {
      switch (message.type) {
        case 'sample': {
          const memory = process.memoryUsage();
          send({
            type: 'sample',
            rssMb: memory.rss / 2 ** 20,
            heapUsedMb: memory.heapUsed / 2 ** 20,
            loopP99Ms: loop.count ? loop.percentile(99) / 1e6 : 0,
            loopMaxMs: loop.count ? loop.max / 1e6 : 0,
          });
          loop.reset();
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
  // Orphaned (the benchmark died): stop too.
  process.on('disconnect', () => process.exit(1));
  send({ type: 'ready', port: server.port, adminToken, targets });
}

// ---------------------------------------------------------------- the benchmark

interface Sample {
  elapsedS: number;
  rssMb: number;
  heapUsedMb: number;
  loopP99Ms: number;
  loopMaxMs: number;
  requests: number;
  requestP99Ms: number;
  errors: number;
  events: number;
  deliveries: number;
}

/** The load's own bookkeeping: latencies of the current window, and every error by code over the run. */
class Tally {
  latencies: number[] = [];
  requests = 0;
  errorsInWindow = 0;
  readonly errors = new Map<string, number>();
  readonly examples = new Map<string, string>();

  error(code: string, message: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    if (!this.examples.has(code)) this.examples.set(code, message.slice(0, 300));
    this.errorsInWindow += 1;
  }

  /** The window's requests and p99, then a new window. */
  take(): { requests: number; p99: number; errors: number } {
    const sorted = this.latencies.sort((a, b) => a - b);
    const taken = { requests: this.requests, p99: sorted.length ? percentile(sorted, 99) : 0, errors: this.errorsInWindow };
    this.latencies = [];
    this.requests = 0;
    this.errorsInWindow = 0;
    return taken;
  }
}

function svgChart(samples: Sample[]): string {
  const W = 720;
  const H = 320;
  const left = 60;
  const right = 60;
  const top = 30;
  const bottom = 40;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const maxT = Math.max(1, ...samples.map((s) => s.elapsedS));
  const maxRss = Math.max(1, ...samples.map((s) => s.rssMb)) * 1.1;
  const maxP99 = Math.max(1, ...samples.map((s) => s.requestP99Ms)) * 1.1;
  const x = (t: number) => (left + (t / maxT) * plotW).toFixed(1);
  const y = (v: number, max: number) => (top + plotH - (v / max) * plotH).toFixed(1);
  const line = (values: (s: Sample) => number, max: number) => samples.map((s) => `${x(s.elapsedS)},${y(values(s), max)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="13">modelgraph soak: server RSS (MB, blue, left) and request p99 (ms, orange, right)</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  ];
  for (const f of ticks) {
    const yy = (top + plotH - f * plotH).toFixed(1);
    parts.push(`<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" stroke="#eee"/>`);
    parts.push(
      `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#1f77b4">${(f * maxRss).toFixed(0)}</text>`,
    );
    parts.push(`<text x="${left + plotW + 6}" y="${yy}" dominant-baseline="middle" fill="#ff7f0e">${(f * maxP99).toFixed(0)}</text>`);
    parts.push(`<text x="${x(f * maxT)}" y="${top + plotH + 16}" text-anchor="middle">${((f * maxT) / 60).toFixed(1)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle">minutes</text>`);
  parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line((s) => s.rssMb, maxRss)}"/>`);
  parts.push(`<polyline fill="none" stroke="#ff7f0e" stroke-width="2" points="${line((s) => s.requestP99Ms, maxP99)}"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

async function main(): Promise<void> {
  const { values: options } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      subscribers: { type: 'string', default: '50' },
      writers: { type: 'string', default: '2' },
      readers: { type: 'string', default: '2' },
      reporters: { type: 'string', default: '1' },
      'pause-ms': { type: 'string', default: '100' },
      out: { type: 'string' },
    },
  });
  const MINUTES = Number(options.minutes);
  const SUBSCRIBERS = Number(options.subscribers);
  const WRITERS = Number(options.writers);
  const READERS = Number(options.readers);
  const REPORTERS = Number(options.reporters);
  const PAUSE = Number(options['pause-ms']);
  if (!(MINUTES > 0)) throw new Error('--minutes must be a positive number');
  const durationMs = MINUTES * MINUTE;
  // A sample a minute; runs under 10 minutes: ten samples.
  const sampleMs = MINUTES >= 10 ? MINUTE : durationMs / 10;
  // The reference point of the verdict: the end of minute 5, or of the first third of a run under 10 minutes.
  const settledMs = MINUTES >= 10 ? 5 * MINUTE : durationMs / 3;
  const outDir = options.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-soak-'));
  fs.mkdirSync(outDir, { recursive: true });

  const bench = await openBenchDatabase('soak');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  const server = fork(__filename, ['server', bench.url], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  const tally = new Tally();
  const sockets: WsClient[] = [];
  let receiver: http.Server | null = null;
  try {
    const ready = await ask<Extract<ServerMessage, { type: 'ready' }>>(server, null, 'ready');
    const { targets, adminToken } = ready;
    const endpoint = `http://127.0.0.1:${ready.port}/graphql`;
    console.log(
      `modelgraph soak benchmark: ${MINUTES} min; ${WRITERS} writers (register with idempotency keys, logMetrics, validate, ` +
        `2 transitions), ${READERS} catalog readers, ${REPORTERS} monitoring reporter(s), ${PAUSE} ms between a client's requests; ` +
        `${SUBSCRIBERS} lifecycleEvents subscribers (graphql-ws); 1 webhook to a local receiver`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; server in its own process ` +
        `(NODE_ENV=production, background jobs on; RSS and event loop measured there), clients, subscribers and receiver in this one`,
    );

    // One GraphQL request over HTTP, timed; an error is counted by its code (or HTTP status, or the network).
    const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T | null> => {
      const started = performance.now();
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: JSON.stringify({ query, variables }),
        });
        const text = await res.text();
        tally.latencies.push(performance.now() - started);
        tally.requests += 1;
        let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          tally.error(`HTTP_${res.status}`, text);
          return null;
        }
        if (body.errors?.length) {
          for (const e of body.errors) tally.error(e.extensions?.code ?? `HTTP_${res.status}`, e.message);
          return null;
        }
        if (!res.ok) {
          tally.error(`HTTP_${res.status}`, text);
          return null;
        }
        return body.data ?? null;
      } catch (err) {
        tally.requests += 1;
        tally.error('NETWORK', String(err));
        return null;
      }
    };

    // The webhook receiver: answers 204 to every delivery, counts them and their distinct webhook-ids.
    let deliveries = 0;
    const deliveryIds = new Set<string>();
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        deliveries += 1;
        const id = req.headers['webhook-id'];
        if (typeof id === 'string') deliveryIds.add(id);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as { port: number }).port;
    const hook = await gql<{ createWebhook: { webhook: { id: string } } }>(CREATE_WEBHOOK, {
      input: { url: `http://127.0.0.1:${receiverPort}/hook`, description: 'soak receiver' },
    });
    if (!hook) throw new Error(`createWebhook failed: ${JSON.stringify([...tally.examples])}`);

    // The subscribers: each counts its events and checks they come in order, once each.
    const received = new Array<number>(SUBSCRIBERS).fill(0);
    const lastSeq = new Array<number>(SUBSCRIBERS).fill(0);
    const connected: Array<Promise<void>> = [];
    for (let i = 0; i < SUBSCRIBERS; i += 1) {
      let onConnected: () => void = () => undefined;
      connected.push(new Promise<void>((resolve) => (onConnected = resolve)));
      const client = createClient({
        url: endpoint.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${adminToken}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: (err) => tally.error('WS_CONNECT', String(err)),
        on: { connected: () => onConnected() },
      });
      sockets.push(client);
      client.subscribe<{ lifecycleEvents: { seq: number } }>(
        { query: EVENTS },
        {
          next: (result) => {
            if (result.errors) for (const e of result.errors) tally.error(`WS_${e.extensions?.code ?? 'ERROR'}`, e.message);
            const seq = result.data?.lifecycleEvents.seq;
            if (seq === undefined) return;
            if (seq <= lastSeq[i]) tally.error('WS_OUT_OF_ORDER', `subscriber ${i}: seq ${seq} after ${lastSeq[i]}`);
            lastSeq[i] = seq;
            received[i] += 1;
          },
          error: (err) => tally.error('WS_CLOSED', JSON.stringify(err)),
          complete: () => undefined,
        },
      );
    }
    await Promise.all(connected);
    await sleep(500);

    const started = performance.now();
    const deadline = started + durationMs;
    const running = () => performance.now() < deadline;

    // Writers: a version's life each turn, spread over the models.
    const writer = async (w: number): Promise<void> => {
      for (let n = 0; running(); n += 1) {
        const target = targets[(w + n) % targets.length];
        const key = `soak-${w}-${n}`;
        const input = {
          modelId: target.modelId,
          code: { repo: 'https://github.com/acme/soak', commit: 'c'.repeat(40) },
          datasetVersions: ['s3://data@v1'],
          environment: { imageDigest: `img@sha256:${SHA}` },
          artifact: { format: 'ONNX', uri: `s3://models/soak-${key}.onnx`, sha256: SHA, sizeBytes: 1 },
          idempotencyKey: key,
        };
        type Registered = { registerModelVersion: { replayed: boolean; version: { id: string } } };
        const registered = await gql<Registered>(REGISTER, { input });
        await sleep(PAUSE);
        if (!registered) continue;
        const versionId = registered.registerModelVersion.version.id;
        if (n % 10 === 0) {
          // A retry with the same key: the first answer again.
          const again = await gql<Registered>(REGISTER, { input });
          if (again && (!again.registerModelVersion.replayed || again.registerModelVersion.version.id !== versionId)) {
            tally.error('NOT_REPLAYED', `${key}: ${JSON.stringify(again)}`);
          }
          await sleep(PAUSE);
        }
        const steps: Array<[string, Record<string, unknown>]> = [
          [LOG_METRICS, { input: { versionId, metrics: [{ name: 'auc', value: 0.85 + 0.1 * Math.random(), source: 'VALIDATION' }] } }],
          [VALIDATE, { input: { versionId } }],
          [TRANSITION, { input: { versionId, toStage: 'STAGING', expectedStage: 'DEVELOPMENT', idempotencyKey: `${key}-staging` } }],
          [TRANSITION, { input: { versionId, toStage: 'ARCHIVED', expectedStage: 'STAGING', idempotencyKey: `${key}-archived` } }],
        ];
        for (const [query, variables] of steps) {
          if (!(await gql(query, variables))) break;
          await sleep(PAUSE);
        }
      }
    };
    const reader = async (): Promise<void> => {
      while (running()) {
        await gql(CATALOG, {});
        await sleep(PAUSE);
      }
    };
    // Reporters: per deployment, consecutive 1-minute windows going back from the start, never reused; production
    // metrics on the first half of the deployments, feature distributions on the second.
    const base = Math.floor(Date.now() / MINUTE) * MINUTE;
    const windowsUsed = targets.map(() => 0);
    const nextWindow = (d: number) => {
      const end = base - windowsUsed[d] * MINUTE;
      windowsUsed[d] += 1;
      return { start: new Date(end - MINUTE).toISOString(), end: new Date(end).toISOString() };
    };
    const half = Math.floor(targets.length / 2);
    let reports = 0;
    const reporter = async (): Promise<void> => {
      while (running()) {
        reports += 1;
        if (reports % 2) {
          const d = reports % half;
          await gql(PRODUCTION_METRICS, {
            input: {
              deploymentId: targets[d].deploymentId,
              window: nextWindow(d),
              metrics: [
                { name: 'latency_p99', kind: 'LATENCY_MS', value: 40 + 20 * Math.random(), observations: 1000 },
                { name: 'error_rate', kind: 'ERROR_RATE', value: 0.01 * Math.random(), observations: 1000 },
              ],
            },
          });
        } else {
          const d = half + (reports % (targets.length - half));
          await gql(DISTRIBUTION, {
            input: {
              deploymentId: targets[d].deploymentId,
              window: nextWindow(d),
              features: Array.from({ length: FEATURES }, (_, f) => ({
                name: featureName(f),
                histogram: { binEdges: EDGES, counts: REFERENCE.map((c) => Math.round(c * (0.9 + 0.2 * Math.random()))) },
              })),
            },
          });
        }
        await sleep(PAUSE);
      }
    };

    const samples: Sample[] = [];
    const columns = [
      ['elapsed', 8],
      ['RSS MB', 7],
      ['heap MB', 7],
      ['loop p99 ms', 11],
      ['loop max ms', 11],
      ['req p99 ms', 10],
      ['requests', 8],
      ['events', 7],
      ['webhook', 7],
      ['errors', 6],
    ] as const;
    console.log(columns.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join('  '));
    const sampler = async (): Promise<void> => {
      // The first sample's loop figures cover the set-up too: reset them as the load starts.
      await ask(server, { type: 'sample' }, 'sample');
      tally.take();
      for (let k = 1; ; k += 1) {
        const at = started + k * sampleMs;
        await sleep(Math.max(0, at - performance.now()));
        const s = await ask<Extract<ServerMessage, { type: 'sample' }>>(server, { type: 'sample' }, 'sample');
        const window = tally.take();
        const sample: Sample = {
          elapsedS: (performance.now() - started) / 1000,
          rssMb: s.rssMb,
          heapUsedMb: s.heapUsedMb,
          loopP99Ms: s.loopP99Ms,
          loopMaxMs: s.loopMaxMs,
          requests: window.requests,
          requestP99Ms: window.p99,
          errors: window.errors,
          events: Math.max(...received),
          deliveries,
        };
        samples.push(sample);
        const minutes = Math.floor(sample.elapsedS / 60);
        const seconds = Math.round(sample.elapsedS - minutes * 60);
        const cells = [
          `${minutes}:${String(seconds).padStart(2, '0')}`,
          sample.rssMb.toFixed(1),
          sample.heapUsedMb.toFixed(1),
          sample.loopP99Ms.toFixed(1),
          sample.loopMaxMs.toFixed(1),
          sample.requestP99Ms.toFixed(1),
          sample.requests,
          sample.events,
          sample.deliveries,
          [...tally.errors].map(([code, count]) => `${code}=${count}`).join(',') || '0',
        ];
        console.log(cells.map((c, i) => (i === 0 ? String(c).padEnd(columns[i][1]) : String(c).padStart(columns[i][1]))).join('  '));
        if (at >= deadline - 1) return;
      }
    };

    await Promise.all([
      sampler(),
      ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
      ...Array.from({ length: READERS }, () => reader()),
      ...Array.from({ length: REPORTERS }, () => reporter()),
    ]);

    // Let the last events reach every subscriber and the receiver (at most 30 s).
    const settleBy = performance.now() + 30_000;
    let lastCommitted = Math.max(...lastSeq);
    while (performance.now() < settleBy) {
      await sleep(1000);
      const now = Math.max(...lastSeq);
      if (now === lastCommitted && Math.min(...received) === Math.max(...received) && deliveryIds.size >= Math.max(...received)) break;
      lastCommitted = now;
    }

    const csv = [
      'elapsed_s,rss_mb,heap_used_mb,loop_p99_ms,loop_max_ms,request_p99_ms,requests,events,webhook_deliveries,errors',
      ...samples.map((s) =>
        [
          s.elapsedS.toFixed(1),
          s.rssMb.toFixed(1),
          s.heapUsedMb.toFixed(1),
          s.loopP99Ms.toFixed(1),
          s.loopMaxMs.toFixed(1),
          s.requestP99Ms.toFixed(1),
          s.requests,
          s.events,
          s.deliveries,
          s.errors,
        ].join(','),
      ),
    ].join('\n');
    fs.writeFileSync(path.join(outDir, 'soak.csv'), csv + '\n');
    fs.writeFileSync(path.join(outDir, 'soak.svg'), svgChart(samples));

    const totalRequests = samples.reduce((sum, s) => sum + s.requests, 0);
    console.log(
      `\n${totalRequests} requests in ${(durationMs / 1000).toFixed(0)} s (${(totalRequests / (durationMs / 1000)).toFixed(1)}/s); ` +
        `events per subscriber: min ${Math.min(...received)}, max ${Math.max(...received)}; ` +
        `webhook deliveries ${deliveries} (${deliveryIds.size} distinct, ${deliveries - deliveryIds.size} repeated)`,
    );
    const errors = [...tally.errors];
    console.log(`errors by code: ${errors.length ? errors.map(([code, count]) => `${code} ${count}`).join(', ') : 'none'}`);
    for (const [code, message] of tally.examples) console.log(`  e.g. ${code}: ${message}`);

    // The verdict: RSS at the sample nearest the settled point against the last.
    const settled = samples.reduce((best, s) =>
      Math.abs(s.elapsedS * 1000 - settledMs) < Math.abs(best.elapsedS * 1000 - settledMs) ? s : best,
    );
    const last = samples[samples.length - 1];
    const growth = (last.rssMb - settled.rssMb) / settled.rssMb;
    const within = growth <= 0.1;
    console.log(
      `RSS from ${(settled.elapsedS / 60).toFixed(1)} min (${MINUTES >= 10 ? 'end of minute 5' : 'end of the first third'}) ` +
        `to the end (${(last.elapsedS / 60).toFixed(1)} min): ${settled.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB ` +
        `(${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%); goal within 10%: ${within ? 'met' : 'NOT met'}`,
    );
    console.log(`written: ${path.join(outDir, 'soak.csv')}, ${path.join(outDir, 'soak.svg')}`);
  } finally {
    for (const client of sockets) await client.dispose();
    receiver?.closeAllConnections();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    if (server.connected) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.send({ type: 'stop' } satisfies ServerRequest);
      await exited;
    }
    await bench.close();
  }
}

if (process.argv[2] === 'server') {
  serve(process.argv[3]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
