import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import { RegisteredModel } from '../models/model.types';
import type { RegisteredModelEntity } from '../models/registered-model.entity';
import type { ModelVersionEntity } from './model-version.entity';
import { Stage } from './model-version.enums';
import { ModelVersion } from './model-version.types';
import type { StageTransitionEntity } from './stage-transition.entity';
import {
  RollbackModelInput,
  RollbackModelPayload,
  StageTransitionConnection,
  TransitionModelVersionInput,
  TransitionModelVersionPayload,
} from './transition.types';

@Resolver(() => ModelVersion)
export class TransitionResolver {
  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => TransitionModelVersionPayload, {
    description: 'Moves a version to another stage behind its gates; PRODUCTION and other moves beyond staging need APPROVER',
  })
  async transitionModelVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => TransitionModelVersionInput) input: TransitionModelVersionInput) {
    const { version, archived, replayed } = await ctx.services.transitions.transition(ctx.caller, input);
    return { version, archivedVersion: archived, replayed };
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => RollbackModelPayload, { description: 'Puts back the version that was last in production and archives the current one' })
  async rollbackModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => RollbackModelInput) input: RollbackModelInput) {
    const { version, archived, replayed } = await ctx.services.transitions.rollback(ctx.caller, input);
    return { restoredVersion: version, archivedVersion: archived, replayed };
  }

  @FieldResolver(() => StageTransitionConnection, { description: 'Every stage change of this version, newest first' })
  async stageHistory(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.stageHistory(page).load(version.id), (t: StageTransitionEntity) => ({
      ...t,
      auditSeq: Number(t.auditSeq),
    }));
  }
}

@Resolver(() => RegisteredModel)
export class TransitionModelFields {
  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version in PRODUCTION now' })
  async productionVersion(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext): Promise<ModelVersionEntity | null> {
    const page = await ctx.loaders.versionsOfModel({ filter: { stage: Stage.PRODUCTION }, page: { first: 1 } }).load(model.id);
    return page.rows[0] ?? null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version that was in PRODUCTION at `time`, from the audit trail' })
  async productionVersionAt(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: GraphQLContext,
    @Arg('time', () => DateTimeISOResolver) time: Date,
  ): Promise<ModelVersionEntity | null> {
    const versionId = await ctx.loaders.productionVersionAt(time).load(model.id);
    return versionId ? ctx.loaders.versionById.load(versionId) : null;
  }
}
