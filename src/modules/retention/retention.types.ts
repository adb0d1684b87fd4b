import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RiskTier } from '../models';
import { Stage } from '../versions';
import { ArtifactAction } from './retention.rules';

registerEnumType(ArtifactAction, { name: 'ArtifactAction', description: 'What retention does with a retired version’s artifact' });
const PlannedAction = { RETIRE: 'RETIRE', KEEP: 'KEEP' } as const;
registerEnumType(PlannedAction, { name: 'RetentionAction' });
const PolicyScope = { GLOBAL: 'GLOBAL', RISK_TIER: 'RISK_TIER', MODEL: 'MODEL' } as const;
registerEnumType(PolicyScope, { name: 'RetentionPolicyScope' });

@InputType()
export class SetRetentionPolicyInput {
  @Field(() => UUIDResolver, {
    nullable: true,
    description: 'A model’s own policy (MANAGE); without it and riskTier, the global one (ADMIN)',
  })
  modelId?: string | null;

  @Field(() => RiskTier, { nullable: true, description: 'The policy of a risk tier (ADMIN)' })
  riskTier?: RiskTier | null;

  @Field(() => Int, { description: 'ARCHIVED versions older than this many days retire' })
  maxAgeDays: number;

  @Field(() => Int, { description: 'The most recently archived versions kept whatever their age' })
  keepAtLeast: number;

  @Field(() => ArtifactAction)
  artifactAction: ArtifactAction;
}

@ObjectType()
export class RetentionPolicy {
  @Field(() => PolicyScope)
  scope: string;

  @Field(() => ID, { nullable: true })
  modelId: string | null;

  @Field(() => RiskTier, { nullable: true })
  riskTier: RiskTier | null;

  @Field(() => Int)
  maxAgeDays: number;

  @Field(() => Int)
  keepAtLeast: number;

  @Field(() => ArtifactAction)
  artifactAction: ArtifactAction;
}

@ObjectType()
export class RetentionPlanEntry {
  @Field(() => ID)
  versionId: string;

  @Field(() => Int)
  version: number;

  @Field(() => Stage)
  stage: string;

  @Field(() => PlannedAction)
  action: string;

  @Field(() => ArtifactAction, { nullable: true, description: 'For a version that retires: what happens to its artifact' })
  artifactAction: ArtifactAction | null;

  @Field({ description: 'Why it retires, or why it is kept' })
  reason: string;
}

@ObjectType()
export class RetentionPlan {
  @Field(() => ID)
  modelId: string;

  @Field(() => RetentionPolicy, { nullable: true, description: 'The policy that applies (model, then risk tier, then global)' })
  policy: RetentionPolicy | null;

  @Field(() => [RetentionPlanEntry], { description: 'Every version, newest first' })
  entries: RetentionPlanEntry[];

  @Field(() => Int, { description: 'applyRetention: versions retired' })
  retired: number;

  @Field(() => Int, { description: 'applyRetention: artifacts queued for cold storage or deletion' })
  queued: number;
}

@InputType()
export class ApplyRetentionInput {
  @Field(() => UUIDResolver)
  modelId: string;
}

@InputType()
export class SetLegalHoldInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'Exactly one of modelId and versionId' })
  modelId?: string | null;

  @Field(() => UUIDResolver, { nullable: true })
  versionId?: string | null;

  @Field()
  reason: string;

  @Field({ description: 'The matter, ticket or order it is for' })
  reference: string;
}

@InputType()
export class ReleaseLegalHoldInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field()
  reason: string;
}

@ObjectType({ description: 'While open, nothing of the model or version retires, moves or is deleted' })
export class LegalHold {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  modelId: string;

  @Field(() => ID, { nullable: true })
  versionId: string | null;

  @Field()
  reason: string;

  @Field()
  reference: string;

  @Field()
  placedBy: string;

  @Field(() => DateTimeISOResolver)
  placedAt: Date;

  @Field(() => String, { nullable: true })
  releasedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  releasedAt: Date | null;

  @Field(() => String, { nullable: true })
  releaseReason: string | null;
}

@InputType()
export class SweepArtifactsInput {
  @Field(() => Int, { defaultValue: 24, description: 'Only objects older than this are removed' })
  graceHours: number;

  @Field({ defaultValue: true, description: 'List only; remove nothing' })
  dryRun: boolean;
}

@ObjectType({ description: 'An object in the store that no version references' })
export class SweptObject {
  @Field()
  key: string;

  @Field(() => SafeIntResolver)
  size: number;

  @Field(() => DateTimeISOResolver)
  modified: Date;

  @Field()
  removed: boolean;
}
