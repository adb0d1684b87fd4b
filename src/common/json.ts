import { badInput } from './errors';

export interface JsonBounds {
  /** Size of the value written as JSON, in bytes (UTF-8). */
  maxBytes: number;
  /** Nesting: a flat object is depth 1. */
  maxDepth: number;
  /** Object keys and array items, counted at every level. */
  maxEntries: number;
}

/** What a JSON document a client sends for storage (hyperparameters, a signature) may be at most. */
export const STORED_JSON: JsonBounds = { maxBytes: 64 * 1024, maxDepth: 10, maxEntries: 1000 };

/**
 * Refuses a JSON value beyond its bounds with BAD_USER_INPUT naming the field, before anything
 * recursive (hashing, storing) touches it: it walks without recursion, so hostile nesting cannot
 * overflow the stack. validateJson({ a: { b: 1 } }, 'hyperparameters', STORED_JSON) passes.
 */
export function validateJson(value: unknown, field: string, bounds: JsonBounds): void {
  let entries = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > bounds.maxDepth) throw badInput(field, `is nested more than ${bounds.maxDepth} levels deep`);
    const children = Array.isArray(current) ? current : Object.values(current);
    entries += children.length;
    if (entries > bounds.maxEntries) throw badInput(field, `has more than ${bounds.maxEntries} keys and items in all`);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > bounds.maxBytes) throw badInput(field, `is ${bytes} bytes as JSON; the limit is ${bounds.maxBytes}`);
}
