import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { ModelPayload, RegisteredModel, type RegisteredModelEntity } from '../models';
import { type ModelVersionEntity, Stage, type VersionLoaders, ModelVersion } from '../versions';
import type { LifecycleLoaders } from './lifecycle.loaders';
import type { StageTransitionEntity } from './stage.entity';
import type { RetirementService } from './retirement.service';
import type { TransitionService } from './transition.service';
import {
  PromotionReadiness,
  RollbackModelInput,
  RetireModelInput,
  RollbackModelPayload,
  StageTransitionConnection,
  TransitionModelVersionInput,
  TransitionModelVersionPayload,
} from './transition.types';

type Ctx = RequestContext<
  { transitions: TransitionService; retirement: RetirementService },
  { versions: VersionLoaders; lifecycle: LifecycleLoaders }
>;

@Resolver(() => ModelVersion)
export class TransitionResolver {
  @Mutation(() => TransitionModelVersionPayload, {
    description: 'Moves a version to another stage behind its gates; PRODUCTION and other moves beyond staging need APPROVE on the model',
  })
  async transitionModelVersion(@Ctx() ctx: Ctx, @Arg('input', () => TransitionModelVersionInput) input: TransitionModelVersionInput) {
    const { version, archived, replayed } = await ctx.services.transitions.transition(ctx.caller, input);
    return { version, archivedVersion: archived, replayed };
  }

  @Mutation(() => RollbackModelPayload, { description: 'Puts back the version that was last in production and archives the current one' })
  async rollbackModel(@Ctx() ctx: Ctx, @Arg('input', () => RollbackModelInput) input: RollbackModelInput) {
    const { version, archived, replayed } = await ctx.services.transitions.rollback(ctx.caller, input);
    return { restoredVersion: version, archivedVersion: archived, replayed };
  }

  @Mutation(() => ModelPayload, {
    description: 'Ends a whole model (MANAGE): refused while it runs unless an ADMIN forces it; afterwards it is read-only and RETIRED',
  })
  async retireModel(@Ctx() ctx: Ctx, @Arg('input', () => RetireModelInput) input: RetireModelInput): Promise<ModelPayload> {
    return { model: await ctx.services.retirement.retire(ctx.caller, input) };
  }

  @Query(() => PromotionReadiness, { description: 'Every gate for moving a version to a stage, with why; changes nothing' })
  async promotionReadiness(
    @Ctx() ctx: Ctx,
    @Arg('versionId', () => UUIDResolver) versionId: string,
    @Arg('targetStage', () => Stage) targetStage: Stage,
  ): Promise<PromotionReadiness> {
    const r = await ctx.services.transitions.readiness(ctx.caller, versionId, targetStage);
    return { ...r, ready: r.moveAllowed && r.passed && r.permitted };
  }

  @FieldResolver(() => StageTransitionConnection, { description: 'Every stage change of this version, newest first' })
  async stageHistory(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.lifecycle.stageHistory(version.id, null, page, info, (t: StageTransitionEntity) => ({
      ...t,
      auditSeq: Number(t.auditSeq),
    }));
  }
}

@Resolver(() => RegisteredModel)
export class TransitionModelFields {
  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version in PRODUCTION now' })
  async productionVersion(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx): Promise<ModelVersionEntity | null> {
    return ctx.loaders.versions.productionOfModel.load(model.id);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version that was in PRODUCTION at `time`, from the audit trail' })
  async productionVersionAt(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: Ctx,
    @Arg('time', () => DateTimeISOResolver) time: Date,
  ): Promise<ModelVersionEntity | null> {
    const versionId = await ctx.loaders.lifecycle.productionVersionAt(time).load(model.id);
    return versionId ? ctx.loaders.versions.byId.load(versionId) : null;
  }
}
