import { hasRole, Role } from '../../src/common/role';

const RANKED = [Role.VIEWER, Role.CONTRIBUTOR, Role.APPROVER, Role.ADMIN];

describe('hasRole', () => {
  it('knows every role', () => {
    expect([...RANKED].sort()).toEqual(Object.values(Role).sort());
  });

  const pairs = RANKED.flatMap((role, i) => RANKED.map((required, j) => [role, required, i >= j] as [Role, Role, boolean]));

  it.each(pairs)('hasRole(%s, %s) is %s', (role, required, expected) => {
    expect(hasRole(role, required)).toBe(expected);
  });

  it('spells out the ends of the ranking', () => {
    expect(hasRole(Role.ADMIN, Role.CONTRIBUTOR)).toBe(true);
    expect(hasRole(Role.VIEWER, Role.VIEWER)).toBe(true);
    expect(hasRole(Role.VIEWER, Role.CONTRIBUTOR)).toBe(false);
    expect(hasRole(Role.APPROVER, Role.ADMIN)).toBe(false);
  });
});
