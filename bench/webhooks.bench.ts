// `npm run bench:webhooks [-- --webhooks 50 --events 200 --rate 10 --seconds 10]`: webhook deliveries end to
// end. A local HTTP receiver, N webhooks pointing at it, and two scenarios: a burst of M events committed
// one transaction each as fast as the audit log takes them (throughput: deliveries per second from the
// first commit to the last receipt), then events at a steady rate (latency when the worker keeps up).
// Latency is from an event's commit to its receipt. The worker runs with its default settings.
// As deployed, the worker, the writers (API instances) and the receiver are three processes: each of
// them would slow the others down in one event loop. Not a test: it prints figures.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Caller } from '../src/common/caller';
import { Role } from '../src/common/role';
import { createModelgraphDataSource, createServices } from '../src/composition';
import { createDataSource } from '../src/db/data-source';
import { appendAudit } from '../src/modules/audit/audit.store';
import { EventKind } from '../src/modules/events/event.rules';
import { webhookTuning, type WebhookSettings } from '../src/modules/webhooks/webhooks.module';
import { openBenchDatabase, percentile } from './bench-support';

const GOAL = 500;
/** Writers committing events at once: appends queue on the audit log's lock, this only keeps it busy. */
const WRITERS = 4;

const admin: Caller = { tokenId: 'bench', subject: 'bench', role: Role.ADMIN, requestId: 'bench' };

/** Wall-clock milliseconds with sub-millisecond precision, comparable between the processes. */
const now = () => performance.timeOrigin + performance.now();

interface ReceiverReport {
  /** `/hook/<n>#<seq>` and when it first arrived. */
  received: Array<[string, number]>;
  duplicates: number;
}

/** The receiver process: answers 204 to everything, notes when each (webhook, event) first arrived. */
function receiver(): void {
  let received = new Map<string, number>();
  let duplicates = 0;
  let expected = Infinity;
  const report = () => process.send?.({ received: [...received], duplicates } satisfies ReceiverReport);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      const { seq } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seq: number };
      const key = `${req.url}#${seq}`;
      if (received.has(key)) duplicates += 1;
      else received.set(key, at);
      res.writeHead(204).end();
      if (received.size === expected) report();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (message: { expect?: number } | string) => {
    if (typeof message === 'object' && message.expect !== undefined) {
      received = new Map();
      duplicates = 0;
      expected = message.expect;
    }
    if (message === 'report') report();
    if (message === 'exit') server.close(() => process.exit(0));
  });
}

/**
 * The writer process: commits `events` audit events, one transaction each, and says when each committed;
 * as fast as the log takes them (several writers), or one writer at `rate` events a second.
 */
async function writer(url: string, events: number, rate: number): Promise<void> {
  const db = createModelgraphDataSource({ url });
  await db.initialize();
  const committed: Array<[number, number]> = [];
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: rate ? 1 : WRITERS }, async () => {
      while (next < events) {
        next += 1;
        const n = next;
        if (rate) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + ((n - 1) * 1000) / rate - now())));
        const event = await db.transaction((m) =>
          appendAudit(m, admin, {
            action: 'metrics.logged',
            subjectType: 'ModelVersion',
            subjectId: `bench-${n}`,
            payload: { metrics: [{ name: 'auc', value: 0.9, step: n }] },
          }),
        );
        committed.push([Number(event.seq), now()]);
      }
    }),
  );
  const ms = now() - started;
  await db.destroy();
  process.send?.({ committed, ms }, () => process.exit(0));
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
  });
}

interface Scenario {
  name: string;
  events: number;
  /** Events a second; 0: as fast as they commit. */
  rate: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      webhooks: { type: 'string', default: '50' },
      events: { type: 'string', default: '200' },
      rate: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '10' },
    },
  });
  const WEBHOOKS = Number(values.webhooks);
  const scenarios: Scenario[] = [
    { name: 'burst', events: Number(values.events), rate: 0 },
    { name: `steady ${values.rate}/s`, events: Number(values.rate) * Number(values.seconds), rate: Number(values.rate) },
  ];

  const bench = await openBenchDatabase('webhooks');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  const db = createModelgraphDataSource({ url: bench.url });
  await db.initialize();

  const receiving = fork(__filename, ['receiver']);
  const { port } = await nextMessage<{ port: number }>(receiving);
  const settings: WebhookSettings = { allowedHosts: ['127.0.0.1'], maxFailures: 20, timeoutMs: 10_000 };
  const services = createServices(db, { webhooks: settings });
  const tuning = webhookTuning(settings);
  let burstRate = 0;
  try {
    for (let i = 0; i < WEBHOOKS; i += 1) {
      await services.webhooks.create(admin, { url: `http://127.0.0.1:${port}/hook/${i}`, filter: { kinds: [EventKind.METRICS_LOGGED] } });
    }
    await services.webhookWorker.start();
    console.log(`modelgraph webhooks benchmark: ${WEBHOOKS} webhooks, every event delivered to each, a local receiver`);
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; worker: up to ${tuning.concurrency} ` +
        `webhooks at once, ${tuning.batchSize} events per claim, polls every ${tuning.pollMs} ms; ` +
        `worker, writers and receiver in 3 processes`,
    );
    console.log('scenario       events  commit s  deliveries  seconds  deliveries/s  p50 ms  p99 ms  max ms  duplicates  failed');
    for (const scenario of scenarios) {
      const total = WEBHOOKS * scenario.events;
      receiving.send({ expect: total });
      const report = nextMessage<ReceiverReport>(receiving);
      const writing = fork(__filename, ['writer', bench.url, String(scenario.events), String(scenario.rate)]);
      const { committed, ms } = await nextMessage<{ committed: Array<[number, number]>; ms: number }>(writing);
      const timeout = setTimeout(() => receiving.send('report'), 300_000);
      const { received, duplicates } = await report;
      clearTimeout(timeout);
      if (received.length < total) console.log(`INCOMPLETE: only ${received.length} of ${total} deliveries arrived within 5 minutes`);

      const committedAt = new Map(committed);
      const firstCommit = Math.min(...committedAt.values());
      const lastReceipt = Math.max(...received.map(([, at]) => at));
      const latencies = received.map(([key, at]) => at - (committedAt.get(Number(key.split('#')[1])) as number)).sort((a, b) => a - b);
      const seconds = (lastReceipt - firstCommit) / 1000;
      const rate = received.length / seconds;
      if (!scenario.rate) burstRate = rate;
      const [{ n: failed }] = (await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'FAILED'`)) as Array<{
        n: number;
      }>;
      console.log(
        [
          scenario.name.padEnd(12),
          String(scenario.events).padStart(8),
          (ms / 1000).toFixed(2).padStart(9),
          String(received.length).padStart(11),
          seconds.toFixed(2).padStart(8),
          rate.toFixed(0).padStart(13),
          percentile(latencies, 50).toFixed(0).padStart(7),
          percentile(latencies, 99).toFixed(0).padStart(7),
          latencies[latencies.length - 1].toFixed(0).padStart(7),
          String(duplicates).padStart(11),
          String(failed).padStart(7),
        ].join(' '),
      );
    }
    console.log(
      `goal: at least ${GOAL} deliveries/s end to end (burst: first commit to last receipt): ${burstRate >= GOAL ? 'met' : 'NOT met'} ` +
        `(${burstRate.toFixed(0)}/s)`,
    );
  } finally {
    await services.webhookWorker.stop();
    receiving.send('exit');
    await db.destroy();
    await bench.close();
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === 'receiver') receiver();
else if (role === 'writer')
  writer(args[0], Number(args[1]), Number(args[2])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
