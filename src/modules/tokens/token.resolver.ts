import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import type { TokenService } from './token.service';
import {
  ApiToken,
  ApiTokenConnection,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
  Viewer,
} from './token.types';

type Ctx = RequestContext<{ tokens: TokenService }>;

@Resolver(() => ApiToken)
export class TokenResolver {
  @Query(() => Viewer)
  viewer(@Ctx() ctx: Ctx): Viewer {
    return { subject: ctx.caller.subject, role: ctx.caller.role, tokenId: ctx.caller.tokenId };
  }

  @Query(() => ApiTokenConnection)
  async apiTokens(@Ctx() ctx: Ctx, @Args() page: PageArgs) {
    return toConnection(await ctx.services.tokens.list(ctx.caller, page), () => ctx.services.tokens.count());
  }

  @Mutation(() => CreateApiTokenPayload)
  async createApiToken(@Ctx() ctx: Ctx, @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput) {
    const { token, secret } = await ctx.services.tokens.create(ctx.caller, input);
    return { apiToken: token, token: secret };
  }

  @Mutation(() => RevokeApiTokenPayload)
  async revokeApiToken(@Ctx() ctx: Ctx, @Arg('input', () => RevokeApiTokenInput) input: RevokeApiTokenInput) {
    return { apiToken: await ctx.services.tokens.revoke(ctx.caller, input.id) };
  }
}
