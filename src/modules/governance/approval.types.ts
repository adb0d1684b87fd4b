import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../common/role';
import { Connection } from '../../graphql/connection';
import { Stage, ModelVersion } from '../versions';
import { Decision } from './governance.enums';

registerEnumType(Decision, { name: 'ApprovalDecision' });

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

  @Field(() => Decision)
  decision: Decision;
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

  @Field(() => Decision)
  decision: Decision;

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

  @Field({ description: 'SHA256 fingerprint of the public key that signed it (verifyApproval checks it again)' })
  keyFingerprint: string;

  @Field(() => DateTimeISOResolver)
  signedAt: Date;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType({ description: 'An approval checked again: its message rebuilt from what it is about, its signature verified' })
export class ApprovalVerification {
  @Field(() => ID)
  approvalId: string;

  @Field({ description: 'The message matches the approval and the version, and the signature verifies with the key' })
  valid: boolean;

  @Field()
  keyFingerprint: string;

  @Field({ description: 'Why it is valid or not' })
  detail: string;
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
