import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { canonicalJson } from '../../common/canonical-json';
import { conflict } from '../../common/errors';
import { validateText } from '../../common/text';

/** Idempotency keys are names a client chooses (a run id, a UUID): 200 characters is plenty. */
export const MAX_KEY_LENGTH = 200;

export interface Idempotent<R> {
  result: R;
  /** True when this is a retry answered from the first call's stored result. */
  replayed: boolean;
}

/** How a result is kept for retries: ids rather than whole rows, read back only when a retry comes. */
export interface Replay<R, Stored> {
  save(result: R): Stored;
  load(stored: Stored): Promise<R>;
}

/**
 * Runs `work` at most once per (operation, caller, key), inside the caller's transaction, and answers
 * with what it returned; a retry gets `replay.load` of what the first call saved.
 * The key row is inserted first: a concurrent retry blocks on it until the first transaction
 * ends, then reads its stored result; if the first rolled back, the retry does the work itself.
 * The same key with a different input is a CONFLICT.
 */
export async function runIdempotent<R, Stored>(
  manager: EntityManager,
  caller: Caller,
  scope: string,
  key: string | null | undefined,
  input: unknown,
  work: () => Promise<R>,
  replay: Replay<R, Stored>,
): Promise<Idempotent<R>> {
  if (!key) return { result: await work(), replayed: false };
  validateText(key, 'idempotencyKey', { max: MAX_KEY_LENGTH, identifier: true });
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
    )) as Array<{ request_hash: string; result: Stored }>;
    if (stored.request_hash !== requestHash) {
      throw conflict(`idempotencyKey "${key}" was already used with a different input`, { field: 'idempotencyKey' });
    }
    return { result: await replay.load(stored.result), replayed: true };
  }
  const result = await work();
  await manager.query('UPDATE idempotency_keys SET result = $4 WHERE scope = $1 AND actor = $2 AND key = $3', [
    scope,
    caller.subject,
    key,
    JSON.stringify(replay.save(result)),
  ]);
  return { result, replayed: false };
}
