import { UUIDResolver } from 'graphql-scalars';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { ArtifactService } from '../artifacts';
import type { RetentionOutcome, RetentionService } from './retention.service';
import {
  ApplyRetentionInput,
  LegalHold,
  ReleaseLegalHoldInput,
  RetentionPlan,
  RetentionPolicy,
  SetLegalHoldInput,
  SetRetentionPolicyInput,
  SweepArtifactsInput,
  SweptObject,
} from './retention.types';

type Ctx = RequestContext<{ retention: RetentionService; artifacts: ArtifactService }>;

const planOf = (modelId: string, o: RetentionOutcome): RetentionPlan => ({
  modelId,
  policy: o.policy,
  entries: o.plan,
  retired: o.retired,
  queued: o.queued,
});

@Resolver()
export class RetentionResolver {
  @Mutation(() => RetentionPolicy, { description: 'Per model (MANAGE), per risk tier or global (ADMIN)' })
  setRetentionPolicy(@Ctx() ctx: Ctx, @Arg('input', () => SetRetentionPolicyInput) input: SetRetentionPolicyInput) {
    return ctx.services.retention.setPolicy(ctx.caller, input);
  }

  @Query(() => RetentionPlan, { description: 'What applyRetention would do now, and why each other version is kept; changes nothing' })
  async retentionPlan(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return planOf(modelId, await ctx.services.retention.plan(ctx.caller, modelId));
  }

  @Mutation(() => RetentionPlan, { description: 'ADMIN: retires what the plan says and queues the artifacts for cold storage or deletion' })
  async applyRetention(@Ctx() ctx: Ctx, @Arg('input', () => ApplyRetentionInput) input: ApplyRetentionInput) {
    return planOf(input.modelId, await ctx.services.retention.apply(ctx.caller, input.modelId));
  }

  @Mutation(() => LegalHold, { description: 'ADMIN: nothing of the model or version retires, moves or is deleted until released' })
  setLegalHold(@Ctx() ctx: Ctx, @Arg('input', () => SetLegalHoldInput) input: SetLegalHoldInput) {
    return ctx.services.retention.setHold(ctx.caller, input);
  }

  @Mutation(() => LegalHold, { description: 'ADMIN' })
  releaseLegalHold(@Ctx() ctx: Ctx, @Arg('input', () => ReleaseLegalHoldInput) input: ReleaseLegalHoldInput) {
    return ctx.services.retention.releaseHold(ctx.caller, input);
  }

  @Query(() => [LegalHold], { description: 'Open holds first' })
  legalHolds(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return ctx.services.retention.holds(ctx.caller, modelId);
  }

  @Mutation(() => [SweptObject], {
    description: 'ADMIN: objects in the store no version references; removed past the grace period unless dryRun',
  })
  sweepArtifacts(@Ctx() ctx: Ctx, @Arg('input', () => SweepArtifactsInput) input: SweepArtifactsInput) {
    return ctx.services.retention.sweep(ctx.caller, input);
  }
}
