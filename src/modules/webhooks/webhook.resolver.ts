import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { encodeEventCursor } from '../events';
import type { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import type { WebhookService } from './webhook.service';
import {
  CreateWebhookInput,
  RedeliverEventInput,
  RedeliverEventPayload,
  Webhook,
  WebhookConnection,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookFilter,
  WebhookPayload,
  WebhookSecretPayload,
} from './webhook.types';

type Ctx = RequestContext<{ webhooks: WebhookService }>;

/** A day: long enough for every receiver to pick up the new secret. */
const DEFAULT_OVERLAP_SECONDS = 86_400;

@Resolver(() => Webhook)
export class WebhookResolver {
  @Mutation(() => WebhookSecretPayload, { description: 'A webhook for events from now on; its signing secret is in the answer, once' })
  createWebhook(@Ctx() ctx: Ctx, @Arg('input', () => CreateWebhookInput) input: CreateWebhookInput) {
    return ctx.services.webhooks.create(ctx.caller, input);
  }

  @Query(() => WebhookConnection, { description: 'Every webhook, newest first' })
  async webhooks(@Ctx() ctx: Ctx, @Args() page: PageArgs) {
    return toConnection(await ctx.services.webhooks.list(ctx.caller, page), () => ctx.services.webhooks.count());
  }

  @Query(() => Webhook, { nullable: true })
  webhook(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.services.webhooks.byId(ctx.caller, id);
  }

  @Query(() => WebhookDeliveryConnection, { description: 'Every attempt to deliver to a webhook, newest first' })
  async webhookDeliveries(@Ctx() ctx: Ctx, @Arg('webhookId', () => UUIDResolver) webhookId: string, @Args() page: PageArgs) {
    return toConnection(await ctx.services.webhooks.deliveries(ctx.caller, webhookId, page), () =>
      ctx.services.webhooks.countDeliveries(webhookId),
    );
  }

  @Mutation(() => RedeliverEventPayload, { description: 'Sends one event to a webhook again, now; the attempt is recorded' })
  async redeliverEvent(@Ctx() ctx: Ctx, @Arg('input', () => RedeliverEventInput) input: RedeliverEventInput) {
    return { delivery: await ctx.services.webhooks.redeliver(ctx.caller, input) };
  }

  @Mutation(() => WebhookPayload, { description: 'Un-pauses a webhook and resets its failure count: it delivers from its cursor at once' })
  async resumeWebhook(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return { webhook: await ctx.services.webhooks.resume(ctx.caller, id) };
  }

  @Mutation(() => WebhookSecretPayload, {
    description: 'A new signing secret, shown once; for overlapSeconds (at most a week) deliveries carry a signature with the old one too',
  })
  rotateWebhookSecret(
    @Ctx() ctx: Ctx,
    @Arg('id', () => UUIDResolver) id: string,
    @Arg('overlapSeconds', () => Int, { defaultValue: DEFAULT_OVERLAP_SECONDS }) overlapSeconds: number,
  ) {
    return ctx.services.webhooks.rotateSecret(ctx.caller, id, overlapSeconds);
  }

  @Mutation(() => WebhookPayload, { description: 'Deletes a webhook and its delivery history; answers it as it was' })
  async deleteWebhook(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return { webhook: await ctx.services.webhooks.remove(ctx.caller, id) };
  }

  @FieldResolver(() => WebhookFilter)
  filter(@Root() webhook: WebhookEntity): WebhookFilter {
    return { modelIds: webhook.modelIds, kinds: webhook.kinds };
  }

  @FieldResolver(() => String)
  cursor(@Root() webhook: WebhookEntity): string {
    return encodeEventCursor(Number(webhook.cursorSeq));
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryFields {
  @FieldResolver(() => String)
  eventCursor(@Root() delivery: WebhookDeliveryEntity): string {
    return encodeEventCursor(Number(delivery.eventSeq));
  }
}
