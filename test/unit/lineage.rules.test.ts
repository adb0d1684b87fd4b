import { LineageNodeKind } from '../../src/common/lineage';
import {
  LineageRelation,
  edgeLimit,
  edgeTarget,
  impactBounds,
  pathBounds,
  provenanceOf,
  shortestPaths,
  traversalBounds,
  validateEdges,
  validateNodes,
} from '../../src/modules/lineage/lineage.rules';

describe('lineage rules', () => {
  test('provenance names every input of the tuple once, with its relation', () => {
    const inputs = provenanceOf({
      codeRepo: 'https://github.com/acme/fraud',
      codeCommit: 'a'.repeat(40),
      datasetVersions: ['s3://x@v1', 's3://x@v1', 's3://y@v2'],
      environmentImageDigest: null,
      environmentPackageLock: 'torch==2.4.0',
      trainingRunId: 'run-1',
    });
    expect(inputs.map((i) => [i.node.kind, i.relation])).toEqual([
      [LineageNodeKind.CODE_COMMIT, LineageRelation.BUILT_FROM],
      [LineageNodeKind.DATASET_VERSION, LineageRelation.TRAINED_ON],
      [LineageNodeKind.DATASET_VERSION, LineageRelation.TRAINED_ON],
      [LineageNodeKind.ENVIRONMENT, LineageRelation.TRAINED_IN],
      [LineageNodeKind.TRAINING_RUN, LineageRelation.PRODUCED_BY],
    ]);
    expect(inputs[3].node.naturalKey).toMatch(/^lock:sha256:[0-9a-f]{64}$/);
  });

  /** Edges written 'a>b' (relation R) or 'a>b:S'. */
  const edges = (...specs: string[]) =>
    specs.map((spec) => {
      const [ends, relation = 'R'] = spec.split(':');
      const [from, to] = ends.split('>');
      return { from, to, relation };
    });
  const ids = (paths: Array<Array<{ id: string }>>) => paths.map((p) => p.map((s) => s.id).join(''));

  test('shortest paths walk back one step nearer each time, up to the limit', () => {
    const distance = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 2],
      ['e', 3],
    ]);
    const diamond = edges('a>b', 'a>c', 'b>d', 'c>d', 'e>d', 'd>e');
    expect(shortestPaths('a', 'd', distance, diamond, 10)).toEqual([
      [
        { id: 'a', relation: null },
        { id: 'b', relation: 'R' },
        { id: 'd', relation: 'R' },
      ],
      [
        { id: 'a', relation: null },
        { id: 'c', relation: 'R' },
        { id: 'd', relation: 'R' },
      ],
    ]);
    expect(shortestPaths('a', 'd', distance, diamond, 1)).toHaveLength(1);
    expect(shortestPaths('a', 'z', distance, diamond, 10)).toEqual([]);
    expect(ids(shortestPaths('a', 'a', distance, diamond, 10))).toEqual(['a']);
  });

  test('a path is a sequence of edges: two relations between the same nodes are two paths; an edge given twice is one', () => {
    const distance = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const paths = shortestPaths('a', 'c', distance, edges('a>b', 'b>c:X', 'b>c:Y', 'b>c:X'), 10);
    expect(paths.map((p) => p.map((s) => `${s.id}:${s.relation}`).join(' '))).toEqual(['a:null b:R c:X', 'a:null b:R c:Y']);
  });

  test('edges that lead nowhere are never followed: nodes `from` does not reach, edges not one level further', () => {
    const distance = new Map([
      ['a', 0],
      ['b', 1],
      ['x', 1],
      ['c', 2],
    ]);
    // x is at distance 1 but no edge from a to x was given: a path through it is not known to exist; a>c skips a level
    // and c>b goes back one.
    expect(ids(shortestPaths('a', 'c', distance, edges('a>b', 'b>c', 'x>c', 'a>c', 'c>b'), 10))).toEqual(['abc']);
    expect(shortestPaths('a', 'c', distance, edges('x>c'), 10)).toEqual([]);
  });

  test('linear in the edges: 40,000 edges into one node, and 2^20 paths through a ladder, answered at once', () => {
    // A hub with 20,000 nodes before it, each linked to it twice: copying the list into the hub once per edge (as the
    // code before issue 19 did) took 12 s for this; each edge looked at a fixed number of times, a few ms.
    const distance = new Map<string, number>([
      ['s', 0],
      ['h', 2],
    ]);
    const wide: Array<{ from: string; to: string; relation: string }> = [];
    for (let i = 0; i < 20_000; i += 1) {
      distance.set(`m${i}`, 1);
      wide.push(
        { from: 's', to: `m${i}`, relation: 'R' },
        { from: `m${i}`, to: 'h', relation: 'R' },
        { from: `m${i}`, to: 'h', relation: 'S' },
      );
    }
    let started = performance.now();
    expect(shortestPaths('s', 'h', distance, wide, 100)).toHaveLength(100);
    expect(performance.now() - started).toBeLessThan(1000);
    // A ladder of 20 rungs, two nodes each, every node linked to both of the next rung: 2^20 shortest paths.
    const ladder = new Map<string, number>([['s', 0]]);
    const rungs: Array<{ from: string; to: string; relation: string }> = [];
    for (let r = 1; r <= 20; r += 1) {
      for (const side of ['l', 'r']) {
        ladder.set(`${side}${r}`, r);
        for (const prev of r === 1 ? ['s'] : [`l${r - 1}`, `r${r - 1}`]) rungs.push({ from: prev, to: `${side}${r}`, relation: 'R' });
      }
    }
    started = performance.now();
    const paths = shortestPaths('s', 'l20', ladder, rungs, 100);
    expect(paths).toHaveLength(100);
    expect(paths.every((p) => p.length === 21)).toBe(true);
    expect(new Set(ids(paths)).size).toBe(100);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('removeLineageEdge names one edge: by id, or by fromId, toId and relation, never both', () => {
    const a = '00000000-0000-4000-8000-00000000000A';
    const b = '00000000-0000-4000-8000-00000000000b';
    expect(edgeTarget({ id: a })).toEqual({ id: a.toLowerCase() });
    expect(edgeTarget({ fromId: a, toId: b, relation: LineageRelation.DERIVED_FROM })).toEqual({
      fromId: a.toLowerCase(),
      toId: b,
      relation: LineageRelation.DERIVED_FROM,
    });
    const field = (input: Parameters<typeof edgeTarget>[0]) => {
      try {
        edgeTarget(input);
      } catch (error) {
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
        return (error as { details: { field: string } }).details.field;
      }
      throw new Error('expected a refusal');
    };
    expect(field({})).toBe('id');
    expect(field({ id: a, toId: b })).toBe('toId');
    expect(field({ fromId: a, toId: b })).toBe('relation');
    expect(field({ toId: b, relation: LineageRelation.DERIVED_FROM })).toBe('fromId');
  });

  test('lineage answers at most 4 edges per node asked for, and 20,000 edges', () => {
    expect(edgeLimit(1)).toBe(4);
    expect(edgeLimit(1000)).toBe(4000);
    expect(edgeLimit(5000)).toBe(20_000);
    expect(edgeLimit(10_000)).toBe(20_000);
  });

  test('paths and impact are bounded: first at most 100 paths, 1,000 versions and deployments', () => {
    expect(pathBounds({})).toEqual({ maxDepth: 20, first: 10 });
    expect(pathBounds({ maxDepth: 3, first: 100 })).toEqual({ maxDepth: 3, first: 100 });
    expect(() => pathBounds({ first: 101 })).toThrow(expect.objectContaining({ details: { field: 'first' } }));
    expect(() => pathBounds({ maxDepth: 21 })).toThrow(expect.objectContaining({ details: { field: 'maxDepth' } }));
    expect(impactBounds({})).toEqual({ first: 1000 });
    expect(() => impactBounds({ first: 1001 })).toThrow(expect.objectContaining({ details: { field: 'first' } }));
    expect(() => impactBounds({ first: 0 })).toThrow(expect.objectContaining({ details: { field: 'first' } }));
  });

  test('bounds and refusals name the field', () => {
    expect(traversalBounds({})).toEqual({ maxDepth: 3, first: 1000 });
    expect(() => traversalBounds({ maxDepth: 0 })).toThrow(expect.objectContaining({ details: { field: 'maxDepth' } }));
    expect(() => traversalBounds({ first: 10_001 })).toThrow(expect.objectContaining({ details: { field: 'first' } }));
    expect(() => validateNodes([])).toThrow(expect.objectContaining({ details: { field: 'nodes' } }));
    expect(() => validateNodes([{ kind: LineageNodeKind.DATASET, naturalKey: '' }])).toThrow(
      expect.objectContaining({ details: { field: 'nodes[0].naturalKey' } }),
    );
    expect(() => validateNodes([{ kind: LineageNodeKind.DATASET, naturalKey: 'x', properties: [] as never }])).toThrow(
      expect.objectContaining({ details: { field: 'nodes[0].properties' } }),
    );
    const id = '00000000-0000-4000-8000-000000000001';
    expect(() => validateEdges([{ fromId: id, toId: id.toUpperCase(), relation: LineageRelation.DERIVED_FROM }])).toThrow(
      expect.objectContaining({ details: { field: 'edges[0]' } }),
    );
  });
});
