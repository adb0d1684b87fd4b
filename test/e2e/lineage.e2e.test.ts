/**
 * The lineage graph over real HTTP: automatic provenance, batched writes and their refusals, traversal
 * (diamonds, cycles, depth, direction, filters, truncation, `at`), loaders, paths, impact, visibility.
 */
import {
  AddLineageEdgesDocument,
  AuditEventsDocument,
  CatalogUpstreamDocument,
  ImpactDocument,
  LineageDocument,
  LineageNodeDocument,
  LineagePathsDocument,
  RemoveLineageEdgeDocument,
  UpsertLineageNodesDocument,
  VersionUpstreamDocument,
  type LineageRelation,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import { Level } from '../../src/modules/access/access.rules';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import { modelName } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration, stagedVersion } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

const admin = caller('admin', Role.ADMIN);
let t: TestServer;
let counter = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Generic nodes with unique keys; answers their ids by the label given. */
async function nodes(...labels: string[]): Promise<Record<string, string>> {
  const prefix = `n${process.pid}-${++counter}`;
  const res = ok(
    await t.request(UpsertLineageNodesDocument, {
      input: { nodes: labels.map((l) => ({ kind: 'DATASET' as const, naturalKey: `s3://${prefix}/${l}`, name: l })) },
    }),
  ).upsertLineageNodes;
  return Object.fromEntries(res.nodes.map((n) => [n.name, n.id]));
}

async function link(ids: Record<string, string>, ...pairs: string[]) {
  const edges = pairs.map((p) => {
    const [from, to] = p.split('>');
    return { fromId: ids[from], toId: ids[to], relation: 'DERIVED_FROM' as LineageRelation };
  });
  return ok(await t.request(AddLineageEdgesDocument, { input: { edges } })).addLineageEdges;
}

async function names(nodeId: string, vars: Record<string, unknown> = {}) {
  const graph = ok(await t.request(LineageDocument, { nodeId, ...vars })).lineage;
  return {
    nodes: graph.nodes.map((n) => `${n.node.name}:${n.depth}`).sort(),
    edges: graph.edges.length,
    truncated: graph.truncated,
    graph,
  };
}

describe('automatic provenance', () => {
  test('registering a version links its tuple; a second version reuses the nodes; a deployment adds DEPLOYED_AS', async () => {
    const model = await t.services.models.create(admin, { name: modelName('prov'), owner: 'ml' });
    const input = readyRegistration(model.id, {
      datasetVersions: ['s3://prov/tx@v3', 's3://prov/users@v1'],
      trainingRunId: `run-${process.pid}-${++counter}`,
    });
    const { version: v1 } = await t.services.versions.register(admin, input);
    const { version: v2 } = await t.services.versions.register(admin, { ...input, trainingRunId: null });

    const upstream = ok(await t.request(VersionUpstreamDocument, { id: v1.id, maxDepth: 1 })).modelVersion!;
    expect(upstream).toMatchObject({ kind: 'MODEL_VERSION', name: `${model.name}@1` });
    const byKind = Object.fromEntries(
      upstream.upstream.nodes.filter((n) => n.depth === 1).map((n) => [n.node.kind + ':' + n.node.name, n.node.id]),
    );
    expect(Object.keys(byKind).sort()).toEqual(
      [
        'CODE_COMMIT:https://github.com/acme/fraud@aaaaaaaaaaaa',
        'DATASET_VERSION:s3://prov/tx@v3',
        'DATASET_VERSION:s3://prov/users@v1',
        `ENVIRONMENT:${input.environment.imageDigest}`,
        `TRAINING_RUN:${input.trainingRunId}`,
      ].sort(),
    );
    expect(upstream.upstream.edges.map((e) => e.relation).sort()).toEqual([
      'BUILT_FROM',
      'PRODUCED_BY',
      'TRAINED_IN',
      'TRAINED_ON',
      'TRAINED_ON',
    ]);
    expect(upstream.upstream.edges.every((e) => e.to === v1.id)).toBe(true);

    // The dataset is one node, feeding both versions.
    const dataset = byKind['DATASET_VERSION:s3://prov/tx@v3'];
    const fed = await names(dataset, { direction: 'DOWNSTREAM', maxDepth: 1 });
    expect(
      fed.graph.nodes
        .filter((n) => n.depth === 1)
        .map((n) => n.node.id)
        .sort(),
    ).toEqual([v1.id, v2.id].sort());

    const deployment = await t.services.deployments.record(admin, {
      versionId: v1.id,
      environment: 'production',
      endpoint: 'https://serve.example/prov',
      strategy: DeploymentStrategy.DIRECT,
      trafficPercent: 100,
      overrideReason: 'test',
    });
    const down = ok(await t.request(VersionUpstreamDocument, { id: v1.id, maxDepth: 1 })).modelVersion!.downstream;
    expect(down.nodes.map((n) => [n.node.__typename, n.node.id])).toEqual([
      ['ModelVersion', v1.id],
      ['Deployment', deployment.id],
    ]);
    expect(down.edges).toEqual([{ id: expect.any(String), from: v1.id, to: deployment.id, relation: 'DEPLOYED_AS' }]);
    // Version fields inside the graph, without a second query.
    expect(down.nodes[0].node).toMatchObject({ version: 1, stage: 'DEVELOPMENT', model: { name: model.name } });
    expect(down.nodes[1].node).toMatchObject({ kind: 'DEPLOYMENT', environment: 'production', status: 'ACTIVE' });
  });

  test('a registration that fails leaves no lineage behind', async () => {
    const model = await t.services.models.create(admin, { name: modelName('prov-fail'), owner: 'ml' });
    const key = `s3://prov-fail/${process.pid}-${++counter}`;
    const input = readyRegistration(model.id, { datasetVersions: [key], label: 'x' });
    await t.services.versions.register(admin, input);
    await expect(t.services.versions.register(admin, { ...input, datasetVersions: [`${key}-2`] })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const [row] = await t.database.db.query(`SELECT count(*)::int AS n FROM lineage_nodes WHERE natural_key = $1`, [`${key}-2`]);
    expect(row.n).toBe(0);
  });
});

describe('a graph asked for labels only', () => {
  const LABELS = `query($id: UUID!) { lineage(nodeId: $id, direction: BOTH, maxDepth: 2) { nodes { node { __typename id kind name } } } }`;
  const FULL = `query($id: UUID!) { lineage(nodeId: $id, direction: BOTH, maxDepth: 2) { nodes { node { __typename id kind name ... on ModelVersion { stage } } } } }`;
  type Nodes = { lineage: { nodes: Array<{ node: { __typename: string; id: string; kind: string; name: string } }> } };

  test('reads each version and deployment as its label, in one statement each, with the same names as whole rows give', async () => {
    const model = await t.services.models.create(admin, { name: modelName('labels'), owner: 'ml' });
    const { version } = await t.services.versions.register(admin, readyRegistration(model.id, { datasetVersions: ['s3://labels/x@v1'] }));
    await t.services.deployments.record(admin, {
      versionId: version.id,
      environment: 'staging',
      endpoint: 'https://serve.example/labels',
      strategy: DeploymentStrategy.DIRECT,
      trafficPercent: 100,
      overrideReason: 'test',
    });
    const ask = (query: string) => t.database.capture(async () => ok(await t.post({ query, variables: { id: version.id } })) as Nodes);
    const labels = await ask(LABELS);
    const full = await ask(FULL);
    const label = (n: Nodes) => n.lineage.nodes.map(({ node }) => [node.__typename, node.kind, node.name]).sort();
    expect(label(labels.result)).toEqual(label(full.result));
    expect(label(labels.result)).toEqual(
      expect.arrayContaining([
        ['ModelVersion', 'MODEL_VERSION', `${model.name}@1`],
        ['Deployment', 'DEPLOYMENT', 'staging: https://serve.example/labels'],
      ]),
    );
    // Whole rows, and the models' rows for the name, only when a field beyond the label is asked for.
    const wholeRows = (sql: string[]) => sql.filter((q) => /SELECT x\.\* FROM (model_versions|deployments|registered_models) x/.test(q));
    expect(wholeRows(labels.sql)).toEqual([]);
    expect(wholeRows(full.sql)).toHaveLength(3);
    expect(labels.sql.filter((q) => /^SELECT x\.id, x\.(model_id, x\.version, r\.name|environment, x\.endpoint) /.test(q))).toHaveLength(2);
  });
});

describe('writes', () => {
  test('properties merged over calls stay within the bound a single call has: the merge that would pass it is refused', async () => {
    const naturalKey = `s3://grow-${process.pid}-${++counter}`;
    // 40 KB of properties each time, under the 64 KB bound, under other keys each time: merged, they would pass it.
    const chunk = (prefix: string) => Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${prefix}${i}`, 'x'.repeat(1000)]));
    ok(await t.request(UpsertLineageNodesDocument, { input: { nodes: [{ kind: 'DATASET', naturalKey, properties: chunk('a') }] } }));
    const grown = await t.request(UpsertLineageNodesDocument, {
      input: {
        nodes: [
          { kind: 'DATASET', naturalKey: `${naturalKey}-other` },
          { kind: 'DATASET', naturalKey, properties: chunk('b') },
        ],
      },
    });
    expect(errorCode(grown)).toBe('BAD_USER_INPUT');
    expect(grown.errors?.[0].extensions).toMatchObject({ field: 'nodes[1].properties' });
    expect(grown.errors?.[0].message).toMatch(/merged with the properties the node had, is \d+ bytes as JSON; the limit is 65536/);
    // Nothing of the call was written: the node keeps what it had, and the other node was not created.
    const [row] = await t.database.db.query('SELECT properties FROM lineage_nodes WHERE natural_key = $1', [naturalKey]);
    expect(Object.keys(row.properties)).toHaveLength(40);
    const [other] = await t.database.db.query('SELECT count(*)::int AS n FROM lineage_nodes WHERE natural_key = $1', [
      `${naturalKey}-other`,
    ]);
    expect(other.n).toBe(0);
  });

  test('upserts and edges are idempotent, one audit event per batch', async () => {
    const prefix = `s3://batch-${process.pid}-${++counter}`;
    const input = { nodes: [0, 1, 2].map((i) => ({ kind: 'DATASET' as const, naturalKey: `${prefix}/${i}`, properties: { rows: i } })) };
    const first = ok(await t.request(UpsertLineageNodesDocument, { input })).upsertLineageNodes;
    expect([first.created, first.updated, first.nodes.length]).toEqual([3, 0, 3]);
    expect(first.nodes[0].name).toBe(first.nodes[0].naturalKey);
    const again = ok(await t.request(UpsertLineageNodesDocument, { input })).upsertLineageNodes;
    expect([again.created, again.updated, again.nodes.map((n) => n.id)]).toEqual([0, 0, first.nodes.map((n) => n.id)]);
    const renamed = ok(
      await t.request(UpsertLineageNodesDocument, {
        input: { nodes: [{ kind: 'DATASET', naturalKey: `${prefix}/0`, name: 'zero', properties: { owner: 'data' } }] },
      }),
    ).upsertLineageNodes;
    expect(renamed).toMatchObject({ created: 0, updated: 1, nodes: [{ name: 'zero', properties: { rows: 0, owner: 'data' } }] });

    const [a, b, c] = first.nodes.map((n) => n.id);
    const edges = [
      { fromId: a, toId: b, relation: 'DERIVED_FROM' as const },
      { fromId: b, toId: c, relation: 'DERIVED_FROM' as const },
    ];
    expect(ok(await t.request(AddLineageEdgesDocument, { input: { edges } })).addLineageEdges).toEqual({ added: 2, existing: 0 });
    expect(ok(await t.request(AddLineageEdgesDocument, { input: { edges: [...edges, edges[0]] } })).addLineageEdges).toEqual({
      added: 0,
      existing: 2,
    });
    const events = ok(await t.request(AuditEventsDocument, { first: 5, filter: { action: 'lineage.edges_added' }, direction: 'DESC' }))
      .auditEvents.edges;
    expect(events[0].node.payload).toMatchObject({ count: 2, added: 0 });
    expect(events[1].node.payload).toMatchObject({ count: 2, added: 2 });
  });

  test('a self-loop, an unknown node or a registry-made kind refuses the whole batch, naming the item', async () => {
    const ids = await nodes('p', 'q');
    const before = await edgeCount();
    const loop = await t.request(AddLineageEdgesDocument, {
      input: {
        edges: [
          { fromId: ids.p, toId: ids.q, relation: 'DERIVED_FROM' },
          { fromId: ids.q, toId: ids.q, relation: 'DERIVED_FROM' },
        ],
      },
    });
    expect(errorCode(loop)).toBe('BAD_USER_INPUT');
    expect(loop.errors![0].extensions).toMatchObject({ field: 'edges[1]' });
    const unknown = await t.request(AddLineageEdgesDocument, {
      input: {
        edges: [
          { fromId: ids.p, toId: ids.q, relation: 'DERIVED_FROM' },
          { fromId: ids.p, toId: '00000000-0000-4000-8000-000000000000', relation: 'DERIVED_FROM' },
        ],
      },
    });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].extensions).toMatchObject({ field: 'edges[1].toId' });
    expect(await edgeCount()).toBe(before);

    const automatic = await t.request(UpsertLineageNodesDocument, {
      input: {
        nodes: [
          { kind: 'DATASET', naturalKey: 'x' },
          { kind: 'MODEL_VERSION', naturalKey: 'y' },
        ],
      },
    });
    expect(automatic.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nodes[1].kind' });
    const tooMany = await t.request(UpsertLineageNodesDocument, {
      input: { nodes: Array.from({ length: 10_001 }, (_, i) => ({ kind: 'DATASET' as const, naturalKey: `k${i}` })) },
    });
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nodes' });
  });

  test('writing lineage needs CONTRIBUTE on all models; removing an edge is for ADMINs, and `at` still sees it', async () => {
    const viewer = await t.tokenFor(Role.VIEWER, 'lineage-viewer');
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, 'lineage-pipeline');
    expect(
      errorCode(await t.request(UpsertLineageNodesDocument, { input: { nodes: [{ kind: 'DATASET', naturalKey: 'v' }] } }, viewer)),
    ).toBe('FORBIDDEN');
    const ids = await nodes('r', 's');
    ok(
      await t.request(
        AddLineageEdgesDocument,
        { input: { edges: [{ fromId: ids.r, toId: ids.s, relation: 'DERIVED_FROM' }] } },
        contributor,
      ),
    );
    const [{ id: edgeId }] = await t.database.db.query('SELECT id FROM lineage_edges WHERE from_id = $1', [ids.r]);
    const linked = new Date();
    await new Promise((r) => setTimeout(r, 20));

    expect(errorCode(await t.request(RemoveLineageEdgeDocument, { input: { id: edgeId, reason: 'wrong' } }, contributor))).toBe(
      'FORBIDDEN',
    );
    const removed = ok(await t.request(RemoveLineageEdgeDocument, { input: { id: edgeId, reason: 'wrong join' } })).removeLineageEdge.edge;
    expect(removed).toMatchObject({ fromId: ids.r, toId: ids.s, removedBy: 'admin' });
    expect(errorCode(await t.request(RemoveLineageEdgeDocument, { input: { id: edgeId, reason: 'again' } }))).toBe('NOT_FOUND');

    expect((await names(ids.r)).nodes).toEqual(['r:0']);
    expect((await names(ids.r, { at: linked.toISOString() })).nodes).toEqual(['r:0', 's:1']);
    const [event] = ok(await t.request(AuditEventsDocument, { first: 1, filter: { action: 'lineage.edge_removed', subjectId: edgeId } }))
      .auditEvents.edges;
    expect(event.node.payload).toMatchObject({ reason: 'wrong join', edge: { id: edgeId } });
  });
});

describe('edges a client can see, it can remove', () => {
  test('a walk answers each edge with its id; removeLineageEdge takes it, or the edge’s ends and relation', async () => {
    const ids = await nodes('e1', 'e2', 'e3');
    await link(ids, 'e1>e2', 'e2>e3');
    ok(await t.request(AddLineageEdgesDocument, { input: { edges: [{ fromId: ids.e2, toId: ids.e3, relation: 'RELATED_TO' }] } }));
    const graph = (await names(ids.e1, { direction: 'DOWNSTREAM' })).graph;
    const stored = (await t.database.db.query('SELECT id, from_id, to_id, relation FROM lineage_edges WHERE from_id = ANY($1::uuid[])', [
      [ids.e1, ids.e2],
    ])) as Array<{ id: string; from_id: string; to_id: string; relation: string }>;
    expect(graph.edges.map((e) => [e.id, e.from, e.to, e.relation]).sort()).toEqual(
      stored.map((e) => [e.id, e.from_id, e.to_id, e.relation]).sort(),
    );
    expect(graph.edges).toHaveLength(3);

    // By the id the walk answered.
    const first = graph.edges.find((e) => e.from === ids.e1)!;
    const byId = ok(await t.request(RemoveLineageEdgeDocument, { input: { id: first.id, reason: 'seen in the graph' } })).removeLineageEdge
      .edge;
    expect(byId).toMatchObject({ id: first.id, fromId: ids.e1, toId: ids.e2, relation: 'DERIVED_FROM', removedBy: 'admin' });
    // By its ends and relation: only that relation's edge between them.
    const byEnds = ok(
      await t.request(RemoveLineageEdgeDocument, {
        input: { fromId: ids.e2, toId: ids.e3, relation: 'RELATED_TO', reason: 'wrong relation' },
      }),
    ).removeLineageEdge.edge;
    const related = graph.edges.find((e) => e.relation === 'RELATED_TO')!;
    expect(byEnds).toMatchObject({ id: related.id, fromId: ids.e2, toId: ids.e3, relation: 'RELATED_TO', removedBy: 'admin' });
    const after = (await names(ids.e2, { direction: 'DOWNSTREAM' })).graph.edges;
    expect(after.map((e) => [e.from, e.to, e.relation])).toEqual([[ids.e2, ids.e3, 'DERIVED_FROM']]);
    // Each removal is audited with the edge it removed.
    for (const [edgeId, reason] of [
      [first.id, 'seen in the graph'],
      [related.id, 'wrong relation'],
    ]) {
      const [event] = ok(await t.request(AuditEventsDocument, { first: 1, filter: { action: 'lineage.edge_removed', subjectId: edgeId } }))
        .auditEvents.edges;
      expect(event.node.payload).toMatchObject({ reason, edge: { id: edgeId } });
    }

    // Gone already, or no such edge: NOT_FOUND; half a name, or both names: BAD_USER_INPUT naming the field.
    const again = await t.request(RemoveLineageEdgeDocument, {
      input: { fromId: ids.e2, toId: ids.e3, relation: 'RELATED_TO', reason: 'again' },
    });
    expect(errorCode(again)).toBe('NOT_FOUND');
    const half = await t.request(RemoveLineageEdgeDocument, { input: { fromId: ids.e2, toId: ids.e3, reason: 'which?' } });
    expect(half.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'relation' });
    const both = await t.request(RemoveLineageEdgeDocument, {
      input: { id: related.id, fromId: ids.e2, toId: ids.e3, relation: 'DERIVED_FROM', reason: 'both' },
    });
    expect(both.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fromId' });
    const neither = await t.request(RemoveLineageEdgeDocument, { input: { reason: 'nothing' } });
    expect(neither.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    // Still for ADMINs only, however the edge is named.
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, 'lineage-remover');
    const refused = await t.request(
      RemoveLineageEdgeDocument,
      { input: { fromId: ids.e2, toId: ids.e3, relation: 'DERIVED_FROM', reason: 'not mine to remove' } },
      contributor,
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
  });
});

describe('traversal', () => {
  test('a diamond: every node once, at its shortest depth, every edge between them', async () => {
    const ids = await nodes('a', 'b', 'c', 'd');
    await link(ids, 'a>b', 'a>c', 'b>d', 'c>d');
    expect(await names(ids.a, { direction: 'DOWNSTREAM' })).toMatchObject({
      nodes: ['a:0', 'b:1', 'c:1', 'd:2'],
      edges: 4,
      truncated: false,
    });
    expect((await names(ids.d, { direction: 'UPSTREAM' })).nodes).toEqual(['a:2', 'b:1', 'c:1', 'd:0']);
    expect((await names(ids.b, { direction: 'UPSTREAM' })).nodes).toEqual(['a:1', 'b:0']);
    expect((await names(ids.b, { direction: 'BOTH' })).nodes).toEqual(['a:1', 'b:0', 'c:2', 'd:1']);
    expect((await names(ids.b, { direction: 'DOWNSTREAM' })).nodes).toEqual(['b:0', 'd:1']);
  });

  test('a cycle ends the walk', async () => {
    const ids = await nodes('x', 'y', 'z');
    await link(ids, 'x>y', 'y>z', 'z>x');
    expect(await names(ids.x, { direction: 'DOWNSTREAM', maxDepth: 20 })).toMatchObject({ nodes: ['x:0', 'y:1', 'z:2'], edges: 3 });
    expect((await names(ids.y, { direction: 'BOTH', maxDepth: 20 })).nodes).toEqual(['x:1', 'y:0', 'z:1']);
  });

  test('maxDepth bounds the walk, and is at most 20', async () => {
    const labels = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const ids = await nodes(...labels);
    await link(ids, ...labels.slice(1).map((l, i) => `${labels[i]}>${l}`));
    expect((await names(ids.c0, { direction: 'DOWNSTREAM', maxDepth: 5 })).nodes).toHaveLength(6);
    expect((await names(ids.c0, { direction: 'DOWNSTREAM', maxDepth: 20 })).nodes).toHaveLength(21);
    const deep = await t.request(LineageDocument, { nodeId: ids.c0, maxDepth: 21 });
    expect(deep.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxDepth' });
  });

  test('relations choose the edges walked; kinds choose the nodes answered', async () => {
    const ids = await nodes('src', 'mid', 'feat');
    ok(
      await t.request(AddLineageEdgesDocument, {
        input: {
          edges: [
            { fromId: ids.src, toId: ids.mid, relation: 'DERIVED_FROM' },
            { fromId: ids.mid, toId: ids.feat, relation: 'USES_FEATURE' },
          ],
        },
      }),
    );
    ok(await t.request(UpsertLineageNodesDocument, { input: { nodes: [{ kind: 'FEATURE', naturalKey: `feature-${counter}` }] } }));
    expect((await names(ids.src, { direction: 'DOWNSTREAM', relations: ['DERIVED_FROM'] })).nodes).toEqual(['mid:1', 'src:0']);
    // Make `feat` a FEATURE: the kind filter answers it, through `mid`, which is not one.
    await t.database.db.query(`UPDATE lineage_nodes SET kind = 'FEATURE' WHERE id = $1`, [ids.feat]);
    const features = await names(ids.src, { direction: 'DOWNSTREAM', kinds: ['FEATURE'] });
    expect(features.nodes).toEqual(['feat:2', 'src:0']);
    expect(features.edges).toBe(0); // no edge joins the two answered nodes directly
  });

  test('first caps the nodes answered and says truncated', async () => {
    const leaves = Array.from({ length: 50 }, (_, i) => `leaf${i}`);
    const ids = await nodes('hub', ...leaves);
    await link(ids, ...leaves.map((l) => `hub>${l}`));
    const capped = await names(ids.hub, { direction: 'DOWNSTREAM', first: 10 });
    expect(capped.nodes).toHaveLength(11);
    expect(capped.edges).toBe(10);
    expect(capped.truncated).toBe(true);
    const all = await names(ids.hub, { direction: 'DOWNSTREAM', first: 50 });
    expect([all.nodes.length, all.truncated]).toEqual([51, false]);
  });

  test('at: the graph as it was, before later edges and nodes', async () => {
    const ids = await nodes('old', 'older');
    await link(ids, 'older>old');
    await new Promise((r) => setTimeout(r, 20));
    const then = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const later = await nodes('newer');
    await link({ ...ids, ...later }, 'old>newer');
    expect((await names(ids.old)).nodes).toEqual(['newer:1', 'old:0', 'older:1']);
    expect((await names(ids.old, { at: then })).nodes).toEqual(['old:0', 'older:1']);
  });

  test('unknown start: NOT_FOUND', async () => {
    expect(errorCode(await t.request(LineageDocument, { nodeId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(ok(await t.request(LineageNodeDocument, { id: '00000000-0000-4000-8000-000000000000' })).lineageNode).toBeNull();
  });
});

describe('paths and impact', () => {
  test('lineagePaths: every shortest path, at most `first`; none when unreachable', async () => {
    const ids = await nodes('from', 'left', 'right', 'long1', 'long2', 'to', 'island');
    await link(ids, 'from>left', 'from>right', 'left>to', 'right>to', 'from>long1', 'long1>long2', 'long2>to');
    const paths = ok(await t.request(LineagePathsDocument, { fromId: ids.from, toId: ids.to })).lineagePaths;
    expect(paths.map((p) => p.steps.map((s) => s.node.name).join('>')).sort()).toEqual(['from>left>to', 'from>right>to']);
    expect(paths[0].steps.map((s) => s.relation)).toEqual([null, 'DERIVED_FROM', 'DERIVED_FROM']);
    expect(ok(await t.request(LineagePathsDocument, { fromId: ids.from, toId: ids.to, first: 1 })).lineagePaths).toHaveLength(1);
    expect(ok(await t.request(LineagePathsDocument, { fromId: ids.to, toId: ids.from })).lineagePaths).toEqual([]);
    expect(ok(await t.request(LineagePathsDocument, { fromId: ids.from, toId: ids.island })).lineagePaths).toEqual([]);
    expect(ok(await t.request(LineagePathsDocument, { fromId: ids.from, toId: ids.to, maxDepth: 1 })).lineagePaths).toEqual([]);
  });

  test('impact: what to retrain and what serves now, grouped by model, each with its path', async () => {
    const s = t.services;
    const poisoned = `s3://impact-${process.pid}-${++counter}/tx@v9`;
    const models = [];
    for (const name of ['fraud', 'churn']) {
      const model = await s.models.create(admin, { name: modelName(name), owner: 'ml', riskTier: RiskTier.LOW });
      await aucBaseline(s, admin, model.id);
      models.push(model);
    }
    const [fraud, churn] = models;
    const live = await stagedVersion(s, admin, fraud.id, [], 0.9, { datasetVersions: [poisoned] });
    await s.transitions.transition(admin, { versionId: live.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    const serving = await s.deployments.record(admin, {
      versionId: live.id,
      environment: 'production',
      endpoint: 'https://serve.example/fraud',
      strategy: DeploymentStrategy.DIRECT,
      trafficPercent: 100,
    });
    const ended = await s.deployments.record(admin, {
      versionId: live.id,
      environment: 'canary',
      endpoint: 'https://serve.example/fraud-canary',
      strategy: DeploymentStrategy.CANARY,
      trafficPercent: 5,
    });
    await s.deployments.end(admin, ended.id);
    // churn's version is fine-tuned from fraud's: impacted through it, two edges further.
    const { version: tuned } = await s.versions.register(admin, readyRegistration(churn.id));
    ok(await t.request(AddLineageEdgesDocument, { input: { edges: [{ fromId: live.id, toId: tuned.id, relation: 'FINE_TUNED_FROM' }] } }));
    const [{ id: datasetId }] = await t.database.db.query(
      `SELECT id FROM lineage_nodes WHERE kind = 'DATASET_VERSION' AND natural_key = $1`,
      [poisoned],
    );

    const impact = ok(await t.request(ImpactDocument, { nodeId: datasetId })).impact;
    expect(impact).toMatchObject({
      source: { id: datasetId, kind: 'DATASET_VERSION' },
      versionCount: 2,
      liveDeploymentCount: 1,
      truncated: false,
    });
    const byModel = Object.fromEntries(impact.models.map((m) => [m.model.name, m]));
    expect(byModel[fraud.name].versions).toEqual([
      {
        stage: 'PRODUCTION',
        depth: 1,
        version: { id: live.id, version: 1 },
        path: [
          { relation: null, node: { id: datasetId, kind: 'DATASET_VERSION' } },
          { relation: 'TRAINED_ON', node: { id: live.id, kind: 'MODEL_VERSION' } },
        ],
      },
    ]);
    expect(byModel[fraud.name].liveDeployments.map((d) => [d.deployment.id, d.depth, d.path.map((p) => p.relation)])).toEqual([
      [serving.id, 2, [null, 'TRAINED_ON', 'DEPLOYED_AS']],
    ]);
    expect(byModel[churn.name].versions.map((v) => [v.version.id, v.stage, v.depth, v.path.map((p) => p.relation)])).toEqual([
      [tuned.id, 'DEVELOPMENT', 2, [null, 'TRAINED_ON', 'FINE_TUNED_FROM']],
    ]);
    expect(byModel[churn.name].liveDeployments).toEqual([]);
  });
});

describe('loaders', () => {
  test('ModelVersion.upstream for a whole page costs as many statements for 20 models as for 2', async () => {
    const server = await startTestServer({}, { jobs: false }); // no background statements in the counts
    try {
      for (let i = 0; i < 20; i += 1) {
        const model = await server.services.models.create(admin, { name: modelName('batch'), owner: 'ml' });
        for (let v = 0; v < 2; v += 1) await server.services.versions.register(admin, readyRegistration(model.id));
      }
      const statements = async (first: number) => {
        const before = await dbQueries(server);
        const data = ok(await server.request(CatalogUpstreamDocument, { first, maxDepth: 2 }));
        expect(data.models.edges).toHaveLength(first);
        for (const m of data.models.edges)
          for (const v of m.node.versions.edges) expect(v.node.upstream.nodes.filter((n) => n.depth === 1)).toHaveLength(4);
        return (await dbQueries(server)) - before;
      };
      expect(await statements(20)).toBe(await statements(2));
    } finally {
      await server.close();
    }
  });
});

describe('with MODELGRAPH_VISIBILITY=granted', () => {
  test('a walk does not enter, answer or impact a model the caller cannot see', async () => {
    const server = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    try {
      const s = server.services;
      const dataset = `s3://hidden-${process.pid}-${++counter}/x@v1`;
      const mine = await s.models.create(admin, { name: modelName('mine'), owner: 'a' });
      const theirs = await s.models.create(admin, { name: modelName('theirs'), owner: 'b' });
      const { version: visible } = await s.versions.register(admin, readyRegistration(mine.id, { datasetVersions: [dataset] }));
      const { version: hidden } = await s.versions.register(admin, readyRegistration(theirs.id, { datasetVersions: [dataset] }));
      await s.access.grant(admin, { modelId: mine.id, subject: 'alma', level: Level.CONTRIBUTE });
      const alma = await server.tokenFor(Role.CONTRIBUTOR, 'alma');
      const [{ id: datasetId }] = await server.database.db.query(`SELECT id FROM lineage_nodes WHERE natural_key = $1`, [dataset]);

      const graph = ok(await server.request(LineageDocument, { nodeId: datasetId, direction: 'DOWNSTREAM' }, alma)).lineage;
      expect(graph.nodes.map((n) => n.node.id).sort()).toEqual([datasetId, visible.id].sort());
      expect(graph.edges.every((e) => e.to !== hidden.id)).toBe(true);
      // Read as labels only, the same nodes.
      const labels = ok(
        await server.post({ query: `{ lineage(nodeId: "${datasetId}", direction: DOWNSTREAM) { nodes { node { id name } } } }` }, alma),
      ) as { lineage: { nodes: Array<{ node: { id: string } }> } };
      expect(labels.lineage.nodes.map((n) => n.node.id).sort()).toEqual([datasetId, visible.id].sort());
      const impact = ok(await server.request(ImpactDocument, { nodeId: datasetId }, alma)).impact;
      expect(impact.models.map((m) => m.model.id)).toEqual([mine.id]);
      expect(errorCode(await server.request(LineageDocument, { nodeId: hidden.id }, alma))).toBe('NOT_FOUND');
      expect(ok(await server.request(LineageNodeDocument, { id: hidden.id }, alma)).lineageNode).toBeNull();
      const link = await server.request(
        AddLineageEdgesDocument,
        { input: { edges: [{ fromId: datasetId, toId: hidden.id, relation: 'VALIDATED_ON' }] } },
        alma,
      );
      expect(link.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'edges[0].toId' });
      // ADMINs see it all.
      expect(ok(await server.request(LineageDocument, { nodeId: datasetId, direction: 'DOWNSTREAM' })).lineage.nodes).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

async function dbQueries(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith('modelgraph_db_queries_total '))!
      .split(' ')[1],
  );
}

async function edgeCount(): Promise<number> {
  const [row] = await t.database.db.query('SELECT count(*)::int AS n FROM lineage_edges');
  return row.n;
}
