import { UUIDResolver } from 'graphql-scalars';
import { Arg, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { EventEnvelope } from './event.dispatcher';
import type { EventService, Promotion as PromotionData } from './event.service';
import { LifecycleEvent, LifecycleEventFilter, Promotion } from './event.types';

type Ctx = RequestContext<{ events: EventService }>;
type Data<Args> = SubscribeResolverData<unknown, Args, Ctx>;

@Resolver()
export class EventResolver {
  @Subscription(() => LifecycleEvent, {
    description: 'Every committed event you may see, each with its cursor; with `after`, first every one since that cursor, then live',
    subscribe: ({ args, context }: Data<{ filter?: LifecycleEventFilter | null; after?: string | null }>) =>
      context.services.events.lifecycleEvents(context.caller, args.filter ?? {}, args.after ?? null),
  })
  lifecycleEvents(
    @Root() event: EventEnvelope,
    @Arg('filter', () => LifecycleEventFilter, { nullable: true }) _filter?: LifecycleEventFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): EventEnvelope {
    return event;
  }

  @Subscription(() => Promotion, {
    description: 'Versions moved into or out of PRODUCTION for one model, with the version each replaced',
    subscribe: ({ args, context }: Data<{ modelId: string; after?: string | null }>) =>
      context.services.events.promotions(context.caller, args.modelId, args.after ?? null),
  })
  promotions(
    @Root() promotion: PromotionData,
    @Arg('modelId', () => UUIDResolver) _modelId: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): PromotionData {
    return promotion;
  }
}
