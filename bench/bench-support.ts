// What the benchmarks share: a PostgreSQL database of their own, free ports, percentiles, a monitored deployment.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Caller } from '../src/common/caller';
import type { Services } from '../src/composition';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded';
import { DeploymentStrategy } from '../src/modules/deployments/deployment.enums';
import { ArtifactFormat } from '../src/modules/versions/version.enums';

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
