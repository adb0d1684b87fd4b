import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs, type ConnectionShape } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { type ModelLoaders, RegisteredModel, type RegisteredModelEntity } from '../models';
import type { ArtifactFileEntity } from './manifest.entity';
import type { ModelVersionEntity } from './version.entity';
import type { VersionLoaders } from './version.loaders';
import type { ModelVersionService } from './version.service';
import {
  Artifact,
  ArtifactFile,
  ArtifactFileConnection,
  ModelVersion,
  ModelVersionConnection,
  ModelVersionFilter,
  RegisterModelVersionInput,
  RegisterModelVersionPayload,
  Reproducibility,
} from './version.types';

/** Lists read version summaries (versionSummary: all but VERSION_SUMMARY_OMITS); the tuple and the artifact's signature need the whole row. */
async function whole(version: ModelVersionEntity, ctx: Ctx): Promise<ModelVersionEntity> {
  return version.hyperparameters !== undefined ? version : ((await ctx.loaders.versions.byId.load(version.id)) ?? version);
}

type Ctx = RequestContext<{ versions: ModelVersionService }, { models: ModelLoaders; versions: VersionLoaders }>;

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.loaders.versions.byId.load(id);
  }

  @Mutation(() => RegisterModelVersionPayload, { description: 'Registers the next version of a model with its reproducibility tuple' })
  async registerModelVersion(@Ctx() ctx: Ctx, @Arg('input', () => RegisterModelVersionInput) input: RegisterModelVersionInput) {
    const { version, replayed } = await ctx.services.versions.register(ctx.caller, input);
    return { version, versionNumber: version.version, storagePath: version.artifactStoragePath, replayed };
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.models.byId.load(version.modelId);
  }

  @FieldResolver(() => Reproducibility)
  async reproducibility(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx): Promise<Reproducibility> {
    const v = await whole(version, ctx);
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
  async artifact(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx): Promise<Artifact> {
    const v = await whole(version, ctx);
    return {
      versionId: v.id,
      format: v.artifactFormat,
      layout: v.artifactLayout,
      storagePath: v.artifactStoragePath,
      sourceUri: v.artifactSourceUri,
      sizeBytes: v.artifactSizeBytes === null ? null : Number(v.artifactSizeBytes),
      sha256: v.artifactSha256,
      signature: v.artifactSignature,
      status: v.artifactStatus,
      failureReason: v.artifactFailureReason,
      verifiedAt: v.artifactVerifiedAt,
    };
  }
}

@Resolver(() => Artifact)
export class ArtifactFields {
  @FieldResolver(() => ArtifactFileConnection, { description: 'The files of the artifact, by path (code point order)' })
  files(@Root() artifact: Artifact, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.versions.filesOf(artifact.versionId, {}, page, info, toArtifactFile);
  }
}

const toArtifactFile = (row: ArtifactFileEntity): ArtifactFile => ({
  ...row,
  sizeBytes: row.sizeBytes === null || row.sizeBytes === undefined ? null : Number(row.sizeBytes),
});

@Resolver(() => RegisteredModel)
export class VersionModelFields {
  @FieldResolver(() => ModelVersionConnection, { description: 'Newest first' })
  async versions(
    @Root() model: RegisteredModelEntity,
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter?: ModelVersionFilter,
  ): Promise<ConnectionShape<ModelVersionEntity>> {
    return ctx.loaders.versions.ofModel(model.id, filter ?? {}, page, info);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  version(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx, @Arg('number', () => Int) number: number) {
    return ctx.loaders.versions.byNumber.load(`${model.id}/${number}`);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The highest-numbered version' })
  latestVersion(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.versions.latestOfModel.load(model.id);
  }
}
