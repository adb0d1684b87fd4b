import { DomainError, ErrorCode } from '../../src/common/errors';

/**
 * Runs `fn`, expects it to throw a BAD_USER_INPUT DomainError naming `field`, and returns the error
 * so the caller can check more of it.
 */
export function expectBadInput(fn: () => unknown, field: string): DomainError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error(`expected BAD_USER_INPUT on "${field}", but nothing was thrown`);
  expect(thrown).toBeInstanceOf(DomainError);
  const error = thrown as DomainError;
  expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
  expect(error.details).toEqual({ field });
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  return error;
}
