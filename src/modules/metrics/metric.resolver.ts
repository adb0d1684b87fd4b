import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import { ModelVersion } from '../versions/model-version.types';
import { MetricSource } from './metric.entity';
import { LogMetricsInput, LogMetricsPayload, MetricPointConnection } from './metric.types';

@Resolver(() => ModelVersion)
export class MetricResolver {
  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => LogMetricsPayload)
  async logMetrics(@Ctx() ctx: GraphQLContext, @Arg('input', () => LogMetricsInput) input: LogMetricsInput) {
    const { count } = await ctx.services.metrics.log(ctx.caller, input);
    return { version: await ctx.loaders.versionById.load(input.versionId), count };
  }

  @FieldResolver(() => MetricPointConnection, { description: 'Latest value per metric name, source and slice' })
  async metrics(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: GraphQLContext,
    @Args() page: PageArgs,
    @Arg('names', () => [String], { nullable: true }) names?: string[],
    @Arg('source', () => MetricSource, { nullable: true }) source?: MetricSource,
  ) {
    return toConnection(await ctx.loaders.latestMetrics({ names, source, page }).load(version.id));
  }

  @FieldResolver(() => MetricPointConnection, { description: 'Every point of one metric, newest first' })
  async metricHistory(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: GraphQLContext,
    @Args() page: PageArgs,
    @Arg('name', () => String) name: string,
    @Arg('source', () => MetricSource) source: MetricSource,
    @Arg('slice', () => String, { nullable: true }) slice?: string,
  ) {
    return toConnection(await ctx.loaders.metricHistory({ name, source, slice, page }).load(version.id));
  }
}
