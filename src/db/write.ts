import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { DomainError } from '../common/errors';
import { hydrate } from './hydrate';
import { isUniqueViolation } from './pg-errors';

export interface OnDuplicate {
  /** Only this unique index; any unique index when absent. */
  constraint?: string;
  /** The client's error, usually a CONFLICT naming the field. */
  error: () => DomainError;
}

/**
 * Runs one INSERT, UPDATE or DELETE … RETURNING * in the caller's transaction and hydrates the rows it
 * returns (none when nothing matched), whatever the statement: pg answers UPDATE with [rows, count]
 * and INSERT with rows, so callers read `const [row] = await writeReturning(…)` either way.
 * A unique violation becomes `onDuplicate.error()`: a CONFLICT, never an internal error.
 */
export async function writeReturning<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  sql: string,
  params: unknown[],
  onDuplicate?: OnDuplicate,
): Promise<T[]> {
  if (!m.queryRunner) throw new Error('writeReturning must run inside a transaction');
  try {
    const { records } = (await m.queryRunner.query(sql, params, true)) as { records: Array<Record<string, unknown>> };
    return records.map((row) => hydrate(m, target, row));
  } catch (err) {
    if (onDuplicate && isUniqueViolation(err, onDuplicate.constraint)) throw onDuplicate.error();
    throw err;
  }
}
