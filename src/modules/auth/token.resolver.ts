import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { Role } from './role';
import {
  ApiToken,
  ApiTokenConnection,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
  Viewer,
} from './token.types';

@Resolver(() => ApiToken)
export class TokenResolver {
  @Query(() => Viewer)
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    return { subject: ctx.caller.subject, role: ctx.caller.role, tokenId: ctx.caller.tokenId };
  }

  @Authorized(Role.ADMIN)
  @Query(() => ApiTokenConnection)
  async apiTokens(@Ctx() ctx: GraphQLContext, @Args() page: PageArgs) {
    return toConnection(await ctx.services.tokens.list(page));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreateApiTokenPayload)
  async createApiToken(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput) {
    const { token, secret } = await ctx.services.tokens.create(ctx.caller, input);
    return { apiToken: token, token: secret };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RevokeApiTokenPayload)
  async revokeApiToken(@Ctx() ctx: GraphQLContext, @Arg('input', () => RevokeApiTokenInput) input: RevokeApiTokenInput) {
    return { apiToken: await ctx.services.tokens.revoke(ctx.caller, input.id) };
  }
}
