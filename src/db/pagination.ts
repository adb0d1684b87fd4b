import type { EntityManager } from 'typeorm';
import { badInput } from '../common/errors';
import { isStorable } from '../common/json';
import { isDataException } from './pg-errors';

type Row = Record<string, unknown>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Collects positional parameters while SQL is assembled: `sql.p(value)` returns `$n`. */
export class SqlParams {
  readonly values: unknown[] = [];
  p(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** false when the client selects no cursor: the rows' keys are then neither read nor kept. */
  cursors?: boolean;
}

export interface Page<Row> {
  rows: Row[];
  /**
   * Each row's sort key, as text: its cursor is encodeCursor(keys[i]), made only when a client asks for it. Empty
   * when the page was asked for with `cursors: false`.
   */
  keys: string[][];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export function pageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string' && isStorable(v))) return values;
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'is not a cursor of this list');
}

/** A list of rows, ordered by a keyset: what a connection pages through and counts. */
export interface ListQuery {
  /** Where the rows come from, aliased `x`: a table, or a subquery in parentheses. */
  from: string;
  /** What to read of each row: only what the list's fields need (default: every column). */
  columns?: string;
  /** Conditions on `x`, with their parameters in `params`. */
  where?: string[];
  params?: SqlParams;
  /** For a relation field batched over many parents: the uuid column of `x` naming the parent, and the parents. */
  parent?: { column: string; keys: readonly string[] };
  /** Sort columns of `x`; the last one must be unique (the id) so that the order is total. */
  order: string[];
  direction: 'ASC' | 'DESC';
}

const NO_PARENT = '';

/**
 * Keyset (cursor) pagination in one statement, for one list or for many parents at once. For many
 * parents each page is a LATERAL subquery that walks the parent's index from the cursor and stops
 * after `first + 1` rows, so a page costs the same whether the parent has five children or a
 * hundred thousand. Pages are keyed by the parent's id ('' when the list has no parent); a parent
 * with no rows has no entry.
 */
export async function keysetPages(manager: EntityManager, list: ListQuery, page: PageArgs): Promise<Map<string, Page<Row>>> {
  const first = pageSize(page.first);
  const params = list.params ?? new SqlParams();
  const where = [...(list.where ?? [])];
  const { order, direction } = list;
  if (page.after) {
    const values = decodeCursor(page.after, order.length);
    where.push(`(${order.join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${values.map((v) => params.p(v)).join(', ')})`);
  }
  const cursors = page.cursors !== false;
  const columns = [
    list.columns ?? 'x.*',
    ...(cursors ? order.map((c, i) => `${c}::text AS __c${i}`) : []), // cursors: text keeps every digit of a timestamp
    ...order.map((c, i) => `${c} AS __s${i}`), // sort keys, in their own type
  ].join(', ');
  const orderSql = (prefix: string) => order.map((c, i) => `${prefix ? `${prefix}.__s${i}` : c} ${direction}`).join(', ');
  let sql: string;
  if (list.parent) {
    where.unshift(`${list.parent.column} = k.key`);
    sql = `SELECT k.key::text AS __p, x.* FROM unnest(${params.p(list.parent.keys)}::uuid[]) WITH ORDINALITY AS k(key, ord)
      CROSS JOIN LATERAL (SELECT ${columns} FROM ${list.from} x WHERE ${where.join(' AND ')} ORDER BY ${orderSql('')} LIMIT ${first + 1}) x
      ORDER BY k.ord, ${orderSql('x')}`;
  } else {
    sql = `SELECT ${columns}, '' AS __p FROM ${list.from} x ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${orderSql('')} LIMIT ${first + 1}`;
  }
  const pages = new Map<string, Page<Row>>();
  for (const row of await pageRows(manager, sql, params.values, page.after)) {
    const key = String(row.__p ?? NO_PARENT);
    let current = pages.get(key);
    if (!current) pages.set(key, (current = emptyPage(page.after)));
    if (current.rows.length === first) {
      current.hasNextPage = true;
      continue;
    }
    // The __ columns stay on the row: hydration copies only the entity's own columns.
    if (cursors) current.keys.push(order.map((_, i) => String(row[`__c${i}`])));
    current.rows.push(row);
  }
  return pages;
}

/**
 * A cursor is the client's: one forged to the right shape around values its columns cannot hold ('x' for a uuid, a
 * timestamp of month 13) fails as PostgreSQL casts it, and that failure is the client's, named on `after`.
 */
async function pageRows(manager: EntityManager, sql: string, values: unknown[], after: string | null | undefined): Promise<Row[]> {
  try {
    return (await manager.query(sql, values)) as Row[];
  } catch (err) {
    if (after && isDataException(err)) throw badInput('after', 'is not a cursor of this list');
    throw err;
  }
}

/** How many rows the list has, per parent ('' when it has none); a parent with no rows has no entry. */
export async function keysetCounts(manager: EntityManager, list: ListQuery): Promise<Map<string, number>> {
  const params = list.params ?? new SqlParams();
  const where = [...(list.where ?? [])];
  if (list.parent) where.unshift(`${list.parent.column} = ANY(${params.p(list.parent.keys)}::uuid[])`);
  const key = list.parent ? `${list.parent.column}::text` : `''`;
  const rows = (await manager.query(
    `SELECT ${key} AS __p, count(*)::int AS n FROM ${list.from} x ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY 1`,
    params.values,
  )) as Array<{ __p: string; n: number }>;
  return new Map(rows.map((r) => [r.__p, r.n]));
}

/** An empty page, for parents that have no rows at all. */
export function emptyPage<R>(after?: string | null): Page<R> {
  return { rows: [], keys: [], hasNextPage: false, hasPreviousPage: Boolean(after) };
}

/** keysetPages for a list without parents: its one page. */
export async function keysetPage(manager: EntityManager, list: ListQuery, page: PageArgs): Promise<Page<Row>> {
  return (await keysetPages(manager, list, page)).get(NO_PARENT) ?? emptyPage(page.after);
}

/** keysetCounts for a list without parents. */
export async function keysetCount(manager: EntityManager, list: ListQuery): Promise<number> {
  return (await keysetCounts(manager, list)).get(NO_PARENT) ?? 0;
}
