import { Role } from '../../src/common/role';
import {
  appliesFrom,
  defaultPolicy,
  parseCheck,
  parsePolicy,
  type GatedStage,
  type Policy,
} from '../../src/modules/governance/policy.rules';
import { RiskTier } from '../../src/modules/models/model.enums';
import { expectBadInput } from './bad-input';
import { Comparator } from '../../src/modules/governance/governance.enums';
import { Stage } from '../../src/modules/versions/version.enums';

describe('defaultPolicy', () => {
  it.each([
    [RiskTier.LOW, 0],
    [RiskTier.MEDIUM, 1],
    [RiskTier.HIGH, 2],
  ])('for a %s tier asks for %i production approvals and otherwise the common defaults', (tier, production) => {
    const expected: Policy = {
      requiredChecks: [],
      maxValidationAgeHours: 168,
      separationOfDuties: true,
      approverRole: Role.APPROVER,
      approvals: { STAGING: 0, PRODUCTION: production },
      requiredSignatures: null,
      scan: { stage: Stage.STAGING, block: 'DANGEROUS', requireScanned: false },
      modelCard: {
        stage: Stage.PRODUCTION,
        sections: tier === RiskTier.HIGH ? ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'] : [],
        staleIsMissing: false,
      },
    };
    expect(defaultPolicy(tier)).toEqual(expected);
  });

  it('returns a fresh object each time, so one caller cannot change another one’s defaults', () => {
    const first = defaultPolicy(RiskTier.HIGH);
    first.approvals.PRODUCTION = 9;
    first.requiredChecks.push({ metric: 'x', comparator: Comparator.GTE, threshold: 1 });
    expect(defaultPolicy(RiskTier.HIGH).approvals.PRODUCTION).toBe(2);
    expect(defaultPolicy(RiskTier.HIGH).requiredChecks).toEqual([]);
  });
});

describe('parseCheck', () => {
  it.each([
    ['fairness_score >= 0.9', { metric: 'fairness_score', comparator: 'GTE', threshold: 0.9 }],
    ['latency_p99_ms <= 120', { metric: 'latency_p99_ms', comparator: 'LTE', threshold: 120 }],
    ['loss <= -1e3', { metric: 'loss', comparator: 'LTE', threshold: -1000 }],
    ['  auc>=0.75  ', { metric: 'auc', comparator: 'GTE', threshold: 0.75 }],
    ['\tauc\t>=\t1.5E-2 ', { metric: 'auc', comparator: 'GTE', threshold: 0.015 }],
    ['eval/top_1.acc:val >= 0', { metric: 'eval/top_1.acc:val', comparator: 'GTE', threshold: 0 }],
  ])('parses %p', (text, expected) => {
    expect(parseCheck(text, 'check')).toEqual(expected);
  });

  it.each(['>', '==', 'x == 1', 'x > 1', 'x >= ', 'x >= abc', '>= 1', 'x >= 1 2', '1x >= 1', 'x >= .5', ''])(
    'refuses %p, naming the field it was given',
    (text) => {
      const error = expectBadInput(() => parseCheck(text, 'input.check'), 'input.check');
      expect(error.message).toContain(JSON.stringify(text));
    },
  );

  it.each([42, null, undefined, { metric: 'x' }, ['x >= 1']])('refuses the non-string %p', (value) => {
    expectBadInput(() => parseCheck(value as unknown as string, 'check'), 'check');
  });
});

describe('parsePolicy', () => {
  it('resolves an empty document to the tier defaults', () => {
    expect(parsePolicy({}, RiskTier.MEDIUM)).toEqual(defaultPolicy(RiskTier.MEDIUM));
  });

  it('resolves a full document, replacing every default', () => {
    const policy = parsePolicy(
      {
        requiredChecks: ['fairness_score >= 0.9', 'latency_p99_ms <= 120'],
        maxValidationAgeHours: 24,
        separationOfDuties: false,
        approverRole: 'ADMIN',
        approvals: { STAGING: 1, PRODUCTION: 3 },
        requiredSignatures: { stage: 'STAGING', signers: ['release-key', 'ml-ca', 'release-key'] },
        scan: { stage: 'PRODUCTION', block: 'SUSPICIOUS', requireScanned: true },
        modelCard: { stage: 'STAGING', sections: ['LICENSE', 'OWNERS', 'LICENSE'], staleIsMissing: true },
      },
      RiskTier.LOW,
    );
    expect(policy).toEqual({
      requiredChecks: [
        { metric: 'fairness_score', comparator: 'GTE', threshold: 0.9 },
        { metric: 'latency_p99_ms', comparator: 'LTE', threshold: 120 },
      ],
      maxValidationAgeHours: 24,
      separationOfDuties: false,
      approverRole: Role.ADMIN,
      approvals: { STAGING: 1, PRODUCTION: 3 },
      requiredSignatures: { stage: Stage.STAGING, signers: ['release-key', 'ml-ca'] },
      scan: { stage: Stage.PRODUCTION, block: 'SUSPICIOUS', requireScanned: true },
      modelCard: { stage: Stage.STAGING, sections: ['LICENSE', 'OWNERS'], staleIsMissing: true },
    });
  });

  it('takes a model card rule over the tier default: HIGH keeps its sections unless the document names others', () => {
    expect(parsePolicy({ modelCard: { stage: 'STAGING' } }, RiskTier.HIGH).modelCard).toEqual({
      stage: Stage.STAGING,
      sections: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
      staleIsMissing: false,
    });
    expect(parsePolicy({ modelCard: { sections: [] } }, RiskTier.HIGH).modelCard.sections).toEqual([]);
    expect(parsePolicy({ modelCard: { sections: ['INTENDED_USE'] } }, RiskTier.MEDIUM).modelCard.sections).toEqual(['INTENDED_USE']);
  });

  it('takes a signature requirement for PRODUCTION by default, any trusted signer when none is named', () => {
    expect(parsePolicy({ requiredSignatures: {} }, RiskTier.LOW).requiredSignatures).toEqual({ stage: Stage.PRODUCTION, signers: [] });
    expect(parsePolicy({ requiredSignatures: null }, RiskTier.LOW).requiredSignatures).toBeNull();
    expect(parsePolicy({ scan: { requireScanned: true } }, RiskTier.LOW).scan).toEqual({
      stage: Stage.STAGING,
      block: 'DANGEROUS',
      requireScanned: true,
    });
  });

  it.each([
    [{ requiredSignatures: 'yes' }, 'document.requiredSignatures'],
    [{ requiredSignatures: { stage: 'DEVELOPMENT' } }, 'document.requiredSignatures.stage'],
    [{ requiredSignatures: { signers: 'release-key' } }, 'document.requiredSignatures.signers'],
    [{ requiredSignatures: { signers: [''] } }, 'document.requiredSignatures.signers[0]'],
    [{ requiredSignatures: { signers: Array.from({ length: 51 }, (_, i) => `k${i}`) } }, 'document.requiredSignatures.signers'],
    [{ requiredSignatures: { stage: 'PRODUCTION', signer: ['x'] } }, 'document.requiredSignatures.signer'],
    [{ scan: false }, 'document.scan'],
    [{ scan: { block: 'INFO' } }, 'document.scan.block'],
    [{ scan: { stage: 'ARCHIVED' } }, 'document.scan.stage'],
    [{ scan: { requireScanned: 'yes' } }, 'document.scan.requireScanned'],
    [{ modelCard: [] }, 'document.modelCard'],
    [{ modelCard: { stage: 'ARCHIVED' } }, 'document.modelCard.stage'],
    [{ modelCard: { sections: 'INTENDED_USE' } }, 'document.modelCard.sections'],
    [{ modelCard: { sections: ['INTENDED_USES'] } }, 'document.modelCard.sections[0]'],
    [{ modelCard: { staleIsMissing: 1 } }, 'document.modelCard.staleIsMissing'],
    [{ modelCard: { section: [] } }, 'document.modelCard.section'],
  ])('refuses %j naming %s', (document, field) => {
    expectBadInput(() => parsePolicy(document, RiskTier.LOW), field);
  });
});

describe('appliesFrom', () => {
  it.each([
    [Stage.STAGING, Stage.STAGING, true],
    [Stage.STAGING, Stage.PRODUCTION, true],
    [Stage.PRODUCTION, Stage.STAGING, false],
    [Stage.PRODUCTION, Stage.PRODUCTION, true],
    [Stage.STAGING, Stage.ARCHIVED, false],
    [Stage.STAGING, Stage.DEVELOPMENT, false],
  ])('a gate from %s applies to a move to %s: %s', (from, target, applies) => {
    expect(appliesFrom(from as GatedStage, target)).toBe(applies);
  });

  it('keeps the tier defaults for what a partial document leaves out', () => {
    const policy = parsePolicy({ requiredChecks: ['auc >= 0.8'], approvals: { STAGING: 1 } }, RiskTier.HIGH);
    expect(policy).toEqual({
      ...defaultPolicy(RiskTier.HIGH),
      requiredChecks: [{ metric: 'auc', comparator: 'GTE', threshold: 0.8 }],
      approvals: { STAGING: 1, PRODUCTION: 2 },
    });
  });

  it('lets a document lower the tier’s approvals to zero', () => {
    expect(parsePolicy({ approvals: { PRODUCTION: 0 } }, RiskTier.HIGH).approvals).toEqual({ STAGING: 0, PRODUCTION: 0 });
  });

  it.each([1, 8760])('accepts maxValidationAgeHours %p', (hours) => {
    expect(parsePolicy({ maxValidationAgeHours: hours }, RiskTier.LOW).maxValidationAgeHours).toBe(hours);
  });

  it.each([0, 10])('accepts approvals.PRODUCTION %p', (count) => {
    expect(parsePolicy({ approvals: { PRODUCTION: count } }, RiskTier.LOW).approvals.PRODUCTION).toBe(count);
  });

  it('does not change the defaults of later calls', () => {
    parsePolicy({ approvals: { PRODUCTION: 5 }, requiredChecks: ['a >= 1'] }, RiskTier.MEDIUM);
    expect(parsePolicy({}, RiskTier.MEDIUM)).toEqual(defaultPolicy(RiskTier.MEDIUM));
  });

  describe('refuses', () => {
    it.each([null, undefined, 'policy', 42, true, [], [{ separationOfDuties: true }]])('the non-object document %p', (document) => {
      expectBadInput(() => parsePolicy(document, RiskTier.LOW), 'document');
    });

    it('an unknown key, naming it and the known keys', () => {
      const error = expectBadInput(() => parsePolicy({ separationOfDuties: true, foo: 1 }, RiskTier.LOW), 'document.foo');
      expect(error.message).toMatch(/requiredChecks/);
    });

    it.each(['auc >= 0.8', { 0: 'auc >= 0.8' }, null])('requiredChecks that is not a list: %p', (requiredChecks) => {
      expectBadInput(() => parsePolicy({ requiredChecks }, RiskTier.LOW), 'document.requiredChecks');
    });

    it('a bad check, naming its index', () => {
      const error = expectBadInput(
        () => parsePolicy({ requiredChecks: ['auc >= 0.8', 'latency == 3', 'also bad'] }, RiskTier.LOW),
        'document.requiredChecks[1]',
      );
      expect(error.message).toContain('latency == 3');
    });

    it('a check that is not a string', () => {
      expectBadInput(() => parsePolicy({ requiredChecks: [7] }, RiskTier.LOW), 'document.requiredChecks[0]');
    });

    it.each([0, 1.5, -1, 8761, 1e9, '24', null, NaN, Infinity])('maxValidationAgeHours %p', (maxValidationAgeHours) => {
      expectBadInput(() => parsePolicy({ maxValidationAgeHours }, RiskTier.LOW), 'document.maxValidationAgeHours');
    });

    it.each(['true', 1, 0, null])('separationOfDuties %p', (separationOfDuties) => {
      expectBadInput(() => parsePolicy({ separationOfDuties }, RiskTier.LOW), 'document.separationOfDuties');
    });

    it.each(['VIEWER', 'CONTRIBUTOR', 'approver', 'OWNER', '', 2, null])('approverRole %p', (approverRole) => {
      const error = expectBadInput(() => parsePolicy({ approverRole }, RiskTier.LOW), 'document.approverRole');
      expect(error.message).toMatch(/APPROVER or ADMIN/);
    });

    it.each([2, 'PRODUCTION: 2', [2], null])('approvals that is not an object: %p', (approvals) => {
      expectBadInput(() => parsePolicy({ approvals }, RiskTier.LOW), 'document.approvals');
    });

    it.each(['DEVELOPMENT', 'ARCHIVED', 'production'])('approvals for the ungated stage %p', (stage) => {
      expectBadInput(() => parsePolicy({ approvals: { [stage]: 1 } }, RiskTier.LOW), `document.approvals.${stage}`);
    });

    it.each([11, 1.5, -1, '2', null])('approvals.PRODUCTION %p', (count) => {
      const error = expectBadInput(() => parsePolicy({ approvals: { PRODUCTION: count } }, RiskTier.LOW), 'document.approvals.PRODUCTION');
      expect(error.message).toMatch(/0 to 10/);
    });

    it('approvals.STAGING 11', () => {
      expectBadInput(() => parsePolicy({ approvals: { STAGING: 11 } }, RiskTier.LOW), 'document.approvals.STAGING');
    });
  });
});
