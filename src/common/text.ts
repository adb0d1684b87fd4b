import { badInput } from './errors';

const MAX_TEXT = 10_000;

/**
 * Checks free text before it is stored: presence, length, and no NUL (PostgreSQL text cannot hold it).
 * validateText(input.owner, 'owner', { required: true, max: 200 })
 */
export function validateText(value: string | null | undefined, field: string, { required = false, max = MAX_TEXT } = {}): void {
  if (value === undefined || value === null) {
    if (required) throw badInput(field, 'is required');
    return;
  }
  if (required && value.trim() === '') throw badInput(field, 'must not be empty');
  if (value.length > max) throw badInput(field, `must be at most ${max} characters`);
  // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
  if (value.includes('\u0000')) throw badInput(field, 'must not contain NUL characters');
}
