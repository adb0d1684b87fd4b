import { UUIDResolver } from 'graphql-scalars';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../graphql/context';
import type { DriftThresholds as DriftThresholdsData } from '../drift/drift.rules';
import type { ObjectiveService } from './objective.service';
import type { MonitoringSettings } from './objective.store';
import { ModelObjectives, ObjectiveStatus, SetModelObjectivesInput } from './objective.types';

type Ctx = RequestContext<{ objectives: ObjectiveService }>;

@Resolver()
export class ObjectiveResolver {
  @Mutation(() => ModelObjectives, { description: 'Objectives with error budgets, and the model’s drift, quality and canary thresholds' })
  async setModelObjectives(@Ctx() ctx: Ctx, @Arg('input', () => SetModelObjectivesInput) input: SetModelObjectivesInput) {
    return objectivesOf(input.modelId, await ctx.services.objectives.set(ctx.caller, input));
  }

  @Query(() => ModelObjectives)
  async modelObjectives(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return objectivesOf(modelId, await ctx.services.objectives.settings(ctx.caller, modelId));
  }

  @Query(() => [ObjectiveStatus], { description: 'Per objective: the current value, the error budget left and the burn rate' })
  objectiveStatus(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return ctx.services.objectives.status(ctx.caller, modelId);
  }
}

function objectivesOf(modelId: string, s: MonitoringSettings): ModelObjectives {
  const d: DriftThresholdsData = s.drift;
  return {
    modelId,
    objectives: s.objectives,
    driftThresholds: {
      psiWarning: d.psi.warning,
      psiCritical: d.psi.critical,
      pValueWarning: d.pValue.warning,
      pValueCritical: d.pValue.critical,
      minObservations: d.minObservations,
    },
    qualityTolerance: s.quality,
    canaryRule: s.canary,
    revision: s.stored?.revision ?? 0,
  };
}
