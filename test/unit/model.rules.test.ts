import { DomainError, ErrorCode } from '../../src/common/errors';
import { validateText } from '../../src/common/text';
import { validateAliasName } from '../../src/modules/aliases/alias.rules';
import { mergeTags, tagsToPairs, validateModelName, type TagPair } from '../../src/modules/models/model.rules';
import { expectBadInput } from './bad-input';

describe('validateModelName', () => {
  it.each(['fraud-detector', 'm1', 'a', '0', 'fraud-detector-v2', 'a'.repeat(100)])('accepts %p', (name) => {
    expect(() => validateModelName(name)).not.toThrow();
  });

  it('refuses an empty name as a DomainError with code BAD_USER_INPUT and field "name"', () => {
    let thrown: unknown;
    try {
      validateModelName('');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((thrown as DomainError).details.field).toBe('name');
    expect((thrown as DomainError).message).toMatch(/empty/);
  });

  it('refuses a name longer than 100 characters', () => {
    expect(expectBadInput(() => validateModelName('a'.repeat(101)), 'name').message).toMatch(/at most 100/);
  });

  it.each(['Fraud', 'a--b', '-a', 'a-', 'a_b', 'a b', 'fraud.detector', 'é'])('refuses the non-slug %p', (name) => {
    expect(expectBadInput(() => validateModelName(name), 'name').message).toMatch(/slug/);
  });

  it('names the field it was given', () => {
    expectBadInput(() => validateModelName('Bad', 'input.model'), 'input.model');
  });
});

describe('validateAliasName', () => {
  it.each(['production', 'champion_v2', 'a', 'blue-green', `a${'b'.repeat(62)}`])('accepts %p', (alias) => {
    expect(() => validateAliasName(alias)).not.toThrow();
  });

  it.each(['', '1st', '-prod', '_prod', 'Prod', 'prod!', 'prod stage', `a${'b'.repeat(63)}`])('refuses %p', (alias) => {
    expectBadInput(() => validateAliasName(alias), 'alias');
  });

  it('names the field it was given', () => {
    expectBadInput(() => validateAliasName('Bad', 'input.alias'), 'input.alias');
  });
});

describe('validateText', () => {
  it('accepts absent values unless required', () => {
    expect(() => validateText(undefined, 'description')).not.toThrow();
    expect(() => validateText(null, 'description')).not.toThrow();
    expectBadInput(() => validateText(undefined, 'description', { required: true }), 'description');
    expectBadInput(() => validateText(null, 'description', { required: true }), 'description');
  });

  it('refuses blank text only when required', () => {
    expect(() => validateText('  ', 'description')).not.toThrow();
    expect(expectBadInput(() => validateText(' \t ', 'description', { required: true }), 'description').message).toMatch(/empty/);
  });

  it('enforces the maximum length, inclusive', () => {
    expect(() => validateText('abc', 'label', { max: 3 })).not.toThrow();
    expect(expectBadInput(() => validateText('abcd', 'label', { max: 3 }), 'label').message).toMatch(/at most 3/);
  });

  it('defaults the maximum to 10 000 characters', () => {
    expect(() => validateText('x'.repeat(10_000), 'description')).not.toThrow();
    expectBadInput(() => validateText('x'.repeat(10_001), 'description'), 'description');
  });

  it('refuses NUL characters', () => {
    expect(expectBadInput(() => validateText('a\u0000b', 'description'), 'description').message).toMatch(/NUL/);
  });
});

describe('mergeTags', () => {
  it('adds new tags without touching the current ones', () => {
    const current = { team: 'risk' };
    expect(mergeTags(current, [{ key: 'env', value: 'eu' }])).toEqual({ team: 'risk', env: 'eu' });
    expect(current).toEqual({ team: 'risk' });
  });

  it('overwrites a tag that is set again', () => {
    expect(mergeTags({ team: 'risk', env: 'eu' }, [{ key: 'team', value: 'fraud' }])).toEqual({ team: 'fraud', env: 'eu' });
  });

  it('removes keys, and ignores keys that are not there', () => {
    expect(mergeTags({ team: 'a' }, [{ key: 'env', value: 'eu' }], ['team'])).toEqual({ env: 'eu' });
    expect(mergeTags({ team: 'a' }, [], ['missing'])).toEqual({ team: 'a' });
  });

  it('accepts the whole key alphabet and an empty value', () => {
    expect(mergeTags({}, [{ key: 'a.B_c:d/e-1', value: '' }])).toEqual({ 'a.B_c:d/e-1': '' });
  });

  it('refuses a key given twice in one call, naming the second one', () => {
    const set: TagPair[] = [
      { key: 'env', value: 'eu' },
      { key: 'env', value: 'us' },
    ];
    expect(expectBadInput(() => mergeTags({}, set), 'tags[1].key').message).toMatch(/twice/);
  });

  it('refuses removing a key that is also being set', () => {
    expectBadInput(() => mergeTags({ env: 'eu' }, [{ key: 'env', value: 'us' }], ['other', 'env']), 'removeKeys[1]');
  });

  it.each(['', 'has space', 'ü', 'a'.repeat(65), 'a=b'])('refuses the bad key %p', (key) => {
    expectBadInput(
      () =>
        mergeTags({}, [
          { key: 'ok', value: 'x' },
          { key, value: 'x' },
        ]),
      'tags[1].key',
    );
  });

  it('accepts a 64-character key', () => {
    expect(mergeTags({}, [{ key: 'k'.repeat(64), value: 'x' }])).toEqual({ ['k'.repeat(64)]: 'x' });
  });

  it('refuses a value longer than 256 characters or containing NUL', () => {
    expect(() => mergeTags({}, [{ key: 'k', value: 'v'.repeat(256) }])).not.toThrow();
    expectBadInput(() => mergeTags({}, [{ key: 'k', value: 'v'.repeat(257) }]), 'tags[0].value');
    expectBadInput(() => mergeTags({}, [{ key: 'k', value: 'a\u0000' }]), 'tags[0].value');
  });

  describe('the 64-tag cap', () => {
    const tags = (n: number, prefix = 'k'): Record<string, string> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

    it('allows exactly 64 tags', () => {
      expect(Object.keys(mergeTags(tags(63), [{ key: 'extra', value: 'v' }]))).toHaveLength(64);
    });

    it('refuses a 65th tag', () => {
      expect(expectBadInput(() => mergeTags(tags(64), [{ key: 'extra', value: 'v' }]), 'tags').message).toMatch(/64/);
    });

    it('counts the tags after removals', () => {
      expect(Object.keys(mergeTags(tags(64), [{ key: 'extra', value: 'v' }], ['k0']))).toHaveLength(64);
    });

    it('refuses 65 tags given in one call', () => {
      const set = Object.entries(tags(65)).map(([key, value]) => ({ key, value }));
      expectBadInput(() => mergeTags({}, set), 'tags');
    });
  });
});

describe('tagsToPairs', () => {
  it('returns the tags as pairs sorted by key', () => {
    expect(tagsToPairs({ team: 'risk', env: 'eu', Owner: 'bob', 'a.b': 'x' })).toEqual([
      { key: 'Owner', value: 'bob' },
      { key: 'a.b', value: 'x' },
      { key: 'env', value: 'eu' },
      { key: 'team', value: 'risk' },
    ]);
  });

  it('returns no pairs for no tags', () => {
    expect(tagsToPairs({})).toEqual([]);
  });
});

describe('mergeTags: reserved keys', () => {
  it('refuses "__proto__" instead of losing it', () => {
    expectBadInput(() => mergeTags({}, [{ key: '__proto__', value: 'x' }]), 'tags[0].key');
  });
});
