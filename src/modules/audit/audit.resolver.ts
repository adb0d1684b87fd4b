import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { PageArgs, SortDirection, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import type { AuditEventEntity } from './audit-event.entity';
import type { AuditService } from './audit.service';
import { AuditChainVerification, AuditEvent, AuditEventConnection, AuditEventFilter } from './audit.types';

type Ctx = RequestContext<{ audit: AuditService }>;

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: 'The audit trail, newest first unless direction is ASC' })
  async auditEvents(
    @Ctx() ctx: Ctx,
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('direction', () => SortDirection, { nullable: true }) direction?: SortDirection,
  ) {
    const result = await ctx.services.audit.list(filter ?? {}, { ...page, direction: direction ?? SortDirection.DESC });
    return toConnection(
      result,
      () => ctx.services.audit.count(filter ?? {}),
      (e: AuditEventEntity) => ({ ...e, seq: Number(e.seq) }),
    );
  }

  @Query(() => AuditChainVerification, { description: 'Re-hashes the whole chain and names the first broken link' })
  verifyAuditChain(@Ctx() ctx: Ctx) {
    return ctx.services.audit.verifyChain();
  }
}
