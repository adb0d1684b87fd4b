import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../common/errors';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import type { TeamEntity } from './access.entity';
import type { AccessLoaders } from './access.loaders';
import type { AccessService } from './access.service';
import {
  CreateTeamInput,
  GrantAccessInput,
  GrantPayload,
  ModelAccess,
  MyAccess,
  ProtectAliasInput,
  ProtectedAliasPayload,
  RevokeAccessInput,
  Team,
  TeamConnection,
  TeamMemberInput,
  TeamPayload,
} from './access.types';

type Ctx = RequestContext<{ access: AccessService }, { access: AccessLoaders }>;

/** One model, or all of them: exactly one of the two. */
function scope(input: { modelId?: string; allModels?: boolean }): string | null {
  if (Boolean(input.modelId) === Boolean(input.allModels)) throw badInput('modelId', 'give exactly one of modelId and allModels: true');
  return input.modelId ?? null;
}

@Resolver(() => Team)
export class AccessResolver {
  @Mutation(() => TeamPayload)
  async createTeam(@Ctx() ctx: Ctx, @Arg('input', () => CreateTeamInput) input: CreateTeamInput) {
    return { team: await ctx.services.access.createTeam(ctx.caller, input) };
  }

  @Mutation(() => TeamPayload)
  async addTeamMember(@Ctx() ctx: Ctx, @Arg('input', () => TeamMemberInput) input: TeamMemberInput) {
    return { team: await ctx.services.access.addMember(ctx.caller, input.teamId, input.subject) };
  }

  @Mutation(() => TeamPayload)
  async removeTeamMember(@Ctx() ctx: Ctx, @Arg('input', () => TeamMemberInput) input: TeamMemberInput) {
    return { team: await ctx.services.access.removeMember(ctx.caller, input.teamId, input.subject) };
  }

  @Mutation(() => GrantPayload, { description: 'Grants (or changes) a level on one model (needs MANAGE there) or on all models (ADMIN)' })
  async grantAccess(@Ctx() ctx: Ctx, @Arg('input', () => GrantAccessInput) input: GrantAccessInput) {
    return { grant: await ctx.services.access.grant(ctx.caller, { ...input, modelId: scope(input) }) };
  }

  @Mutation(() => GrantPayload, { description: 'Removes a grant; answers with it as it was' })
  async revokeAccess(@Ctx() ctx: Ctx, @Arg('input', () => RevokeAccessInput) input: RevokeAccessInput) {
    return { grant: await ctx.services.access.revoke(ctx.caller, input.grantId) };
  }

  @Mutation(() => ProtectedAliasPayload, { description: 'Moving or deleting matching aliases will need APPROVE on the model' })
  async protectAlias(@Ctx() ctx: Ctx, @Arg('input', () => ProtectAliasInput) input: ProtectAliasInput) {
    return { protectedAlias: await ctx.services.access.protectAlias(ctx.caller, scope(input), input.pattern) };
  }

  @Query(() => ModelAccess, { description: 'Who has access to a model, and which of its aliases are protected' })
  async accessOf(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return { modelId, ...(await ctx.services.access.accessOf(ctx.caller, modelId)) };
  }

  @Query(() => MyAccess, { description: 'What the caller may do on a model' })
  myAccess(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return ctx.services.access.myAccess(ctx.caller, modelId);
  }

  @Query(() => TeamConnection)
  async teams(@Ctx() ctx: Ctx, @Args() page: PageArgs) {
    return toConnection(await ctx.services.access.teams(ctx.caller, page), () => ctx.services.access.countTeams());
  }

  @FieldResolver(() => [String])
  async members(@Root() team: TeamEntity, @Ctx() ctx: Ctx) {
    return (await ctx.loaders.access.members.load(team.id)) ?? [];
  }
}
