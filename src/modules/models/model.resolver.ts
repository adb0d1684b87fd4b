import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../common/errors';
import { PageArgs, toConnection, type ConnectionShape } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import { ModelVersion, ModelVersionConnection, ModelVersionFilter } from '../versions/model-version.types';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import { ModelAliasEntity, ModelAliasHistoryEntity } from './model-alias.entity';
import { tagsToPairs } from './model.rules';
import {
  AliasHistoryEntry,
  AliasHistoryEntryConnection,
  CreateModelInput,
  DeleteModelAliasInput,
  ModelAlias,
  ModelAliasConnection,
  ModelAliasPayload,
  ModelFilter,
  ModelOrder,
  ModelOrderField,
  ModelPayload,
  RegisteredModel,
  RegisteredModelConnection,
  SetModelAliasInput,
  SetModelTagsInput,
  SortDirection,
  Tag,
  UpdateModelInput,
} from './model.types';
import type { RegisteredModelEntity } from './registered-model.entity';

@Resolver(() => RegisteredModel)
export class ModelResolver {
  @Query(() => RegisteredModel, { nullable: true, description: 'One model, by id or by name' })
  async model(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => UUIDResolver, { nullable: true }) id?: string,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<RegisteredModelEntity | null> {
    if (Boolean(id) === Boolean(name)) throw badInput('id', 'give exactly one of id and name');
    return id ? ctx.loaders.modelById.load(id) : ctx.loaders.modelByName.load(name as string);
  }

  @Query(() => RegisteredModelConnection)
  async models(
    @Ctx() ctx: GraphQLContext,
    @Args() page: PageArgs,
    @Arg('filter', () => ModelFilter, { nullable: true }) filter?: ModelFilter,
    @Arg('orderBy', () => ModelOrder, { nullable: true }) orderBy?: ModelOrder,
  ): Promise<ConnectionShape<RegisteredModelEntity>> {
    const order = orderBy ?? { field: ModelOrderField.CREATED_AT, direction: SortDirection.ASC };
    const result = await ctx.services.models.list(filter ?? {}, order, page);
    for (const model of result.rows) ctx.loaders.modelById.prime(model.id, model);
    return toConnection(result);
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ModelPayload)
  async createModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateModelInput) input: CreateModelInput) {
    return { model: await ctx.services.models.create(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ModelPayload)
  async updateModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => UpdateModelInput) input: UpdateModelInput) {
    return { model: await ctx.services.models.update(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ModelPayload)
  async setModelTags(@Ctx() ctx: GraphQLContext, @Arg('input', () => SetModelTagsInput) input: SetModelTagsInput) {
    return { model: await ctx.services.models.setTags(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ModelAliasPayload)
  async setModelAlias(@Ctx() ctx: GraphQLContext, @Arg('input', () => SetModelAliasInput) input: SetModelAliasInput) {
    return { alias: await ctx.services.models.setAlias(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ModelAliasPayload, { description: 'Removes an alias; answers with the alias as it was' })
  async deleteModelAlias(@Ctx() ctx: GraphQLContext, @Arg('input', () => DeleteModelAliasInput) input: DeleteModelAliasInput) {
    return { alias: await ctx.services.models.deleteAlias(ctx.caller, input) };
  }

  @FieldResolver(() => [Tag])
  tags(@Root() model: RegisteredModelEntity): Tag[] {
    return tagsToPairs(model.tags);
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Newest first' })
  async versions(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: GraphQLContext,
    @Args() page: PageArgs,
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter?: ModelVersionFilter,
  ): Promise<ConnectionShape<ModelVersionEntity>> {
    return toConnection(await ctx.loaders.versionsOfModel({ filter: filter ?? {}, page }).load(model.id));
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  version(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext, @Arg('number', () => Int) number: number) {
    return ctx.loaders.versionByNumber.load(`${model.id}/${number}`);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The highest-numbered version' })
  latestVersion(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.latestVersionOfModel.load(model.id);
  }

  @FieldResolver(() => ModelAliasConnection)
  async aliases(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.aliasesOfModel(page).load(model.id));
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version an alias points to now, or at time `at` (from the alias history)',
  })
  async alias(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('at', () => DateTimeISOResolver, { nullable: true }) at?: Date,
  ): Promise<ModelVersionEntity | null> {
    const key = `${model.id}/${name}`;
    const versionId = at ? await ctx.loaders.aliasTargetAt(at).load(key) : (await ctx.loaders.aliasByName.load(key))?.versionId;
    return versionId ? ctx.loaders.versionById.load(versionId) : null;
  }

  @FieldResolver(() => AliasHistoryEntryConnection, { description: 'Every move of one alias, newest first' })
  async aliasHistory(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Args() page: PageArgs,
  ) {
    return toConnection(await ctx.loaders.aliasHistory({ alias: name, page }).load(model.id));
  }
}

@Resolver(() => ModelAlias)
export class ModelAliasResolver {
  @FieldResolver(() => ModelVersion)
  version(@Root() alias: ModelAliasEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.versionById.load(alias.versionId);
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() alias: ModelAliasEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.modelById.load(alias.modelId);
  }
}

@Resolver(() => AliasHistoryEntry)
export class AliasHistoryResolver {
  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Where the alias pointed after the move (null: deleted)' })
  version(@Root() entry: ModelAliasHistoryEntity, @Ctx() ctx: GraphQLContext) {
    return entry.versionId ? ctx.loaders.versionById.load(entry.versionId) : null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Where it pointed before (null: it was created)' })
  previousVersion(@Root() entry: ModelAliasHistoryEntity, @Ctx() ctx: GraphQLContext) {
    return entry.previousVersionId ? ctx.loaders.versionById.load(entry.previousVersionId) : null;
  }
}
