import { UUIDResolver } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../common/errors';
import { PageArgs, SortDirection, toConnection, type ConnectionShape } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { nodeFields } from '../../graphql/selection';
import type { ModelLoaders } from './model.loaders';
import { tagsToPairs } from './model.rules';
import type { ModelService } from './model.service';
import {
  CreateModelInput,
  ModelFilter,
  ModelOrder,
  ModelOrderField,
  ModelPayload,
  RegisteredModel,
  RegisteredModelConnection,
  SetModelTagsInput,
  Tag,
  UpdateModelInput,
} from './model.types';
import type { RegisteredModelEntity } from './model.entity';

type Ctx = RequestContext<{ models: ModelService }, { models: ModelLoaders }>;

@Resolver(() => RegisteredModel)
export class ModelResolver {
  @Query(() => RegisteredModel, { nullable: true, description: 'One model, by id or by name' })
  async model(
    @Ctx() ctx: Ctx,
    @Arg('id', () => UUIDResolver, { nullable: true }) id?: string,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<RegisteredModelEntity | null> {
    if (Boolean(id) === Boolean(name)) throw badInput('id', 'give exactly one of id and name');
    return id ? ctx.loaders.models.byId.load(id) : ctx.loaders.models.byName.load(name as string);
  }

  @Query(() => RegisteredModelConnection)
  async models(
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Arg('filter', () => ModelFilter, { nullable: true }) filter?: ModelFilter,
    @Arg('orderBy', () => ModelOrder, { nullable: true }) orderBy?: ModelOrder,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<ConnectionShape<RegisteredModelEntity>> {
    const order = orderBy ?? { field: ModelOrderField.CREATED_AT, direction: SortDirection.ASC };
    // Listed models carry only the selected columns: they are not primed as whole models into byId.
    const result = await ctx.services.models.list(ctx.caller, filter ?? {}, order, page, info && nodeFields(info));
    return toConnection(result, () => ctx.services.models.count(ctx.caller, filter ?? {}));
  }

  // The coarse check only: the rights on each model are the access module's, checked in the service.
  @Mutation(() => ModelPayload)
  async createModel(@Ctx() ctx: Ctx, @Arg('input', () => CreateModelInput) input: CreateModelInput) {
    return { model: await ctx.services.models.create(ctx.caller, input) };
  }

  @Mutation(() => ModelPayload)
  async updateModel(@Ctx() ctx: Ctx, @Arg('input', () => UpdateModelInput) input: UpdateModelInput) {
    return { model: await ctx.services.models.update(ctx.caller, input) };
  }

  @Mutation(() => ModelPayload)
  async setModelTags(@Ctx() ctx: Ctx, @Arg('input', () => SetModelTagsInput) input: SetModelTagsInput) {
    return { model: await ctx.services.models.setTags(ctx.caller, input) };
  }

  @FieldResolver(() => [Tag])
  tags(@Root() model: RegisteredModelEntity): Tag[] {
    return tagsToPairs(model.tags);
  }
}
