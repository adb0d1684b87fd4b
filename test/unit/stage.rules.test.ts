import { DomainError, ErrorCode } from '../../src/common/errors';
import { Action } from '../../src/modules/access/access.rules';
import { Stage } from '../../src/modules/versions/version.enums';
import { ALLOWED_MOVES, assertMove, isRollback, actionForMove } from '../../src/modules/lifecycle/stage.rules';

const STAGES = Object.values(Stage);

/** The lifecycle as the design describes it, written out independently of the module. */
const EXPECTED_MOVES: Record<Stage, Stage[]> = {
  [Stage.DEVELOPMENT]: [Stage.STAGING],
  [Stage.STAGING]: [Stage.PRODUCTION, Stage.DEVELOPMENT, Stage.REJECTED, Stage.ARCHIVED],
  [Stage.PRODUCTION]: [Stage.ARCHIVED],
  [Stage.ARCHIVED]: [Stage.STAGING, Stage.RETIRED, Stage.PRODUCTION],
  [Stage.RETIRED]: [],
  [Stage.REJECTED]: [],
};

const ALL_PAIRS = STAGES.flatMap((from) => STAGES.map((to) => [from, to] as [Stage, Stage]));
const ALLOWED_PAIRS = ALL_PAIRS.filter(([from, to]) => EXPECTED_MOVES[from].includes(to));
const REFUSED_PAIRS = ALL_PAIRS.filter(([from, to]) => !EXPECTED_MOVES[from].includes(to));

/** Runs `fn`, expects an INVALID_TRANSITION DomainError and returns it. */
function expectInvalidTransition(fn: () => unknown): DomainError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected INVALID_TRANSITION, but nothing was thrown');
  expect(thrown).toBeInstanceOf(DomainError);
  expect((thrown as DomainError).code).toBe(ErrorCode.INVALID_TRANSITION);
  return thrown as DomainError;
}

describe('ALLOWED_MOVES', () => {
  it('covers the six stages', () => {
    expect(STAGES).toHaveLength(6);
    expect(Object.keys(ALLOWED_MOVES).sort()).toEqual([...STAGES].sort());
  });

  it.each(STAGES)('lists exactly the designed moves from %s', (from) => {
    expect([...ALLOWED_MOVES[from]].sort()).toEqual([...EXPECTED_MOVES[from]].sort());
  });

  it('makes RETIRED and REJECTED terminal', () => {
    expect(ALLOWED_MOVES[Stage.RETIRED]).toEqual([]);
    expect(ALLOWED_MOVES[Stage.REJECTED]).toEqual([]);
  });

  it('splits the 36 pairs into 9 allowed moves and 27 refused ones', () => {
    expect(ALLOWED_PAIRS).toHaveLength(9);
    expect(REFUSED_PAIRS).toHaveLength(27);
  });
});

describe('assertMove', () => {
  it.each(ALLOWED_PAIRS)('allows %s → %s for the version last in production', (from, to) => {
    expect(() => assertMove(from, to, { wasLastInProduction: true })).not.toThrow();
  });

  it.each(ALLOWED_PAIRS.filter(([from, to]) => !(from === Stage.ARCHIVED && to === Stage.PRODUCTION)))(
    'allows %s → %s regardless of wasLastInProduction',
    (from, to) => {
      expect(() => assertMove(from, to, { wasLastInProduction: false })).not.toThrow();
    },
  );

  it.each(REFUSED_PAIRS)('refuses %s → %s, listing the allowed moves', (from, to) => {
    const error = expectInvalidTransition(() => assertMove(from, to, { wasLastInProduction: true }));
    expect(error.details).toEqual({ from, to, allowed: EXPECTED_MOVES[from] });
    expect(error.message).toContain(`${from} → ${to}`);
    for (const stage of EXPECTED_MOVES[from]) expect(error.message).toContain(stage);
  });

  it.each([Stage.RETIRED, Stage.REJECTED])('says no move is allowed out of the terminal stage %s', (from) => {
    const error = expectInvalidTransition(() => assertMove(from, Stage.STAGING, { wasLastInProduction: true }));
    expect(error.details.allowed).toEqual([]);
    expect(error.message).toMatch(/allowed moves are: none/);
  });

  it('names the single allowed move out of DEVELOPMENT when skipping straight to PRODUCTION', () => {
    const error = expectInvalidTransition(() => assertMove(Stage.DEVELOPMENT, Stage.PRODUCTION, { wasLastInProduction: true }));
    expect(error.message).toMatch(/allowed moves are: STAGING$/);
  });

  it('refuses ARCHIVED → PRODUCTION for a version that was not last in production, without offering PRODUCTION', () => {
    const error = expectInvalidTransition(() => assertMove(Stage.ARCHIVED, Stage.PRODUCTION, { wasLastInProduction: false }));
    expect(error.details).toEqual({ from: Stage.ARCHIVED, to: Stage.PRODUCTION, allowed: [Stage.STAGING, Stage.RETIRED] });
    expect(error.details.allowed).not.toContain(Stage.PRODUCTION);
    expect(error.message).toMatch(/rollback/);
  });

  it('hands out a copy of the allowed list, so callers cannot change the table', () => {
    const error = expectInvalidTransition(() => assertMove(Stage.PRODUCTION, Stage.STAGING, { wasLastInProduction: true }));
    (error.details.allowed as Stage[]).push(Stage.STAGING);
    expect(ALLOWED_MOVES[Stage.PRODUCTION]).toEqual([Stage.ARCHIVED]);
    expect(() => assertMove(Stage.PRODUCTION, Stage.STAGING, { wasLastInProduction: true })).toThrow(DomainError);
  });
});

describe('actionForMove', () => {
  const contributorMoves: Array<[Stage, Stage]> = [
    [Stage.DEVELOPMENT, Stage.STAGING],
    [Stage.ARCHIVED, Stage.STAGING],
    [Stage.STAGING, Stage.DEVELOPMENT],
  ];

  it.each(contributorMoves)('%s → %s is MOVE_TO_STAGING', (from, to) => {
    expect(actionForMove(from, to)).toBe(Action.MOVE_TO_STAGING);
  });

  it('ARCHIVED → PRODUCTION is ROLL_BACK', () => {
    expect(actionForMove(Stage.ARCHIVED, Stage.PRODUCTION)).toBe(Action.ROLL_BACK);
  });

  it.each(
    ALLOWED_PAIRS.filter(
      ([from, to]) => !contributorMoves.some(([f, t]) => f === from && t === to) && !(from === Stage.ARCHIVED && to === Stage.PRODUCTION),
    ),
  )('%s → %s is MOVE_BEYOND_STAGING', (from, to) => {
    expect(actionForMove(from, to)).toBe(Action.MOVE_BEYOND_STAGING);
  });

  it('any move to STAGING is MOVE_TO_STAGING, even one that is not allowed', () => {
    expect(actionForMove(Stage.PRODUCTION, Stage.STAGING)).toBe(Action.MOVE_TO_STAGING);
  });

  it('a move back to DEVELOPMENT from anywhere but STAGING is MOVE_BEYOND_STAGING', () => {
    expect(actionForMove(Stage.ARCHIVED, Stage.DEVELOPMENT)).toBe(Action.MOVE_BEYOND_STAGING);
  });
});

describe('isRollback', () => {
  it('is true only for ARCHIVED → PRODUCTION', () => {
    const rollbacks = ALL_PAIRS.filter(([from, to]) => isRollback(from, to));
    expect(rollbacks).toEqual([[Stage.ARCHIVED, Stage.PRODUCTION]]);
  });

  it('is false for the ordinary promotion STAGING → PRODUCTION', () => {
    expect(isRollback(Stage.STAGING, Stage.PRODUCTION)).toBe(false);
  });
});
