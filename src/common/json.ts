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
export function validateJson(value: unknown, field: string, bounds: JsonBounds, as?: string): void {
  // `as` says what the value is when it is not what the client sent as it is (merged with what was stored).
  const is = as ? `${as}, is` : 'is';
  const has = as ? `${as}, has` : 'has';
  let entries = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > bounds.maxDepth) throw badInput(field, `${is} nested more than ${bounds.maxDepth} levels deep`);
    const children = Array.isArray(current) ? current : Object.values(current);
    entries += children.length;
    if (entries > bounds.maxEntries) throw badInput(field, `${has} more than ${bounds.maxEntries} keys and items in all`);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > bounds.maxBytes) throw badInput(field, `${is} ${bytes} bytes as JSON; the limit is ${bounds.maxBytes}`);
}

/** NUL (which PostgreSQL text cannot hold) and UTF-16 surrogates without their other half (which no UTF-8 can). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether PostgreSQL can store the string at all (no NUL, no unpaired surrogate). */
export const isStorable = (text: string): boolean => !UNSTORABLE.test(text);

/**
 * Refuses with BAD_USER_INPUT, naming the path, what no field of the registry can store: strings with NUL or unpaired
 * surrogates anywhere in a value a client sent (keys of objects included), and values nested deeper than `maxDepth`.
 * What every transport checks first: GraphQL variables over HTTP and websockets, and the JSON bodies of the routes.
 * Walks without recursion, so hostile nesting cannot overflow the stack.
 * validateStorable({ job: { name: '\ud800' } }, 'body', 32) throws "body.job.name: contains …".
 */
export function validateStorable(value: unknown, path: string, maxDepth: number): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path, depth: 0 }];
  while (stack.length) {
    const { value: current, path: at, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof current === 'string') {
      if (!isStorable(current)) throw badInput(at, 'contains a NUL character or an unpaired surrogate, which cannot be stored');
    } else if (current !== null && typeof current === 'object') {
      if (depth >= maxDepth) throw badInput(at, `is nested more than ${maxDepth} levels deep`);
      if (Array.isArray(current)) current.forEach((item, i) => stack.push({ value: item, path: `${at}[${i}]`, depth: depth + 1 }));
      else {
        for (const [key, item] of Object.entries(current)) {
          if (!isStorable(key))
            throw badInput(`${at} (a key)`, 'contains a NUL character or an unpaired surrogate, which cannot be stored');
          stack.push({ value: item, path: `${at}.${key}`, depth: depth + 1 });
        }
      }
    }
  }
}
