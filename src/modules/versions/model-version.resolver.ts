import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import { ModelAliasConnection, RegisteredModel } from '../models/model.types';
import type { ModelVersionEntity } from './model-version.entity';
import {
  Artifact,
  ModelVersion,
  RegisterModelVersionInput,
  RegisterModelVersionPayload,
  Reproducibility,
} from './model-version.types';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(@Ctx() ctx: GraphQLContext, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.loaders.versionById.load(id);
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => RegisterModelVersionPayload, { description: 'Registers the next version of a model with its reproducibility tuple' })
  async registerModelVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RegisterModelVersionInput) input: RegisterModelVersionInput,
  ) {
    const { version, replayed } = await ctx.services.versions.register(ctx.caller, input);
    return { version, versionNumber: version.version, storagePath: version.artifactStoragePath, replayed };
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.modelById.load(version.modelId);
  }

  @FieldResolver(() => ModelAliasConnection, { description: 'Aliases pointing at this version' })
  async aliases(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.aliasesOfVersion(page).load(version.id));
  }

  @FieldResolver(() => Reproducibility)
  reproducibility(@Root() v: ModelVersionEntity): Reproducibility {
    return {
      code: { repo: v.codeRepo, commit: v.codeCommit },
      datasetVersions: v.datasetVersions,
      hyperparameters: v.hyperparameters,
      environment: { imageDigest: v.environmentImageDigest, packageLock: v.environmentPackageLock },
      randomSeed: v.randomSeed,
      trainingRunId: v.trainingRunId,
    };
  }

  @FieldResolver(() => Artifact)
  artifact(@Root() v: ModelVersionEntity): Artifact {
    return {
      format: v.artifactFormat,
      storagePath: v.artifactStoragePath,
      sourceUri: v.artifactSourceUri,
      sizeBytes: v.artifactSizeBytes === null ? null : Number(v.artifactSizeBytes),
      sha256: v.artifactSha256,
      signature: v.artifactSignature,
      status: v.artifactStatus,
    };
  }
}
