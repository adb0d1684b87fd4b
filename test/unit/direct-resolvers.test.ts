import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  ArgsType,
  buildSchema,
  createResolversMap,
  Ctx,
  Field,
  FieldResolver,
  Info,
  InputType,
  Int,
  ObjectType,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { useDirectResolvers } from '../../src/graphql/direct-resolvers';

// What the resolvers below received, per call: compared between type-graphql's path and the direct one.
const received: unknown[][] = [];

@ArgsType()
class Page {
  @Field(() => Int, { nullable: true })
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;
}

@ArgsType()
class PageWithDefault {
  @Field(() => Int, { nullable: true })
  first?: number = 50;
}

@InputType()
class Filter {
  @Field(() => String, { nullable: true })
  stage?: string;
}

@ObjectType()
class Parent {
  @Field()
  id: string;
}

@ObjectType()
class Child {
  @Field()
  id: string;
}

@Resolver(() => Parent)
class ProbeResolver {
  @Query(() => Parent)
  parent(): Parent {
    return Object.assign(new Parent(), { id: 'p' });
  }

  @FieldResolver(() => [Child])
  children(
    @Root() parent: Parent,
    @Ctx() ctx: { who: string },
    @Args() page: Page,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => Filter, { nullable: true }) filter?: Filter,
  ): Child[] {
    received.push([parent, ctx, page, info, filter]);
    return [];
  }

  @FieldResolver(() => [Child])
  defaulted(@Args() page: PageWithDefault): Child[] {
    received.push([page]);
    return [];
  }

  @FieldResolver(() => [Child])
  @UseMiddleware((_, next) => next())
  guarded(@Arg('n', () => Int) n: number): Child[] {
    received.push([n]);
    return [];
  }
}

type Resolve = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

async function resolverMaps() {
  const schema = await buildSchema({ resolvers: [ProbeResolver], validate: false });
  const original = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  const direct = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  const replaced = useDirectResolvers([ProbeResolver], direct);
  return { original, direct, replaced };
}

/** What each path hands the method for the same call: the values, their classes and their own keys. */
async function both(field: string, root: unknown, args: Record<string, unknown>) {
  const { original, direct } = await resolverMaps();
  const context = { who: 'me' };
  const info = { fieldName: field };
  const seen = [];
  for (const map of [original, direct]) {
    received.length = 0;
    await (map.Parent[field] as Resolve)(root, args, context, info);
    seen.push(
      received[0].map((value) => ({ value, class: (value as object | undefined)?.constructor, keys: value && Object.keys(value) })),
    );
  }
  return seen;
}

describe('useDirectResolvers', () => {
  it('replaces queries and field resolvers without middleware, and leaves the others to type-graphql', async () => {
    const { replaced } = await resolverMaps();
    // `defaulted`: its args class sets a default; `guarded`: it has a middleware.
    expect(replaced.sort()).toEqual(['Parent.children', 'Query.parent']);
  });

  it('hands the method what type-graphql hands it: root, context, an instance of the args class with the given fields, info', async () => {
    const root = Object.assign(new Parent(), { id: 'p' });
    const [viaTypeGraphql, direct] = await both('children', root, { first: 5 });
    expect(direct).toEqual(viaTypeGraphql);
    expect(direct[2].class).toBe(Page);
    expect(direct[2].keys).toEqual(['first']);
    expect(direct[4].value).toBeUndefined();
  });

  it('passes an input object through type-graphql, which makes it an instance of its class', async () => {
    const root = Object.assign(new Parent(), { id: 'p' });
    const [viaTypeGraphql, direct] = await both('children', root, { first: 5, filter: { stage: 'PRODUCTION' } });
    expect(direct).toEqual(viaTypeGraphql);
    expect(direct[4].class).toBe(Filter);
  });

  it('passes a root that is not its declared class through type-graphql', async () => {
    const [viaTypeGraphql, direct] = await both('children', { id: 'plain' }, {});
    expect(direct).toEqual(viaTypeGraphql);
    expect(direct[0].class).toBe(Parent);
  });
});
