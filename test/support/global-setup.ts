import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded';

/**
 * Runs once per `npm test`: finds a PostgreSQL server (TEST_DATABASE_URL, or an embedded one in a
 * temporary folder), migrates a template database with the real migrations, and tells the test
 * files where it is. Each test file then clones the template into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.join(os.tmpdir(), `modelgraph-test-${runId}`);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    (globalThis as { __MODELGRAPH_EMBEDDED__?: EmbeddedDatabase & { dataDir: string } }).__MODELGRAPH_EMBEDDED__ = {
      ...embedded,
      dataDir,
    };
    adminUrl = embedded.adminUrl;
  }
  const template = `modelgraph_test_${runId}_tpl`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const db = createDataSource({ url: withDatabase(adminUrl, template) });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();

  process.env.MODELGRAPH_TEST_ADMIN_URL = adminUrl;
  process.env.MODELGRAPH_TEST_TEMPLATE = template;
  process.env.MODELGRAPH_TEST_PREFIX = `modelgraph_test_${runId}_`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
