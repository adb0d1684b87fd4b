import { ArtifactAction, planRetention, validatePolicy, type VersionFacts } from '../../src/modules/retention/retention.rules';
import { expectBadInput } from './bad-input';

const NOW = new Date('2026-12-03T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600 * 1000);
const facts = (version: number, stage: string, archivedDaysAgo: number | null, more: Partial<VersionFacts> = {}): VersionFacts => ({
  id: `v${version}`,
  version,
  stage,
  archivedAt: archivedDaysAgo === null ? null : daysAgo(archivedDaysAgo),
  aliases: [],
  activeDeployments: 0,
  protectedDownstream: [],
  legalHold: null,
  artifactInStore: true,
  ...more,
});
const policy = { maxAgeDays: 30, keepAtLeast: 2, artifactAction: ArtifactAction.COLD_STORAGE };

describe('planRetention', () => {
  test('only old ARCHIVED versions retire, past the most recent K; every other version says why', () => {
    const plan = planRetention(
      [
        facts(1, 'ARCHIVED', 400),
        facts(2, 'ARCHIVED', 300, { artifactInStore: false }),
        facts(3, 'ARCHIVED', 200),
        facts(4, 'ARCHIVED', 100),
        facts(5, 'ARCHIVED', 10),
        facts(6, 'PRODUCTION', null),
        facts(7, 'STAGING', null),
        facts(8, 'RETIRED', 500),
      ],
      policy,
      NOW,
    );
    expect(plan.map((e) => [e.version, e.action, e.artifactAction, e.reason])).toEqual([
      [8, 'KEEP', null, 'already RETIRED'],
      [7, 'KEEP', null, 'in STAGING: only ARCHIVED versions retire'],
      [6, 'KEEP', null, 'in PRODUCTION: only ARCHIVED versions retire'],
      [5, 'KEEP', null, 'one of the 2 most recently archived'],
      [4, 'KEEP', null, 'one of the 2 most recently archived'],
      [3, 'RETIRE', 'COLD_STORAGE', 'archived 200 days ago, more than 30'],
      [2, 'RETIRE', null, 'archived 300 days ago, more than 30; its artifact is not in the registry’s store'],
      [1, 'RETIRE', 'COLD_STORAGE', 'archived 400 days ago, more than 30'],
    ]);
  });

  test('protections come before age: hold, alias, deployment, lineage; young versions wait', () => {
    const plan = planRetention(
      [
        facts(1, 'ARCHIVED', 400, { legalHold: 'litigation (CASE-1)' }),
        facts(2, 'ARCHIVED', 400, { aliases: ['baseline', 'gold'] }),
        facts(3, 'ARCHIVED', 400, { activeDeployments: 2 }),
        facts(4, 'ARCHIVED', 400, { protectedDownstream: ['fraud@9 (PRODUCTION)'] }),
        facts(5, 'ARCHIVED', 20),
        facts(6, 'PRODUCTION', null, { legalHold: 'litigation (CASE-1)' }),
      ],
      { ...policy, keepAtLeast: 0 },
      NOW,
    );
    expect(Object.fromEntries(plan.map((e) => [e.version, e.reason]))).toEqual({
      1: 'under legal hold: litigation (CASE-1)',
      2: 'holds the aliases baseline, gold',
      3: 'has 2 ACTIVE deployments',
      4: 'upstream in lineage of fraud@9 (PRODUCTION)',
      5: 'archived 20 days ago; retires after 30',
      6: 'under legal hold: litigation (CASE-1)',
    });
    expect(plan.every((e) => e.action === 'KEEP')).toBe(true);
  });

  test('without a policy nothing retires', () => {
    expect(planRetention([facts(1, 'ARCHIVED', 400)], null, NOW)[0]).toMatchObject({
      action: 'KEEP',
      reason: 'no retention policy applies',
    });
  });

  test('policy refusals', () => {
    expect(() => validatePolicy(policy)).not.toThrow();
    expectBadInput(() => validatePolicy({ ...policy, maxAgeDays: 0 }), 'maxAgeDays');
    expectBadInput(() => validatePolicy({ ...policy, keepAtLeast: -1 }), 'keepAtLeast');
    expectBadInput(() => validatePolicy({ ...policy, artifactAction: 'SHRED' as ArtifactAction }), 'artifactAction');
  });
});
