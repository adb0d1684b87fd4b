import { Directive, Field, ID, InterfaceType, registerEnumType } from 'type-graphql';
import { LineageNodeKind } from '../common/lineage';

registerEnumType(LineageNodeKind, { name: 'LineageNodeKind' });

/**
 * A node of the lineage graph. ModelVersion and Deployment implement it (every version and deployment is
 * a node), GenericLineageNode everything else; so a client selects version fields inside a graph. The
 * object a resolver answers carries `__typename`, which is how the interface knows which type it is.
 */
@InterfaceType({
  description: 'A node of the lineage graph: a ModelVersion, a Deployment, or a GenericLineageNode (datasets, code, runs, …)',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
// An entity interface (Federation 2.3): another subgraph may reference any lineage node by id alone.
@Directive('@key(fields: "id")')
export abstract class LineageNode {
  @Field(() => ID)
  id: string;

  @Field(() => LineageNodeKind)
  kind: LineageNodeKind;

  @Field({ description: 'What a picture of the graph labels it with' })
  name: string;
}
