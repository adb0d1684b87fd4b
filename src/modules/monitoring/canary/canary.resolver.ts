import { UUIDResolver } from 'graphql-scalars';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../graphql/context';
import type { CanaryAnalysis as CanaryAnalysisData, CanaryService } from './canary.service';
import { CanaryAnalysis } from './canary.types';

type Ctx = RequestContext<{ canaries: CanaryService }>;

@Resolver()
export class CanaryResolver {
  @Query(() => CanaryAnalysis, { description: 'A CANARY, SHADOW or AB_TEST deployment against production over the same windows' })
  async canaryAnalysis(@Ctx() ctx: Ctx, @Arg('deploymentId', () => UUIDResolver) deploymentId: string) {
    return canaryOf(await ctx.services.canaries.analysis(ctx.caller, deploymentId));
  }
}

function canaryOf(a: CanaryAnalysisData): CanaryAnalysis {
  return {
    ...a,
    metrics: a.metrics.map((x) => ({
      ...x,
      canaryValue: x.canary.value,
      canaryObservations: x.canary.observations,
      baselineValue: x.baseline.value,
      baselineObservations: x.baseline.observations,
    })),
  };
}
