import { DataSource } from 'typeorm';
import type { Class } from '../common/module';
import { createLogger, type Logger } from '../logger';
import { migrations } from './migrations';
import { QueryCountingLogger } from './query-logger';

export interface DataSourceOptions {
  url: string;
  /** The modules' entities; the composition root passes them (migrations alone need none). */
  entities?: Class[];
  logger?: Logger;
  /** Called with every SQL statement sent (metrics count them; tests may read them). */
  onQuery?: (sql: string, parameters?: unknown[]) => void;
  poolSize?: number;
}

/** Schema changes only through migrations: `synchronize` stays off. */
export function createDataSource({ url, entities = [], logger, onQuery, poolSize }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'modelgraph_migrations',
    migrationsRun: false,
    synchronize: false,
    // The migrations use PostgreSQL's own gen_random_uuid() and install nothing: without this, TypeORM tries
    // CREATE EXTENSION "uuid-ossp" on every connect and warns when the login may not (the server's never may).
    installExtensions: false,
    logging: true,
    logger: new QueryCountingLogger(onQuery ?? (() => undefined), logger ?? createLogger('silent')),
    extra: { max: poolSize ?? 20, application_name: 'modelgraph' },
  });
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
