import { LineageNodeKind } from '../../src/common/lineage';
import {
  LineageRelation,
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

  test('shortest paths walk back one step nearer each time, up to the limit', () => {
    const distance = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 2],
      ['e', 3],
    ]);
    const into = new Map([
      ['b', ['a']],
      ['c', ['a']],
      ['d', ['b', 'c', 'e']],
      ['e', ['d']],
    ]);
    expect(shortestPaths('a', 'd', distance, into, 10)).toEqual([
      ['a', 'b', 'd'],
      ['a', 'c', 'd'],
    ]);
    expect(shortestPaths('a', 'd', distance, into, 1)).toHaveLength(1);
    expect(shortestPaths('a', 'z', distance, into, 10)).toEqual([]);
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
