import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LineageNodeKind } from '../../common/lineage';
import type { RequestContext } from '../../graphql/context';
import { fieldsAt, selects } from '../../graphql/selection';
import { LineageNode } from '../../graphql/lineage-node';
import { type DeploymentEntity, type DeploymentLoaders, Deployment } from '../deployments';
import type { ModelLoaders } from '../models';
import { type ModelVersionEntity, type VersionLabel, type VersionLoaders, ModelVersion } from '../versions';
import type { LineageEdgeEntity } from './lineage.entity';
import type { LineageLoaders } from './lineage.loaders';
import { EDGES_PER_NODE, LineageDirection, LineageRelation, MAX_EDGES, MAX_IMPACTED, MAX_PATHS } from './lineage.rules';
import type { GraphArgs, LineageService, Step } from './lineage.service';
import {
  AddLineageEdgesInput,
  AddLineageEdgesPayload,
  Impact,
  LineageGraph,
  LineagePath,
  RemoveLineageEdgeInput,
  RemoveLineageEdgePayload,
  UpsertLineageNodesInput,
  UpsertLineageNodesPayload,
} from './lineage.types';
import type { Reached, Walk } from './lineage.walk';

export type LineageContext = RequestContext<
  { lineage: LineageService },
  { lineage: LineageLoaders; versions: VersionLoaders; deployments: DeploymentLoaders; models: ModelLoaders }
>;

type Ctx = LineageContext;

type NodeRow = Pick<Reached, 'id' | 'kind'>;

/** The node fields a version's or a deployment's label answers; asking for any other needs the whole row. */
const LABEL_FIELDS = new Set(['__typename', 'id', 'kind', 'name']);

/**
 * The object a LineageNode field answers: the ModelVersion or Deployment itself (so a client selects
 * their fields inside the graph), or the generic node; tagged with its type for the interface. With
 * `labelOnly` (the client asks for no more than LABEL_FIELDS), a version or deployment is read as its label.
 */
export async function nodeObject(ctx: Ctx, node: NodeRow, labelOnly = false): Promise<object | null> {
  if (node.kind === LineageNodeKind.MODEL_VERSION) {
    const version = await (labelOnly ? ctx.loaders.versions.labelById : ctx.loaders.versions.byId).load(node.id);
    return version && { __typename: 'ModelVersion', ...version };
  }
  if (node.kind === LineageNodeKind.DEPLOYMENT) {
    const deployment = await (labelOnly ? ctx.loaders.deployments.labelById : ctx.loaders.deployments.byId).load(node.id);
    return deployment && { __typename: 'Deployment', ...deployment };
  }
  return { __typename: 'GenericLineageNode', ...node };
}

/**
 * Resolves every node of an answer at once (the loaders batch them), dropping any the caller cannot see. A picture
 * of a graph asks only for labels: then only those are read (a 1,000-node answer is otherwise most of its time).
 */
async function graphOf(ctx: Ctx, walk: Walk, info: GraphQLResolveInfo) {
  const labelOnly = fieldsAt(info, 'nodes', 'node').every((field) => LABEL_FIELDS.has(field));
  const nodes = await Promise.all(walk.nodes.map(async (n) => ({ node: await nodeObject(ctx, n, labelOnly), depth: n.depth })));
  return { nodes: nodes.filter((n) => n.node !== null), edges: walk.edges, truncated: walk.truncated };
}

async function stepsOf(ctx: Ctx, steps: Step[]) {
  return Promise.all(steps.map(async (s) => ({ node: await nodeObject(ctx, s.node), relation: s.relation })));
}

function graphArgs(
  info: GraphQLResolveInfo,
  direction: LineageDirection,
  maxDepth: number,
  kinds?: LineageNodeKind[] | null,
  relations?: LineageRelation[] | null,
  first?: number | null,
  at?: Date | null,
): GraphArgs {
  return {
    direction,
    maxDepth,
    kinds: kinds ?? null,
    relations: relations ?? null,
    first: first ?? 1000,
    at: at ?? null,
    edgeIds: selects(info, 'edges', 'id'),
  };
}

@Resolver()
export class LineageResolver {
  @Query(() => LineageGraph, {
    description:
      'The graph around a node (a node id, or a version or deployment id), walked in one statement; maxDepth at most 20; ' +
      `at most \`first\` nodes besides the start and ${EDGES_PER_NODE} × \`first\` edges between them (${MAX_EDGES.toLocaleString('en-US')} at most), ` +
      '`truncated` when there were more',
  })
  async lineage(
    @Ctx() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
    @Arg('nodeId', () => UUIDResolver) nodeId: string,
    @Arg('direction', () => LineageDirection, { defaultValue: LineageDirection.BOTH }) direction: LineageDirection,
    @Arg('maxDepth', () => Int, { defaultValue: 3 }) maxDepth: number,
    @Arg('relations', () => [LineageRelation], { nullable: true, description: 'Walk only edges of these relations' })
    relations: LineageRelation[] | null,
    @Arg('kinds', () => [LineageNodeKind], { nullable: true, description: 'Answer only nodes of these kinds (the walk goes through all)' })
    kinds: LineageNodeKind[] | null,
    @Arg('first', () => Int, {
      defaultValue: 1000,
      description: `At most this many nodes besides the start (10,000 at most), and ${EDGES_PER_NODE} times as many edges (${MAX_EDGES.toLocaleString('en-US')} at most)`,
    })
    first: number,
    @Arg('at', () => DateTimeISOResolver, { nullable: true, description: 'The graph as it was then' }) at: Date | null,
  ) {
    return graphOf(
      ctx,
      await ctx.services.lineage.graph(ctx.caller, nodeId, graphArgs(info, direction, maxDepth, kinds, relations, first, at)),
      info,
    );
  }

  @Query(() => [LineagePath], {
    description:
      'The shortest paths along the edges from one node to another (two edges between the same nodes with different relations ' +
      'make two paths). The walk visits at most 10,000 nodes and reads at most 10,000 edges besides those it reached each node by, ' +
      'those into `toId` first: on a denser graph, some paths may be left out, never one that is not shortest',
  })
  async lineagePaths(
    @Ctx() ctx: Ctx,
    @Arg('fromId', () => UUIDResolver) fromId: string,
    @Arg('toId', () => UUIDResolver) toId: string,
    @Arg('maxDepth', () => Int, { defaultValue: 20, description: 'At most 20' }) maxDepth: number,
    @Arg('first', () => Int, { defaultValue: 10, description: `At most this many paths (${MAX_PATHS} at most)` }) first: number,
    @Arg('at', () => DateTimeISOResolver, { nullable: true }) at: Date | null,
  ) {
    const paths = await ctx.services.lineage.paths(ctx.caller, fromId, toId, { maxDepth, first, at });
    return Promise.all(paths.map(async (steps) => ({ steps: await stepsOf(ctx, steps) })));
  }

  @Query(() => Impact, {
    description:
      'Every model version downstream of a node (with its stage) and every live deployment, grouped by model, each with its path; ' +
      'walked 20 edges deep through at most 10,000 nodes; at most `first` versions and deployments, the nearest first',
  })
  async impact(
    @Ctx() ctx: Ctx,
    @Arg('nodeId', () => UUIDResolver) nodeId: string,
    @Arg('first', () => Int, {
      defaultValue: MAX_IMPACTED,
      description: `At most this many versions and live deployments together (${MAX_IMPACTED.toLocaleString('en-US')} at most); \`truncated\` when there were more`,
    })
    first: number,
  ) {
    const impact = await ctx.services.lineage.impact(ctx.caller, nodeId, { first });
    const models = await Promise.all(
      impact.models.map(async (m) => ({
        model: await ctx.loaders.models.byId.load(m.modelId),
        versions: await Promise.all(
          m.versions.map(async (v) => ({ version: v.version, stage: v.version.stage, depth: v.depth, path: await stepsOf(ctx, v.path) })),
        ),
        liveDeployments: await Promise.all(
          m.deployments.map(async (d) => ({ deployment: d.deployment, depth: d.depth, path: await stepsOf(ctx, d.path) })),
        ),
      })),
    );
    return {
      source: await nodeObject(ctx, impact.source),
      models: models.filter((m) => m.model !== null),
      versionCount: impact.models.reduce((n, m) => n + m.versions.length, 0),
      liveDeploymentCount: impact.models.reduce((n, m) => n + m.deployments.length, 0),
      truncated: impact.truncated,
    };
  }

  @Query(() => LineageNode, { nullable: true, description: 'One node by id (a version or deployment answers as itself)' })
  async lineageNode(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    const node = await ctx.loaders.lineage.nodeById.load(id);
    return node && nodeObject(ctx, node);
  }

  @Mutation(() => UpsertLineageNodesPayload, {
    description: 'Creates nodes, or renames them and merges properties, by (kind, natural key); up to 10,000 per call, one audit event',
  })
  async upsertLineageNodes(@Ctx() ctx: Ctx, @Arg('input', () => UpsertLineageNodesInput) input: UpsertLineageNodesInput) {
    return ctx.services.lineage.upsertNodes(ctx.caller, input.nodes);
  }

  @Mutation(() => AddLineageEdgesPayload, {
    description: 'Adds edges from input to output; those already there are kept; a self-loop or unknown node refuses the whole batch',
  })
  async addLineageEdges(@Ctx() ctx: Ctx, @Arg('input', () => AddLineageEdgesInput) input: AddLineageEdgesInput) {
    const { added, existing } = await ctx.services.lineage.addEdges(ctx.caller, input.edges);
    return { added, existing };
  }

  @Mutation(() => RemoveLineageEdgePayload, {
    description:
      'Removes an edge from the graph from now on (`at` still sees it before), named by its id or by fromId, toId and relation; audited',
  })
  async removeLineageEdge(@Ctx() ctx: Ctx, @Arg('input', () => RemoveLineageEdgeInput) input: RemoveLineageEdgeInput) {
    const edge: LineageEdgeEntity = await ctx.services.lineage.removeEdge(ctx.caller, input, input.reason);
    return { edge };
  }
}

/** Every version is a lineage node: its kind and name, and the graph around it. */
@Resolver(() => ModelVersion)
export class LineageVersionFields {
  @FieldResolver(() => LineageNodeKind)
  kind(): LineageNodeKind {
    return LineageNodeKind.MODEL_VERSION;
  }

  @FieldResolver(() => String, { description: '<model name>@<version>' })
  async name(@Root() version: ModelVersionEntity | VersionLabel, @Ctx() ctx: Ctx): Promise<string> {
    const modelName = 'modelName' in version ? version.modelName : (await ctx.loaders.models.byId.load(version.modelId))?.name;
    return `${modelName ?? version.modelId}@${version.version}`;
  }

  @FieldResolver(() => LineageGraph, {
    description: 'What this version was made from, walked upstream (batched for a whole page of versions)',
  })
  async upstream(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
    @Arg('maxDepth', () => Int, { defaultValue: 3 }) maxDepth: number,
    @Arg('kinds', () => [LineageNodeKind], { nullable: true }) kinds: LineageNodeKind[] | null,
    @Arg('first', () => Int, { defaultValue: 1000 }) first: number,
  ) {
    return graphOf(
      ctx,
      await ctx.loaders.lineage.walks(graphArgs(info, LineageDirection.UPSTREAM, maxDepth, kinds, null, first)).load(version.id),
      info,
    );
  }

  @FieldResolver(() => LineageGraph, { description: 'What was made from this version (fine-tunes, deployments), walked downstream' })
  async downstream(
    @Root() version: ModelVersionEntity,
    @Ctx() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
    @Arg('maxDepth', () => Int, { defaultValue: 3 }) maxDepth: number,
    @Arg('kinds', () => [LineageNodeKind], { nullable: true }) kinds: LineageNodeKind[] | null,
    @Arg('first', () => Int, { defaultValue: 1000 }) first: number,
  ) {
    return graphOf(
      ctx,
      await ctx.loaders.lineage.walks(graphArgs(info, LineageDirection.DOWNSTREAM, maxDepth, kinds, null, first)).load(version.id),
      info,
    );
  }
}

/** Every deployment is a lineage node. */
@Resolver(() => Deployment)
export class LineageDeploymentFields {
  @FieldResolver(() => LineageNodeKind)
  kind(): LineageNodeKind {
    return LineageNodeKind.DEPLOYMENT;
  }

  @FieldResolver(() => String, { description: '<environment>: <endpoint>' })
  name(@Root() deployment: DeploymentEntity): string {
    return `${deployment.environment}: ${deployment.endpoint}`;
  }
}
