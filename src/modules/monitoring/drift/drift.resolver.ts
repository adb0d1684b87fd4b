import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../../graphql/context';
import { type ModelVersionEntity, ModelVersion } from '../../versions';
import type { DriftLoaders } from './drift.loaders';
import type { DriftService } from './drift.service';
import { ReferenceDistribution, SetReferenceDistributionInput, SetReferenceDistributionPayload } from './drift.types';

type Ctx = RequestContext<{ drift: DriftService }, { monitoring: DriftLoaders }>;

@Resolver()
export class DriftResolver {
  @Mutation(() => SetReferenceDistributionPayload, {
    description: 'What production is compared with, per feature (usually from the validation set)',
  })
  async setReferenceDistribution(@Ctx() ctx: Ctx, @Arg('input', () => SetReferenceDistributionInput) input: SetReferenceDistributionInput) {
    return { references: await ctx.services.drift.setReference(ctx.caller, input) };
  }
}

@Resolver(() => ModelVersion)
export class DriftVersionFields {
  @FieldResolver(() => [ReferenceDistribution], { description: 'What production is compared with, by feature' })
  async referenceDistributions(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx) {
    return (await ctx.loaders.monitoring.referencesOfVersion.load(version.id)) ?? [];
  }
}
