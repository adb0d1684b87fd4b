import type { EntityManager } from 'typeorm';
import { badInput } from '../common/errors';

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
}

export interface Page<Row> {
  rows: Row[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number;
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
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string')) return values;
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'is not a cursor of this list');
}

export interface KeysetQuery {
  /** Table (aliased `x`) the rows come from. */
  table: string;
  /** Conditions on `x`, with parameters taken from `params`. */
  where: string[];
  params: SqlParams;
  /** Sort columns of `x`; the last one must be unique (the id) so that the order is total. */
  order: string[];
  direction: 'ASC' | 'DESC';
  /** For a relation field batched over many parents: the column naming the parent. */
  partitionBy?: string;
  first?: number | null;
  after?: string | null;
}

const EMPTY_PARTITION = '';

/**
 * Keyset (cursor) pagination, optionally for many parents in one statement: a page of rows
 * per parent via row_number() over the parent column, plus one grouped count. So a connection
 * field costs two statements whether it is resolved for one parent or five hundred.
 * Returns pages keyed by the parent column's text value ('' when not partitioned).
 */
export async function keysetPages(manager: EntityManager, query: KeysetQuery): Promise<Map<string, Page<Record<string, unknown>>>> {
  const first = pageSize(query.first);
  const { params, order, direction } = query;
  const where = [...query.where];
  const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The count sees the filter but not the cursor, whose parameters are appended after this point.
  const filterParamCount = params.values.length;
  if (query.after) {
    const values = decodeCursor(query.after, order.length);
    const op = direction === 'ASC' ? '>' : '<';
    where.push(`(${order.join(', ')}) ${op} (${values.map((v) => params.p(v)).join(', ')})`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const orderSql = order.map((c) => `${c} ${direction}`).join(', ');
  const cursorCols = order.map((c, i) => `${c}::text AS __c${i}`).join(', ');
  const partition = query.partitionBy ? `${query.partitionBy}::text` : `''`;

  const pageSql = query.partitionBy
    ? `SELECT * FROM (
         SELECT x.*, ${cursorCols}, ${partition} AS __p,
                row_number() OVER (PARTITION BY ${query.partitionBy} ORDER BY ${orderSql}) AS __rn
         FROM ${query.table} x ${whereSql}
       ) s WHERE s.__rn <= ${first + 1} ORDER BY s.__p, s.__rn`
    : `SELECT x.*, ${cursorCols}, '' AS __p FROM ${query.table} x ${whereSql} ORDER BY ${orderSql} LIMIT ${first + 1}`;
  const countSql = `SELECT ${partition} AS __p, count(*)::int AS n FROM ${query.table} x ${countWhere} GROUP BY 1`;

  const [rows, counts] = await Promise.all([
    manager.query(pageSql, params.values),
    manager.query(countSql, params.values.slice(0, filterParamCount)),
  ]);

  const pages = new Map<string, Page<Record<string, unknown>>>();
  const pageOf = (key: string): Page<Record<string, unknown>> => {
    let page = pages.get(key);
    if (!page) {
      page = { rows: [], cursors: [], hasNextPage: false, hasPreviousPage: Boolean(query.after), totalCount: 0 };
      pages.set(key, page);
    }
    return page;
  };
  for (const count of counts as Array<{ __p: string; n: number }>) pageOf(count.__p ?? EMPTY_PARTITION).totalCount = count.n;
  for (const row of rows as Array<Record<string, unknown>>) {
    const page = pageOf(String(row.__p ?? EMPTY_PARTITION));
    if (page.rows.length === first) {
      page.hasNextPage = true;
      continue;
    }
    page.rows.push(row);
    page.cursors.push(encodeCursor(order.map((_, i) => String(row[`__c${i}`]))));
  }
  return pages;
}

/** An empty page, for parents that have no rows at all. */
export function emptyPage<Row>(after?: string | null): Page<Row> {
  return { rows: [], cursors: [], hasNextPage: false, hasPreviousPage: Boolean(after), totalCount: 0 };
}
