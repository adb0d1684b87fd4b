import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { Stage, ModelVersion } from '../versions';

@ObjectType({ description: 'One move of a version through the lifecycle' })
export class StageTransition {
  @Field(() => ID)
  id: string;

  @Field(() => Stage)
  fromStage: Stage;

  @Field(() => Stage)
  toStage: Stage;

  @Field()
  reason: string;

  @Field()
  actor: string;

  @Field(() => DateTimeISOResolver)
  changedAt: Date;

  @Field(() => SafeIntResolver, { description: 'Sequence number of the audit event recording it' })
  auditSeq: number;
}

@ObjectType()
export class StageTransitionConnection extends Connection(StageTransition) {}

@InputType()
export class TransitionModelVersionInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => Stage)
  toStage: Stage;

  @Field(() => Stage, { description: 'The stage you believe the version is in: a different one is a CONFLICT' })
  expectedStage: Stage;

  @Field(() => String, { nullable: true })
  reason?: string;

  @Field(() => String, { nullable: true, description: 'A retry with the same key and input returns the first result' })
  idempotencyKey?: string;
}

@ObjectType()
export class TransitionModelVersionPayload {
  @Field(() => ModelVersion)
  version: ModelVersion;

  @Field(() => ModelVersion, { nullable: true, description: 'The version archived to make room in PRODUCTION' })
  archivedVersion: ModelVersion | null;

  @Field()
  replayed: boolean;
}

@InputType()
export class RollbackModelInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field(() => String, { nullable: true })
  reason?: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string;
}

@ObjectType()
export class RollbackModelPayload {
  @Field(() => ModelVersion, { description: 'The version back in PRODUCTION' })
  restoredVersion: ModelVersion;

  @Field(() => ModelVersion, { nullable: true, description: 'The version it replaced, now ARCHIVED' })
  archivedVersion: ModelVersion | null;

  @Field()
  replayed: boolean;
}

@ObjectType({ description: 'A signature attached to a version, as the SIGNED gate sees it' })
export class GateSigner {
  @Field({ description: "Who signed: a key's name, a certificate's subject, a Sigstore identity" })
  identity: string;

  @Field({ description: 'key, certificate or sigstore' })
  method: string;

  @Field(() => String, { nullable: true, description: 'The trusted signer it was verified against; null when none is trusted' })
  trustedAs: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  signedAt: Date | null;

  @Field({ description: 'Whether it counts for the gate' })
  counts: boolean;

  @Field({ description: 'Why it counts or not' })
  reason: string;
}

@ObjectType()
export class Gate {
  @Field({ description: 'ARTIFACT_READY, VALIDATION, VALIDATION_FRESH, APPROVALS, SIGNED or SCANNED' })
  gate: string;

  @Field()
  passed: boolean;

  @Field()
  detail: string;

  @Field(() => [GateSigner], { nullable: true, description: 'SIGNED: every signature attached to the version, and whether it counts' })
  signers?: GateSigner[];
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

  @Field({ description: 'Whether your level on the model lets you make this move (see permission)' })
  permitted: boolean;

  @Field({
    description:
      'The right the move needs and the level you have, e.g. "MOVE_BEYOND_STAGING needs APPROVE on this model; you have CONTRIBUTE"',
  })
  permission: string;

  @Field({ description: 'Move allowed, every gate passed, and permitted to you' })
  ready: boolean;

  @Field(() => [Gate])
  gates: Gate[];
}

@InputType()
export class RetireModelInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field({ description: 'Why: recorded on the model and in the audit trail' })
  reason: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Retire although a version is in PRODUCTION or a deployment is live (ADMIN only); what ran is recorded',
  })
  force?: boolean | null;
}
