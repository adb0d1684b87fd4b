import { DateTimeISOResolver, GraphQLJSONObject, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Stage } from '../versions';
import { EventKind } from './event.rules';

registerEnumType(EventKind, { name: 'EventKind', description: 'What kind of change a lifecycle event records' });

@InputType()
export class LifecycleEventFilter {
  @Field(() => [UUIDResolver], { nullable: true, description: 'Only events of these models (any when absent)' })
  modelIds?: string[] | null;

  @Field(() => [EventKind], { nullable: true, description: 'Only events of these kinds (any when absent)' })
  kinds?: EventKind[] | null;
}

@ObjectType({ description: 'A committed change in the registry: an audit event, as it happened' })
export class LifecycleEvent {
  @Field({ description: 'Pass it back as `after` to resume right after this event' })
  cursor: string;

  @Field(() => SafeIntResolver, { description: 'Its place in the audit log: gap-free, in commit order' })
  seq: number;

  @Field(() => ID)
  id: string;

  @Field(() => EventKind)
  kind: EventKind;

  @Field({ description: 'The audit action, e.g. version.stage_changed' })
  action: string;

  @Field(() => ID, { nullable: true })
  modelId: string | null;

  @Field()
  subjectType: string;

  @Field()
  subjectId: string;

  @Field()
  actor: string;

  @Field(() => DateTimeISOResolver)
  occurredAt: Date;

  @Field(() => GraphQLJSONObject, { description: 'What changed, as the audit trail records it' })
  payload: Record<string, unknown>;
}

@ObjectType()
export class PromotedVersion {
  @Field(() => ID)
  versionId: string;

  @Field(() => Int)
  version: number;
}

@ObjectType({ description: 'A version moved into or out of PRODUCTION' })
export class Promotion {
  @Field()
  cursor: string;

  @Field(() => SafeIntResolver)
  seq: number;

  @Field(() => ID)
  modelId: string;

  @Field(() => PromotedVersion, { description: 'The version moved' })
  version: PromotedVersion;

  @Field(() => Stage)
  fromStage: Stage;

  @Field(() => Stage)
  toStage: Stage;

  @Field(() => PromotedVersion, { nullable: true, description: 'The version it replaced in PRODUCTION (archived in the same transaction)' })
  replaced: PromotedVersion | null;

  @Field()
  reason: string;

  @Field()
  actor: string;

  @Field(() => DateTimeISOResolver)
  occurredAt: Date;
}
