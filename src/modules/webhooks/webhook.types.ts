import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { EventKind, LifecycleEventFilter } from '../events';
// The filter a webhook takes is the one lifecycleEvents takes (and EventKind is registered there).
import type { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { WebhookDeliveryStatus, WebhookStatus } from './webhook.enums';

registerEnumType(WebhookStatus, {
  name: 'WebhookStatus',
  description: 'ACTIVE: delivering; PAUSED: stopped after too many consecutive failures, until resumeWebhook',
});
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus', description: 'SUCCEEDED on a 2xx answer, FAILED otherwise' });

@ObjectType({ description: 'Which events a webhook receives: of these models (any when empty), of these kinds (any when empty)' })
export class WebhookFilter {
  @Field(() => [ID])
  modelIds: string[];

  @Field(() => [EventKind])
  kinds: EventKind[];
}

@ObjectType({ description: 'Lifecycle events POSTed to a URL as they commit, signed as Standard Webhooks specifies' })
export class Webhook implements Partial<Omit<WebhookEntity, 'cursorSeq'>> {
  @Field(() => ID)
  id: string;

  @Field()
  url: string;

  @Field()
  description: string;

  @Field(() => WebhookFilter)
  filter: WebhookFilter;

  @Field(() => WebhookStatus)
  status: WebhookStatus;

  @Field(() => String, { nullable: true, description: 'Why it was paused' })
  pausedReason: string | null;

  @Field(() => SafeIntResolver, {
    description: 'The sequence number of the last event it is past (delivered, or not one its filter wants); it receives what comes after',
  })
  cursorSeq: number;

  @Field({ description: 'The same position as an event cursor' })
  cursor: string;

  @Field(() => Int, { description: 'Failed attempts in a row; a success resets it' })
  consecutiveFailures: number;

  @Field(() => DateTimeISOResolver, { description: 'Not attempted again before this (the retry backoff)' })
  nextAttemptAt: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  lastSuccessAt: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  lastFailureAt: Date | null;

  @Field(() => String, { nullable: true, description: 'What the last failed attempt met' })
  lastError: string | null;

  @Field(() => DateTimeISOResolver, {
    nullable: true,
    description: 'After a rotation: until then deliveries are signed with the previous secret too',
  })
  previousSecretExpiresAt: Date | null;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class WebhookConnection extends Connection(Webhook) {}

@ObjectType({ description: 'One attempt to deliver one event to a webhook' })
export class WebhookDelivery implements Partial<Omit<WebhookDeliveryEntity, 'eventSeq'>> {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  webhookId: string;

  @Field(() => SafeIntResolver)
  eventSeq: number;

  @Field({ description: 'The event, as a cursor' })
  eventCursor: string;

  @Field(() => ID, { description: 'The event id: the webhook-id header, the same on every attempt' })
  eventId: string;

  @Field(() => Int, { description: '1 for the first attempt at this event, then 2, 3… (redeliveries included)' })
  attempt: number;

  @Field({ description: 'Asked for with redeliverEvent' })
  redelivery: boolean;

  @Field(() => WebhookDeliveryStatus)
  status: WebhookDeliveryStatus;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the answer, when one came' })
  responseStatus: number | null;

  @Field(() => Int, { description: 'From sending the request to the end of the answer (or the failure)' })
  latencyMs: number;

  @Field(() => String, { nullable: true, description: 'Why it failed: the HTTP status and the start of the answer, a timeout, a refusal' })
  error: string | null;

  @Field(() => DateTimeISOResolver)
  attemptedAt: Date;
}

@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDelivery) {}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'http(s) URL; its host must resolve to public addresses unless MODELGRAPH_WEBHOOK_ALLOWED_HOSTS allows it' })
  url: string;

  @Field(() => LifecycleEventFilter, { nullable: true, description: 'Which events; all when absent' })
  filter?: LifecycleEventFilter | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType({ description: 'A webhook and one event: by eventCursor or by seq' })
export class RedeliverEventInput {
  @Field(() => UUIDResolver)
  webhookId: string;

  @Field(() => String, { nullable: true })
  eventCursor?: string | null;

  @Field(() => SafeIntResolver, { nullable: true })
  seq?: number | null;
}

@ObjectType()
export class WebhookPayload {
  @Field(() => Webhook)
  webhook: Webhook;
}

@ObjectType({ description: 'A webhook and its signing secret: shown this once, store it now' })
export class WebhookSecretPayload {
  @Field(() => Webhook)
  webhook: Webhook;

  @Field({ description: 'whsec_ and base64: what Standard Webhooks libraries verify with' })
  secret: string;
}

@ObjectType()
export class RedeliverEventPayload {
  @Field(() => WebhookDelivery)
  delivery: WebhookDelivery;
}
