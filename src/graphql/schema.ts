import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { buildSchema, createResolversMap } from 'type-graphql';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { TokenResolver } from '../modules/auth/token.resolver';
import { AliasHistoryResolver, ModelAliasResolver, ModelResolver } from '../modules/models/model.resolver';
import { ModelVersionResolver } from '../modules/versions/model-version.resolver';
import { DeploymentModelFields, DeploymentResolver, DeploymentVersionFields } from '../modules/deployments/deployment.resolver';
import {
  GovernanceModelFields,
  GovernanceResolver,
  GovernanceVersionFields,
  ValidationReportResolver,
} from '../modules/governance/governance.resolver';
import { MetricResolver } from '../modules/metrics/metric.resolver';
import { TransitionModelFields, TransitionResolver } from '../modules/versions/transition.resolver';
import { authChecker } from './auth-checker';
import type { GraphQLContext } from './context';

export const resolvers = [
  ModelResolver,
  ModelAliasResolver,
  AliasHistoryResolver,
  ModelVersionResolver,
  AuditResolver,
  TokenResolver,
  MetricResolver,
  GovernanceResolver,
  ValidationReportResolver,
  GovernanceModelFields,
  GovernanceVersionFields,
  TransitionResolver,
  TransitionModelFields,
  DeploymentResolver,
  DeploymentVersionFields,
  DeploymentModelFields,
] as const;

// Federation 2.4+ is needed once the subgraph has Subscription fields.
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])`;

/** `_entities` answers through the same per-request loaders as every other field. */
const referenceResolvers = {
  RegisteredModel: {
    __resolveReference: (ref: { id?: string; name?: string }, ctx: GraphQLContext) =>
      ref.id ? ctx.loaders.modelById.load(ref.id) : ref.name ? ctx.loaders.modelByName.load(ref.name) : null,
  },
  ModelVersion: {
    __resolveReference: (ref: { id: string }, ctx: GraphQLContext) => ctx.loaders.versionById.load(ref.id),
  },
  Deployment: {
    __resolveReference: (ref: { id: string }, ctx: GraphQLContext) => ctx.loaders.deploymentById.load(ref.id),
  },
};

/**
 * Builds the code-first schema with type-graphql, then turns it into a Federation 2 subgraph
 * (keys, `_service`, `_entities`) with @apollo/subgraph.
 */
export async function buildModelgraphSchema(): Promise<GraphQLSchema> {
  const typeSchema = await buildSchema({
    resolvers,
    authChecker,
    validate: false,
    emitSchemaFile: false,
  });
  const resolverMap = createResolversMap(typeSchema) as Record<string, Record<string, unknown>>;
  for (const [type, extra] of Object.entries(referenceResolvers)) resolverMap[type] = { ...resolverMap[type], ...extra };
  return buildSubgraphSchema({
    typeDefs: gql`${FEDERATION_LINK}\n${printSchemaWithDirectives(typeSchema)}`,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    resolvers: resolverMap as any,
  });
}
