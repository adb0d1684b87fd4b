import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { RegisteredModel, type RegisteredModelEntity } from '../models';
import { Comparator } from './governance.enums';
import type { GovernanceLoaders } from './governance.loaders';
import type { PolicyService } from './policy.service';
import type { EffectivePolicy as Effective } from './policy.store';
import {
  BaselineConnection,
  EffectivePolicy,
  SetBaselineInput,
  SetBaselinePayload,
  SetPolicyInput,
  SetPolicyPayload,
} from './policy.types';

type Ctx = RequestContext<{ policy: PolicyService }, { governance: GovernanceLoaders }>;

function toEffectivePolicy({ policy, source }: Effective): EffectivePolicy {
  return {
    source: source as EffectivePolicy['source'],
    requiredChecks: policy.requiredChecks.map((c) => `${c.metric} ${c.comparator === Comparator.GTE ? '>=' : '<='} ${c.threshold}`),
    maxValidationAgeHours: policy.maxValidationAgeHours,
    separationOfDuties: policy.separationOfDuties,
    approverRole: policy.approverRole,
    stagingApprovals: policy.approvals.STAGING,
    productionApprovals: policy.approvals.PRODUCTION,
    requiredSignatures: policy.requiredSignatures,
    scan: policy.scan,
    modelCard: policy.modelCard,
  };
}

@Resolver()
export class PolicyResolver {
  @Mutation(() => SetBaselinePayload, { description: 'Creates or replaces the baseline of one metric of a model' })
  async setBaseline(@Ctx() ctx: Ctx, @Arg('input', () => SetBaselineInput) input: SetBaselineInput) {
    return { baseline: await ctx.services.policy.setBaseline(ctx.caller, input) };
  }

  @Mutation(() => SetPolicyPayload, { description: 'Stores a new version of the policy of a model or of a risk tier' })
  async setPolicy(@Ctx() ctx: Ctx, @Arg('input', () => SetPolicyInput) input: SetPolicyInput) {
    return { policy: await ctx.services.policy.setPolicy(ctx.caller, input) };
  }
}

@Resolver(() => RegisteredModel)
export class PolicyModelFields {
  @FieldResolver(() => BaselineConnection)
  async baselines(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.governance.baselinesOfModel(model.id, null, page, info);
  }

  @FieldResolver(() => EffectivePolicy, { description: 'The policy in force: the model’s own, else its risk tier’s, else the default' })
  async effectivePolicy(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx) {
    return toEffectivePolicy(await ctx.loaders.governance.effectivePolicy.load(model));
  }
}
