import fs from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedDatabase } from '../../src/db/embedded';

/** Drops every database and login this run made (even those of a test file that crashed), then the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __MODELGRAPH_EMBEDDED__?: EmbeddedDatabase & { dataDir: string } }).__MODELGRAPH_EMBEDDED__;
  const adminUrl = process.env.MODELGRAPH_TEST_ADMIN_URL;
  const prefix = process.env.MODELGRAPH_TEST_PREFIX;
  if (adminUrl && prefix && !embedded) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    const roles = await admin.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [prefix]);
    for (const { rolname } of roles.rows) await admin.query(`DROP ROLE IF EXISTS "${rolname}"`);
    await admin.end();
  }
  if (embedded) {
    await embedded.stop();
    fs.rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
