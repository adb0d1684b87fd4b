// `npm run bench:monitoring [-- --models 20 --clients 8 --seconds 20 --drift-every 20 --warmup 200]`: production
// monitoring ingestion end to end. Concurrent HTTP clients post `reportFeatureDistribution` (50 numeric features of
// 10 bins each, one fresh 1-minute window per report and deployment) for a fixed time; the registry evaluates each
// against the version's reference (PSI and KS per feature) as it arrives, in the report's transaction. Most reports
// are in line with the reference; one in `--drift-every` shifts one feature that never drifted on its version, so it
// raises a new DATA_DRIFT alert, which a `driftAlerts` subscriber (graphql-ws, admin token) receives: latency is from
// the moment the bench sent that report to the alert's receipt. Then, for scale, the same number of report rows
// (with an evaluation the server stored) written by bare INSERTs over as many connections. Not a test: it prints figures.
//
// BENCH_PROFILE=<folder>: a CPU profile of the server over the measured phase (bench/profile-summary.js reads it).
//
// One file, two roles: the benchmark (no positional argument) forks the server under test (`server <database url>
// <models>`: modelgraph as main.ts starts it, background jobs included, NODE_ENV=production, in a process of its own
// so that its CPU is its own), which sets up the models through the services and says where it listens.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import os from 'node:os';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import type { Caller } from '../src/common/caller';
import { Role } from '../src/common/role';
import { createDataSource } from '../src/db/data-source';
import { RiskTier } from '../src/modules/models/model.enums';
import { featureName, EDGES, openBenchDatabase, percentile, REFERENCE, seedMonitoredDeployment, startBenchServer } from './bench-support';

const GOAL = 500;
/** …and at least this share of the bare INSERTs of the same rows, in the same run. */
const GOAL_RATIO = 0.3;
const FEATURES = 50;
/** A drifted production histogram: the mass moved four bins up (PSI about 3: CRITICAL). */
const DRIFTED = [100, 50, 20, 20, 50, 100, 150, 180, 180, 150];
const MINUTE = 60_000;

const REPORT = `mutation Report($input: ReportFeatureDistributionInput!) {
  reportFeatureDistribution(input: $input) { replayed report { id driftRate features { feature severity } } }
}`;
/** The same reports, several per request (`--batch N`): one transaction for them all. */
const REPORTS = `mutation Reports($inputs: [ReportFeatureDistributionInput!]!) {
  reportFeatureDistributions(inputs: $inputs) { replayed report { id driftRate features { feature severity } } }
}`;
const ALERTS = `subscription Alerts($filter: DriftAlertFilter) {
  driftAlerts(filter: $filter) { cursor change alert { id subject severity raisedAt version { id } } }
}`;

/** Wall-clock milliseconds with sub-millisecond precision. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  modelId: string;
  versionId: string;
  deploymentId: string;
}

type ServerMessage =
  | { type: 'ready'; port: number; adminToken: string; reporterToken: string; targets: Target[] }
  | { type: 'stats'; cpuMs: number; gcMs: number; loopP99Ms: number; sqlStatements: number }
  | { type: 'done' };
type ServerRequest = { type: 'reset' } | { type: 'stats' } | { type: 'profile'; file: string | null } | { type: 'stop' };

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

async function serve(url: string, models: number): Promise<void> {
  const send = (message: ServerMessage): void => void process.send?.(message);
  const { server, services: s, metrics, adminToken, startJobs, stop } = await startBenchServer(url);

  // The registry: per model one version (DEVELOPMENT, deployed with an override), one ACTIVE deployment, and a
  // reference distribution of every feature.
  const admin: Caller = { tokenId: 'bench', subject: 'bench-admin', role: Role.ADMIN, requestId: 'bench' };
  const { secret: reporterToken } = await s.tokens.create(admin, { subject: 'production-monitor', role: Role.CONTRIBUTOR });
  const targets: Target[] = [];
  for (let i = 0; i < models; i += 1) {
    const model = await s.models.create(admin, { name: `bench-monitoring-${i}`, owner: 'bench', riskTier: RiskTier.MEDIUM });
    const seeded = await seedMonitoredDeployment(s, admin, model.id, { label: `bench-${i}`, features: FEATURES });
    targets.push({ modelId: model.id, ...seeded });
  }
  // As main.ts does: the event dispatcher (and any other background job) starts once the server serves.
  await startJobs();

  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpuAtReset = process.cpuUsage();
  const sqlStatements = async () => (await metrics.dbQueries.get()).values.reduce((sum, v) => sum + v.value, 0);
  let sqlAtReset = await sqlStatements();
  const inspector = new Session();
  inspector.connect();
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      inspector.post(method, (err, result) => (err ? reject(err) : resolve(result as Record<string, unknown>))),
    );
  let profiling: string | null = null;

  process.on('message', (message: ServerRequest) => {
    void (async () => {
      switch (message.type) {
        case 'reset':
          gcMs = 0;
          loop.reset();
          cpuAtReset = process.cpuUsage();
          sqlAtReset = await sqlStatements();
          send({ type: 'done' });
          break;
        case 'stats': {
          const cpu = process.cpuUsage(cpuAtReset);
          send({
            type: 'stats',
            cpuMs: (cpu.user + cpu.system) / 1000,
            gcMs,
            loopP99Ms: loop.count ? loop.percentile(99) / 1e6 : 0,
            sqlStatements: (await sqlStatements()) - sqlAtReset,
          });
          break;
        }
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
  send({ type: 'ready', port: server.port, adminToken, reporterToken, targets });
}

// ---------------------------------------------------------------- the benchmark

const row = (cells: Array<string | number>, widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

/** Every feature's histogram as JSON; `drifted` (a feature index) shifted, the others within ±10% of the reference. */
function featuresJson(drifted: number | null): string {
  const features = Array.from({ length: FEATURES }, (_, f) => ({
    name: featureName(f),
    histogram: { binEdges: EDGES, counts: f === drifted ? DRIFTED : REFERENCE.map((c) => Math.round(c * (0.9 + 0.2 * Math.random()))) },
  }));
  return JSON.stringify(features);
}

interface Outcome {
  ok: boolean;
  ms: number;
  /** The error code (or HTTP status) of a refused report. */
  error?: string;
  message?: string;
  /** Per report of the request, in order: the features the server found drifted (WARNING or CRITICAL), and whether it replayed. */
  reports?: Array<{ drifted: string[]; replayed: boolean }>;
}

/** Total CPU time of the machine, all cores (ms), and of its idle part. */
function machineCpu(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of os.cpus()) {
    const total = times.user + times.nice + times.sys + times.idle + times.irq;
    totalMs += total;
    busyMs += total - times.idle;
  }
  return { busyMs, totalMs };
}

/**
 * CPU time (ms) of the PostgreSQL processes this benchmark started (the embedded server: descendants of this process
 * named postgres), from /proc; null when there are none (DATABASE_URL) or no /proc.
 */
function postgresCpuMs(): number | null {
  try {
    const stats = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
          const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
          return { pid: Number(pid), comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
        } catch {
          return null;
        }
      })
      .filter((x) => x !== null);
    const byPid = new Map(stats.map((x) => [x.pid, x]));
    const descends = (pid: number): boolean => {
      for (let p = byPid.get(pid)?.ppid; p; p = byPid.get(p)?.ppid) if (p === process.pid) return true;
      return false;
    };
    const ours = stats.filter((x) => x.comm === 'postgres' && descends(x.pid));
    return ours.length ? (ours.reduce((sum, x) => sum + x.ticks, 0) * 1000) / 100 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { values: options } = parseArgs({
    options: {
      models: { type: 'string', default: '20' },
      clients: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '20' },
      'drift-every': { type: 'string', default: '20' },
      warmup: { type: 'string', default: '200' },
      batch: { type: 'string', default: '1' },
    },
  });
  /** Reports per request: 1 sends reportFeatureDistribution, more send them together by reportFeatureDistributions. */
  const BATCH = Number(options.batch);
  const MODELS = Number(options.models);
  const CLIENTS = Number(options.clients);
  const SECONDS = Number(options.seconds);
  const DRIFT_EVERY = Number(options['drift-every']);
  const WARMUP = Number(options.warmup);

  const bench = await openBenchDatabase('monitoring');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  // As deployed (docker/Dockerfile): graphql-js, among others, takes its fast paths only in production.
  const server = fork(__filename, ['server', bench.url, String(MODELS)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let dispose: (() => void | Promise<void>) | null = null;
  try {
    const ready = await ask<Extract<ServerMessage, { type: 'ready' }>>(server, null, 'ready');
    const { targets } = ready;
    console.log(
      `modelgraph monitoring benchmark: ${BATCH === 1 ? 'reportFeatureDistribution' : `reportFeatureDistributions (${BATCH} reports a request)`} over HTTP, ${FEATURES} features × ${REFERENCE.length} bins per report, ` +
        `${MODELS} models (one ACTIVE deployment each), ${CLIENTS} clients, ${SECONDS} s; 1 report in ${DRIFT_EVERY} drifts a new feature`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; server in its own process ` +
        `(NODE_ENV=production, background jobs on), clients and the driftAlerts subscriber in this one`,
    );

    // The subscriber: every alert of every model, as an operator's dashboard would take them.
    const received = new Map<string, number>();
    const subscriberErrors: unknown[] = [];
    const client = createClient({
      url: `ws://127.0.0.1:${ready.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${ready.adminToken}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: (err) => subscriberErrors.push(err),
    });
    dispose = () => client.dispose();
    client.subscribe<{ driftAlerts: { change: string; alert: { subject: string; version: { id: string } } } }>(
      { query: ALERTS, variables: { filter: {} } },
      {
        next: (result) => {
          const at = now();
          if (result.errors) subscriberErrors.push(...result.errors);
          const event = result.data?.driftAlerts;
          if (!event) return;
          const key = `${event.alert.version.id}|${event.alert.subject}`;
          if (event.change === 'RAISED' && !received.has(key)) received.set(key, at);
          else subscriberErrors.push(`unexpected ${event.change} of ${key}`);
        },
        error: (err) => subscriberErrors.push(err),
        complete: () => undefined,
      },
    );

    // Windows: per deployment, consecutive minutes going back from the start, never reused.
    const base = Math.floor(Date.now() / MINUTE) * MINUTE;
    const windowsUsed = targets.map(() => 0);
    const nextWindow = (d: number) => {
      const end = base - windowsUsed[d] * MINUTE;
      windowsUsed[d] += 1;
      return { start: new Date(end - MINUTE).toISOString(), end: new Date(end).toISOString() };
    };
    // Drifts: round the deployments, each time the next feature of that version that never drifted.
    const driftsUsed = targets.map(() => 0);
    let nextDrifting = 0;
    let driftCapacityHit = 0;
    /** When each drifting report was sent, by `${versionId}|${feature}`. */
    const sentAt = new Map<string, number>();
    const NORMAL = Array.from({ length: 16 }, () => featuresJson(null));

    let sent = 0;
    let reportsOf = 0;
    const post = (body: string): Promise<Outcome> =>
      new Promise((resolve) => {
        const started = now();
        const req = http.request(
          {
            agent,
            host: '127.0.0.1',
            port: ready.port,
            path: '/graphql',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.reporterToken}` },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ms = now() - started;
              const text = Buffer.concat(chunks).toString('utf8');
              try {
                type Payload = { replayed: boolean; report: { features: Array<{ feature: string; severity: string | null }> } };
                const json = JSON.parse(text) as {
                  data?: { reportFeatureDistribution?: Payload | null; reportFeatureDistributions?: Payload[] | null };
                  errors?: Array<{ message: string; extensions?: { code?: string } }>;
                };
                const payloads =
                  json.data?.reportFeatureDistributions ??
                  (json.data?.reportFeatureDistribution ? [json.data.reportFeatureDistribution] : null);
                if (res.statusCode !== 200 || json.errors || !payloads) {
                  const first = json.errors?.[0];
                  resolve({
                    ok: false,
                    ms,
                    error: first?.extensions?.code ?? `HTTP ${res.statusCode}`,
                    message: first?.message ?? text.slice(0, 200),
                  });
                } else {
                  const reports = payloads.map((p) => ({
                    drifted: p.report.features.filter((f) => f.severity === 'WARNING' || f.severity === 'CRITICAL').map((f) => f.feature),
                    replayed: p.replayed,
                  }));
                  resolve({ ok: true, ms, reports });
                }
              } catch {
                resolve({ ok: false, ms, error: `HTTP ${res.statusCode}`, message: text.slice(0, 200) });
              }
            });
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ ok: false, ms: now() - started, error: err.code ?? 'ERROR', message: err.message }),
        );
        req.end(body);
      });

    interface PhaseResult {
      latencies: number[];
      errors: Map<string, { count: number; message: string }>;
      wrongVerdicts: number;
      replays: number;
      /** Keys of the drifting reports the server accepted: each should raise one alert. */
      expected: string[];
      ok: number;
      seconds: number;
    }

    /** `CLIENTS` clients, each sending one report after another, until `until()` says stop. */
    const load = async (until: () => boolean): Promise<PhaseResult> => {
      const result: PhaseResult = { latencies: [], errors: new Map(), wrongVerdicts: 0, replays: 0, expected: [], ok: 0, seconds: 0 };
      const started = now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          // One report a request: every client round the deployments. Batches: each client reports deployments of its
          // own, as separate reporters would, so that two batches do not queue on each other's rows until they commit.
          const mine = targets.map((_t, i) => i).filter((i) => BATCH === 1 || targets.length < CLIENTS || i % CLIENTS === c);
          let own = 0;
          while (!until()) {
            const reports: Array<{ input: string; key: string | null; want: string[] }> = [];
            while (reports.length < BATCH) {
              const n = sent;
              sent += 1;
              let d = BATCH === 1 ? reportsOf % targets.length : mine[own % mine.length];
              let drift: number | null = null;
              if ((n + 1) % DRIFT_EVERY === 0) {
                // The next deployment (of this client's) with a feature left that never drifted; none left: a plain report.
                for (let k = 0; k < mine.length && drift === null; k += 1) {
                  const candidate = mine[(nextDrifting + k) % mine.length];
                  if (driftsUsed[candidate] < FEATURES) {
                    d = candidate;
                    drift = driftsUsed[candidate];
                    driftsUsed[candidate] += 1;
                    nextDrifting = (nextDrifting + k + 1) % mine.length;
                  }
                }
                if (drift === null) driftCapacityHit += 1;
              }
              if (drift === null) {
                reportsOf += 1;
                own += 1;
              }
              if (drift === null) reportsOf += 1;
              const target = targets[d];
              reports.push({
                input:
                  `{"deploymentId":"${target.deploymentId}","window":${JSON.stringify(nextWindow(d))},` +
                  `"features":${drift === null ? NORMAL[n % NORMAL.length] : featuresJson(drift)}}`,
                key: drift === null ? null : `${target.versionId}|${featureName(drift)}`,
                want: drift === null ? [] : [featureName(drift)],
              });
            }
            const body =
              BATCH === 1
                ? `{"query":${JSON.stringify(REPORT)},"variables":{"input":${reports[0].input}}}`
                : `{"query":${JSON.stringify(REPORTS)},"variables":{"inputs":[${reports.map((r) => r.input).join(',')}]}}`;
            for (const { key } of reports) if (key) sentAt.set(key, now());
            const outcome = await post(body);
            result.latencies.push(outcome.ms);
            if (!outcome.ok) {
              const code = outcome.error as string;
              const seen = result.errors.get(code) ?? { count: 0, message: outcome.message ?? '' };
              seen.count += 1;
              result.errors.set(code, seen);
              continue;
            }
            reports.forEach(({ key, want }, i) => {
              const got = outcome.reports?.[i];
              result.ok += 1;
              if (got?.replayed) result.replays += 1;
              if (got?.drifted.join() !== want.join()) result.wrongVerdicts += 1;
              if (key) result.expected.push(key);
            });
          }
        }),
      );
      result.seconds = (now() - started) / 1000;
      result.latencies.sort((a, b) => a - b);
      return result;
    };

    /** Waits until every expected alert arrived, or 30 s passed without a new one. */
    const awaitAlerts = async (expected: string[]) => {
      let last = -1;
      let since = Date.now();
      for (;;) {
        const n = expected.filter((k) => received.has(k)).length;
        if (n === expected.length) return n;
        if (n !== last) [last, since] = [n, Date.now()];
        if (Date.now() - since > 30_000) return n;
        await sleep(20);
      }
    };

    // Warm-up, unmeasured: JIT, connection pools, PostgreSQL caches, and the subscription proven live (its alerts arrive).
    const warm = await load(() => sent >= WARMUP);
    await sleep(200);
    if ((await awaitAlerts(warm.expected)) < warm.expected.length || warm.errors.size) {
      console.log(
        `warm-up: ${warm.ok} reports, ${[...warm.errors].map(([c, e]) => `${e.count} × ${c}: ${e.message}`).join('; ') || 'no errors'}, ` +
          `${warm.expected.filter((k) => received.has(k)).length} of ${warm.expected.length} alerts received`,
      );
    }

    // The measured phase.
    await ask(server, { type: 'reset' }, 'done');
    const profileDir = process.env.BENCH_PROFILE;
    if (profileDir) await ask(server, { type: 'profile', file: `${profileDir}/monitoring.cpuprofile` }, 'done');
    const clientCpu = process.cpuUsage();
    const machineBefore = machineCpu();
    const pgBefore = postgresCpuMs();
    const deadline = now() + SECONDS * 1000;
    const measured = await load(() => now() >= deadline);
    const clientCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(clientCpu));
    const machineAfter = machineCpu();
    const pgAfter = postgresCpuMs();
    if (profileDir) await ask(server, { type: 'profile', file: null }, 'done');
    const stats = await ask<Extract<ServerMessage, { type: 'stats' }>>(server, { type: 'stats' }, 'stats');
    const alertsReceived = await awaitAlerts(measured.expected);

    const ms = (sorted: number[], p: number) => (sorted.length ? percentile(sorted, p).toFixed(1) : '-');
    const rate = measured.ok / measured.seconds;
    const errors = [...measured.errors.values()].reduce((sum, e) => sum + e.count, 0);
    console.log(
      `\n${BATCH === 1 ? 'one report per request' : `${BATCH} reports per request (reportFeatureDistributions)`}; HTTP times per request`,
    );
    console.log('reports  seconds  reports/s  features/s  HTTP p50 ms  p95 ms  p99 ms  max ms  errors');
    const w = [7, 7, 9, 10, 11, 6, 6, 6, 6];
    console.log(
      row(
        [
          measured.ok,
          measured.seconds.toFixed(2),
          rate.toFixed(1),
          (rate * FEATURES).toFixed(0),
          ms(measured.latencies, 50),
          ms(measured.latencies, 95),
          ms(measured.latencies, 99),
          ms(measured.latencies, 100),
          errors,
        ],
        w,
      ),
    );
    for (const [code, e] of measured.errors) console.log(`  ${e.count} × ${code}: ${e.message}`);
    if (measured.wrongVerdicts || measured.replays) {
      console.log(`  ${measured.wrongVerdicts} reports judged otherwise than sent (drifted features), ${measured.replays} replayed`);
    }
    if (driftCapacityHit) console.log(`  ${driftCapacityHit} drifts not sent: every feature of every version had drifted (raise --models)`);

    const alertMs = measured.expected
      .filter((k) => received.has(k))
      .map((k) => (received.get(k) as number) - (sentAt.get(k) as number))
      .sort((a, b) => a - b);
    console.log(
      `\nalerts received: ${alertsReceived} of ${measured.expected.length} drifted reports` +
        `${subscriberErrors.length ? ` (subscriber errors: ${subscriberErrors.length}, first: ${JSON.stringify(subscriberErrors[0]).slice(0, 200)})` : ''}`,
    );
    console.log(
      `report → alert (sent to received by the subscriber) ms: p50 ${ms(alertMs, 50)}, p95 ${ms(alertMs, 95)}, p99 ${ms(alertMs, 99)}, max ${ms(alertMs, 100)}`,
    );
    const wallMs = measured.seconds * 1000;
    const machineBusy =
      (100 * (machineAfter.busyMs - machineBefore.busyMs)) / ((machineAfter.totalMs - machineBefore.totalMs) / os.cpus().length);
    const serverCpu = (100 * stats.cpuMs) / wallMs;
    const clientCpuPct = (100 * clientCpuMs) / wallMs;
    const perReport = (x: number) => x / Math.max(1, measured.ok);
    console.log(
      `server: ${serverCpu.toFixed(0)}% of a core, ${(1000 * perReport(stats.cpuMs)).toFixed(0)} µs CPU per report ` +
        `(GC ${((100 * stats.gcMs) / Math.max(1, stats.cpuMs)).toFixed(0)}% of it), ${perReport(stats.sqlStatements).toFixed(1)} SQL statements per report, ` +
        `event-loop delay p99 ${stats.loopP99Ms.toFixed(0)} ms`,
    );
    const pgCpu = pgBefore === null || pgAfter === null ? null : (100 * (pgAfter - pgBefore)) / wallMs;
    const others = Math.max(0, machineBusy - serverCpu - clientCpuPct - (pgCpu ?? 0));
    console.log(
      `machine over the phase (100% = one core): ${machineBusy.toFixed(0)}% of ${os.cpus().length * 100}% busy: server ${serverCpu.toFixed(0)}%, ` +
        (pgCpu === null
          ? ''
          : `PostgreSQL ${pgCpu.toFixed(0)}% (${((10 * pgCpu * wallMs) / Math.max(1, measured.ok)).toFixed(0)} µs per report), `) +
        `bench client ${clientCpuPct.toFixed(0)}%, ${pgCpu === null ? 'PostgreSQL and ' : ''}other processes ${others.toFixed(0)}%`,
    );

    // For scale: the same number of report rows, with an evaluation the server stored, by bare INSERTs, one statement
    // and one transaction each, over as many connections as there were clients. No evaluation, audit or alerts.
    let ratio = Number.NaN;
    const pg = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new Client({ connectionString: bench.url });
        await c.connect();
        return c;
      }),
    );
    try {
      const [{ evaluation, input_hash: inputHash }] = (
        await pg[0].query(
          `SELECT evaluation, input_hash FROM production_reports WHERE kind = 'FEATURES' AND evaluation->>'driftRate' = '0' LIMIT 1`,
        )
      ).rows as Array<{ evaluation: unknown; input_hash: string }>;
      const evaluationJson = JSON.stringify(evaluation);
      let inserted = 0;
      const started = now();
      await Promise.all(
        pg.map(async (c) => {
          while (inserted < measured.ok) {
            const d = inserted % targets.length;
            inserted += 1;
            const window = nextWindow(d);
            await c.query(
              `INSERT INTO production_reports (model_id, version_id, deployment_id, kind, window_start, window_end, input_hash, evaluation, reported_by)
               VALUES ($1, $2, $3, 'FEATURES', $4, $5, $6, $7, 'production-monitor')`,
              [targets[d].modelId, targets[d].versionId, targets[d].deploymentId, window.start, window.end, inputHash, evaluationJson],
            );
          }
        }),
      );
      const bare = inserted / ((now() - started) / 1000);
      ratio = rate / bare;
      console.log(
        `\nreference: the same ${inserted} report rows (the evaluation as stored, ${(evaluationJson.length / 1024).toFixed(1)} KB) by bare INSERTs, ` +
          `${CLIENTS} connections: ${bare.toFixed(0)} rows/s; modelgraph / bare: ${ratio.toFixed(2)}×`,
      );
    } finally {
      await Promise.all(pg.map((c) => c.end()));
    }

    console.log(`goal ≥ ${GOAL} reports/s: ${rate >= GOAL ? 'met' : 'NOT met'} (${rate.toFixed(1)}/s)`);
    console.log(`goal ≥ ${GOAL_RATIO}× the bare INSERTs: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)`);
  } finally {
    await dispose?.();
    agent.destroy();
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.send({ type: 'stop' } satisfies ServerRequest);
      await Promise.race([exited, sleep(15_000)]);
      if (server.exitCode === null) server.kill();
    }
    await bench.close();
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === 'server') {
  serve(args[0], Number(args[1])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
