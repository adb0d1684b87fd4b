import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LineageNodeKind } from '../../common/lineage';
import { LineageNode } from '../../graphql/lineage-node';
import { Deployment } from '../deployments';
import { RegisteredModel } from '../models';
import { Stage, ModelVersion } from '../versions';
import { EDGES_PER_NODE, LineageDirection, LineageRelation, MAX_EDGES, PATH_STEPS } from './lineage.rules';

/**
 * The cost of a list bounded by a multiple of its parent's page (see src/graphql/limits.ts): the parent multiplies by
 * its `first`, this field by how many items there may be per one of those.
 */
const perPage =
  (items: number) =>
  ({ childComplexity }: { childComplexity: number }): number =>
    1 + items * childComplexity;

registerEnumType(LineageRelation, {
  name: 'LineageRelation',
  description: 'How an edge’s output relates to its input (edges point from input to output)',
});
registerEnumType(LineageDirection, { name: 'LineageDirection' });

@ObjectType({
  implements: LineageNode,
  description: 'A dataset, a commit, a run, an environment, …: every lineage node that is not a version or a deployment',
})
@Directive('@key(fields: "id")')
export class GenericLineageNode extends LineageNode {
  @Field({ description: 'Unique per kind: a URI, a commit, a run id' })
  naturalKey: string;

  @Field(() => GraphQLJSONObject, { description: 'What its source said of it (OpenLineage facets, among others)' })
  properties: Record<string, unknown>;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType({ description: 'A node reached, and how many edges from the start' })
export class LineageGraphNode {
  @Field(() => LineageNode)
  node: LineageNode;

  @Field(() => Int, { description: '0 for the start' })
  depth: number;
}

@ObjectType({ description: 'An edge between two nodes of the answer, from input to output' })
export class LineageGraphEdge {
  @Field(() => ID, { description: 'The edge’s id, as removeLineageEdge takes it' })
  id: string;

  @Field(() => ID)
  from: string;

  @Field(() => ID)
  to: string;

  @Field(() => LineageRelation)
  relation: LineageRelation;
}

@ObjectType({ description: 'Flat lists of nodes and edges, as graph-drawing libraries take them' })
export class LineageGraph {
  @Field(() => [LineageGraphNode])
  nodes: LineageGraphNode[];

  @Field(() => [LineageGraphEdge], {
    description:
      `The edges between the nodes answered: at most ${EDGES_PER_NODE} × \`first\` and ${MAX_EDGES.toLocaleString('en-US')}, ` +
      'the edge each node was reached by first',
    complexity: perPage(EDGES_PER_NODE),
  })
  edges: LineageGraphEdge[];

  @Field({ description: 'More nodes were reachable than `first`, or more edges joined them than were answered' })
  truncated: boolean;
}

@ObjectType({ description: 'One step of a path: a node, and the relation of the edge that led to it' })
export class LineageStep {
  @Field(() => LineageNode)
  node: LineageNode;

  @Field(() => LineageRelation, { nullable: true, description: 'Null for the first step' })
  relation: LineageRelation | null;
}

@ObjectType()
export class LineagePath {
  @Field(() => [LineageStep], {
    description: `From the first node to the last: at most ${PATH_STEPS} steps`,
    complexity: perPage(PATH_STEPS),
  })
  steps: LineageStep[];
}

@ObjectType()
export class ImpactedVersion {
  @Field(() => ModelVersion)
  version: ModelVersion;

  @Field(() => Stage)
  stage: Stage;

  @Field(() => Int)
  depth: number;

  @Field(() => [LineageStep], {
    description: `From the node asked about to this version: at most ${PATH_STEPS} steps`,
    complexity: perPage(PATH_STEPS),
  })
  path: LineageStep[];
}

@ObjectType()
export class ImpactedDeployment {
  @Field(() => Deployment)
  deployment: Deployment;

  @Field(() => Int)
  depth: number;

  @Field(() => [LineageStep], {
    description: `From the node asked about to this deployment: at most ${PATH_STEPS} steps`,
    complexity: perPage(PATH_STEPS),
  })
  path: LineageStep[];
}

@ObjectType()
export class ImpactedModel {
  @Field(() => RegisteredModel)
  model: RegisteredModel;

  @Field(() => [ImpactedVersion], { description: 'Every version downstream, with its stage: what to retrain' })
  versions: ImpactedVersion[];

  @Field(() => [ImpactedDeployment], { description: 'Every ACTIVE or DRAINING deployment downstream: what is serving now' })
  liveDeployments: ImpactedDeployment[];
}

@ObjectType({ description: 'Everything downstream of a node that a model registry must act on' })
export class Impact {
  @Field(() => LineageNode)
  source: LineageNode;

  @Field(() => [ImpactedModel])
  models: ImpactedModel[];

  @Field(() => Int, { description: 'The versions answered' })
  versionCount: number;

  @Field(() => Int, { description: 'The live deployments answered' })
  liveDeploymentCount: number;

  @Field({
    description:
      'There may be more: the walk stopped at its limit (10,000 nodes, depth 20), or more versions and live deployments were found than `first`',
  })
  truncated: boolean;
}

@InputType()
export class LineageNodeInput {
  @Field(() => LineageNodeKind, { description: 'Not MODEL_VERSION or DEPLOYMENT: the registry makes those' })
  kind: LineageNodeKind;

  @Field({ description: 'Unique per kind: a URI, a commit, a run id' })
  naturalKey: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the natural key' })
  name?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Merged into what is there' })
  properties?: Record<string, unknown> | null;
}

@InputType()
export class UpsertLineageNodesInput {
  @Field(() => [LineageNodeInput], { description: 'Up to 10,000' })
  nodes: LineageNodeInput[];
}

@ObjectType()
export class UpsertLineageNodesPayload {
  @Field(() => [GenericLineageNode])
  nodes: GenericLineageNode[];

  @Field(() => Int)
  created: number;

  @Field(() => Int)
  updated: number;
}

@InputType()
export class LineageEdgeInput {
  @Field(() => UUIDResolver, { description: 'The input: a node id, or a version or deployment id' })
  fromId: string;

  @Field(() => UUIDResolver, { description: 'The output' })
  toId: string;

  @Field(() => LineageRelation)
  relation: LineageRelation;
}

@InputType()
export class AddLineageEdgesInput {
  @Field(() => [LineageEdgeInput], { description: 'Up to 10,000' })
  edges: LineageEdgeInput[];
}

@ObjectType()
export class AddLineageEdgesPayload {
  @Field(() => Int)
  added: number;

  @Field(() => Int, { description: 'Already there: kept as they were' })
  existing: number;
}

@ObjectType({ description: 'An edge as stored' })
export class LineageEdge {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  fromId: string;

  @Field(() => ID)
  toId: string;

  @Field(() => LineageRelation)
  relation: LineageRelation;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => String, { nullable: true })
  removedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  removedAt: Date | null;
}

@InputType({ description: 'The edge by its id (as `lineage` answers it), or by fromId, toId and relation (a live edge is unique by them)' })
export class RemoveLineageEdgeInput {
  @Field(() => UUIDResolver, { nullable: true })
  id?: string | null;

  @Field(() => UUIDResolver, { nullable: true, description: 'The input end (with toId and relation, instead of id)' })
  fromId?: string | null;

  @Field(() => UUIDResolver, { nullable: true, description: 'The output end' })
  toId?: string | null;

  @Field(() => LineageRelation, { nullable: true })
  relation?: LineageRelation | null;

  @Field()
  reason: string;
}

@ObjectType()
export class RemoveLineageEdgePayload {
  @Field(() => LineageEdge)
  edge: LineageEdge;
}
