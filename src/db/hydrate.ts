import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { notFound } from '../common/errors';
import { isUuid } from '../common/uuid';
import type { Page } from './pagination';

type Row = Record<string, unknown>;

/** Per entity: its class, and its columns as [database name, property name], read once from TypeORM's metadata. */
const shapes = new Map<unknown, { create: () => Row; columns: Array<[string, string]> }>();

function shapeOf(manager: EntityManager, target: EntityTarget<ObjectLiteral>) {
  let shape = shapes.get(target);
  if (!shape) {
    const metadata = manager.connection.getMetadata(target);
    // An instance of the entity's class holding only the columns read: `new` would first define every declared
    // field as undefined (28 on a version), for the few a list reads. A constructor that adds more (a field's
    // default, a lazy relation) keeps TypeORM's own way.
    const prototype = (metadata.target as { prototype: object }).prototype;
    const plain = typeof metadata.target === 'function' && !metadata.lazyRelations.length && !hasDefaults(metadata.create());
    const create = plain ? () => Object.create(prototype) as Row : () => metadata.create() as Row;
    shape = { create, columns: metadata.columns.map((c) => [c.databaseName, c.propertyName]) };
    shapes.set(target, shape);
  }
  return shape;
}

const hasDefaults = (entity: object): boolean => Object.values(entity).some((value) => value !== undefined);

/**
 * Turns a raw row (snake_case columns, from hand-written SQL) into an entity instance,
 * using the entity's own column mapping so there is one source of truth for names.
 * Columns the row does not have (a list reads only what its fields need) stay undefined.
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Row): T {
  const { create, columns } = shapeOf(manager, target);
  const entity = create();
  for (const [column, property] of columns) {
    const value = row[column];
    if (value !== undefined) entity[property] = value;
  }
  return entity as T;
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

/** A row-locking clause for readById: the row is held until the transaction ends. */
export type RowLock = '' | 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR SHARE';

/**
 * One row of an entity's table by its id, hydrated, or NOT_FOUND naming what was asked for ("alert 7c9e…"). An id
 * that is not a uuid is NOT_FOUND before any statement, since PostgreSQL would refuse to cast it.
 * readById(m, AlertEntity, id, 'alert', 'FOR UPDATE') → the alert, locked.
 */
export async function readById<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  id: string,
  what: string,
  lock: RowLock = '',
): Promise<T> {
  if (!isUuid(id)) throw notFound(what, id);
  const [row] = (await manager.query(`SELECT * FROM ${manager.connection.getMetadata(target).tableName} WHERE id = $1 ${lock}`, [
    id,
  ])) as Row[];
  if (!row) throw notFound(what, id);
  return hydrate(manager, target, row);
}
