import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { Role } from '../auth/role';
import { RiskTier } from '../models/model.enums';
import { Stage } from '../versions/model-version.enums';
import { ModelVersion } from '../versions/model-version.types';

export enum Comparator {
  GTE = 'GTE',
  LTE = 'LTE',
}
export enum BaselineReference {
  FIXED = 'FIXED',
  PRODUCTION_VERSION = 'PRODUCTION_VERSION',
}
export enum ApprovalDecision {
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(Comparator, { name: 'Comparator', description: 'GTE: higher is better; LTE: lower is better' });
registerEnumType(BaselineReference, {
  name: 'BaselineReference',
  description: "FIXED: a threshold; PRODUCTION_VERSION: the current production version's value",
});
registerEnumType(ApprovalDecision, { name: 'ApprovalDecision' });

@ObjectType({ description: 'What a metric of a candidate must achieve to pass validation' })
export class Baseline {
  @Field(() => ID)
  id: string;

  @Field()
  metric: string;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => BaselineReference)
  reference: BaselineReference;

  @Field(() => Float, { nullable: true })
  threshold: number | null;

  @Field(() => Float)
  tolerance: number;

  @Field()
  updatedBy: string;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class BaselineConnection extends Connection(Baseline) {}

@InputType()
export class SetBaselineInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field()
  metric: string;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => BaselineReference)
  reference: BaselineReference;

  @Field(() => Float, { nullable: true, description: 'Required for FIXED' })
  threshold?: number;

  @Field(() => Float, { nullable: true, description: 'Allowed shortfall; default 0' })
  tolerance?: number;
}

@ObjectType()
export class SetBaselinePayload {
  @Field(() => Baseline)
  baseline: Baseline;
}

@ObjectType({ description: 'A stored version of a policy document' })
export class Policy {
  @Field(() => ID)
  id: string;

  @Field({ description: 'MODEL or RISK_TIER' })
  scope: string;

  @Field({ description: 'The model id or the risk tier' })
  scopeKey: string;

  @Field(() => Int)
  version: number;

  @Field(() => GraphQLJSONObject)
  document: Record<string, unknown>;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType({ description: 'The rules in force for a model, after defaults' })
export class EffectivePolicy {
  @Field(() => Policy, { nullable: true, description: 'The stored policy in force; null when the risk tier default applies' })
  source: Policy | null;

  @Field(() => [String])
  requiredChecks: string[];

  @Field(() => Int)
  maxValidationAgeHours: number;

  @Field()
  separationOfDuties: boolean;

  @Field(() => Role)
  approverRole: Role;

  @Field(() => Int)
  stagingApprovals: number;

  @Field(() => Int)
  productionApprovals: number;
}

@InputType()
export class SetPolicyInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'The model the policy is for (or riskTier)' })
  modelId?: string;

  @Field(() => RiskTier, { nullable: true, description: 'The risk tier the policy is for (or modelId)' })
  riskTier?: RiskTier;

  @Field(() => GraphQLJSONObject, {
    description:
      'e.g. { "requiredChecks": ["fairness_score >= 0.9"], "approvals": { "PRODUCTION": 2 }, "approverRole": "APPROVER", "separationOfDuties": true, "maxValidationAgeHours": 72 }',
  })
  document: Record<string, unknown>;
}

@ObjectType()
export class SetPolicyPayload {
  @Field(() => Policy)
  policy: Policy;
}

@ObjectType()
export class ValidationCheck {
  @Field({ description: 'BASELINE or POLICY' })
  origin: string;

  @Field()
  metric: string;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => Float, { nullable: true })
  candidateValue: number | null;

  @Field(() => Float, { nullable: true })
  baselineValue: number | null;

  @Field(() => Float)
  tolerance: number;

  @Field()
  passed: boolean;

  @Field()
  detail: string;
}

@ObjectType()
export class ValidationReport {
  @Field(() => ID)
  id: string;

  @Field()
  passed: boolean;

  @Field()
  summary: string;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@InputType()
export class ValidateModelVersionInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType()
export class ValidateModelVersionPayload {
  @Field(() => ValidationReport)
  report: ValidationReport;
}

@ObjectType()
export class ApproverKey {
  @Field(() => ID)
  id: string;

  @Field()
  subject: string;

  @Field()
  fingerprint: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@InputType()
export class RegisterApproverKeyInput {
  @Field({ description: 'Ed25519 public key: PEM, or the 32 raw bytes in base64' })
  publicKey: string;
}

@ObjectType()
export class RegisterApproverKeyPayload {
  @Field(() => ApproverKey)
  key: ApproverKey;
}

@InputType()
export class ApprovalChallengeInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => Stage)
  targetStage: Stage;

  @Field(() => ApprovalDecision)
  decision: ApprovalDecision;
}

@ObjectType({ description: 'Sign `message` with your Ed25519 key and send the signature with `signedAt`' })
export class ApprovalChallengePayload {
  @Field()
  message: string;

  @Field(() => DateTimeISOResolver)
  signedAt: Date;
}

@ObjectType({ description: "An approver's signed decision on a version for a target stage" })
export class Approval {
  @Field(() => ID)
  id: string;

  @Field()
  targetStage: string;

  @Field(() => ApprovalDecision)
  decision: ApprovalDecision;

  @Field()
  approver: string;

  @Field(() => Role)
  approverRole: Role;

  @Field()
  comment: string;

  @Field({ description: 'The canonical message that was signed' })
  message: string;

  @Field({ description: 'Ed25519 signature, base64' })
  signature: string;

  @Field(() => DateTimeISOResolver)
  signedAt: Date;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType()
export class ApprovalConnection extends Connection(Approval) {}

@InputType()
export class DecideModelVersionInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => Stage)
  targetStage: Stage;

  @Field(() => DateTimeISOResolver, { description: 'The signedAt from approvalChallenge' })
  signedAt: Date;

  @Field({ description: 'Base64 Ed25519 signature of the challenge message' })
  signature: string;

  @Field(() => String, { nullable: true })
  comment?: string;
}

@ObjectType()
export class ApprovalPayload {
  @Field(() => Approval)
  approval: Approval;

  @Field(() => ModelVersion)
  version: ModelVersion;
}

@ObjectType()
export class Gate {
  @Field({ description: 'ARTIFACT_READY, VALIDATION, VALIDATION_FRESH or APPROVALS' })
  gate: string;

  @Field()
  passed: boolean;

  @Field()
  detail: string;
}

@ObjectType({ description: 'Gate by gate, whether a version can move to a stage now, and why' })
export class PromotionReadiness {
  @Field(() => ID)
  versionId: string;

  @Field(() => Stage)
  currentStage: Stage;

  @Field(() => Stage)
  targetStage: Stage;

  @Field({ description: 'Whether currentStage → targetStage is a lifecycle move at all' })
  moveAllowed: boolean;

  @Field({ description: 'Move allowed and every gate passed' })
  ready: boolean;

  @Field(() => [Gate])
  gates: Gate[];
}
