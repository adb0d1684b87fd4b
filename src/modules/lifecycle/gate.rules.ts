import { hasRole, type Role } from '../../common/role';
import { Decision } from '../governance/governance.enums';
import { isGated, type Policy } from '../governance/policy.rules';
import { ArtifactStatus, type Stage } from '../versions/version.enums';

export interface GateResult {
  /** ARTIFACT_READY, VALIDATION, VALIDATION_FRESH, APPROVALS here; SIGNED and SCANNED from the modules above (GateCheck). */
  gate: string;
  passed: boolean;
  detail: string;
  /** SIGNED: every signature attached to the version, by whom, and whether it counts for the gate. */
  signers?: GateSigner[];
}

export interface GateSigner {
  /** Who signed, as the signature names them (a key's name, a certificate's subject, a Sigstore identity). */
  identity: string;
  /** key, certificate or sigstore. */
  method: string;
  /** The trusted signer (its name) the signature was verified against; null when none the registry trusts. */
  trustedAs: string | null;
  signedAt: Date | null;
  counts: boolean;
  /** Why it counts or not (revoked, not in the policy's signers, covers other files …). */
  reason: string;
}

export interface GateReport {
  targetStage: Stage;
  passed: boolean;
  gates: GateResult[];
}

export interface GateInput {
  targetStage: Stage;
  artifactStatus: ArtifactStatus;
  registrant: string;
  latestValidation: { passed: boolean; createdAt: Date } | null;
  /** Decisions recorded for this version and target stage. */
  decisions: Array<{ approver: string; approverRole: Role; decision: Decision }>;
  policy: Policy;
  now: Date;
}

/**
 * Every gate for moving a version to STAGING or PRODUCTION, each with passed/failed and why.
 * Both stages need a READY artifact and a passing, fresh validation; approvals are counted per
 * the policy: distinct approvers of sufficient role, never the registrant when duties are
 * separated; a rejection by such an approver blocks, even where no approvals are required.
 */
export function evaluateGates(input: GateInput): GateReport {
  const gates: GateResult[] = [];
  const { policy } = input;
  gates.push({
    gate: 'ARTIFACT_READY',
    passed: input.artifactStatus === ArtifactStatus.READY,
    detail: `artifact is ${input.artifactStatus}${input.artifactStatus === ArtifactStatus.READY ? '' : '; it must be READY'}`,
  });

  const validation = input.latestValidation;
  gates.push({
    gate: 'VALIDATION',
    passed: Boolean(validation?.passed),
    detail: !validation
      ? 'no validation report: run validateModelVersion'
      : validation.passed
        ? 'latest validation passed'
        : 'latest validation failed',
  });
  const ageHours = validation ? (input.now.getTime() - validation.createdAt.getTime()) / 3_600_000 : null;
  gates.push({
    gate: 'VALIDATION_FRESH',
    passed: ageHours !== null && ageHours <= policy.maxValidationAgeHours,
    detail:
      ageHours === null
        ? 'no validation report'
        : `latest validation is ${ageHours.toFixed(1)} h old; the policy accepts up to ${policy.maxValidationAgeHours} h`,
  });

  const required = isGated(input.targetStage) ? policy.approvals[input.targetStage] : 0;
  const eligible = input.decisions.filter(
    (d) => hasRole(d.approverRole, policy.approverRole) && !(policy.separationOfDuties && d.approver === input.registrant),
  );
  const rejections = eligible.filter((d) => d.decision === Decision.REJECTED);
  // A recorded rejection always blocks, even where the policy asks for no approvals.
  if (required > 0 || rejections.length > 0) {
    const approvers = new Set(eligible.filter((d) => d.decision === Decision.APPROVED).map((d) => d.approver));
    gates.push({
      gate: 'APPROVALS',
      passed: rejections.length === 0 && approvers.size >= required,
      detail: rejections.length
        ? `rejected by ${rejections.map((r) => r.approver).join(', ')}`
        : `${approvers.size} of ${required} approvals by ${policy.approverRole} or above${policy.separationOfDuties ? ', not the registrant' : ''}`,
    });
  }
  return { targetStage: input.targetStage, passed: gates.every((g) => g.passed), gates };
}
