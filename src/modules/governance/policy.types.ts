import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../common/role';
import { Connection } from '../../graphql/connection';
import { RiskTier } from '../models';
import { Stage } from '../versions';
import { BaselineReference, Comparator } from './governance.enums';

registerEnumType(Comparator, { name: 'Comparator', description: 'GTE: higher is better; LTE: lower is better' });
registerEnumType(BaselineReference, {
  name: 'BaselineReference',
  description: "FIXED: a threshold; PRODUCTION_VERSION: the current production version's value",
});

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

@ObjectType({ description: 'From `stage` on (STAGING: PRODUCTION too), a verified model signature by one of `signers`' })
export class SignatureRequirement {
  @Field(() => Stage)
  stage: Stage;

  @Field(() => [String], { description: 'Names of trusted signers, any one of which passes; empty: any signer trusted for the model' })
  signers: string[];
}

@ObjectType({ description: 'From `stage` on (STAGING: PRODUCTION too), no stored file whose scan is as bad as `block`' })
export class ScanRequirement {
  @Field(() => Stage)
  stage: Stage;

  @Field({ description: 'DANGEROUS, or SUSPICIOUS (which blocks DANGEROUS too)' })
  block: string;

  @Field({ description: 'Whether a file with no scan report (registered by reference, stored before scanning) fails the gate' })
  requireScanned: boolean;
}

@ObjectType({ description: 'From `stage` on (STAGING: PRODUCTION too), these sections of the model card written' })
export class ModelCardRequirement {
  @Field(() => Stage)
  stage: Stage;

  @Field(() => [String], {
    description: 'Section names (INTENDED_USE, LIMITATIONS, …); empty: the MODEL_CARD_COMPLETE gate does not apply',
  })
  sections: string[];

  @Field({ description: "Whether a section last edited before the version's newest validation counts as missing" })
  staleIsMissing: boolean;
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

  @Field(() => SignatureRequirement, { nullable: true, description: 'The SIGNED gate; null when no signature is required' })
  requiredSignatures: SignatureRequirement | null;

  @Field(() => ScanRequirement, { description: 'The SCANNED gate' })
  scan: ScanRequirement;

  @Field(() => ModelCardRequirement, { description: 'The MODEL_CARD_COMPLETE gate' })
  modelCard: ModelCardRequirement;
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
