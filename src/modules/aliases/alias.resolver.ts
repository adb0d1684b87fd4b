import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { type ModelLoaders, RegisteredModel, type RegisteredModelEntity } from '../models';
import { type ModelVersionEntity, type VersionLoaders, ModelVersion } from '../versions';
import type { AliasLoaders } from './alias.loaders';
import type { AliasService } from './alias.service';
import {
  AliasHistoryEntry,
  AliasHistoryEntryConnection,
  DeleteModelAliasInput,
  ModelAlias,
  ModelAliasConnection,
  ModelAliasPayload,
  SetModelAliasInput,
} from './alias.types';
import type { ModelAliasEntity, ModelAliasHistoryEntity } from './alias.entity';

type Ctx = RequestContext<{ aliases: AliasService }, { models: ModelLoaders; versions: VersionLoaders; aliases: AliasLoaders }>;

@Resolver(() => ModelAlias)
export class ModelAliasResolver {
  @Mutation(() => ModelAliasPayload)
  async setModelAlias(@Ctx() ctx: Ctx, @Arg('input', () => SetModelAliasInput) input: SetModelAliasInput) {
    return { alias: await ctx.services.aliases.set(ctx.caller, input) };
  }

  @Mutation(() => ModelAliasPayload, { description: 'Removes an alias; answers with the alias as it was' })
  async deleteModelAlias(@Ctx() ctx: Ctx, @Arg('input', () => DeleteModelAliasInput) input: DeleteModelAliasInput) {
    return { alias: await ctx.services.aliases.delete(ctx.caller, input) };
  }

  @FieldResolver(() => ModelVersion)
  version(@Root() alias: ModelAliasEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.versions.byId.load(alias.versionId);
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() alias: ModelAliasEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.models.byId.load(alias.modelId);
  }
}

@Resolver(() => AliasHistoryEntry)
export class AliasHistoryResolver {
  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Where the alias pointed after the move (null: deleted)' })
  version(@Root() entry: ModelAliasHistoryEntity, @Ctx() ctx: Ctx) {
    return entry.versionId ? ctx.loaders.versions.byId.load(entry.versionId) : null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Where it pointed before (null: it was created)' })
  previousVersion(@Root() entry: ModelAliasHistoryEntity, @Ctx() ctx: Ctx) {
    return entry.previousVersionId ? ctx.loaders.versions.byId.load(entry.previousVersionId) : null;
  }
}

@Resolver(() => RegisteredModel)
export class AliasModelFields {
  @FieldResolver(() => ModelAliasConnection)
  async aliases(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.aliases.ofModel(model.id, null, page, info);
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version an alias points to now, or at time `at` (from the alias history)',
  })
  async alias(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: Ctx,
    @Arg('name', () => String) name: string,
    @Arg('at', () => DateTimeISOResolver, { nullable: true }) at?: Date,
  ): Promise<ModelVersionEntity | null> {
    const key = `${model.id}/${name}`;
    const versionId = at ? await ctx.loaders.aliases.targetAt(at).load(key) : (await ctx.loaders.aliases.byName.load(key))?.versionId;
    return versionId ? ctx.loaders.versions.byId.load(versionId) : null;
  }

  @FieldResolver(() => AliasHistoryEntryConnection, { description: 'Every move of one alias, newest first' })
  async aliasHistory(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: Ctx,
    @Arg('name', () => String) name: string,
    @Args() page: PageArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.loaders.aliases.history(model.id, name, page, info);
  }
}

@Resolver(() => ModelVersion)
export class AliasVersionFields {
  @FieldResolver(() => ModelAliasConnection, { description: 'Aliases pointing at this version' })
  async aliases(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.aliases.ofVersion(version.id, null, page, info);
  }
}
