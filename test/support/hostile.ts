import fc from 'fast-check';

/**
 * What the hostile-input tests share: strings a client should never be able to hurt the server with, and the check
 * that an answer to one is a client error the API documents, never an internal one.
 */

/** Codes the API answers a client's mistake with (DESIGN: errors carry extensions.code). */
export const KNOWN_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'INVALID_TRANSITION',
  'GATE_FAILED',
  'AUDIT_CHAIN_BROKEN',
  'BAD_REQUEST',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'RATE_LIMITED',
]);

/** Control characters, NUL, unpaired surrogates, bidirectional overrides, injections, and very long strings. */
export const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\u202eadmin',
    '\u2066x\u2069',
    '\u0007\u001b[31m',
    '',
    ' ',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom("' OR 1=1 --", '"; DROP TABLE audit_events; --', '${jndi:ldap://x}', '../../etc/passwd', '%00', '\\u0000'),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/**
 * Throws unless the answer (its text, and the errors read from it) is what a client's mistake deserves: no trace of
 * the server's insides (an HTML page, a stack, a path, a source file) and only documented codes.
 */
export function expectClientErrors(context: string, text: string, errors: Array<{ extensions?: { code?: string } }>): void {
  if (/<html|\n\s+at |node_modules|\/work\/|\.ts:\d+/i.test(text)) throw new Error(`internals leaked: ${context} → ${text.slice(0, 500)}`);
  for (const error of errors) {
    const code = error.extensions?.code;
    if (!code || !KNOWN_CODES.has(code)) throw new Error(`unknown or internal code ${code}: ${context} → ${text.slice(0, 500)}`);
  }
}
