/**
 * What the lineage explorer draws, decided without a browser: where each node sits (upstream to the left
 * of the selected node, downstream to the right, one column per step), which siblings fold into a
 * cluster, and what impact mode lights up. Pure and unit-tested; the page only fetches and draws.
 */
export interface GraphNode {
  id: string;
  kind: string;
  name: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  relation: string;
}

/** One answer of the lineage query: nodes with their distance from where the walk started. */
export interface Walk {
  nodes: Array<{ node: GraphNode; depth: number }>;
  edges: GraphEdge[];
}

export interface PlacedNode extends GraphNode {
  /** 0 for the selected node, −n for n steps upstream, +n for n steps downstream. */
  column: number;
}

export interface PlacedGraph {
  nodes: Map<string, PlacedNode>;
  edges: GraphEdge[];
}

export interface Cluster {
  key: string;
  count: number;
  kinds: Record<string, number>;
}

export interface DisplayNode extends PlacedNode {
  cluster?: Cluster;
}

export interface DisplayGraph {
  nodes: DisplayNode[];
  edges: Array<GraphEdge & { id: string }>;
  hidden: number;
}

const edgeKey = (e: GraphEdge) => `${e.from}>${e.to}>${e.relation}`;

/**
 * Places the walks around the selected node: upstream answers go left, downstream right, and each
 * expanded node's neighbours one column further out on the side the edge says (input left, output right).
 */
export function placeGraph(
  center: GraphNode,
  upstream: Walk,
  downstream: Walk,
  expansions: Array<{ id: string; walk: Walk }> = [],
): PlacedGraph {
  const nodes = new Map<string, PlacedNode>([[center.id, { ...center, column: 0 }]]);
  const edges = new Map<string, GraphEdge>();
  const place = (node: GraphNode, column: number) => {
    if (!nodes.has(node.id)) nodes.set(node.id, { ...node, column });
  };
  for (const { node, depth } of upstream.nodes) place(node, -depth);
  for (const { node, depth } of downstream.nodes) place(node, depth);
  for (const e of [...upstream.edges, ...downstream.edges]) edges.set(edgeKey(e), e);
  for (const { id, walk } of expansions) {
    const from = nodes.get(id);
    if (!from) continue;
    const byId = new Map(walk.nodes.map((n) => [n.node.id, n.node]));
    for (const e of walk.edges) {
      if (e.to === id && byId.has(e.from)) place(byId.get(e.from)!, from.column - 1);
      if (e.from === id && byId.has(e.to)) place(byId.get(e.to)!, from.column + 1);
      edges.set(edgeKey(e), e);
    }
  }
  // An edge is drawn only between nodes on the page (a kinds filter answers some nodes, not all).
  return { nodes, edges: [...edges.values()].filter((e) => nodes.has(e.from) && nodes.has(e.to)) };
}

/**
 * Folds siblings: where a node has more than `limit` neighbours of one kind one column further out on one
 * side, they become one cluster node (unless its key is in `opened`), and so does everything reached only
 * through them.
 */
export function groupSiblings(graph: PlacedGraph, opened: ReadonlySet<string>, limit = 5): DisplayGraph {
  const outward = new Map<string, { left: string[]; right: string[] }>();
  for (const id of graph.nodes.keys()) outward.set(id, { left: [], right: [] });
  const inward = new Map<string, string[]>();
  for (const e of graph.edges) {
    const from = graph.nodes.get(e.from)!;
    const to = graph.nodes.get(e.to)!;
    // Input one column left of its output: the input is further out when the output is on the left half.
    if (from.column === to.column - 1) {
      if (to.column <= 0) addOut(outward, inward, to.id, 'left', from.id);
      if (from.column >= 0) addOut(outward, inward, from.id, 'right', to.id);
    }
  }
  const clusterOf = new Map<string, string>();
  const clusters = new Map<string, DisplayNode>();
  const byDistance = [...graph.nodes.values()].sort((a, b) => Math.abs(a.column) - Math.abs(b.column));
  for (const parent of byDistance) {
    if (clusterOf.has(parent.id)) continue;
    // Whatever is reached only through folded nodes is folded with them.
    const parents = inward.get(parent.id) ?? [];
    if (parent.column !== 0 && parents.length && parents.every((p) => clusterOf.has(p))) {
      clusterOf.set(parent.id, clusterOf.get(parents[0])!);
      const cluster = clusters.get(clusterOf.get(parent.id)!)!.cluster!;
      cluster.count++;
      cluster.kinds[parent.kind] = (cluster.kinds[parent.kind] ?? 0) + 1;
      continue;
    }
    for (const side of ['left', 'right'] as const) {
      const byKind = new Map<string, string[]>();
      for (const child of outward.get(parent.id)![side]) {
        if (clusterOf.has(child)) continue;
        const kind = graph.nodes.get(child)!.kind;
        byKind.set(kind, [...(byKind.get(kind) ?? []), child]);
      }
      for (const [kind, children] of byKind) {
        const key = `${parent.id}:${side}:${kind}`;
        if (children.length <= limit || opened.has(key)) continue;
        const id = `cluster:${key}`;
        for (const c of children) clusterOf.set(c, id);
        clusters.set(id, {
          id,
          kind: 'CLUSTER',
          name: '',
          column: parent.column + (side === 'left' ? -1 : 1),
          cluster: { key, count: children.length, kinds: { [kind]: children.length } },
        });
      }
    }
  }
  for (const node of clusters.values()) node.name = clusterLabel(node.cluster!);
  const visible = [...graph.nodes.values()].filter((n) => !clusterOf.has(n.id));
  const edges = new Map<string, GraphEdge & { id: string }>();
  for (const e of graph.edges) {
    const from = clusterOf.get(e.from) ?? e.from;
    const to = clusterOf.get(e.to) ?? e.to;
    if (from === to || (clusterOf.has(e.from) && clusterOf.has(e.to))) continue;
    const edge = { from, to, relation: e.relation };
    edges.set(edgeKey(edge), { ...edge, id: edgeKey(edge) });
  }
  return { nodes: [...visible, ...clusters.values()], edges: [...edges.values()], hidden: clusterOf.size };
}

function addOut(
  outward: Map<string, { left: string[]; right: string[] }>,
  inward: Map<string, string[]>,
  parent: string,
  side: 'left' | 'right',
  child: string,
) {
  const list = outward.get(parent)![side];
  if (!list.includes(child)) list.push(child);
  const parents = inward.get(child) ?? [];
  if (!parents.includes(parent)) parents.push(parent);
  inward.set(child, parents);
}

export function clusterLabel(cluster: Cluster): string {
  const kinds = Object.entries(cluster.kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n} ${kind.toLowerCase().replace(/_/g, ' ')}`)
    .join(', ');
  return `${cluster.count} nodes: ${kinds}`;
}

export interface ImpactAnswer {
  models: Array<{
    versions: Array<{ stage: string; version: { id: string }; path: Array<{ node: { id: string } }> }>;
    liveDeployments: Array<{ deployment: { id: string }; path: Array<{ node: { id: string } }> }>;
  }>;
}

/** The nodes on a path to what serves: a PRODUCTION version or a live deployment. */
export function servingPaths(impact: ImpactAnswer): Set<string> {
  const lit = new Set<string>();
  for (const model of impact.models) {
    for (const v of model.versions) {
      if (v.stage !== 'PRODUCTION') continue;
      lit.add(v.version.id);
      for (const step of v.path) lit.add(step.node.id);
    }
    for (const d of model.liveDeployments) {
      lit.add(d.deployment.id);
      for (const step of d.path) lit.add(step.node.id);
    }
  }
  return lit;
}
