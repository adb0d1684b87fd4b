import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

/** How deep a variable's value may nest (a JSON object inside a list inside an input, …). */
export const MAX_INPUT_DEPTH = 32;

/** NUL (which PostgreSQL text cannot hold) and UTF-16 surrogates without their other half (which no UTF-8 can). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function refuse(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
}

function checkString(value: string, field: string): void {
  if (UNSTORABLE.test(value)) throw refuse(field, 'contains a NUL character or an unpaired surrogate, which cannot be stored');
}

/**
 * Refuses, before anything runs, what no field of the registry can store: strings with NUL or unpaired
 * surrogates anywhere in the variables (keys of JSON objects included) or in the document's literals, and
 * values nested deeper than MAX_INPUT_DEPTH. Walks without recursion, so hostile nesting cannot overflow.
 */
export function checkInput(document: DocumentNode, variables: Record<string, unknown>): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = Object.entries(variables).map(([name, value]) => ({
    value,
    path: `$${name}`,
    depth: 1,
  }));
  while (stack.length) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') checkString(value, path);
    else if (value !== null && typeof value === 'object') {
      if (depth > MAX_INPUT_DEPTH) throw refuse(path, `is nested more than ${MAX_INPUT_DEPTH} levels deep`);
      if (Array.isArray(value)) value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      else {
        for (const [key, item] of Object.entries(value)) {
          checkString(key, `${path} (a key)`);
          stack.push({ value: item, path: `${path}.${key}`, depth: depth + 1 });
        }
      }
    }
  }
  visit(document, {
    [Kind.STRING]: (node) => checkString(node.value, 'a string in the query'),
  });
}
