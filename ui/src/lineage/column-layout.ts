/** Pure: no browser, no ELK. Unit-tested. */
export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 48;
export const GAP_X = 70;
export const GAP_Y = 14;

export type Positions = Map<string, { x: number; y: number }>;

interface Graph {
  nodes: Array<{ id: string; name: string; column: number }>;
  edges: Array<{ from: string; to: string }>;
}

/**
 * One column per step from the selected node; going outward, each column is ordered by the mean position of
 * its neighbours in the column before (the barycentre heuristic), so that siblings sit together, and centred.
 */
export function columnLayout(graph: Graph): Positions {
  const columns = new Map<number, string[]>();
  const columnOf = new Map<string, number>();
  const names = new Map<string, string>();
  for (const n of graph.nodes) {
    columns.set(n.column, [...(columns.get(n.column) ?? []), n.id]);
    columnOf.set(n.id, n.column);
    names.set(n.id, n.name);
  }
  const neighbours = new Map<string, string[]>();
  for (const e of graph.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const rank = new Map<string, number>();
  const order = (column: number, inner: number | null) => {
    const ids = columns.get(column) ?? [];
    const score = (id: string) => {
      const placed = (neighbours.get(id) ?? []).filter((o) => inner !== null && columnOf.get(o) === inner).map((o) => rank.get(o)!);
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.POSITIVE_INFINITY;
    };
    const scored = ids.map((id) => ({ id, score: score(id), name: names.get(id)! }));
    scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
    scored.forEach((s, i) => rank.set(s.id, i - (scored.length - 1) / 2));
  };
  const all = [...columns.keys()];
  const minColumn = Math.min(0, ...all);
  order(0, null);
  for (let c = -1; columns.has(c) || c > minColumn; c--) order(c, c + 1);
  for (let c = 1; columns.has(c); c++) order(c, c - 1);
  const positions: Positions = new Map();
  for (const n of graph.nodes) {
    positions.set(n.id, { x: (n.column - minColumn) * (NODE_WIDTH + GAP_X), y: (rank.get(n.id) ?? 0) * (NODE_HEIGHT + GAP_Y) });
  }
  return positions;
}
