import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import { type ModelVersionEntity, type VersionLoaders, ModelVersion } from '../versions';
import type { ApprovalService } from './approval.service';
import {
  ApprovalChallengeInput,
  ApprovalChallengePayload,
  ApprovalConnection,
  ApprovalPayload,
  ApprovalVerification,
  DecideModelVersionInput,
  RegisterApproverKeyInput,
  RegisterApproverKeyPayload,
} from './approval.types';
import { Decision } from './governance.enums';
import type { GovernanceLoaders } from './governance.loaders';

type Ctx = RequestContext<{ approvals: ApprovalService }, { versions: VersionLoaders; governance: GovernanceLoaders }>;

@Resolver()
export class ApprovalResolver {
  @Mutation(() => RegisterApproverKeyPayload, { description: "Registers (or replaces) the caller's Ed25519 public key" })
  async registerApproverKey(@Ctx() ctx: Ctx, @Arg('input', () => RegisterApproverKeyInput) input: RegisterApproverKeyInput) {
    return { key: await ctx.services.approvals.registerApproverKey(ctx.caller, input.publicKey) };
  }

  @Mutation(() => ApprovalChallengePayload, { description: 'The canonical message to sign for a decision; changes nothing' })
  approvalChallenge(@Ctx() ctx: Ctx, @Arg('input', () => ApprovalChallengeInput) input: ApprovalChallengeInput) {
    return ctx.services.approvals.challenge(ctx.caller, input.versionId, input.targetStage, input.decision);
  }

  @Mutation(() => ApprovalPayload)
  approveModelVersion(@Ctx() ctx: Ctx, @Arg('input', () => DecideModelVersionInput) input: DecideModelVersionInput) {
    return this.decide(ctx, input, Decision.APPROVED);
  }

  @Mutation(() => ApprovalPayload)
  rejectModelVersion(@Ctx() ctx: Ctx, @Arg('input', () => DecideModelVersionInput) input: DecideModelVersionInput) {
    return this.decide(ctx, input, Decision.REJECTED);
  }

  @Query(() => ApprovalVerification, { description: 'Checks a recorded approval again: its message and its signature' })
  verifyApproval(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.services.approvals.verify(ctx.caller, id);
  }

  private async decide(ctx: Ctx, input: DecideModelVersionInput, decision: Decision) {
    const approval = await ctx.services.approvals.decide(ctx.caller, input, decision);
    return { approval, version: await ctx.loaders.versions.byId.load(input.versionId) };
  }
}

@Resolver(() => ModelVersion)
export class ApprovalVersionFields {
  @FieldResolver(() => ApprovalConnection, { description: 'Signed decisions on this version, oldest first' })
  async approvals(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx, @Args() page: PageArgs, @Info() info: GraphQLResolveInfo) {
    return ctx.loaders.governance.approvalsOfVersion(version.id, null, page, info);
  }
}
