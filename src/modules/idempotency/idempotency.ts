import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { conflict } from '../../common/errors';
import { canonicalJson } from '../audit/audit.hash';

export interface Idempotent<R> {
  result: R;
  /** True when this is a retry answered from the first call's stored result. */
  replayed: boolean;
}

/**
 * Runs `work` at most once per (operation, caller, key), inside the caller's transaction.
 * The key row is inserted first: a concurrent retry blocks on it until the first transaction
 * ends, then reads its stored result; if the first rolled back, the retry does the work itself.
 * The same key with a different input is a CONFLICT.
 */
export async function runIdempotent<R extends object>(
  manager: EntityManager,
  caller: Caller,
  scope: string,
  key: string | null | undefined,
  input: unknown,
  work: () => Promise<R>,
): Promise<Idempotent<R>> {
  if (!key) return { result: await work(), replayed: false };
  const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
  const inserted = (await manager.query(
    `INSERT INTO idempotency_keys (scope, actor, key, request_hash, result) VALUES ($1, $2, $3, $4, 'null'::jsonb)
     ON CONFLICT DO NOTHING RETURNING key`,
    [scope, caller.subject, key, requestHash],
  )) as unknown[];
  if (inserted.length === 0) {
    const [stored] = (await manager.query(
      'SELECT request_hash, result FROM idempotency_keys WHERE scope = $1 AND actor = $2 AND key = $3',
      [scope, caller.subject, key],
    )) as Array<{ request_hash: string; result: R }>;
    if (stored.request_hash !== requestHash) {
      throw conflict(`idempotencyKey "${key}" was already used with a different input`, { field: 'idempotencyKey' });
    }
    return { result: stored.result, replayed: true };
  }
  const result = await work();
  await manager.query('UPDATE idempotency_keys SET result = $4 WHERE scope = $1 AND actor = $2 AND key = $3', [
    scope,
    caller.subject,
    key,
    JSON.stringify(result),
  ]);
  return { result, replayed: false };
}
