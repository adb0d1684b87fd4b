import ELK from 'elkjs/lib/elk.bundled.js';
import type { DisplayGraph } from './lineage-view';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 48;

const elk = new ELK();

/**
 * ELK's layered layout, left to right, with each node held in its column (partition) so that upstream stays
 * left of the selected node and downstream right of it, whatever the edges between them.
 */
export async function layoutGraph(graph: DisplayGraph): Promise<Map<string, { x: number; y: number }>> {
  const minColumn = Math.min(0, ...graph.nodes.map((n) => n.column));
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.partitioning.activate': 'true',
      'elk.spacing.nodeNode': '14',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      // Thoroughness trades crossings for time; the default (7) is slow past a few hundred nodes.
      'elk.layered.thoroughness': graph.nodes.length > 300 ? '1' : '7',
    },
    children: graph.nodes.map((n) => ({
      id: n.id,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      layoutOptions: { 'elk.partitioning.partition': String(n.column - minColumn) },
    })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  return new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
