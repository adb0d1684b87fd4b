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
