import { DataSource, type QueryRunner, type ReplicationMode } from 'typeorm';
import type { Class } from '../common/module';
import { createLogger, type Logger } from '../logger';
import { migrations } from './migrations';
import { isDatabaseUnavailable, isRecoveryConflict } from './pg-errors';
import { QueryCountingLogger } from './query-logger';
import { readingFromReplica } from './read-routing';

export interface DataSourceOptions {
  url: string;
  /** The modules' entities; the composition root passes them (migrations alone need none). */
  entities?: Class[];
  logger?: Logger;
  /** Called with every SQL statement sent (metrics count them; tests may read them). */
  onQuery?: (sql: string, parameters?: unknown[]) => void;
  poolSize?: number;
  /** Read replicas (MODELGRAPH_READ_DATABASE_URL): what a query may read inside `onReplica(…)`, one picked at random each time. */
  readUrls?: string[];
}

/** How long reads stay on the primary after a replica could not serve one. */
const REPLICA_RETRY_MS = 5_000;

/**
 * A data source that sends a statement to a replica only inside `onReplica(…)` (src/db/read-routing.ts) and only
 * when it runs on no connection of its own: a transaction takes its connection from the primary, wherever it is
 * begun, so everything it reads and writes is the primary's. A replica that cannot serve (down, or a statement
 * cancelled by a conflict with its recovery) is answered by the primary instead; after it was down, reads stay on
 * the primary for REPLICA_RETRY_MS rather than paying a failed connection on every statement.
 */
class RoutedDataSource extends DataSource {
  private replicaDownUntil = 0;

  constructor(
    options: ConstructorParameters<typeof DataSource>[0],
    readonly replicated: boolean,
    private readonly log: Logger,
  ) {
    super(options);
  }

  private useReplica(): boolean {
    return this.replicated && readingFromReplica() && Date.now() >= this.replicaDownUntil;
  }

  /** TypeORM's query builders ask this for reads without a connection of their own. */
  override defaultReplicationModeForReads(): ReplicationMode {
    return this.useReplica() ? 'slave' : 'master';
  }

  override async query<T = unknown>(sql: string, parameters?: unknown[], queryRunner?: QueryRunner): Promise<T> {
    if (queryRunner || !this.useReplica()) return super.query<T>(sql, parameters, queryRunner);
    const replica = this.createQueryRunner('slave');
    try {
      return (await replica.query(sql, parameters)) as T;
    } catch (err) {
      const down = isDatabaseUnavailable(err);
      if (!down && !isRecoveryConflict(err)) throw err;
      if (down) {
        this.replicaDownUntil = Date.now() + REPLICA_RETRY_MS;
        this.log.warn({ err }, `a read replica could not serve: reads go to the primary for ${REPLICA_RETRY_MS / 1000} s`);
      }
      return super.query<T>(sql, parameters);
    } finally {
      await replica.release();
    }
  }
}

/** Whether reads may go to replicas: createDataSource was given `readUrls`. */
export function hasReadReplicas(db: DataSource): boolean {
  return db instanceof RoutedDataSource && db.replicated;
}

/** Schema changes only through migrations: `synchronize` stays off. */
export function createDataSource({ url, entities = [], logger, onQuery, poolSize, readUrls = [] }: DataSourceOptions): DataSource {
  const log = logger ?? createLogger('silent');
  const where = readUrls.length ? { replication: { master: { url }, slaves: readUrls.map((read) => ({ url: read })) } } : { url };
  return new RoutedDataSource(
    {
      type: 'postgres',
      ...where,
      entities,
      migrations,
      migrationsTableName: 'modelgraph_migrations',
      migrationsRun: false,
      synchronize: false,
      // The migrations use PostgreSQL's own gen_random_uuid() and install nothing: without this, TypeORM tries
      // CREATE EXTENSION "uuid-ossp" on every connect and warns when the login may not (the server's never may).
      installExtensions: false,
      logging: true,
      logger: new QueryCountingLogger(onQuery ?? (() => undefined), log),
      extra: { max: poolSize ?? 20, application_name: 'modelgraph' },
    },
    readUrls.length > 0,
    log,
  );
}

interface PgPool {
  totalCount: number;
  on(event: 'remove', listener: () => void): void;
}

/**
 * Closes the data source and waits until every connection has really gone: pg's pool.end()
 * resolves once it has *asked* its clients to end, and stopping the database right then would
 * cut connections still saying goodbye. Gives up waiting after `timeoutMs`.
 */
export async function closeDataSource(db: DataSource, timeoutMs = 5000): Promise<void> {
  const pool = (db.driver as unknown as { master?: PgPool }).master;
  const open = pool?.totalCount ?? 0;
  const gone = new Promise<void>((resolve) => {
    if (!pool || open === 0) return resolve();
    let removed = 0;
    pool.on('remove', () => {
      removed += 1;
      if (removed >= open) resolve();
    });
    setTimeout(resolve, timeoutMs).unref();
  });
  await db.destroy();
  await gone;
}
