import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Page } from './pagination';

type Row = Record<string, unknown>;

/**
 * Turns a raw row (snake_case columns, from hand-written SQL) into an entity instance,
 * using the entity's own column mapping so there is one source of truth for names.
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Row): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) (entity as Row)[column.propertyName] = row[column.databaseName];
  }
  return entity;
}

/** hydrate() for every row, keyed by `key(row)`: the answer of a batched loader. */
export function hydrateByKey<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: Row[],
  key: (row: Row) => string,
): Map<string, T> {
  return new Map(rows.map((row) => [key(row), hydrate(manager, target, row)]));
}

/** hydrate() for every row of a page. */
export function hydratePage<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, page: Page<Row>): Page<T> {
  return { ...page, rows: page.rows.map((row) => hydrate(manager, target, row)) };
}

/** hydrate() for every row of pages keyed by parent. */
export function hydratePages<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  pages: Map<string, Page<Row>>,
): Map<string, Page<T>> {
  return new Map([...pages].map(([key, page]) => [key, hydratePage(manager, target, page)]));
}
