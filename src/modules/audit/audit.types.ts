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
}
