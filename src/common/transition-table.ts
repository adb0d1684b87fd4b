import { DomainError, ErrorCode } from './errors';

/** Each state, and the states it may move to next; a state with no moves is final. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * Throws INVALID_TRANSITION, listing the allowed moves, unless `from → to` is in the table.
 * assertTransition(DEPLOYMENT_STATUS, 'ENDED', 'ACTIVE', 'deployment status') throws
 * "ENDED → ACTIVE is not a deployment status move; from ENDED the allowed moves are: none" with `allowed: []`.
 */
export function assertTransition<S extends string>(table: TransitionTable<S>, from: S, to: S, what: string): void {
  const allowed = table[from];
  if (!allowed.includes(to)) {
    throw new DomainError(
      ErrorCode.INVALID_TRANSITION,
      `${from} → ${to} is not a ${what} move; from ${from} the allowed moves are: ${allowed.length ? allowed.join(', ') : 'none'}`,
      { from, to, allowed: [...allowed] },
    );
  }
}

/** True when nothing leaves `state`. */
export function isFinal<S extends string>(table: TransitionTable<S>, state: S): boolean {
  return table[state].length === 0;
}
