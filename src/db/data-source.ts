import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ApiTokenEntity } from '../modules/auth/api-token.entity';
import { AuditEventEntity } from '../modules/audit/audit-event.entity';
import { IdempotencyKeyEntity } from '../modules/idempotency/idempotency-key.entity';
import { ModelAliasEntity, ModelAliasHistoryEntity } from '../modules/models/model-alias.entity';
import { RegisteredModelEntity } from '../modules/models/registered-model.entity';
import { ModelVersionEntity } from '../modules/versions/model-version.entity';
import { RegistryCore1764060000000 } from './migrations/1764060000000-registry-core';
import { Lifecycle1764100000000 } from './migrations/1764100000000-lifecycle';
import { MetricEntity } from '../modules/metrics/metric.entity';
import {
  ApprovalEntity,
  ApproverKeyEntity,
  BaselineEntity,
  PolicyEntity,
  ValidationCheckEntity,
  ValidationReportEntity,
} from '../modules/governance/governance.entities';
import { StageTransitionEntity } from '../modules/versions/stage-transition.entity';
import { DeploymentEntity } from '../modules/deployments/deployment.entity';
import { QueryCountingLogger } from './query-logger';
import { createLogger, type Logger } from '../logger';
import type { Page } from './pagination';

export const entities = [
  ApiTokenEntity,
  RegisteredModelEntity,
  ModelVersionEntity,
  ModelAliasEntity,
  ModelAliasHistoryEntity,
  AuditEventEntity,
  IdempotencyKeyEntity,
  MetricEntity,
  BaselineEntity,
  PolicyEntity,
  ValidationReportEntity,
  ValidationCheckEntity,
  ApproverKeyEntity,
  ApprovalEntity,
  StageTransitionEntity,
  DeploymentEntity,
];

/** Listed explicitly (not globbed) so that tsc builds, ts-jest tests and the typeorm CLI see the same set. */
export const migrations = [RegistryCore1764060000000, Lifecycle1764100000000];

export interface DataSourceOptions {
  url: string;
  logger?: Logger;
  onQuery?: () => void;
  poolSize?: number;
}

export function createDataSource({ url, logger, onQuery, poolSize }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'modelgraph_migrations',
    migrationsRun: false,
    synchronize: false,
    logging: true,
    logger: new QueryCountingLogger(onQuery ?? (() => undefined), logger ?? createLogger('silent')),
    extra: { max: poolSize ?? 20, application_name: 'modelgraph' },
  });
}

/**
 * Turns a raw row (snake_case columns, from hand-written SQL) into an entity instance,
 * using the entity's own column mapping so there is one source of truth for names.
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) (entity as Record<string, unknown>)[column.propertyName] = row[column.databaseName];
  }
  return entity;
}

/** hydrate() for every row, keyed by `key(row)`: the answer of a batched loader. */
export function hydrateByKey<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: Array<Record<string, unknown>>,
  key: (row: Record<string, unknown>) => string,
): Map<string, T> {
  return new Map(rows.map((row) => [key(row), hydrate(manager, target, row)]));
}

/** hydrate() for every row of a page. */
export function hydratePage<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, page: Page<Record<string, unknown>>): Page<T> {
  return { ...page, rows: page.rows.map((row) => hydrate(manager, target, row)) };
}

/** hydrate() for every row of pages keyed by parent. */
export function hydratePages<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  pages: Map<string, Page<Record<string, unknown>>>,
): Map<string, Page<T>> {
  return new Map([...pages].map(([key, page]) => [key, hydratePage(manager, target, page)]));
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
