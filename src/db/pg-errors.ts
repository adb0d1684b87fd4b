import { DomainError, ErrorCode } from '../common/errors';

interface PgError {
  code?: string;
  constraint?: string;
}

function pgError(err: unknown): PgError {
  const e = err as { driverError?: PgError } & PgError;
  return e?.driverError ?? e ?? {};
}

/** A unique index refused the row; `constraint` narrows it to one index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = pgError(err);
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** A value could not be cast to its column's type (class 22: bad uuid, timestamp or number text, out of range). */
export function isDataException(err: unknown): boolean {
  return pgError(err).code?.startsWith('22') ?? false;
}

/** A hot standby cancelled a read whose rows its recovery must remove (SQLSTATE 40001, "conflict with recovery"). */
export function isRecoveryConflict(err: unknown): boolean {
  return pgError(err).code === '40001';
}

/**
 * PostgreSQL cannot serve now, whatever the request: a connection refused, cut or timed out, or the server shutting
 * down, starting or over its connection limit (SQLSTATE classes 08 and 57P, and 53300). A restart, a failover or a
 * network blip, not a fault of the request or of the code: the request may be sent again.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = pgError(err) as PgError & { message?: string };
  const code = e.code ?? (err as { code?: string })?.code;
  if (code && (code.startsWith('08') || code.startsWith('57P') || code === '53300')) return true;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  // TypeORM's words for a transaction whose connection was released under it: the connection died mid-transaction.
  const name = (err as Error)?.name;
  if (name === 'QueryRunnerProviderAlreadyReleasedError' || name === 'QueryRunnerAlreadyReleasedError') return true;
  const message = String(e.message ?? (err as Error)?.message ?? '');
  // node-postgres' own words for a connection that died or never came (it gives them no code).
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/.test(
    message,
  );
}

/** How long a client is asked to wait before sending a request the database could not serve (Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** The answer to a request the database could not serve: UNAVAILABLE, to be sent again in a moment. */
export function unavailable(): DomainError {
  return new DomainError(ErrorCode.UNAVAILABLE, 'the database is unavailable right now: send the request again in a moment', {
    retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
  });
}
