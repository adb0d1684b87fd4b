import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import { RegisteredModel } from '../models/model.types';
import type { RegisteredModelEntity } from '../models/registered-model.entity';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import { ModelVersion } from '../versions/model-version.types';
import type { DeploymentEntity } from './deployment.entity';
import { Deployment, DeploymentConnection, DeploymentPayload, EndDeploymentInput, RecordDeploymentInput, UpdateDeploymentInput } from './deployment.types';

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => DeploymentPayload)
  async recordDeployment(@Ctx() ctx: GraphQLContext, @Arg('input', () => RecordDeploymentInput) input: RecordDeploymentInput) {
    return { deployment: await ctx.services.deployments.record(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => DeploymentPayload, { description: 'Shifts traffic or changes status; ENDED and ROLLED_BACK are final' })
  async updateDeployment(@Ctx() ctx: GraphQLContext, @Arg('input', () => UpdateDeploymentInput) input: UpdateDeploymentInput) {
    return { deployment: await ctx.services.deployments.update(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => DeploymentPayload)
  async endDeployment(@Ctx() ctx: GraphQLContext, @Arg('input', () => EndDeploymentInput) input: EndDeploymentInput) {
    return { deployment: await ctx.services.deployments.end(ctx.caller, input.id) };
  }

  @FieldResolver(() => ModelVersion)
  version(@Root() deployment: DeploymentEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.versionById.load(deployment.versionId);
  }

  @FieldResolver(() => RegisteredModel)
  model(@Root() deployment: DeploymentEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.modelById.load(deployment.modelId);
  }
}

@Resolver(() => ModelVersion)
export class DeploymentVersionFields {
  @FieldResolver(() => DeploymentConnection, { description: 'Every deployment of this version, newest first' })
  async deployments(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.deploymentsOfVersion(page).load(version.id));
  }
}

@Resolver(() => RegisteredModel)
export class DeploymentModelFields {
  @FieldResolver(() => DeploymentConnection, { description: 'ACTIVE and DRAINING deployments of any version of this model' })
  async activeDeployments(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.activeDeploymentsOfModel(page).load(model.id));
  }
}
