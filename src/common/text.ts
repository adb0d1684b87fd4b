import { badInput } from './errors';

const MAX_TEXT = 10_000;

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): in a name they make what a reviewer
 * reads differ from what is stored ("Trojan Source"), so identifiers refuse them.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks free text before it is stored: presence, length, no NUL (PostgreSQL text cannot hold it) and,
 * for identifiers (names, owners, subjects, keys), no bidirectional controls.
 * validateText(input.owner, 'owner', { required: true, max: 200, identifier: true })
 */
export function validateText(
  value: string | null | undefined,
  field: string,
  { required = false, max = MAX_TEXT, identifier = false } = {},
): void {
  if (value === undefined || value === null) {
    if (required) throw badInput(field, 'is required');
    return;
  }
  if (required && value.trim() === '') throw badInput(field, 'must not be empty');
  if (value.length > max) throw badInput(field, `must be at most ${max} characters`);
  // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
  if (value.includes('\u0000')) throw badInput(field, 'must not contain NUL characters');
  if (identifier && BIDI_CONTROLS.test(value)) throw badInput(field, 'must not contain bidirectional control characters');
}
