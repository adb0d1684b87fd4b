import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createModelgraphDataSource } from '../../src/composition';
import { withDatabase, withLogin } from './global-setup';

export interface TestDatabase {
  url: string;
  /** The owner's login: what a backup (pg_dump) and a restore run as. */
  ownerUrl: string;
  /** Connected as the server's login, as the server is: it owns nothing and may only append to the audit trail. */
  db: DataSource;
  /** Runs one statement as the database's owner (what only an owner or an attacker with its login could do). */
  asOwner(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** SQL statements this data source has sent so far. */
  queries(): number;
  /** Runs `work` and answers with what it returned and every SQL statement sent meanwhile. */
  capture<T>(work: () => Promise<T>): Promise<{ result: T; sql: string[] }>;
  drop(): Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (globalSetup prepares the database)`);
  return value;
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(options: { onQuery?: () => void } = {}): Promise<TestDatabase> {
  const adminUrl = env('MODELGRAPH_TEST_ADMIN_URL');
  const name = `${env('MODELGRAPH_TEST_PREFIX')}${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${env('MODELGRAPH_TEST_TEMPLATE')} OWNER ${env('MODELGRAPH_TEST_OWNER')}`);
  await admin.end();
  const password = env('MODELGRAPH_TEST_PASSWORD');
  const at = withDatabase(adminUrl, name);
  return connectTestDatabase(
    withLogin(at, env('MODELGRAPH_TEST_SERVER'), password),
    withLogin(at, env('MODELGRAPH_TEST_OWNER'), password),
    {
      ...options,
      dropped: async () => {
        const client = new Client({ connectionString: adminUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    },
  );
}

/**
 * A migrated database, connected as the server's login (`url`), with its owner's login beside it: the run's own
 * (createTestDatabase) or a cluster a test started itself. `dropped` runs after the connection closes, on drop().
 */
export async function connectTestDatabase(
  url: string,
  ownerUrl: string,
  options: { onQuery?: () => void; dropped?: () => Promise<void>; /** Read replicas, as the server's login. */ readUrls?: string[] } = {},
): Promise<TestDatabase> {
  let count = 0;
  let captured: string[] | null = null;
  const db = createModelgraphDataSource({
    url,
    onQuery: (sql) => {
      count += 1;
      captured?.push(sql);
      options.onQuery?.();
    },
    poolSize: 60,
    readUrls: options.readUrls,
  });
  await db.initialize();
  return {
    url,
    ownerUrl,
    db,
    asOwner: async (sql, params = []) => {
      const owner = new Client({ connectionString: ownerUrl });
      await owner.connect();
      try {
        return (await owner.query(sql, params)).rows;
      } finally {
        await owner.end();
      }
    },
    queries: () => count,
    capture: async (work) => {
      captured = [];
      try {
        const result = await work();
        return { result, sql: captured };
      } finally {
        captured = null;
      }
    },
    drop: async () => {
      await db.destroy();
      await options.dropped?.();
    },
  };
}
