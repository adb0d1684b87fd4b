import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from '../../src/common/canonical-json';
import { ChainVerifier, GENESIS_HASH, hashEvent, type HashedEventFields, type StoredEvent } from '../../src/modules/audit/audit.rules';

function fieldsFor(seq: number, overrides: Partial<HashedEventFields> = {}): HashedEventFields {
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    actor: 'alice',
    action: 'model.created',
    subjectType: 'RegisteredModel',
    subjectId: `model-${seq}`,
    modelId: seq % 2 === 0 ? null : `model-${seq}`,
    payload: { before: null, after: { name: `m${seq}`, tags: { team: 'risk' } } },
    requestId: seq % 2 === 0 ? `req-${seq}` : null,
    ...overrides,
  };
}

/** A sound chain of `length` events, each linked to the hash of the one before. */
function buildChain(length: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const fields = fieldsFor(seq);
    const hash = hashEvent(prevHash, fields);
    events.push({ ...fields, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

/** Feeds events to a fresh verifier and returns the first break (or null) and how many were checked. */
function verify(events: StoredEvent[]) {
  const verifier = new ChainVerifier();
  for (const event of events) {
    const broken = verifier.check(event);
    if (broken) return { broken, checked: verifier.checked };
  }
  return { broken: null, checked: verifier.checked };
}

describe('canonicalJson', () => {
  it('matches the documented example', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] })).toBe('{"a":[true,{"c":"x","d":null}],"b":1}');
  });

  it('sorts keys at every depth, whatever order they were written in', () => {
    const one = { z: { y: { b: 2, a: 1 }, x: 0 }, a: 'first' };
    const two = { a: 'first', z: { x: 0, y: { a: 1, b: 2 } } };
    expect(canonicalJson(one)).toBe('{"a":"first","z":{"x":0,"y":{"a":1,"b":2}}}');
    expect(canonicalJson(two)).toBe(canonicalJson(one));
  });

  it('keeps array order and sorts objects inside arrays', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([{ b: 1, a: 2 }, [2, 1]])).toBe('[{"a":2,"b":1},[2,1]]');
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('writes dates as ISO strings, also when nested', () => {
    const at = new Date('2025-03-04T05:06:07.089Z');
    expect(canonicalJson(at)).toBe('"2025-03-04T05:06:07.089Z"');
    expect(canonicalJson({ at })).toBe('{"at":"2025-03-04T05:06:07.089Z"}');
  });

  it('drops undefined fields, so they hash like absent ones', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: { d: undefined } })).toBe('{"a":1,"c":{}}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('keeps null fields, which differ from absent ones', () => {
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('encodes scalars and escapes strings and keys like JSON', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(-1.5)).toBe('-1.5');
    expect(canonicalJson('a"b\\c\n')).toBe(JSON.stringify('a"b\\c\n'));
    expect(canonicalJson({ 'k"ey': 1 })).toBe('{"k\\"ey":1}');
  });

  it.each([NaN, Infinity, -Infinity])('throws on the non-finite number %p, also when nested', (n) => {
    expect(() => canonicalJson(n)).toThrow('non-finite number');
    expect(() => canonicalJson({ a: [1, { b: n }] })).toThrow('non-finite number');
    expect(() => canonicalJson({ bins: [1, n, 2] })).toThrow('non-finite number');
  });

  it('writes a list of numbers (a fast path) as it writes each number', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (xs) => {
        expect(canonicalJson(xs)).toBe(`[${xs.map((x) => canonicalJson(x)).join(',')}]`);
      }),
    );
  });

  /** The implementation every stored hash (audit chain, report idempotency) was made with, before it was made faster. */
  function canonicalJsonAsFirstWritten(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (value instanceof Date) return JSON.stringify(value.toISOString());
    if (Array.isArray(value)) {
      if (value.every((x) => typeof x === 'number' && Number.isFinite(x))) return JSON.stringify(value);
      return `[${value.map(canonicalJsonAsFirstWritten).join(',')}]`;
    }
    switch (typeof value) {
      case 'number':
        if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
        return JSON.stringify(value);
      case 'string':
      case 'boolean':
        return JSON.stringify(value);
      case 'object': {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonAsFirstWritten(v)}`).join(',')}}`;
      }
      default:
        throw new Error(`canonicalJson: cannot encode ${typeof value}`);
    }
  }

  it('writes exactly what its first implementation wrote: hashes already stored stay valid', () => {
    const key = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('__proto__', 'constructor', '', 'a', 'A', 'é', '😀', '10', '9'),
    );
    const leaf = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.string({ unit: 'binary' }),
      fc.date({ noInvalidDate: true }),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('numbers'), tie('sparse')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      numbers: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 8 }),
      // Object.fromEntries makes "__proto__" an own key, as JSON.parse of a client's input does.
      object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs) as unknown),
      sparse: fc.sparseArray(tie('value'), { maxLength: 5 }),
    }));
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(canonicalJsonAsFirstWritten(v));
      }),
      { numRuns: 3000 },
    );
    const protoKey = JSON.parse('{"__proto__":{"b":1,"a":2},"z":[1,{"y":undefined}]}'.replace('undefined', 'null')) as unknown;
    expect(canonicalJson(protoKey)).toBe(canonicalJsonAsFirstWritten(protoKey));
  });

  it('throws on values JSON cannot hold', () => {
    expect(() => canonicalJson(BigInt(1))).toThrow('cannot encode bigint');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('cannot encode function');
  });
});

describe('hashEvent', () => {
  const fields = fieldsFor(1);

  it('is sha256 hex of prevHash followed by the canonical JSON of the fields', () => {
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalJson(fields))
      .digest('hex');
    expect(hashEvent(GENESIS_HASH, fields)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic and ignores key order', () => {
    const reordered = Object.fromEntries(Object.entries(fields).reverse()) as unknown as HashedEventFields;
    expect(hashEvent(GENESIS_HASH, fields)).toBe(hashEvent(GENESIS_HASH, { ...fields }));
    expect(hashEvent(GENESIS_HASH, reordered)).toBe(hashEvent(GENESIS_HASH, fields));
  });

  const changes: Array<[keyof HashedEventFields, unknown]> = [
    ['seq', 2],
    ['id', '00000000-0000-4000-8000-999999999999'],
    ['occurredAt', '2030-01-01T00:00:00.000Z'],
    ['actor', 'mallory'],
    ['action', 'model.deleted'],
    ['subjectType', 'ModelVersion'],
    ['subjectId', 'other'],
    ['modelId', 'model-2'],
    ['payload', { before: null, after: { name: 'm1', tags: { team: 'fraud' } } }],
    ['requestId', 'req-x'],
  ];

  it.each(changes)('changes when %s changes', (key, value) => {
    expect(fields[key]).not.toEqual(value);
    expect(hashEvent(GENESIS_HASH, { ...fields, [key]: value })).not.toBe(hashEvent(GENESIS_HASH, fields));
  });

  it('changes when prevHash changes', () => {
    expect(hashEvent('1'.repeat(64), fields)).not.toBe(hashEvent(GENESIS_HASH, fields));
  });
});

describe('ChainVerifier', () => {
  it('accepts a sound chain and counts every event', () => {
    const chain = buildChain(5);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    expect(verify(chain)).toEqual({ broken: null, checked: 5 });
  });

  it('reports an event whose payload was altered after hashing', () => {
    const chain = buildChain(5);
    chain[2] = { ...chain[2], payload: { before: null, after: { name: 'tampered' } } };
    const { broken, checked } = verify(chain);
    expect(broken).toEqual({ seq: 3, reason: expect.stringMatching(/hash/) });
    expect(broken?.reason).toMatch(/content/);
    expect(checked).toBe(3);
  });

  it('reports an event whose own fields were altered (actor)', () => {
    const chain = buildChain(5);
    chain[4] = { ...chain[4], actor: 'mallory' };
    expect(verify(chain).broken).toEqual({ seq: 5, reason: expect.stringMatching(/hash/) });
  });

  it('reports an event whose prevHash does not link to the previous event', () => {
    const chain = buildChain(5);
    chain[3] = { ...chain[3], prevHash: 'f'.repeat(64) };
    const { broken } = verify(chain);
    expect(broken).toEqual({ seq: 4, reason: expect.stringMatching(/prevHash/) });
  });

  it('reports a relinked event even when its own hash was recomputed', () => {
    const chain = buildChain(5);
    const { prevHash: _prev, hash: _hash, ...fields } = chain[1];
    const forgedPrev = 'a'.repeat(64);
    chain[1] = { ...fields, prevHash: forgedPrev, hash: hashEvent(forgedPrev, fields) };
    expect(verify(chain).broken).toEqual({ seq: 2, reason: expect.stringMatching(/prevHash/) });
  });

  it('requires the first event to link to the genesis hash', () => {
    const chain = buildChain(1);
    const { prevHash: _prev, hash: _hash, ...fields } = chain[0];
    const forgedPrev = '1'.repeat(64);
    expect(verify([{ ...fields, prevHash: forgedPrev, hash: hashEvent(forgedPrev, fields) }]).broken).toEqual({
      seq: 1,
      reason: expect.stringMatching(/prevHash/),
    });
  });

  it('reports the expected seq when an event is missing', () => {
    const chain = buildChain(5);
    const withGap = [chain[0], chain[1], chain[3], chain[4]];
    const { broken, checked } = verify(withGap);
    expect(broken).toEqual({ seq: 3, reason: expect.stringMatching(/gap.*expected 3, found 4/) });
    expect(checked).toBe(3);
  });

  it('reports a chain that does not start at seq 1', () => {
    const chain = buildChain(3);
    expect(verify(chain.slice(1)).broken).toEqual({ seq: 1, reason: expect.stringMatching(/expected 1, found 2/) });
  });

  it('reports a replayed event as a sequence break', () => {
    const chain = buildChain(3);
    expect(verify([chain[0], chain[1], chain[1]]).broken).toEqual({ seq: 3, reason: expect.stringMatching(/gap/) });
  });
});
