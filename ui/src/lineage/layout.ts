import { columnLayout, GAP_X, GAP_Y, NODE_HEIGHT, NODE_WIDTH, type Positions } from './column-layout';
import type { DisplayGraph } from './lineage-view';

export { NODE_HEIGHT, NODE_WIDTH };

/**
 * A graph is drawn at once with `columnLayout` (a few milliseconds), then ELK refines it when it has fewer
 * nodes than this: past it ELK's layered layout costs more than half a second on a 2-core machine (about
 * 0.7 s at 1,000 nodes, measured), and the columns stay.
 */
export const ELK_LIMIT = 400;

/**
 * ELK is 1.4 MB of compiled Java whose first evaluation blocks the page for about a second here: it is loaded
 * on first use only, so a large graph (laid out by columns) never pays for it.
 */
let elk: Promise<{ layout: (graph: ElkGraph) => Promise<ElkGraph> }> | undefined;
export function loadElk() {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elk;
}

interface ElkGraph {
  id: string;
  layoutOptions?: Record<string, string>;
  children?: Array<{ id: string; width?: number; height?: number; x?: number; y?: number }>;
  edges?: Array<{ id: string; sources: string[]; targets: string[] }>;
}

export { columnLayout, type Positions };

/**
 * ELK's layered layout, left to right. Its interactive layering keeps each node in the column it is given
 * (upstream left of the selected node, downstream right), far cheaper than partitions; ELK then orders each
 * column to cross as few edges as it can and places the nodes.
 */
export async function elkLayout(graph: DisplayGraph): Promise<Positions> {
  const minColumn = Math.min(0, ...graph.nodes.map((n) => n.column));
  const result = await (
    await loadElk()
  ).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.layering.strategy': 'INTERACTIVE',
      'elk.spacing.nodeNode': String(GAP_Y),
      'elk.layered.spacing.nodeNodeBetweenLayers': String(GAP_X),
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: graph.nodes.map((n) => ({
      id: n.id,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      x: (n.column - minColumn) * (NODE_WIDTH + GAP_X),
      y: 0,
    })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  return new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
