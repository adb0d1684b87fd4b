// `npm run bench:lifecycle`: promotions per second, with gates and audit on, for 1 and 8 concurrent
// clients, and the p50/p99 latency of one promotion. Not a test: it prints figures.
import 'reflect-metadata';
import { generateKeyPairSync, sign } from 'node:crypto';
import os from 'node:os';
import type { Caller } from '../src/common/caller';
import { Role } from '../src/common/role';
import { loadConfig } from '../src/config';
import { createModelgraph, createModelgraphDataSource, type Services } from '../src/composition';
import { createLogger } from '../src/logger';
import { SYSTEM_CALLER } from '../src/modules/tokens/token.service';
import { BaselineReference, Comparator, Decision } from '../src/modules/governance/governance.enums';
import { MetricSource } from '../src/modules/metrics/metric.enums';
import { RiskTier } from '../src/modules/models/model.enums';
import { ArtifactFormat, Stage } from '../src/modules/versions/version.enums';
import { startServer } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { openBenchDatabase, percentile } from './bench-support';

const SHA = 'ab'.repeat(32);
const PROMOTE = `mutation Promote($input: TransitionModelVersionInput!) {
  transitionModelVersion(input: $input) { version { id stage } archivedVersion { id } }
}`;

const who = (subject: string, role: Role): Caller => ({ tokenId: subject, subject, role, requestId: 'bench' });

/** A model with `count` versions waiting in STAGING, each validated and approved for PRODUCTION. */
async function stagedVersions(s: Services, count: number, approver: { caller: Caller; sign: (m: string) => string }): Promise<string[]> {
  const ci = who('ci-pipeline', Role.CONTRIBUTOR);
  const admin = who('admin', Role.ADMIN);
  const model = await s.models.create(admin, {
    name: `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    owner: 'bench',
    riskTier: RiskTier.MEDIUM,
  });
  await s.policy.setBaseline(admin, {
    modelId: model.id,
    metric: 'auc',
    comparator: Comparator.GTE,
    reference: BaselineReference.FIXED,
    threshold: 0.8,
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { version } = await s.versions.register(ci, {
      modelId: model.id,
      code: { repo: 'https://github.com/acme/bench', commit: 'c'.repeat(40) },
      datasetVersions: ['s3://data@v1'],
      environment: { imageDigest: `img@sha256:${SHA}` },
      artifact: { format: ArtifactFormat.ONNX, uri: 's3://models/bench.onnx', sha256: SHA, sizeBytes: 1 },
    });
    await s.metrics.log(ci, { versionId: version.id, metrics: [{ name: 'auc', value: 0.9, source: MetricSource.VALIDATION }] });
    await s.validation.validate(ci, version.id);
    await s.transitions.transition(ci, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT });
    const { message, signedAt } = await s.approvals.challenge(approver.caller, version.id, Stage.PRODUCTION, Decision.APPROVED);
    await s.approvals.decide(
      approver.caller,
      { versionId: version.id, targetStage: Stage.PRODUCTION, signedAt, signature: approver.sign(message) },
      Decision.APPROVED,
    );
    ids.push(version.id);
  }
  return ids;
}

async function main(): Promise<void> {
  const perClient = Number(process.env.BENCH_PROMOTIONS_PER_CLIENT ?? 150);
  const bench = await openBenchDatabase('lifecycle');

  const metrics = createMetrics();
  const db = createModelgraphDataSource({ url: bench.url, onQuery: () => metrics.dbQueries.inc() });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const { services: s, application } = await createModelgraph(db);
  const server = await startServer(
    { config: loadConfig({ LOG_LEVEL: 'silent' }), db, logger: createLogger('silent'), metrics, application },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    const { secret: approverToken } = await s.tokens.create(SYSTEM_CALLER, { subject: 'alice', role: Role.APPROVER });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const approver = {
      caller: who('alice', Role.APPROVER),
      sign: (m: string) => sign(null, Buffer.from(m), privateKey).toString('base64'),
    };
    await s.approvals.registerApproverKey(approver.caller, publicKey.export({ format: 'pem', type: 'spki' }).toString());

    const promote = async (versionId: string): Promise<number> => {
      const started = process.hrtime.bigint();
      const res = await fetch(`${server.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${approverToken}` },
        body: JSON.stringify({ query: PROMOTE, variables: { input: { versionId, toStage: 'PRODUCTION', expectedStage: 'STAGING' } } }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`promotion failed: ${JSON.stringify(body.errors)}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };

    const scenarios = [
      { label: '1 client', clients: 1, sharedModel: false },
      { label: '8 clients, 8 models', clients: 8, sharedModel: false },
      { label: '8 clients, 1 model', clients: 8, sharedModel: true },
    ];
    console.log(`modelgraph lifecycle benchmark: STAGING → PRODUCTION over HTTP, gates and audit on, ${perClient} promotions per client`);
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}`);
    // Warm-up, not measured: JIT, connection pool and PostgreSQL caches.
    for (const id of await stagedVersions(s, 20, approver)) await promote(id);
    console.log('scenario               promotions  seconds  promotions/s  p50 ms  p99 ms');
    const eightClients: number[] = [];
    for (const scenario of scenarios) {
      // Each client promotes its own queue of approved STAGING versions, one after another.
      let queues: string[][];
      if (scenario.sharedModel) {
        const all = await stagedVersions(s, perClient * scenario.clients, approver);
        queues = Array.from({ length: scenario.clients }, (_, c) => all.filter((_, i) => i % scenario.clients === c));
      } else {
        queues = [];
        for (let c = 0; c < scenario.clients; c += 1) queues.push(await stagedVersions(s, perClient, approver));
      }
      const latencies: number[] = [];
      const started = process.hrtime.bigint();
      await Promise.all(
        queues.map(async (queue) => {
          for (const id of queue) latencies.push(await promote(id));
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      if (scenario.clients === 8) eightClients.push(latencies.length / seconds);
      console.log(
        `${scenario.label.padEnd(22)} ${String(latencies.length).padStart(10)}  ${seconds.toFixed(2).padStart(7)}  ${(
          latencies.length / seconds
        )
          .toFixed(1)
          .padStart(12)}  ${percentile(latencies, 50).toFixed(1).padStart(6)}  ${percentile(latencies, 99).toFixed(1).padStart(6)}`,
      );
    }
    const slowest = Math.min(...eightClients);
    console.log(
      `goal (issue 25): ≥ 200 promotions/s at 8 clients: ${slowest >= 200 ? 'met' : 'NOT met'} (slowest 8-client scenario ${slowest.toFixed(1)}/s)`,
    );
    const verifying = process.hrtime.bigint();
    const verification = await s.audit.verifyChain();
    const ms = Number(process.hrtime.bigint() - verifying) / 1e6;
    console.log(
      `audit chain after the run: ok=${verification.ok}, ${verification.eventsChecked} events verified in ${ms.toFixed(0)} ms` +
        ` (${Math.round((verification.eventsChecked / ms) * 1000)} events/s)`,
    );
  } finally {
    await server.close();
    await db.destroy();
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
