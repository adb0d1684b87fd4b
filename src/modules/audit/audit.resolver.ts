import { Arg, Args, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs, SortDirection, toConnection } from '../../graphql/connection';
import type { ModelVisibility } from '../../common/visibility';
import type { RequestContext } from '../../graphql/context';
import type { AuditEventEntity } from './audit.entity';
import type { AuditService } from './audit.service';
import {
  AcknowledgeAuditBreakInput,
  AcknowledgeAuditBreakPayload,
  AuditChainVerification,
  AuditCheckpoint,
  AuditCheckpointPayload,
  AuditEvent,
  AuditEventConnection,
  AuditEventFilter,
} from './audit.types';
import type { CheckpointService } from './checkpoint.service';

// The access module (above this one) provides the visibility rule; the audit module knows only its interface.
type Ctx = RequestContext<{ audit: AuditService; checkpoints: CheckpointService; access: ModelVisibility }>;

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: 'The audit trail, newest first unless direction is ASC' })
  async auditEvents(
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('direction', () => SortDirection, { nullable: true }) direction?: SortDirection,
  ) {
    const reader = { caller: ctx.caller, visibility: ctx.services.access };
    const result = await ctx.services.audit.list(reader, filter ?? {}, { ...page, direction: direction ?? SortDirection.DESC });
    return toConnection(
      result,
      () => ctx.services.audit.count(reader, filter ?? {}),
      (e: AuditEventEntity) => ({ ...e, seq: Number(e.seq) }),
    );
  }

  @Query(() => AuditChainVerification, { description: 'Re-hashes the whole chain and names the first broken link' })
  verifyAuditChain(@Ctx() ctx: Ctx) {
    return ctx.services.audit.verifyChainFor(ctx.caller);
  }

  @Query(() => [AuditCheckpoint], { description: 'The newest signed checkpoints of the audit chain, newest first (at most 100)' })
  async auditCheckpoints(@Ctx() ctx: Ctx, @Arg('first', () => Int, { defaultValue: 20 }) first: number) {
    const rows = await ctx.services.checkpoints.recent(ctx.caller, first);
    return rows.map((c) => ({ ...c, signedAt: new Date(c.signedAt) }));
  }

  @Mutation(() => AuditCheckpointPayload, {
    description: 'Signs the head of the audit chain now, after checking it (the server also does so periodically)',
  })
  async createAuditCheckpoint(@Ctx() ctx: Ctx) {
    const checkpoint = await ctx.services.checkpoints.checkpointFor(ctx.caller);
    return { checkpoint: checkpoint && { ...checkpoint, signedAt: new Date(checkpoint.signedAt) } };
  }

  @Mutation(() => AcknowledgeAuditBreakPayload, {
    description: 'After a verification found the audit chain broken, lets writes resume: the break stays on record',
  })
  async acknowledgeAuditBreak(@Ctx() ctx: Ctx, @Arg('input', () => AcknowledgeAuditBreakInput) input: AcknowledgeAuditBreakInput) {
    return { break: await ctx.services.checkpoints.acknowledge(ctx.caller, input.seq, input.reason) };
  }
}
