import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RegistryAction } from '../../src/common/authorization';
import { Role } from '../../src/common/role';
import {
  Action,
  aliasMatches,
  allowedWhenRetired,
  higher,
  Level,
  LEVELS,
  mayDo,
  RIGHTS,
  roleFloor,
  roleOfLevel,
  MAX_PATTERN_STARS,
  REGISTRY_RIGHTS,
  registryRole,
  validateAliasPattern,
} from '../../src/modules/access/access.rules';

describe('levels', () => {
  it('are ranked VIEW < CONTRIBUTE < APPROVE < MANAGE, and higher() picks the greater', () => {
    expect(LEVELS).toEqual([Level.VIEW, Level.CONTRIBUTE, Level.APPROVE, Level.MANAGE]);
    expect(higher(Level.VIEW, Level.APPROVE)).toBe(Level.APPROVE);
    expect(higher(Level.MANAGE, Level.CONTRIBUTE)).toBe(Level.MANAGE);
    expect(higher(null, Level.VIEW)).toBe(Level.VIEW);
    expect(higher(null, null)).toBeNull();
  });

  it('give a role the floor of its rank, and back', () => {
    expect([Role.VIEWER, Role.CONTRIBUTOR, Role.APPROVER, Role.ADMIN].map(roleFloor)).toEqual(LEVELS);
    for (const level of LEVELS) expect(roleFloor(roleOfLevel(level))).toBe(level);
  });

  it('each include every right of the levels below', () => {
    for (const action of Object.values(Action)) {
      const first = LEVELS.findIndex((l) => mayDo(l, action));
      expect(LEVELS.map((l) => mayDo(l, action))).toEqual(LEVELS.map((_, i) => i >= first));
      expect(LEVELS[first]).toBe(RIGHTS[action]);
    }
    expect(mayDo(null, Action.VIEW)).toBe(false);
  });

  it('leave a retired model readable, and its grants changeable, and nothing else', () => {
    expect(Object.values(Action).filter(allowedWhenRetired)).toEqual([Action.VIEW, Action.GRANT]);
  });
});

/** The page that prints the rights tables (prettier may pad their cells). */
const RIGHTS_PAGE = join(__dirname, '../../docs/teams-and-access.md');

describe('the rights table of docs/teams-and-access.md', () => {
  it('is RIGHTS, right for right', () => {
    const page = readFileSync(RIGHTS_PAGE, 'utf8');
    const rows = [...page.matchAll(/^\| ([A-Z_]+) +\| (VIEW|CONTRIBUTE|APPROVE|MANAGE) +\| .+\|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(RIGHTS);
    expect(rows).toHaveLength(Object.keys(RIGHTS).length);
  });

  it('of the registry is REGISTRY_RIGHTS, right for right', () => {
    const page = readFileSync(RIGHTS_PAGE, 'utf8');
    const rows = [...page.matchAll(/^\| ([A-Z_]+) +\| (VIEWER|CONTRIBUTOR|APPROVER|ADMIN)\b[^|]*\| .+\|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(REGISTRY_RIGHTS);
    expect(rows).toHaveLength(Object.keys(REGISTRY_RIGHTS).length);
  });
});

describe('registry rights', () => {
  it('are held by role: every one but reading the whole trail is an ADMIN’s', () => {
    for (const action of Object.values(RegistryAction)) {
      expect(registryRole(action, 'all')).toBe(action === RegistryAction.READ_WHOLE_TRAIL ? Role.VIEWER : Role.ADMIN);
    }
  });

  it('where visibility is granted, the whole trail is an ADMIN’s too: it names every model', () => {
    for (const action of Object.values(RegistryAction)) expect(registryRole(action, 'granted')).toBe(Role.ADMIN);
  });
});

describe('protected alias patterns', () => {
  it.each([
    ['champion', 'champion', true],
    ['champion', 'champion-2', false],
    ['champion', 'the-champion', false],
    ['prod-*', 'prod-eu', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'production', false],
    ['*-stable', 'eu-stable', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'acb', false],
    ['*', 'anything', true],
  ])('%s matches %s: %s', (pattern, alias, expected) => {
    expect(aliasMatches(pattern, alias)).toBe(expected);
  });

  it('treat every character but * literally', () => {
    expect(aliasMatches('a_b', 'a_b')).toBe(true);
    expect(aliasMatches('a-b', 'aXb')).toBe(false);
  });

  it.each(['champion', 'prod-*', '*-stable', '*', 'a_b-c'])('accepts %s', (pattern) => {
    expect(() => validateAliasPattern(pattern)).not.toThrow();
  });

  it.each(['', 'Champion', '**', 'a**b', 'a*b*c*d*e*f*g*h*i*j', 'prod.*', 'a b', 'x'.repeat(64), '-prod', 'prod/eu'])(
    'refuses %j with BAD_USER_INPUT',
    (pattern) => {
      expect(() => validateAliasPattern(pattern)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'pattern' } }),
      );
    },
  );

  it('accepts as many stars as MAX_PATTERN_STARS', () => {
    expect(() => validateAliasPattern(`a${'*a'.repeat(MAX_PATTERN_STARS)}`)).not.toThrow();
  });

  it('match as a regex of the pattern does (`*` as `.*`), on every pattern and alias', () => {
    const asRegex = (pattern: string) =>
      new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/-/g, '\\-'))
          .join('.*')}$`,
      );
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*-]{0,8}$/), fc.stringMatching(/^[ab-]{0,12}$/), (pattern, alias) => {
        expect(aliasMatches(pattern, alias)).toBe(asRegex(pattern).test(alias));
      }),
      { numRuns: 2000 },
    );
  });

  it('take time linear in the alias whatever the pattern: no backtracking', () => {
    // A backtracking regex of this pattern takes minutes on this alias; here it is one pass.
    expect(aliasMatches('a*a*a*a*a*a*a*a*b', 'a'.repeat(100_000))).toBe(false);
    expect(aliasMatches('a*a*a*a*a*a*a*a*b', `${'a'.repeat(100_000)}b`)).toBe(true);
  });

  it('never match beyond the pattern: a pattern without * matches only itself', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/), fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/), (pattern, alias) => {
        expect(aliasMatches(pattern, alias)).toBe(pattern === alias);
      }),
    );
  });
});
