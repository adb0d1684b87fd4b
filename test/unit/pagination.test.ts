import { decodeCursor, DEFAULT_PAGE_SIZE, emptyPage, encodeCursor, MAX_PAGE_SIZE, pageSize, SqlParams } from '../../src/db/pagination';
import { expectBadInput } from './bad-input';

// keysetPages runs SQL against a database and is covered by the integration tests.

describe('pageSize', () => {
  it('defaults to 50 when first is undefined or null', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(50);
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize(null)).toBe(50);
  });

  it.each([0, 1, 50, 499, 500])('accepts %p', (first) => {
    expect(pageSize(first)).toBe(first);
  });

  it.each([501, -1, 1.5, NaN, Infinity, -Infinity])('refuses %p naming the field "first"', (first) => {
    expect(expectBadInput(() => pageSize(first), 'first').message).toMatch(`between 0 and ${MAX_PAGE_SIZE}`);
  });
});

describe('encodeCursor / decodeCursor', () => {
  it.each([
    [['2025-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000001']],
    [['42']],
    [['', 'with "quotes", commas, and ünïcödé ✓', '+/=']],
    [[]],
  ])('round-trips %p', (values) => {
    const cursor = encodeCursor(values);
    expect(decodeCursor(cursor, values.length)).toEqual(values);
  });

  it('produces URL-safe cursors', () => {
    expect(encodeCursor(['???>>>', '~~~'])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives different values different cursors', () => {
    expect(encodeCursor(['a', 'b'])).not.toBe(encodeCursor(['b', 'a']));
  });

  it.each([
    ['garbage', '!!!not a cursor!!!'],
    ['an empty string', ''],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON object', Buffer.from('{"0":"a","length":1}').toString('base64url')],
    ['a JSON string', Buffer.from('"a"').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
  ])('refuses %s with BAD_USER_INPUT on "after"', (_what, cursor) => {
    expectBadInput(() => decodeCursor(cursor, 1), 'after');
  });

  it('refuses a cursor of the wrong length', () => {
    const cursor = encodeCursor(['a', 'b']);
    expectBadInput(() => decodeCursor(cursor, 1), 'after');
    expectBadInput(() => decodeCursor(cursor, 3), 'after');
    expect(decodeCursor(cursor, 2)).toEqual(['a', 'b']);
  });

  it.each([[[1, 'b']], [['a', null]], [['a', ['b']]], [['a', { b: 1 }]], [[true, 'b']]])(
    'refuses a cursor with a non-string member: %j',
    (values) => {
      const cursor = Buffer.from(JSON.stringify(values)).toString('base64url');
      expectBadInput(() => decodeCursor(cursor, 2), 'after');
    },
  );
});

describe('SqlParams', () => {
  it('numbers parameters $1, $2, … in the order they are added and keeps their values', () => {
    const params = new SqlParams();
    expect(params.values).toEqual([]);
    expect(params.p('fraud')).toBe('$1');
    expect(params.p(42)).toBe('$2');
    expect(params.p(null)).toBe('$3');
    expect(params.values).toEqual(['fraud', 42, null]);
  });

  it('gives a repeated value a new number', () => {
    const params = new SqlParams();
    const sql = `x.a = ${params.p('v')} OR x.b = ${params.p('v')}`;
    expect(sql).toBe('x.a = $1 OR x.b = $2');
    expect(params.values).toEqual(['v', 'v']);
  });

  it('keeps separate counters per instance', () => {
    const one = new SqlParams();
    const two = new SqlParams();
    one.p('a');
    one.p('b');
    expect(two.p('c')).toBe('$1');
    expect(one.p('d')).toBe('$3');
  });
});

describe('emptyPage', () => {
  it('has no rows and a previous page only after a cursor', () => {
    expect(emptyPage()).toEqual({ rows: [], keys: [], hasNextPage: false, hasPreviousPage: false });
    expect(emptyPage(encodeCursor(['x'])).hasPreviousPage).toBe(true);
  });
});
