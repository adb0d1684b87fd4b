/**
 * A primary and a streaming replica from Debian's PostgreSQL packages, behind a TCP proxy the test switches — the
 * way managed PostgreSQL, Patroni or CloudNativePG present a failover to their clients: one address whose server
 * changes. By default the replica is synchronous (`synchronous_standby_names`), so a commit the primary acknowledged
 * is on the replica too: what an operator configures for zero loss at failover. As a read replica it may instead be
 * asynchronous and apply what it receives late (`recovery_min_apply_delay`): a lag the tests can see.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { grantServerRole } from '../../src/db/roles';
import { freePort } from './ports';

const run = promisify(execFile);

/** Debian's newest PostgreSQL server binaries, or null. */
export function debianPostgres(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const bins = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .filter((bin) => ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'].every((tool) => existsSync(path.join(bin, tool))));
  return bins[0] ?? null;
}

/** A TCP proxy to one backend at a time; `switchTo` moves new connections and cuts the open ones. */
async function startProxy(target: number) {
  let backend = target;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(backend, '127.0.0.1');
    open.add(client).add(upstream);
    const close = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
    client.pipe(upstream).on('error', close).on('close', close);
    upstream.pipe(client).on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    switchTo: (port: number) => {
      backend = port;
      for (const socket of open) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => (open.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

export interface ReplicatedPostgres {
  /** Through the proxy, as the server's login and as the owner. */
  url: string;
  ownerUrl: string;
  /** The replica itself, as the server's login: a read replica (MODELGRAPH_READ_DATABASE_URL). */
  readUrl: string;
  /** The replica stops (immediately, as a crash); the primary goes on. */
  stopReplica(): Promise<void>;
  /** The primary dies (immediate stop: no shutdown checkpoint, as a crash), the replica is promoted, the proxy moves. */
  failover(): Promise<{ promotedAt: number }>;
  stop(): Promise<void>;
}

/** Waits until the replica has applied everything the primary has written so far (its logins and schema included). */
async function caughtUp(primaryPort: number, replicaPort: number): Promise<void> {
  const ask = async <T>(port: number, sql: string, params: unknown[] = []): Promise<T> => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows[0].answer as T;
    } finally {
      await client.end();
    }
  };
  const target = await ask<string>(primaryPort, 'SELECT pg_current_wal_lsn()::text AS answer');
  const deadline = Date.now() + 60_000;
  while (!(await ask<boolean>(replicaPort, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS answer', [target]))) {
    if (Date.now() > deadline) throw new Error('the replica did not catch up with the primary within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ReplicaOptions {
  /** Commits wait for the replica (default); false: it follows asynchronously. */
  synchronous?: boolean;
  /** The replica applies each commit this long after the primary made it (an asynchronous replica only). */
  applyDelayMs?: number;
}

export async function startReplicatedPostgres(bin: string, options: ReplicaOptions = {}): Promise<ReplicatedPostgres> {
  const { synchronous = true, applyDelayMs } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mg-failover-'));
  chmodSync(dir, 0o777);
  const asPostgres =
    process.getuid?.() === 0
      ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
      : {};
  const tool = (name: string, args: string[]) => run(path.join(bin, name), args, { ...asPostgres, env: { ...process.env, LC_ALL: 'C' } });
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = path.join(dir, 'primary');
  const replica = path.join(dir, 'replica');
  const opts = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;

  await tool('initdb', ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  writeFileSync(
    path.join(primary, 'postgresql.auto.conf'),
    ['wal_level = replica', 'max_wal_senders = 4', synchronous ? "synchronous_standby_names = 'replica1'" : '', 'fsync = off', ''].join(
      '\n',
    ),
  );
  await tool('pg_ctl', ['-D', primary, '-o', opts(primaryPort), '-l', path.join(dir, 'primary.log'), '-w', 'start']);
  await tool('pg_basebackup', [
    '-d',
    `host=127.0.0.1 port=${primaryPort} user=postgres application_name=replica1`,
    '-D',
    replica,
    '-R',
    '-X',
    'stream',
  ]);
  if (applyDelayMs !== undefined)
    writeFileSync(path.join(replica, 'postgresql.auto.conf'), `recovery_min_apply_delay = '${applyDelayMs}ms'\n`, { flag: 'a' });
  await tool('pg_ctl', ['-D', replica, '-o', opts(replicaPort), '-l', path.join(dir, 'replica.log'), '-w', 'start']);

  // The registry's logins and database, migrated on the primary (the replica follows).
  const admin = new Client({ host: '127.0.0.1', port: primaryPort, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE ROLE mg_owner LOGIN PASSWORD 'owner'; CREATE ROLE mg_app LOGIN PASSWORD 'app'`);
  await admin.query('CREATE DATABASE modelgraph OWNER mg_owner');
  await admin.end();
  const proxy = await startProxy(primaryPort);
  const ownerUrl = `postgres://mg_owner:owner@127.0.0.1:${proxy.port}/modelgraph`;
  const owner = createDataSource({ url: ownerUrl });
  await owner.initialize();
  await owner.runMigrations({ transaction: 'each' });
  await grantServerRole(owner, 'mg_app');
  await owner.destroy();
  await caughtUp(primaryPort, replicaPort);

  return {
    url: `postgres://mg_app:app@127.0.0.1:${proxy.port}/modelgraph`,
    ownerUrl,
    readUrl: `postgres://mg_app:app@127.0.0.1:${replicaPort}/modelgraph`,
    stopReplica: async () => {
      await tool('pg_ctl', ['-D', replica, '-m', 'immediate', '-w', 'stop']);
    },
    failover: async () => {
      await tool('pg_ctl', ['-D', primary, '-m', 'immediate', '-w', 'stop']);
      await tool('pg_ctl', ['-D', replica, '-w', 'promote']);
      const promotedAt = Date.now();
      // The new primary has no standby yet: it must not wait for one on every commit (Patroni does the same).
      const promoted = new Client({ host: '127.0.0.1', port: replicaPort, user: 'postgres', database: 'postgres' });
      await promoted.connect();
      await promoted.query(`ALTER SYSTEM SET synchronous_standby_names = ''`);
      await promoted.query('SELECT pg_reload_conf()');
      await promoted.end();
      proxy.switchTo(replicaPort);
      return { promotedAt };
    },
    stop: async () => {
      await proxy.close();
      for (const data of [primary, replica]) await tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
