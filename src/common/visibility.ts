import type { Caller } from './caller';
import type { Principal } from './role';

/**
 * Which models a caller can see, as SQL: the access module's rule, which modules below it (the audit
 * trail) apply through this interface rather than by importing it.
 */
export interface ModelVisibility {
  /** SQL that holds when the model in `column` is visible to the caller; null when every model is. */
  visibleModels(caller: Caller, column: string, params: { p(value: unknown): string }): string | null;
  /** Whether the caller sees what concerns no model (registry-wide events, the whole trail). */
  seesEverything(caller: Caller): boolean;
}

/**
 * What a principal's view of the registry depends on: its role and its subject (grants and team memberships
 * belong to the subject and are read when needed). Two tokens with the same key see the same models; every cache
 * of what a caller may see, or of a result computed for one, is keyed by this, never by the subject alone (one
 * subject may hold an ADMIN and a VIEWER token). Keep it in step with the access module's rule.
 */
export function visibilityKey(principal: Pick<Principal, 'role' | 'subject'>): string {
  // Joined (a flat string): a concatenation would be kept as its parts for as long as the key lives.
  return [principal.role, principal.subject].join('\n');
}
