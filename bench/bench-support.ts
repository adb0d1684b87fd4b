// What the benchmarks share: a PostgreSQL database of their own, free ports, percentiles, a monitored deployment.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Caller } from '../src/common/caller';
import { createModelgraph, createModelgraphDataSource, type Services } from '../src/composition';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded';
import { DeploymentStrategy } from '../src/modules/deployments/deployment.enums';
import { ArtifactFormat } from '../src/modules/versions/version.enums';
import { createLogger } from '../src/logger';
import { startServer, type RunningServer } from '../src/server/app';
import { createMetrics, type Metrics } from '../src/server/metrics';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The p-th percentile of ascending `sorted` values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface BenchDatabase {
  /** URL of the benchmark's own database. */
  url: string;
  /** 'embedded' or 'DATABASE_URL'. */
  origin: string;
  /** Drops the database and stops the embedded server, if one was started. */
  close(): Promise<void>;
}

/**
 * A fresh database for one benchmark run: on the server in DATABASE_URL, or on an embedded
 * PostgreSQL started in a temporary folder. Migrate it with the real migrations before use.
 */
export async function openBenchDatabase(name: string): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  const dataDir = path.join(os.tmpdir(), `modelgraph-bench-${process.pid}`);
  if (!adminUrl) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    adminUrl = embedded.adminUrl;
  }
  const database = `modelgraph_bench_${name}_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    origin: embedded ? 'embedded' : 'DATABASE_URL',
    close: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
      if (embedded) {
        await embedded.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A digest every benchmark artifact declares (referenced, never uploaded). */
export const SHA = 'ab'.repeat(32);
/** The bins of every feature's histogram, and the reference counts in them. */
export const EDGES = Array.from({ length: 11 }, (_, i) => i);
export const REFERENCE = [20, 50, 100, 150, 180, 180, 150, 100, 50, 20];
export const featureName = (f: number) => `feature_${String(f).padStart(2, '0')}`;

/**
 * What the monitoring reports of a benchmark aim at: a version of `modelId` (its artifact referenced), deployed
 * ACTIVE to production with an override (it is not validated), with a reference distribution of `features` features.
 */
export async function seedMonitoredDeployment(
  s: Services,
  caller: Caller,
  modelId: string,
  options: { label: string; features: number },
): Promise<{ versionId: string; deploymentId: string }> {
  const { version } = await s.versions.register(caller, {
    modelId,
    code: { repo: `https://github.com/acme/${options.label}`, commit: 'c'.repeat(40) },
    datasetVersions: ['s3://data@v1'],
    environment: { imageDigest: `img@sha256:${SHA}` },
    artifact: { format: ArtifactFormat.ONNX, uri: `s3://models/${options.label}.onnx`, sha256: SHA, sizeBytes: 1 },
  });
  const deployment = await s.deployments.record(caller, {
    versionId: version.id,
    environment: 'production',
    endpoint: `https://serving.example/${options.label}`,
    strategy: DeploymentStrategy.DIRECT,
    trafficPercent: 100,
    overrideReason: 'bench',
  });
  await s.drift.setReference(caller, {
    versionId: version.id,
    features: Array.from({ length: options.features }, (_, f) => ({
      name: featureName(f),
      histogram: { binEdges: EDGES, counts: REFERENCE },
    })),
  });
  return { versionId: version.id, deploymentId: deployment.id };
}

/** The catalog benchmarks' data (bench:catalog, bench:replica): N models with versions 1–5 (v5 in PRODUCTION, alias champion), and one model with BIG versions and BIG metric points. */
export async function seedCatalog(
  db: Client,
  { models, big: bigCount }: { models: number; big: number },
): Promise<{ bigModelId: string; smallModelId: string }> {
  await db.query(
    `INSERT INTO registered_models (name, description, owner, tags, risk_tier, version_counter, created_by, created_at)
     SELECT 'catalog-' || lpad(i::text, 6, '0'), 'catalog model ' || i, 'team-' || (i % 20), jsonb_build_object('domain', 'd' || (i % 7)),
            'MEDIUM', 5, 'bench', now() - interval '30 days' + i * interval '1 second'
     FROM generate_series(1, $1::int) i`,
    [models],
  );
  await db.query(
    `INSERT INTO registered_models (name, owner, risk_tier, version_counter, created_by, created_at)
     VALUES ('catalog-big', 'team-big', 'HIGH', $1, 'bench', now())`,
    [bigCount],
  );
  // Realistic rows: the reproducibility tuple's JSON columns are what a list should not drag along.
  const versionColumns = `(model_id, version, stage, code_repo, code_commit, dataset_versions, hyperparameters, environment_image_digest,
     environment_package_lock, random_seed, training_run_id, artifact_format, artifact_storage_path, artifact_size_bytes, artifact_sha256,
     artifact_signature, artifact_status, created_by, created_at)`;
  const versionValues = (stage: string) => `m.id, n, ${stage}, 'https://github.com/acme/' || m.name, md5(m.name || n) || md5(n::text),
     jsonb_build_array('s3://datasets/' || m.name || '@v' || n, 's3://datasets/holdout@v3'),
     (SELECT jsonb_object_agg('param_' || k, k * n) FROM generate_series(1, 20) k),
     'ghcr.io/acme/train@sha256:' || md5(m.name) || md5(m.name), repeat('package==1.0.0 ', 40), n::text, 'run-' || n, 'ONNX',
     'models/' || m.name || '/' || n || '/', 1048576, md5(m.name || n) || md5(n || m.name),
     jsonb_build_object('inputs', jsonb_build_array(jsonb_build_object('name', 'features', 'dtype', 'float32', 'shape', jsonb_build_array(-1, 64)))),
     'READY', 'bench', m.created_at + n * interval '1 ms'`;
  await db.query(
    `INSERT INTO model_versions ${versionColumns}
     SELECT ${versionValues(`CASE n WHEN 5 THEN 'PRODUCTION' WHEN 4 THEN 'STAGING' ELSE 'ARCHIVED' END`)}
     FROM registered_models m CROSS JOIN generate_series(1, 5) n WHERE m.name <> 'catalog-big'`,
  );
  await db.query(
    `INSERT INTO model_versions ${versionColumns}
     SELECT ${versionValues(`CASE WHEN n = $1 THEN 'PRODUCTION' ELSE 'ARCHIVED' END`)}
     FROM registered_models m CROSS JOIN generate_series(1, $1::int) n WHERE m.name = 'catalog-big'`,
    [bigCount],
  );
  await db.query(
    `INSERT INTO model_aliases (model_id, name, version_id, updated_by)
     SELECT v.model_id, 'champion', v.id, 'bench' FROM model_versions v
     JOIN registered_models m ON m.id = v.model_id AND v.version = m.version_counter`,
  );
  // A registry has many API tokens, not one: the token lookup should find its row through the index.
  await db.query(
    `INSERT INTO api_tokens (subject, role, token_hash, token_prefix, created_by)
     SELECT 'pipeline-' || i, 'CONTRIBUTOR', md5(i::text) || md5('t' || i), 'mg_' || i, 'bench' FROM generate_series(1, 500) i`,
  );
  const [big] = (await db.query(`SELECT id FROM registered_models WHERE name = 'catalog-big'`)).rows;
  const [small] = (await db.query(`SELECT id FROM registered_models WHERE name = 'catalog-000001'`)).rows;
  // A long metric history on the big model's version 1, a short one on the small model's.
  for (const [modelId, points] of [
    [big.id, bigCount],
    [small.id, 5],
  ] as const) {
    await db.query(
      `INSERT INTO metrics (version_id, source, name, value, step, slice, recorded_at)
       SELECT v.id, 'TRAINING', 'loss', 1.0 / s, s, '', now() - interval '1 day' + s * interval '1 ms'
       FROM model_versions v CROSS JOIN generate_series(1, $2::int) s WHERE v.model_id = $1 AND v.version = 1`,
      [modelId, points],
    );
  }
  // What MetricService.log keeps as points arrive: the latest point of each series.
  await db.query(
    `INSERT INTO metric_latest (version_id, name, source, slice, metric_id, value, step, recorded_at)
     SELECT DISTINCT ON (version_id, name, source, slice) version_id, name, source, slice, id, value, step, recorded_at
     FROM metrics ORDER BY version_id, name, source, slice, recorded_at DESC, step DESC, id DESC`,
  );
  await db.query('VACUUM ANALYZE');
  return { bigModelId: big.id, smallModelId: small.id };
}

export interface BenchServer {
  server: RunningServer;
  services: Services;
  metrics: Metrics;
  /** The first ADMIN token of the (empty) benchmark database. */
  adminToken: string;
  /** Starts the background jobs (event dispatch, webhook deliveries), as main.ts does once the server serves. */
  startJobs(): Promise<void>;
  /** Drains the server, stops the jobs and closes the database. */
  stop(): Promise<void>;
}

/**
 * A forked benchmark's server under test, as deployed (production settings, a silent log), on an empty migrated
 * database, counting its SQL statements; `env` adds settings (say MODELGRAPH_WEBHOOK_ALLOWED_HOSTS).
 */
export async function startBenchServer(url: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production', ...env });
  const metrics = createMetrics();
  const db = createModelgraphDataSource({ url, onQuery: () => metrics.dbQueries.inc() });
  await db.initialize();
  const { services, application, jobs } = await createModelgraph(db, {
    access: config.access,
    events: config.events,
    webhooks: config.webhooks,
  });
  const server = await startServer({ config, db, logger: createLogger('silent'), metrics, application }, { port: 0, host: '127.0.0.1' });
  const adminToken = await services.tokens.bootstrapAdmin();
  if (!adminToken) throw new Error('the benchmark database should be empty');
  return {
    server,
    services,
    metrics,
    adminToken,
    startJobs: async () => {
      for (const job of jobs) await job.start();
    },
    stop: async () => {
      await server.close();
      for (const job of jobs) await job.stop();
      await db.destroy();
    },
  };
}
