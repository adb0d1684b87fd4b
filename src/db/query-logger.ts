import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from '../logger';

/**
 * TypeORM calls logQuery for every statement it sends, so this is where SQL is counted
 * (modelgraph_db_queries_total) — the counter that proves loaders keep statement counts flat.
 */
export class QueryCountingLogger implements TypeOrmLogger {
  constructor(
    private readonly onQuery: (sql: string, parameters?: unknown[]) => void,
    private readonly out: Logger,
  ) {}

  logQuery(query: string, parameters?: unknown[]): void {
    this.onQuery(query, parameters);
    if (this.out.isLevelEnabled('trace')) this.out.trace({ sql: query }, 'sql');
  }
  logQueryError(error: string | Error, query: string): void {
    this.out.debug({ err: error, sql: query }, 'sql failed');
  }
  logQuerySlow(time: number, query: string): void {
    this.out.warn({ durationMs: time, sql: query }, 'slow sql');
  }
  logSchemaBuild(message: string): void {
    this.out.debug(message);
  }
  logMigration(message: string): void {
    this.out.info(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out.warn(String(message));
    else this.out.debug(String(message));
  }
}
