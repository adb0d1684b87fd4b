import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded';
import { grantServerRole } from '../../src/db/roles';
import { freePort } from './ports';

/**
 * Runs once per `npm test`: finds a PostgreSQL server (TEST_DATABASE_URL, or an embedded one in a
 * temporary folder) and sets it up as a deployment is: an owner login that runs the real migrations
 * into a template database, and a server login that owns nothing and gets the server's grants. Each
 * test file then clones the template into a database of its own and connects as the server's login.
 */
export default async function globalSetup(): Promise<void> {
  // The CLI's tests run the client's bin, which builds itself when its sources changed: once here, not in parallel.
  // (A plain .js module beside the bin, so a require.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../clients/typescript/bin/build.js') as { ensureBuilt(): void }).ensureBuilt();
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.join(os.tmpdir(), `modelgraph-test-${runId}`);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, stopWithProcess: true });
    (globalThis as { __MODELGRAPH_EMBEDDED__?: EmbeddedDatabase & { dataDir: string } }).__MODELGRAPH_EMBEDDED__ = {
      ...embedded,
      dataDir,
    };
    adminUrl = embedded.adminUrl;
  }
  const prefix = `modelgraph_test_${runId}_`;
  const roles = { owner: `${prefix}owner`, server: `${prefix}server` };
  const password = randomBytes(12).toString('hex');
  const template = `${prefix}tpl`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  for (const role of Object.values(roles)) await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER PASSWORD '${password}'`);
  await admin.query(`CREATE DATABASE ${template} OWNER ${roles.owner}`);
  await admin.end();

  const owner = createDataSource({ url: withLogin(withDatabase(adminUrl, template), roles.owner, password) });
  await owner.initialize();
  await owner.runMigrations({ transaction: 'each' });
  await grantServerRole(owner, roles.server);
  await owner.destroy();

  process.env.MODELGRAPH_TEST_ADMIN_URL = adminUrl;
  process.env.MODELGRAPH_TEST_TEMPLATE = template;
  process.env.MODELGRAPH_TEST_PREFIX = prefix;
  process.env.MODELGRAPH_TEST_OWNER = roles.owner;
  process.env.MODELGRAPH_TEST_SERVER = roles.server;
  process.env.MODELGRAPH_TEST_PASSWORD = password;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function withLogin(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}
