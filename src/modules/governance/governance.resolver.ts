import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from '../auth/role';
import { RegisteredModel } from '../models/model.types';
import type { RegisteredModelEntity } from '../models/registered-model.entity';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import { Stage } from '../versions/model-version.enums';
import { ModelVersion } from '../versions/model-version.types';
import type { ValidationReportEntity } from './governance.entities';
import type { Decision, EffectivePolicy as Effective } from './governance.service';
import {
  ApprovalChallengeInput,
  ApprovalChallengePayload,
  ApprovalConnection,
  ApprovalPayload,
  BaselineConnection,
  DecideModelVersionInput,
  EffectivePolicy,
  PromotionReadiness,
  RegisterApproverKeyInput,
  RegisterApproverKeyPayload,
  SetBaselineInput,
  SetBaselinePayload,
  SetPolicyInput,
  SetPolicyPayload,
  ValidateModelVersionInput,
  ValidateModelVersionPayload,
  ValidationCheck,
  ValidationReport,
} from './governance.types';

function toEffectivePolicy({ policy, source }: Effective): EffectivePolicy {
  return {
    source: source as EffectivePolicy['source'],
    requiredChecks: policy.requiredChecks.map((c) => `${c.metric} ${c.comparator === 'GTE' ? '>=' : '<='} ${c.threshold}`),
    maxValidationAgeHours: policy.maxValidationAgeHours,
    separationOfDuties: policy.separationOfDuties,
    approverRole: policy.approverRole,
    stagingApprovals: policy.approvals.STAGING,
    productionApprovals: policy.approvals.PRODUCTION,
  };
}

@Resolver()
export class GovernanceResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => SetBaselinePayload, { description: 'Creates or replaces the baseline of one metric of a model' })
  async setBaseline(@Ctx() ctx: GraphQLContext, @Arg('input', () => SetBaselineInput) input: SetBaselineInput) {
    return { baseline: await ctx.services.governance.setBaseline(ctx.caller, input) };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SetPolicyPayload, { description: 'Stores a new version of the policy of a model or of a risk tier' })
  async setPolicy(@Ctx() ctx: GraphQLContext, @Arg('input', () => SetPolicyInput) input: SetPolicyInput) {
    return { policy: await ctx.services.governance.setPolicy(ctx.caller, input) };
  }

  @Authorized(Role.CONTRIBUTOR)
  @Mutation(() => ValidateModelVersionPayload, { description: 'Compares VALIDATION metrics with the baselines and policy checks' })
  async validateModelVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => ValidateModelVersionInput) input: ValidateModelVersionInput) {
    return { report: await ctx.services.governance.validate(ctx.caller, input.versionId) };
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => RegisterApproverKeyPayload, { description: "Registers (or replaces) the caller's Ed25519 public key" })
  async registerApproverKey(@Ctx() ctx: GraphQLContext, @Arg('input', () => RegisterApproverKeyInput) input: RegisterApproverKeyInput) {
    return { key: await ctx.services.governance.registerApproverKey(ctx.caller, input.publicKey) };
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => ApprovalChallengePayload, { description: 'The canonical message to sign for a decision; changes nothing' })
  approvalChallenge(@Ctx() ctx: GraphQLContext, @Arg('input', () => ApprovalChallengeInput) input: ApprovalChallengeInput) {
    return ctx.services.governance.challenge(ctx.caller, input.versionId, input.targetStage, input.decision);
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => ApprovalPayload)
  approveModelVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => DecideModelVersionInput) input: DecideModelVersionInput) {
    return this.decide(ctx, input, 'APPROVED');
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => ApprovalPayload)
  rejectModelVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => DecideModelVersionInput) input: DecideModelVersionInput) {
    return this.decide(ctx, input, 'REJECTED');
  }

  @Query(() => PromotionReadiness, { description: 'Every gate for moving a version to a stage, with why; changes nothing' })
  async promotionReadiness(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => UUIDResolver) versionId: string,
    @Arg('targetStage', () => Stage) targetStage: Stage,
  ): Promise<PromotionReadiness> {
    const r = await ctx.services.governance.readiness(versionId, targetStage);
    return { ...r, ready: r.moveAllowed && r.passed };
  }

  private async decide(ctx: GraphQLContext, input: DecideModelVersionInput, decision: Decision) {
    const approval = await ctx.services.governance.decide(ctx.caller, input, decision);
    return { approval, version: await ctx.loaders.versionById.load(input.versionId) };
  }
}

@Resolver(() => ValidationReport)
export class ValidationReportResolver {
  @FieldResolver(() => [ValidationCheck], { description: 'One row per check, baselines first' })
  async checks(@Root() report: ValidationReportEntity, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.checksOfReport.load(report.id)) ?? [];
  }
}

@Resolver(() => RegisteredModel)
export class GovernanceModelFields {
  @FieldResolver(() => BaselineConnection)
  async baselines(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.baselinesOfModel(page).load(model.id));
  }

  @FieldResolver(() => EffectivePolicy, { description: 'The policy in force: the model’s own, else its risk tier’s, else the default' })
  async effectivePolicy(@Root() model: RegisteredModelEntity, @Ctx() ctx: GraphQLContext) {
    return toEffectivePolicy(await ctx.loaders.effectivePolicy.load(model));
  }
}

@Resolver(() => ModelVersion)
export class GovernanceVersionFields {
  @FieldResolver(() => ValidationReport, { nullable: true })
  latestValidation(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.latestValidation.load(version.id);
  }

  @FieldResolver(() => ApprovalConnection, { description: 'Signed decisions on this version, oldest first' })
  async approvals(@Root() version: ModelVersionEntity, @Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.loaders.approvalsOfVersion(page).load(version.id));
  }
}
