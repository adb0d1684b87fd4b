import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { type ModelLoaders, RegisteredModel, type RegisteredModelEntity } from '../models';
import { type ModelVersionEntity, type VersionLoaders, ModelVersion } from '../versions';
import type { DeploymentEntity } from './deployment.entity';
import type { DeploymentLoaders } from './deployment.loaders';
import type { DeploymentService } from './deployment.service';
import {
  Deployment,
  DeploymentConnection,
  DeploymentPayload,
  EndDeploymentInput,
  RecordDeploymentInput,
  UpdateDeploymentInput,
} from './deployment.types';

type Ctx = RequestContext<
  { deployments: DeploymentService },
  { models: ModelLoaders; versions: VersionLoaders; deployments: DeploymentLoaders }
>;

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Mutation(() => DeploymentPayload)
  async recordDeployment(@Ctx() ctx: Ctx, @Arg('input', () => RecordDeploymentInput) input: RecordDeploymentInput) {
    return { deployment: await ctx.services.deployments.record(ctx.caller, input) };
  }

  @Mutation(() => DeploymentPayload, { description: 'Shifts traffic or changes status; ENDED and ROLLED_BACK are final' })
  async updateDeployment(@Ctx() ctx: Ctx, @Arg('input', () => UpdateDeploymentInput) input: UpdateDeploymentInput) {
    return { deployment: await ctx.services.deployments.update(ctx.caller, input) };
  }

  @Mutation(() => DeploymentPayload)
  async endDeployment(@Ctx() ctx: Ctx, @Arg('input', () => EndDeploymentInput) input: EndDeploymentInput) {
    return { deployment: await ctx.services.deployments.end(ctx.caller, input.id) };
  }

  @FieldResolver(() => ModelVersion)
  version(@Root() deployment: DeploymentEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.versions.byId.load(deployment.versionId);
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() deployment: DeploymentEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.models.byId.load(deployment.modelId);
  }
}

@Resolver(() => ModelVersion)
export class DeploymentVersionFields {
  @FieldResolver(() => DeploymentConnection, { description: 'Every deployment of this version, newest first' })
  async deployments(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.deployments.ofVersion(version.id, null, page, info);
  }
}

@Resolver(() => RegisteredModel)
export class DeploymentModelFields {
  @FieldResolver(() => DeploymentConnection, { description: 'ACTIVE and DRAINING deployments of any version of this model' })
  async activeDeployments(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.deployments.activeOfModel(model.id, null, page, info);
  }
}
