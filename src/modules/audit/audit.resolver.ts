import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { SortDirection } from '../models/model.types';
import type { AuditEventEntity } from './audit-event.entity';
import { AuditChainVerification, AuditEvent, AuditEventConnection, AuditEventFilter } from './audit.types';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: 'The audit trail, newest first unless direction is ASC' })
  async auditEvents(
    @Ctx() ctx: GraphQLContext,
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('direction', () => SortDirection, { nullable: true }) direction?: SortDirection,
  ) {
    const result = await ctx.services.audit.list(filter ?? {}, { ...page, direction: direction ?? SortDirection.DESC });
    return toConnection(result, (e: AuditEventEntity) => ({ ...e, seq: Number(e.seq) }));
  }

  @Query(() => AuditChainVerification, { description: 'Re-hashes the whole chain and names the first broken link' })
  verifyAuditChain(@Ctx() ctx: GraphQLContext) {
    return ctx.services.audit.verifyChain();
  }
}
