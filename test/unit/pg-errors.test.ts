/** Which database errors mean "PostgreSQL cannot serve now" (answered 503, sent again) and which do not. */
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable, isUniqueViolation, unavailable } from '../../src/db/pg-errors';

const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('a database that cannot serve now', () => {
  it('is a connection refused, cut or timed out, or a server shutting down, starting or full', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '08003', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])
      expect([code, isDatabaseUnavailable(pg(code))]).toEqual([code, true]);
    expect(isDatabaseUnavailable(wrapped(pg('57P01', 'terminating connection due to administrator command')))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
  });

  it('is not a fault of the request or of the code', () => {
    for (const code of ['23505', '22P02', '42P01', '40001', '42501', 'XX000'])
      expect([code, isDatabaseUnavailable(pg(code))]).toEqual([code, false]);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isUniqueViolation(wrapped(pg('23505')))).toBe(true);
  });

  it('answers UNAVAILABLE with the wait it asks for', () => {
    expect(unavailable()).toMatchObject({ code: 'UNAVAILABLE', details: { retryAfterSeconds: 1 } });
  });
});
