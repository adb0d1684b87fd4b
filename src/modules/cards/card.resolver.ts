import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { UUIDResolver } from 'graphql-scalars';
import type { RequestContext } from '../../graphql/context';
import type { ModelLoaders } from '../models';
import { ObjectiveStatus, type ObjectiveService } from '../monitoring';
import type { AssembledCard, CardService } from './card.service';
import { ModelCard, UpdateModelCardInput, UpdateModelCardPayload, type ModelCardSection } from './card.types';

type Ctx = RequestContext<{ cards: CardService; objectives: ObjectiveService }, { models: ModelLoaders }>;

/** The GraphQL answer for an assembled card: its sections (empty lists and nulls for those not written). */
async function toModelCard(ctx: Ctx, card: AssembledCard): Promise<ModelCard> {
  const s = card.sections;
  return {
    versionId: card.version.id,
    modelId: card.version.modelId,
    model: await ctx.loaders.models.byId.load(card.version.modelId),
    version: card.version,
    revision: card.revision,
    updatedAt: card.updatedAt,
    updatedBy: card.updatedBy,
    useCases: s.useCases ?? [],
    users: s.users ?? [],
    outOfScopeUses: s.outOfScopeUses ?? [],
    technicalLimitations: s.technicalLimitations ?? [],
    performanceTradeoffs: s.performanceTradeoffs ?? [],
    ethicalConsiderations: s.ethicalConsiderations ?? [],
    fairnessAssessments: s.fairnessAssessments ?? [],
    environmentalConsiderations: s.environmentalConsiderations ?? null,
    approach: s.approach ?? null,
    task: s.task ?? null,
    dataDescription: s.dataDescription ?? null,
    caveatsAndRecommendations: s.caveatsAndRecommendations ?? [],
    owners: s.owners ?? [],
    license: s.license ?? null,
    sections: card.states.map((state) => ({ ...state, section: state.section as ModelCardSection })),
    newestValidationAt: card.newestValidationAt,
    openAlerts: card.openAlerts,
    carriedFromVersion: card.carriedFrom,
    completeness: {
      gateStage: card.rule.stage,
      required: card.completeness.required as ModelCardSection[],
      missing: card.completeness.missing as ModelCardSection[],
      stale: card.completeness.stale as ModelCardSection[],
      staleIsMissing: card.rule.staleIsMissing,
      complete: card.completeness.complete,
    },
  };
}

@Resolver()
export class CardResolver {
  @Query(() => ModelCard, {
    description: "A version's model card: the people-written sections, their staleness and completeness, and what the registry fills",
  })
  async modelCard(@Ctx() ctx: Ctx, @Arg('versionId', () => UUIDResolver) versionId: string) {
    return toModelCard(ctx, await ctx.services.cards.read(ctx.caller, versionId));
  }

  @Mutation(() => UpdateModelCardPayload, {
    description: "Writes sections of a version's model card (CONTRIBUTE on the model), at the revision read",
  })
  async updateModelCard(@Ctx() ctx: Ctx, @Arg('input', () => UpdateModelCardInput) input: UpdateModelCardInput) {
    const card = await ctx.services.cards.update(ctx.caller, {
      versionId: input.versionId,
      expectedRevision: input.expectedRevision,
      sections: { ...input.sections },
    });
    return { card: await toModelCard(ctx, card) };
  }
}

@Resolver(() => ModelCard)
export class CardFields {
  @FieldResolver(() => [ObjectiveStatus], {
    description:
      "The model's objectives and how production keeps to them (state, current value, error budget left, burn rate), as objectiveStatus(modelId) answers them: objectives are the model's, the same on every version's card",
  })
  objectiveStatus(@Root() card: ModelCard, @Ctx() ctx: Ctx) {
    return ctx.services.objectives.status(ctx.caller, card.modelId);
  }
}
