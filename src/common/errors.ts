/**
 * Domain errors: thrown by services and pure rules without importing GraphQL.
 * One mapper (src/graphql/errors.ts) turns them into GraphQLError with `extensions.code`.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  GATE_FAILED = 'GATE_FAILED',
  /** Over a bound on what one client may hold at once (subscriptions per socket or per token): retry once some end. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** A verification found the audit chain broken: writes wait for an ADMIN's acknowledgement. */
  AUDIT_CHAIN_BROKEN = 'AUDIT_CHAIN_BROKEN',
  /**
   * The database cannot be reached now (it restarts, fails over, refuses connections): HTTP 503 with Retry-After.
   * Nothing was done; the same request (a write with its idempotency key) may be sent again.
   */
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, client-safe facts added to `extensions` (e.g. the offending `field`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string): DomainError =>
  new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

export const notFound = (what: string, key: string): DomainError => new DomainError(ErrorCode.NOT_FOUND, `${what} ${key} not found`);

export const conflict = (message: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError(ErrorCode.CONFLICT, message, details);

/** An optimistic-concurrency write lost: the row moved past the revision the caller read. */
export const staleRevision = (what: string, current: number, expected: number): DomainError =>
  conflict(`the ${what} changed since revision ${expected} (now at revision ${current}): reload and retry`, {
    field: 'expectedRevision',
    currentRevision: current,
  });
