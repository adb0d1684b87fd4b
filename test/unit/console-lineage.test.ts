import fc from 'fast-check';
import { columnLayout } from '../../ui/src/lineage/column-layout';
import { groupSiblings, placeGraph, servingPaths, type GraphNode, type Walk } from '../../ui/src/lineage/lineage-view';

const node = (id: string, kind = 'DATASET'): GraphNode => ({ id, kind, name: id });
const walk = (nodes: Array<[GraphNode, number]>, edges: Array<[string, string]>): Walk => ({
  nodes: nodes.map(([n, depth]) => ({ node: n, depth })),
  edges: edges.map(([from, to]) => ({ from, to, relation: 'RELATED_TO' })),
});

describe('console lineage: placing the walks', () => {
  const center = node('v', 'MODEL_VERSION');

  it('puts upstream answers left of the selected node and downstream right, one column per step', () => {
    const up = walk(
      [
        [node('d1'), 1],
        [node('raw'), 2],
      ],
      [
        ['d1', 'v'],
        ['raw', 'd1'],
      ],
    );
    const down = walk([[node('dep', 'DEPLOYMENT'), 1]], [['v', 'dep']]);
    const placed = placeGraph(center, up, down);
    expect(Object.fromEntries([...placed.nodes.values()].map((n) => [n.id, n.column]))).toEqual({ v: 0, d1: -1, raw: -2, dep: 1 });
    expect(placed.edges).toHaveLength(3);
  });

  it('places an expanded node’s new neighbours one column further out, on the side the edge says', () => {
    const up = walk([[node('d1'), 1]], [['d1', 'v']]);
    const expansion = walk(
      [
        [node('src'), 1],
        [node('other-model', 'MODEL_VERSION'), 1],
      ],
      [
        ['src', 'd1'],
        ['d1', 'other-model'],
      ],
    );
    const placed = placeGraph(center, up, walk([], []), [{ id: 'd1', walk: expansion }]);
    expect(placed.nodes.get('src')!.column).toBe(-2);
    expect(placed.nodes.get('other-model')!.column).toBe(0);
  });

  it('draws no edge to a node that is not on the page (a kinds filter answers some nodes only)', () => {
    const up = walk(
      [[node('d1'), 1]],
      [
        ['d1', 'v'],
        ['hidden', 'd1'],
      ],
    );
    expect(placeGraph(center, up, walk([], [])).edges).toEqual([{ from: 'd1', to: 'v', relation: 'RELATED_TO' }]);
  });
});

describe('console lineage: grouping siblings', () => {
  const center = node('v', 'MODEL_VERSION');
  const features = Array.from({ length: 8 }, (_, i) => node(`f${i}`, 'FEATURE'));
  const up = walk(
    [[node('ds', 'DATASET_VERSION'), 1], ...features.map((f): [GraphNode, number] => [f, 1]), [node('src-of-f0'), 2]],
    [['ds', 'v'], ...features.map((f): [string, string] => [f.id, 'v']), ['src-of-f0', 'f0']],
  );

  it('folds more than five siblings of one kind into a cluster, with what is reached only through them', () => {
    const shown = groupSiblings(placeGraph(center, up, walk([], [])), new Set());
    expect(shown.nodes.map((n) => n.id).sort()).toEqual(['cluster:v:left:FEATURE', 'ds', 'v']);
    const cluster = shown.nodes.find((n) => n.cluster)!;
    expect(cluster.cluster).toEqual({ key: 'v:left:FEATURE', count: 9, kinds: { FEATURE: 8, DATASET: 1 } });
    expect(cluster.column).toBe(-1);
    expect(cluster.name).toBe('9 nodes: 8 feature, 1 dataset');
    expect(shown.hidden).toBe(9);
    // Edges into the folded nodes now end at the cluster, once.
    expect(shown.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['cluster:v:left:FEATURE>v', 'ds>v']);
  });

  it('opens a cluster whose key is listed, and never folds five or fewer', () => {
    const opened = groupSiblings(placeGraph(center, up, walk([], [])), new Set(['v:left:FEATURE']));
    expect(opened.nodes).toHaveLength(11);
    expect(opened.hidden).toBe(0);
    const few = walk(
      features.slice(0, 5).map((f): [GraphNode, number] => [f, 1]),
      features.slice(0, 5).map((f): [string, string] => [f.id, 'v']),
    );
    expect(groupSiblings(placeGraph(center, few, walk([], [])), new Set()).hidden).toBe(0);
  });

  it('keeps every node either shown or folded into exactly one cluster, whatever the graph', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(40), fc.nat(40), fc.constantFrom('A', 'B')), { maxLength: 120 }), (pairs) => {
        // A random tree-ish walk upstream: node i+1 hangs off an earlier node, at one more step.
        const depth = new Map<string, number>([['v', 0]]);
        const nodes: Array<[GraphNode, number]> = [];
        const edges: Array<[string, string]> = [];
        pairs.forEach(([a, , kind], i) => {
          const id = `n${i}`;
          const parent = i === 0 ? 'v' : `n${a % i}`;
          depth.set(id, depth.get(parent)! + 1);
          nodes.push([node(id, kind), depth.get(id)!]);
          edges.push([id, parent]);
        });
        const placed = placeGraph(center, walk(nodes, edges), walk([], []));
        const shown = groupSiblings(placed, new Set(), 5);
        const visible = shown.nodes.filter((n) => !n.cluster).length;
        const folded = shown.nodes.filter((n) => n.cluster).reduce((sum, n) => sum + n.cluster!.count, 0);
        expect(visible + folded).toBe(placed.nodes.size);
        expect(shown.hidden).toBe(folded);
        const ids = new Set(shown.nodes.map((n) => n.id));
        for (const e of shown.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      }),
    );
  });
});

describe('console lineage: impact mode and column layout', () => {
  it('lights the nodes on paths to a production version or a live deployment, not to other stages', () => {
    const lit = servingPaths({
      models: [
        {
          versions: [
            { stage: 'PRODUCTION', version: { id: 'v1' }, path: [{ node: { id: 'ds' } }, { node: { id: 'v1' } }] },
            { stage: 'STAGING', version: { id: 'v2' }, path: [{ node: { id: 'ds' } }, { node: { id: 'mid' } }, { node: { id: 'v2' } }] },
          ],
          liveDeployments: [{ deployment: { id: 'dep' }, path: [{ node: { id: 'ds' } }, { node: { id: 'v1' } }, { node: { id: 'dep' } }] }],
        },
      ],
    });
    expect([...lit].sort()).toEqual(['dep', 'ds', 'v1']);
  });

  it('lays columns left to right, centred, with siblings next to their neighbours', () => {
    const positions = columnLayout({
      nodes: [
        { id: 'v', name: 'v', column: 0 },
        { id: 'a', name: 'a', column: -1 },
        { id: 'b', name: 'b', column: -1 },
        { id: 'a1', name: 'z', column: -2 },
        { id: 'b1', name: 'y', column: -2 },
        { id: 'd', name: 'd', column: 1 },
      ],
      edges: [
        { from: 'a', to: 'v' },
        { from: 'b', to: 'v' },
        { from: 'a1', to: 'a' },
        { from: 'b1', to: 'b' },
        { from: 'v', to: 'd' },
      ],
    });
    const x = (id: string) => positions.get(id)!.x;
    const y = (id: string) => positions.get(id)!.y;
    expect(x('a1')).toBeLessThan(x('a'));
    expect(x('a')).toBeLessThan(x('v'));
    expect(x('v')).toBeLessThan(x('d'));
    expect(y('v')).toBe(0);
    expect(y('a') + y('b')).toBe(0); // centred
    // a1 sits beside a and b1 beside b, although their names would order them the other way.
    expect(Math.sign(y('a1') - y('b1'))).toBe(Math.sign(y('a') - y('b')));
  });
});
