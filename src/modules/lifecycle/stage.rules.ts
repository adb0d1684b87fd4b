import { DomainError, ErrorCode } from '../../common/errors';
import { assertTransition, type TransitionTable } from '../../common/transition-table';
import { Action } from '../access/access.rules';
import { Stage } from '../versions/version.enums';

/**
 * The lifecycle as a table of allowed moves. ARCHIVED → PRODUCTION exists only as a rollback:
 * the version that was last in production may return.
 *
 *   DEVELOPMENT → STAGING → PRODUCTION → ARCHIVED → RETIRED
 *                    ↘ REJECTED, DEVELOPMENT, ARCHIVED     ARCHIVED → STAGING
 */
export const ALLOWED_MOVES: TransitionTable<Stage> = {
  [Stage.DEVELOPMENT]: [Stage.STAGING],
  [Stage.STAGING]: [Stage.PRODUCTION, Stage.DEVELOPMENT, Stage.REJECTED, Stage.ARCHIVED],
  [Stage.PRODUCTION]: [Stage.ARCHIVED],
  [Stage.ARCHIVED]: [Stage.STAGING, Stage.RETIRED, Stage.PRODUCTION],
  [Stage.RETIRED]: [],
  [Stage.REJECTED]: [],
};

export interface MoveContext {
  /** True when the version is the one that was in production before the current one (or last, if none is). */
  wasLastInProduction: boolean;
}

export function isRollback(from: Stage, to: Stage): boolean {
  return from === Stage.ARCHIVED && to === Stage.PRODUCTION;
}

/**
 * Throws INVALID_TRANSITION, listing the allowed moves, unless `from → to` is allowed.
 * assertMove(Stage.DEVELOPMENT, Stage.PRODUCTION, ctx) throws: allowed from DEVELOPMENT is [STAGING].
 */
export function assertMove(from: Stage, to: Stage, context: MoveContext): void {
  assertTransition(ALLOWED_MOVES, from, to, 'lifecycle');
  if (isRollback(from, to) && !context.wasLastInProduction) {
    throw new DomainError(
      ErrorCode.INVALID_TRANSITION,
      `only the version that was last in production can return to PRODUCTION from ARCHIVED (a rollback)`,
      { from, to, allowed: ALLOWED_MOVES[from].filter((s) => s !== Stage.PRODUCTION) },
    );
  }
}

/**
 * The right a move needs on the model (the access module's table ties it to a level): moving towards
 * and back from staging is MOVE_TO_STAGING, a return to PRODUCTION from ARCHIVED is ROLL_BACK, and
 * every other move MOVE_BEYOND_STAGING.
 */
export function actionForMove(from: Stage, to: Stage): Action {
  if (to === Stage.STAGING || (from === Stage.STAGING && to === Stage.DEVELOPMENT)) return Action.MOVE_TO_STAGING;
  if (isRollback(from, to)) return Action.ROLL_BACK;
  return Action.MOVE_BEYOND_STAGING;
}
