import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { PageArgs, toConnection } from '../../../graphql/connection';
import type { RequestContext } from '../../../graphql/context';
import { type DeploymentLoaders, Deployment } from '../../deployments';
import { type ModelLoaders, RegisteredModel, type RegisteredModelEntity } from '../../models';
import { type VersionLoaders, ModelVersion } from '../../versions';
import type { AlertEntity } from './alert.entity';
import type { AlertLoaders } from './alert.loaders';
import type { AlertEvent as AlertEventData, AlertService } from './alert.service';
import {
  AcknowledgeAlertInput,
  Alert,
  AlertConnection,
  AlertEvent,
  AlertFilter,
  AlertPayload,
  DriftAlertFilter,
  DriftToRetrain,
  ResolveAlertInput,
  RetrainGap,
} from './alert.types';

type Ctx = RequestContext<
  { alerts: AlertService },
  { models: ModelLoaders; versions: VersionLoaders; deployments: DeploymentLoaders; monitoring: AlertLoaders }
>;
type Data<Args> = SubscribeResolverData<unknown, Args, Ctx>;

@Resolver()
export class AlertResolver {
  @Query(() => AlertConnection, { description: 'Newest first' })
  async alerts(@Ctx() ctx: Ctx, @Arg('filter', () => AlertFilter, { nullable: true }) filter: AlertFilter | null, @Args() page: PageArgs) {
    const f = filter ?? {};
    return toConnection(await ctx.services.alerts.list(ctx.caller, f, page), () => ctx.services.alerts.count(ctx.caller, f));
  }

  @Query(() => Alert, { nullable: true })
  alert(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.loaders.monitoring.alertById.load(id);
  }

  @Mutation(() => AlertPayload, { description: 'Someone is on it: the alert stays open and keeps deduplicating' })
  async acknowledgeAlert(@Ctx() ctx: Ctx, @Arg('input', () => AcknowledgeAlertInput) input: AcknowledgeAlertInput) {
    return { alert: await ctx.services.alerts.acknowledge(ctx.caller, input) };
  }

  @Mutation(() => AlertPayload, { description: 'Closed: the next breach raises a new alert' })
  async resolveAlert(@Ctx() ctx: Ctx, @Arg('input', () => ResolveAlertInput) input: ResolveAlertInput) {
    return { alert: await ctx.services.alerts.resolve(ctx.caller, input) };
  }

  @Subscription(() => AlertEvent, {
    description: 'Alerts as they are raised or escalate (every kind, drift first among them); with `after`, first those since that cursor',
    subscribe: ({ args, context }: Data<{ filter?: DriftAlertFilter | null; after?: string | null }>) =>
      context.services.alerts.driftAlerts(context.caller, args.filter ?? {}, args.after ?? null),
  })
  driftAlerts(
    @Root() event: AlertEventData,
    @Arg('filter', () => DriftAlertFilter, { nullable: true }) _filter?: DriftAlertFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): AlertEventData {
    return event;
  }
}

@Resolver(() => Alert)
export class AlertFields {
  @FieldResolver(() => RegisteredModel)
  model(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.models.byId.load(alert.modelId);
  }

  @FieldResolver(() => ModelVersion)
  version(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.versions.byId.load(alert.versionId);
  }

  @FieldResolver(() => Deployment, { nullable: true })
  deployment(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return alert.deploymentId ? ctx.loaders.deployments.byId.load(alert.deploymentId) : null;
  }

  @FieldResolver(() => RetrainGap, {
    nullable: true,
    description: 'Drift alerts: the next version of the model to reach PRODUCTION after it',
  })
  retrainedBy(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.monitoring.retrainGap.load(alert.id);
  }
}

@Resolver(() => RegisteredModel)
export class AlertModelFields {
  @FieldResolver(() => DriftToRetrain, { description: 'How long drift alerts waited for a newer version to reach PRODUCTION' })
  async driftToRetrain(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx) {
    return (
      (await ctx.loaders.monitoring.driftToRetrain.load(model.id)) ?? {
        driftAlerts: 0,
        retrained: 0,
        medianGapSeconds: null,
        maxGapSeconds: null,
        waitingSince: null,
      }
    );
  }
}
