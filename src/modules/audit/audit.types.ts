import { DateTimeISOResolver, GraphQLJSONObject, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection';

@ObjectType({ description: 'One recorded state change, linked into a sha256 hash chain' })
export class AuditEvent {
  @Field(() => SafeIntResolver, { description: 'Gap-free sequence number, from 1' })
  seq: number;

  @Field(() => ID)
  id: string;

  @Field(() => DateTimeISOResolver)
  occurredAt: Date;

  @Field({ description: 'The subject of the API token that made the change' })
  actor: string;

  @Field({ description: 'e.g. model.created, version.registered, alias.set' })
  action: string;

  @Field()
  subjectType: string;

  @Field()
  subjectId: string;

  @Field(() => ID, { nullable: true })
  modelId: string | null;

  @Field(() => GraphQLJSONObject, { description: 'What changed, usually { before, after }' })
  payload: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'Issued by the server for the request that made the change' })
  requestId: string | null;

  @Field(() => String, { nullable: true, description: 'The x-request-id the client sent with that request, if any' })
  clientRequestId: string | null;

  @Field()
  prevHash: string;

  @Field()
  hash: string;
}

@ObjectType()
export class AuditEventConnection extends Connection(AuditEvent) {}

@InputType()
export class AuditEventFilter {
  @Field(() => UUIDResolver, { nullable: true })
  modelId?: string;

  @Field(() => String, { nullable: true })
  subjectId?: string;

  @Field(() => String, { nullable: true })
  action?: string;

  @Field(() => String, { nullable: true })
  actor?: string;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Events at or after this time' })
  since?: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Events before this time' })
  until?: Date;
}

@ObjectType()
export class AuditChainVerification {
  @Field({ description: 'True when every event links to the one before and hashes to its stored hash' })
  ok: boolean;

  @Field(() => Int)
  eventsChecked: number;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Sequence number of the first broken link' })
  firstBrokenSeq: number | null;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => SafeIntResolver, { nullable: true, description: 'The latest signed checkpoint the chain was compared with' })
  checkpointSeq: number | null;

  @Field(() => [SafeIntResolver], { description: 'Breaks an ADMIN has acknowledged; verification steps over them' })
  acknowledgedBreaks: number[];
}

@ObjectType({ description: "The server's Ed25519 signature over the head of the audit chain at a moment" })
export class AuditCheckpoint {
  @Field(() => String, {
    nullable: true,
    description: "The registry signed for: the id of its chain's first event (null on checkpoints signed before registries had one)",
  })
  registryId?: string;

  @Field(() => SafeIntResolver)
  seq: number;

  @Field()
  hash: string;

  @Field(() => DateTimeISOResolver)
  signedAt: Date;

  @Field()
  keyFingerprint: string;

  @Field({
    description:
      'Base64 Ed25519 signature of the canonical JSON of { kind, registryId, seq, hash, signedAt } (without registryId when null)',
  })
  signature: string;

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the signature verifies with this server's audit key (listed checkpoints only)",
  })
  trusted?: boolean;
}

@ObjectType()
export class AuditCheckpointPayload {
  @Field(() => AuditCheckpoint, { nullable: true, description: 'Null while the chain is empty' })
  checkpoint: AuditCheckpoint | null;
}

@InputType()
export class AcknowledgeAuditBreakInput {
  @Field(() => SafeIntResolver, { description: 'The event where verification found the break' })
  seq: number;

  @Field({ description: 'What was found and done about it: kept in the trail' })
  reason: string;
}

@ObjectType({ description: 'A break in the audit chain, acknowledged by an ADMIN' })
export class AcknowledgedAuditBreak {
  @Field(() => SafeIntResolver)
  seq: number;

  @Field({ description: 'What verification found' })
  reason: string;

  @Field(() => DateTimeISOResolver)
  detectedAt: Date;

  @Field(() => DateTimeISOResolver)
  acknowledgedAt: Date;

  @Field()
  acknowledgedBy: string;

  @Field()
  acknowledgement: string;
}

@ObjectType()
export class AcknowledgeAuditBreakPayload {
  @Field(() => AcknowledgedAuditBreak)
  break: AcknowledgedAuditBreak;
}
