/** The codes the API puts in `extensions.code`, and those the client adds for what happens on its side. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'GATE_FAILED'
  | 'RATE_LIMITED'
  | 'AUDIT_CHAIN_BROKEN'
  // A server that cannot serve now (its database is away): answered 503 with Retry-After.
  | 'UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  // The client's own: the server could not be reached, a wait ran out, an answer was not what the API sends.
  | 'NETWORK_ERROR'
  | 'TIMED_OUT'
  | 'BAD_RESPONSE';

/** One gate of a GATE_FAILED refusal, as `extensions.gates` lists them. */
export interface GateReport {
  gate: string;
  passed: boolean;
  detail: string;
}

/** An error the API answered (or the client met), with its code, the input field it names and the rest of its extensions. */
export class ModelgraphError extends Error {
  override readonly name = 'ModelgraphError';
  readonly code: ErrorCode;
  /** The input field a BAD_USER_INPUT names (`input.artifact.sha256`), when it names one. */
  readonly field: string | undefined;
  readonly extensions: Record<string, unknown>;
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, status?: number) {
    super(message);
    this.code = code;
    this.extensions = extensions;
    this.field = typeof extensions.field === 'string' ? extensions.field : undefined;
    this.status = status;
  }

  /** The gate report of a GATE_FAILED refusal: every gate, passed or not. */
  get gates(): GateReport[] {
    return Array.isArray(this.extensions.gates) ? (this.extensions.gates as GateReport[]) : [];
  }

  /** Whether sending the same request again may succeed (with the same idempotency key for a write). */
  get retryable(): boolean {
    return this.code === 'NETWORK_ERROR' || this.code === 'UNAVAILABLE' || this.code === 'RATE_LIMITED';
  }
}

/** The error of a GraphQL or REST answer `{ errors: [{ message, extensions }] }`. */
export function errorOf(body: unknown, status?: number): ModelgraphError {
  const first = (body as { errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> })?.errors?.[0];
  if (!first) return new ModelgraphError('BAD_RESPONSE', `unexpected answer (HTTP ${status ?? '?'})`, {}, status);
  const extensions = first.extensions ?? {};
  const code = typeof extensions.code === 'string' ? (extensions.code as ErrorCode) : codeOfStatus(status);
  return new ModelgraphError(code, first.message ?? code, extensions, status);
}

export function codeOfStatus(status: number | undefined): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UNAVAILABLE';
    default:
      return status !== undefined && status >= 400 && status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
  }
}

/**
 * The CLI's exit codes, documented for pipelines to branch on (docs/cli.md): 0 done, 2 usage, 3 a gate failed,
 * 4 a conflict (a stale expectation, a move the lifecycle does not allow), 5 timed out, 6 not authenticated or
 * forbidden, 7 not found, 1 anything else.
 */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, GATE_FAILED: 3, CONFLICT: 4, TIMED_OUT: 5, DENIED: 6, NOT_FOUND: 7 } as const;

export function exitCodeOf(error: unknown): number {
  if (!(error instanceof ModelgraphError)) return EXIT.ERROR;
  switch (error.code) {
    case 'GATE_FAILED':
      return EXIT.GATE_FAILED;
    case 'CONFLICT':
    case 'INVALID_TRANSITION':
      return EXIT.CONFLICT;
    case 'TIMED_OUT':
      return EXIT.TIMED_OUT;
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return EXIT.DENIED;
    case 'NOT_FOUND':
      return EXIT.NOT_FOUND;
    default:
      return EXIT.ERROR;
  }
}
