import type { Caller } from './caller';

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
