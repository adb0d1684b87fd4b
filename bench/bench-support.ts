// What the benchmarks share: a PostgreSQL database of their own, free ports, percentiles.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded';

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
