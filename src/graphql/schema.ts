import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { badInput } from '../common/errors';
import gql from 'graphql-tag';
import { buildSchema, createResolversMap, getMetadataStorage, type NonEmptyArray } from 'type-graphql';
import type { Class, ReferenceResolver } from '../common/module';
import { useDirectResolvers } from './direct-resolvers';

// Federation 2.4+ is needed once the subgraph has Subscription fields.
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])`;

export interface SchemaParts {
  resolvers: Class[];
  /** Per federation entity type, how `_entities` resolves a reference (through the request's loaders). */
  references: Record<string, ReferenceResolver>;
}

/**
 * Builds the code-first schema with type-graphql from the modules' resolvers, then turns it into a
 * Federation 2 subgraph (keys, `_service`, `_entities`) with @apollo/subgraph.
 */
export async function buildModelgraphSchema({ resolvers, references }: SchemaParts): Promise<GraphQLSchema> {
  if (resolvers.length === 0) throw new Error('buildModelgraphSchema: no resolvers');
  // A plain field (no @FieldResolver, no middleware, no role) is read straight off its object by the
  // executor: type-graphql would otherwise wrap every one in a middleware runner with nothing to run,
  // and graphql-jit can inline a property read but not a call. type-graphql's own `simpleResolvers`
  // option, applied to every object type that does not choose.
  for (const type of getMetadataStorage().objectTypes) type.simpleResolvers ??= true;
  const typeSchema = await buildSchema({
    resolvers: resolvers as NonEmptyArray<Class>,
    validate: false,
    // Every subscription here brings its own `subscribe` (the events module reads the audit log), so type-graphql's
    // topic-based PubSub is never used; it insists on being given one.
    pubSub: {
      publish: () => {
        throw new Error('topic subscriptions are not used: subscriptions bring their own subscribe function');
      },
      subscribe: () => {
        throw new Error('topic subscriptions are not used: subscriptions bring their own subscribe function');
      },
    },
    emitSchemaFile: false,
  });
  const resolverMap = createResolversMap(typeSchema) as Record<string, Record<string, unknown>>;
  useDirectResolvers(resolvers, resolverMap);
  // An interface's object carries its `__typename` (see lineage-node.ts), read synchronously: type-graphql
  // wraps type resolvers in an async function, which graphql-jit does not await.
  for (const type of Object.values(typeSchema.getTypeMap())) {
    if (isInterfaceType(type))
      resolverMap[type.name] = { ...resolverMap[type.name], __resolveType: (value: { __typename?: string }) => value.__typename };
  }
  for (const [type, resolveReference] of Object.entries(references)) {
    resolverMap[type] = { ...resolverMap[type], __resolveReference: resolveReference };
  }
  const schema = buildSubgraphSchema({
    typeDefs: gql`
      ${FEDERATION_LINK}
      ${printSchemaWithDirectives(typeSchema)}
    `,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    resolvers: resolverMap as any,
  });
  guardEntities(schema, new Set(Object.keys(references)));
  carryComplexity(typeSchema, schema);
  return schema;
}

/**
 * A field's declared cost (type-graphql's `complexity` option, read by the cost estimator in limits.ts) is an
 * extension, which printing the schema for the subgraph loses: copied onto the subgraph's field.
 */
function carryComplexity(from: GraphQLSchema, to: GraphQLSchema): void {
  for (const type of Object.values(from.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const target = to.getType(type.name);
    if (!target || (!isObjectType(target) && !isInterfaceType(target))) continue;
    const fields = target.getFields();
    for (const [name, field] of Object.entries(type.getFields())) {
      const complexity = field.extensions.complexity;
      if (complexity === undefined || !fields[name]) continue;
      Object.assign(fields[name], { extensions: { ...fields[name].extensions, complexity } });
    }
  }
}

/**
 * `_entities` takes any JSON as a representation; @apollo/subgraph answers one it cannot use with a plain
 * Error (an internal error to the client). Representations are checked first: an object whose __typename
 * is one of our entity types and whose keys are strings.
 */
function guardEntities(schema: GraphQLSchema, entityTypes: ReadonlySet<string>): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = (source, args, context, info) => {
    const representations: unknown[] = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((rep, i) => {
      const where = `representations[${i}]`;
      if (rep === null || typeof rep !== 'object' || Array.isArray(rep))
        throw badInput(where, 'must be an object with __typename and key fields');
      const { __typename: type, ...keys } = rep as Record<string, unknown>;
      if (typeof type !== 'string' || !entityTypes.has(type))
        throw badInput(`${where}.__typename`, `must be one of ${[...entityTypes].join(', ')}`);
      if (Object.keys(keys).length === 0) throw badInput(where, `gives no key of ${type}`);
      for (const [key, value] of Object.entries(keys)) {
        // A string that is no id of ours (not a UUID, say) is simply not found: null, in place.
        if (typeof value !== 'string') throw badInput(`${where}.${key}`, 'must be a string');
      }
    });
    return resolve(source, args, context, info);
  };
}
