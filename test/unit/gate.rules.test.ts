import { Role } from '../../src/common/role';
import { Decision } from '../../src/modules/governance/governance.enums';
import { defaultPolicy, isGated, type Policy } from '../../src/modules/governance/policy.rules';
import { evaluateGates, type GateInput, type GateReport, type GateResult } from '../../src/modules/lifecycle/gate.rules';
import { RiskTier } from '../../src/modules/models/model.enums';
import { ArtifactStatus, Stage } from '../../src/modules/versions/version.enums';

const NOW = new Date('2024-06-01T12:00:00Z');
const HOUR = 3_600_000;
const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * HOUR);

type Recorded = GateInput['decisions'][number];
const approved = (approver: string, approverRole = Role.APPROVER): Recorded => ({ approver, approverRole, decision: Decision.APPROVED });
const rejected = (approver: string, approverRole = Role.APPROVER): Recorded => ({ approver, approverRole, decision: Decision.REJECTED });

/** A version that passes every gate to PRODUCTION under a LOW tier's default policy. */
function gateInput(overrides: Partial<GateInput> = {}): GateInput {
  return {
    targetStage: Stage.PRODUCTION,
    artifactStatus: ArtifactStatus.READY,
    registrant: 'alice',
    latestValidation: { passed: true, createdAt: hoursAgo(1) },
    decisions: [],
    policy: defaultPolicy(RiskTier.LOW),
    now: NOW,
    ...overrides,
  };
}

function policyWith(tier: RiskTier, overrides: Partial<Policy> = {}): Policy {
  return { ...defaultPolicy(tier), ...overrides };
}

function gate(report: GateReport, name: GateResult['gate']): GateResult {
  const found = report.gates.find((g) => g.gate === name);
  if (!found) throw new Error(`no ${name} gate in ${JSON.stringify(report.gates.map((g) => g.gate))}`);
  return found;
}

const gateNames = (report: GateReport): string[] => report.gates.map((g) => g.gate);

describe('evaluateGates', () => {
  it('passes a READY, freshly validated version with no approvals required', () => {
    const report = evaluateGates(gateInput());
    expect(report.passed).toBe(true);
    expect(report.targetStage).toBe(Stage.PRODUCTION);
    expect(gateNames(report)).toEqual(['ARTIFACT_READY', 'VALIDATION', 'VALIDATION_FRESH']);
    expect(report.gates.every((g) => g.passed)).toBe(true);
  });

  describe('ARTIFACT_READY', () => {
    it.each([ArtifactStatus.PENDING_UPLOAD, ArtifactStatus.FAILED, ArtifactStatus.COLD, ArtifactStatus.DELETED])(
      'fails for a %s artifact',
      (artifactStatus) => {
        const report = evaluateGates(gateInput({ artifactStatus }));
        expect(gate(report, 'ARTIFACT_READY')).toEqual({
          gate: 'ARTIFACT_READY',
          passed: false,
          detail: `artifact is ${artifactStatus}; it must be READY`,
        });
        expect(report.passed).toBe(false);
      },
    );
  });

  describe('VALIDATION', () => {
    it('fails with no validation report, and so does freshness', () => {
      const report = evaluateGates(gateInput({ latestValidation: null }));
      expect(gate(report, 'VALIDATION').passed).toBe(false);
      expect(gate(report, 'VALIDATION').detail).toMatch(/no validation report/);
      expect(gate(report, 'VALIDATION_FRESH').passed).toBe(false);
      expect(report.passed).toBe(false);
    });

    it('fails when the latest report failed, even though it is fresh', () => {
      const report = evaluateGates(gateInput({ latestValidation: { passed: false, createdAt: hoursAgo(0) } }));
      expect(gate(report, 'VALIDATION')).toEqual({ gate: 'VALIDATION', passed: false, detail: 'latest validation failed' });
      expect(gate(report, 'VALIDATION_FRESH').passed).toBe(true);
      expect(report.passed).toBe(false);
    });
  });

  describe('VALIDATION_FRESH', () => {
    it('passes a report exactly as old as the policy allows', () => {
      const report = evaluateGates(gateInput({ latestValidation: { passed: true, createdAt: hoursAgo(168) } }));
      expect(gate(report, 'VALIDATION_FRESH').passed).toBe(true);
      expect(report.passed).toBe(true);
    });

    it('fails a report one second older than the default 168 h', () => {
      const createdAt = new Date(hoursAgo(168).getTime() - 1000);
      const report = evaluateGates(gateInput({ latestValidation: { passed: true, createdAt } }));
      expect(gate(report, 'VALIDATION_FRESH').passed).toBe(false);
      expect(gate(report, 'VALIDATION_FRESH').detail).toMatch(/168\.0 h old; the policy accepts up to 168 h/);
      expect(gate(report, 'VALIDATION').passed).toBe(true);
      expect(report.passed).toBe(false);
    });

    it('follows the policy’s maxValidationAgeHours', () => {
      const policy = policyWith(RiskTier.LOW, { maxValidationAgeHours: 2 });
      const fresh = evaluateGates(gateInput({ policy, latestValidation: { passed: true, createdAt: hoursAgo(2) } }));
      const stale = evaluateGates(gateInput({ policy, latestValidation: { passed: true, createdAt: hoursAgo(3) } }));
      expect(gate(fresh, 'VALIDATION_FRESH').passed).toBe(true);
      expect(gate(stale, 'VALIDATION_FRESH').passed).toBe(false);
      expect(gate(stale, 'VALIDATION_FRESH').detail).toMatch(/3\.0 h old; the policy accepts up to 2 h/);
    });

    it('measures the age from `now`, not the clock', () => {
      const createdAt = new Date('2020-01-01T00:00:00Z');
      const now = new Date(createdAt.getTime() + 10 * HOUR);
      const report = evaluateGates(gateInput({ now, latestValidation: { passed: true, createdAt } }));
      expect(gate(report, 'VALIDATION_FRESH').passed).toBe(true);
    });
  });

  describe('APPROVALS', () => {
    it.each([RiskTier.LOW, RiskTier.MEDIUM, RiskTier.HIGH])('is absent for STAGING under the %s default policy', (tier) => {
      const report = evaluateGates(gateInput({ targetStage: Stage.STAGING, policy: defaultPolicy(tier) }));
      expect(gateNames(report)).not.toContain('APPROVALS');
      expect(report.passed).toBe(true);
    });

    it('is absent for PRODUCTION under the LOW default policy', () => {
      expect(gateNames(evaluateGates(gateInput()))).not.toContain('APPROVALS');
    });

    it.each([
      [RiskTier.MEDIUM, 1],
      [RiskTier.HIGH, 2],
    ])('is present and failing for PRODUCTION under the %s default policy with no approvals', (tier, required) => {
      const report = evaluateGates(gateInput({ policy: defaultPolicy(tier) }));
      expect(gate(report, 'APPROVALS')).toEqual({
        gate: 'APPROVALS',
        passed: false,
        detail: `0 of ${required} approvals by APPROVER or above, not the registrant`,
      });
      expect(report.passed).toBe(false);
    });

    it('is present for STAGING when the policy asks for staging approvals', () => {
      const policy = policyWith(RiskTier.LOW, { approvals: { STAGING: 1, PRODUCTION: 0 } });
      const report = evaluateGates(gateInput({ targetStage: Stage.STAGING, policy }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
      expect(evaluateGates(gateInput({ targetStage: Stage.STAGING, policy, decisions: [approved('bob')] })).passed).toBe(true);
    });

    it('passes with enough distinct approvers', () => {
      const report = evaluateGates(
        gateInput({ policy: defaultPolicy(RiskTier.HIGH), decisions: [approved('bob'), approved('carol', Role.ADMIN)] }),
      );
      expect(gate(report, 'APPROVALS')).toEqual({
        gate: 'APPROVALS',
        passed: true,
        detail: '2 of 2 approvals by APPROVER or above, not the registrant',
      });
      expect(report.passed).toBe(true);
    });

    it('counts an approver who approved twice once', () => {
      const report = evaluateGates(gateInput({ policy: defaultPolicy(RiskTier.HIGH), decisions: [approved('bob'), approved('bob')] }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
      expect(gate(report, 'APPROVALS').detail).toMatch(/^1 of 2/);
    });

    it('does not count the registrant when duties are separated', () => {
      const report = evaluateGates(gateInput({ policy: defaultPolicy(RiskTier.MEDIUM), decisions: [approved('alice')] }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
      expect(gate(report, 'APPROVALS').detail).toMatch(/^0 of 1/);
    });

    it('counts the registrant when duties are not separated', () => {
      const policy = policyWith(RiskTier.MEDIUM, { separationOfDuties: false });
      const report = evaluateGates(gateInput({ policy, decisions: [approved('alice')] }));
      expect(gate(report, 'APPROVALS')).toEqual({ gate: 'APPROVALS', passed: true, detail: '1 of 1 approvals by APPROVER or above' });
      expect(report.passed).toBe(true);
    });

    it.each([Role.VIEWER, Role.CONTRIBUTOR])('does not count a %s under the default APPROVER policy', (role) => {
      const report = evaluateGates(gateInput({ policy: defaultPolicy(RiskTier.MEDIUM), decisions: [approved('bob', role)] }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
    });

    it('does not count an APPROVER when the policy asks for ADMIN', () => {
      const policy = policyWith(RiskTier.MEDIUM, { approverRole: Role.ADMIN });
      const report = evaluateGates(gateInput({ policy, decisions: [approved('bob', Role.APPROVER)] }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
      expect(gate(report, 'APPROVALS').detail).toBe('0 of 1 approvals by ADMIN or above, not the registrant');
      expect(evaluateGates(gateInput({ policy, decisions: [approved('bob', Role.ADMIN)] })).passed).toBe(true);
    });

    it('fails on a rejection by an eligible approver, even with enough approvals', () => {
      const report = evaluateGates(
        gateInput({ policy: defaultPolicy(RiskTier.MEDIUM), decisions: [approved('bob'), approved('carol'), rejected('dave')] }),
      );
      expect(gate(report, 'APPROVALS')).toEqual({ gate: 'APPROVALS', passed: false, detail: 'rejected by dave' });
      expect(report.passed).toBe(false);
    });

    it('blocks on an eligible rejection even where no approvals are required', () => {
      const report = evaluateGates(gateInput({ decisions: [rejected('dave')] }));
      expect(gate(report, 'APPROVALS').passed).toBe(false);
      expect(report.passed).toBe(false);
    });

    it('ignores a rejection by someone below the approver role', () => {
      const report = evaluateGates(
        gateInput({ policy: defaultPolicy(RiskTier.MEDIUM), decisions: [approved('bob'), rejected('eve', Role.CONTRIBUTOR)] }),
      );
      expect(gate(report, 'APPROVALS').passed).toBe(true);
      expect(report.passed).toBe(true);
    });
  });

  it('passes only when every gate passes', () => {
    const good = gateInput({ policy: defaultPolicy(RiskTier.MEDIUM), decisions: [approved('bob')] });
    expect(evaluateGates(good).passed).toBe(true);
    const spoilers: Array<Partial<GateInput>> = [
      { artifactStatus: ArtifactStatus.PENDING_UPLOAD },
      { latestValidation: { passed: false, createdAt: hoursAgo(1) } },
      { latestValidation: { passed: true, createdAt: hoursAgo(200) } },
      { decisions: [] },
    ];
    for (const spoiler of spoilers) {
      const report = evaluateGates({ ...good, ...spoiler });
      expect(report.passed).toBe(false);
      expect(report.gates.filter((g) => !g.passed)).toHaveLength(1);
    }
  });
});

describe('isGated', () => {
  it.each([
    [Stage.DEVELOPMENT, false],
    [Stage.STAGING, true],
    [Stage.PRODUCTION, true],
    [Stage.ARCHIVED, false],
    [Stage.RETIRED, false],
    [Stage.REJECTED, false],
  ])('%s → %p', (stage, expected) => {
    expect(isGated(stage)).toBe(expected);
  });
});
