import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { type ModelVersionEntity, type VersionLoaders, ModelVersion } from '../versions';
import { MetricSource } from './metric.enums';
import type { MetricLoaders } from './metric.loaders';
import type { MetricService } from './metric.service';
import { LogMetricsInput, LogMetricsPayload, MetricPointConnection } from './metric.types';

type Ctx = RequestContext<{ metrics: MetricService }, { versions: VersionLoaders; metrics: MetricLoaders }>;

@Resolver(() => ModelVersion)
export class MetricResolver {
  @Mutation(() => LogMetricsPayload)
  async logMetrics(@Ctx() ctx: Ctx, @Arg('input', () => LogMetricsInput) input: LogMetricsInput) {
    const { count } = await ctx.services.metrics.log(ctx.caller, input);
    return { version: await ctx.loaders.versions.byId.load(input.versionId), count };
  }

  @FieldResolver(() => MetricPointConnection, { description: 'Latest value per metric name, source and slice' })
  async metrics(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Info() info: GraphQLResolveInfo,
    @Arg('names', () => [String], { nullable: true }) names?: string[],
    @Arg('source', () => MetricSource, { nullable: true }) source?: MetricSource,
  ) {
    return ctx.loaders.metrics.latest(version.id, { names, source }, page, info);
  }

  @FieldResolver(() => MetricPointConnection, { description: 'Every point of one metric, newest first' })
  async metricHistory(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Info() info: GraphQLResolveInfo,
    @Arg('name', () => String) name: string,
    @Arg('source', () => MetricSource) source: MetricSource,
    @Arg('slice', () => String, { nullable: true }) slice?: string,
  ) {
    return ctx.loaders.metrics.history(version.id, { name, source, slice }, page, info);
  }
}
