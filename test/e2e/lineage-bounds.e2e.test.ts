/**
 * Issue 19, items 4 and 5: no lineage question from an ordinary token makes the server do work that grows faster than
 * the graph it reads, or answers more than its bounds; `/healthz` keeps answering while the attack runs.
 *
 * The attack graph is the with fewer hubs and more edges into each: a start node linked to MIDS nodes, each
 * linked to HUBS hubs by two relations. `lineagePaths(start → hub)` meets a hub with 2 × MIDS edges into it (today's
 * code copied an array per edge: quadratic in that), and `lineage(first: 10000, maxDepth: 2)` answers MIDS + HUBS
 * nodes with 2 × MIDS × HUBS edges between them. Then `impact` of a dataset with thousands of versions at the end of
 * a 20-edge chain: a path of 21 steps for each.
 */
import { ImpactDocument, LineageDocument, LineagePathsDocument } from '../generated/graphql';
import { Role } from '../../src/common/role';
import { MAX_EDGES, MAX_IMPACTED } from '../../src/modules/lineage/lineage.rules';
import { ok, startTestServer, type TestServer } from '../support/server';
import { healthzDuring, STALL_BOUND_MS } from '../support/stall';

const MIDS = 9900;
const HUBS = 3;
/** Each mid is linked to each hub once per relation: an edge is unique per (from, to, relation). */
const RELATIONS = ['DERIVED_FROM', 'RELATED_TO'];

let t: TestServer;
let viewer: string;
const graph = { start: '', hubs: [] as string[], mids: [] as string[] };
/** impact's graph: a dataset, a chain of CHAIN generic nodes from it, and VERSIONS model versions at its end. */
const CHAIN = 19;
const VERSIONS = 9900;
const deep = { dataset: '', model: '' };

beforeAll(async () => {
  t = await startTestServer();
  viewer = await t.tokenFor(Role.VIEWER, 'lineage-bounds-viewer');
  const tag = `bounds-${process.pid}`;
  const db = t.database.db;
  // Ids known without a lookup: md5 of a label, as bench/lineage.bench.ts makes them.
  await db.query(
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, created_by)
     SELECT md5($1 || ':' || k)::uuid, 'DATASET', 's3://' || $1 || '/' || k, k, 'attacker'
     FROM (SELECT 'start' AS k UNION ALL SELECT 'm' || i FROM generate_series(1, $2::int) i
           UNION ALL SELECT 'h' || j FROM generate_series(1, $3::int) j) s`,
    [tag, MIDS, HUBS],
  );
  await db.query(
    `INSERT INTO lineage_edges (from_id, to_id, relation, created_by)
     SELECT md5($1 || ':start')::uuid, md5($1 || ':m' || i)::uuid, 'DERIVED_FROM', 'attacker' FROM generate_series(1, $2::int) i`,
    [tag, MIDS],
  );
  await db.query(
    `INSERT INTO lineage_edges (from_id, to_id, relation, created_by)
     SELECT md5($1 || ':m' || i)::uuid, md5($1 || ':h' || j)::uuid, r, 'attacker'
     FROM generate_series(1, $2::int) i CROSS JOIN generate_series(1, $3::int) j CROSS JOIN unnest($4::text[]) r`,
    [tag, MIDS, HUBS, RELATIONS],
  );
  const ids = (await db.query(
    `SELECT k, md5($1 || ':' || k)::uuid::text AS id FROM (SELECT 'start' AS k UNION ALL SELECT 'h' || j FROM generate_series(1, $2::int) j) s`,
    [tag, HUBS],
  )) as Array<{ k: string; id: string }>;
  graph.start = ids.find((r) => r.k === 'start')!.id;
  graph.hubs = ids.filter((r) => r.k !== 'start').map((r) => r.id);
  deep.model = (await db.query(`SELECT md5($1 || ':model')::uuid::text AS id`, [tag]))[0].id;
  await db.query(
    `INSERT INTO registered_models (id, name, owner, risk_tier, version_counter, created_by)
     VALUES ($2::uuid, $1 || '-deep', 'attacker', 'LOW', $3::int, 'attacker')`,
    [tag, deep.model, VERSIONS],
  );
  await db.query(
    `INSERT INTO model_versions (id, model_id, version, stage, code_repo, code_commit, dataset_versions, hyperparameters,
       environment_image_digest, random_seed, training_run_id, artifact_format, artifact_storage_path, artifact_size_bytes,
       artifact_sha256, artifact_status, created_by)
     SELECT md5($1 || ':v' || i)::uuid, $2::uuid, i, 'DEVELOPMENT', 'https://github.com/acme/deep', md5('c' || i) || left(md5('d' || i), 8),
            '[]', '{}', 'sha256:' || md5('e') || md5('f'), i::text, NULL, 'SAFETENSORS', 'models/' || $2 || '/' || i || '/', 1000,
            md5('a' || i) || md5('b' || i), 'READY', 'attacker'
     FROM generate_series(1, $3::int) i`,
    [tag, deep.model, VERSIONS],
  );
  await db.query(
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by)
     SELECT md5($1 || ':v' || i)::uuid, 'MODEL_VERSION', md5($1 || ':v' || i)::uuid::text, $1 || '-deep@' || i, $2::uuid, 'attacker'
     FROM generate_series(1, $3::int) i`,
    [tag, deep.model, VERSIONS],
  );
  await db.query(
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, created_by)
     SELECT md5($1 || ':g' || i)::uuid, 'DATASET', 's3://' || $1 || '/g' || i, 'g' || i, 'attacker' FROM generate_series(0, $2::int) i`,
    [tag, CHAIN],
  );
  await db.query(
    `INSERT INTO lineage_edges (from_id, to_id, relation, created_by)
     SELECT md5($1 || ':g' || (i - 1))::uuid, md5($1 || ':g' || i)::uuid, 'DERIVED_FROM', 'attacker' FROM generate_series(1, $2::int) i
     UNION ALL
     SELECT md5($1 || ':g' || $2)::uuid, md5($1 || ':v' || i)::uuid, 'TRAINED_ON', 'attacker' FROM generate_series(1, $3::int) i`,
    [tag, CHAIN, VERSIONS],
  );
  deep.dataset = (await db.query(`SELECT md5($1 || ':g0')::uuid::text AS id`, [tag]))[0].id;
  await db.query('ANALYZE');
}, 120_000);
afterAll(() => t.close());

test('lineagePaths to a hub with thousands of edges into it: linear work, the event loop stays free', async () => {
  const attack = await healthzDuring(t.baseUrl, 'lineagePaths(start → hub of 9,900 × 2 edges)', () =>
    t.request(LineagePathsDocument, { fromId: graph.start, toId: graph.hubs[0] }, viewer),
  );
  const paths = ok(attack.result).lineagePaths;
  expect(paths).toHaveLength(10); // first: 10 by default, of the 9,900 shortest paths
  for (const path of paths) {
    expect(path.steps).toHaveLength(3);
    expect(path.steps[0].node.id).toBe(graph.start);
    expect(path.steps[2].node.id).toBe(graph.hubs[0]);
    expect(path.steps[0].relation).toBeNull();
    expect(path.steps[1].relation).toBe('DERIVED_FROM');
    expect(RELATIONS).toContain(path.steps[2].relation);
  }
  expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
});

test('lineage(first: 10000, maxDepth: 2) answers a bounded number of edges, says truncated, and the event loop stays free', async () => {
  const attack = await healthzDuring(t.baseUrl, 'lineage(first: 10000, maxDepth: 2), 69,300 edges', () =>
    t.request(LineageDocument, { nodeId: graph.start, direction: 'DOWNSTREAM', maxDepth: 2, first: 10_000 }, viewer),
  );
  const lineage = ok(attack.result).lineage;
  expect(lineage.nodes).toHaveLength(1 + MIDS + HUBS);
  expect(lineage.edges).toHaveLength(MAX_EDGES);
  expect(lineage.truncated).toBe(true);
  // Every node answered is joined to the start: the edge it was reached by comes first.
  const reached = new Set(lineage.edges.map((e) => e.to));
  expect(lineage.nodes.filter((n) => n.depth > 0 && !reached.has(n.node.id))).toEqual([]);
  expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
});

test('impact of the start node reads no edges it does not answer, and the event loop stays free', async () => {
  const attack = await healthzDuring(t.baseUrl, 'impact(start of the 69,300-edge graph)', () =>
    t.request(ImpactDocument, { nodeId: graph.start }, viewer),
  );
  expect(ok(attack.result).impact).toMatchObject({ versionCount: 0, liveDeploymentCount: 0, models: [] });
  expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
});

test('impact of a dataset with thousands of versions 20 edges downstream: a bounded answer, the event loop stays free', async () => {
  const attack = await healthzDuring(t.baseUrl, 'impact(dataset above 9,900 versions, 20 deep)', () =>
    t.request(ImpactDocument, { nodeId: deep.dataset }, viewer),
  );
  const impact = ok(attack.result).impact;
  expect(impact.versionCount).toBe(MAX_IMPACTED);
  expect(impact.truncated).toBe(true);
  expect(impact.models[0].versions[0].path).toHaveLength(CHAIN + 2);
  expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
});

test('the cost estimate counts the edges a lineage may answer: six at first: 10000 selecting edges are refused', async () => {
  const one = (alias: string) => `${alias}: lineage(nodeId: "${graph.start}", first: 10000) { truncated edges { id from to relation } }`;
  // Each: 1 + 10,000 × (truncated: 1 + edges: 1 + 4 × 4) = 180,001; five of them are under the limit of 1,000,000 …
  const five = await t.post({ query: `{ ${['a', 'b', 'c', 'd', 'e'].map(one).join(' ')} }` }, viewer);
  expect(five.status).toBe(200);
  // … and six over it (counted as one edge per node, as before issue 19, six cost 360,006).
  const six = await t.post({ query: `{ ${['a', 'b', 'c', 'd', 'e', 'f'].map(one).join(' ')} }` }, viewer);
  expect(six.status).toBe(400);
  expect(six.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', limit: 'cost' } });
  expect(six.errors![0].message).toMatch(/query cost 1080006 exceeds the limit of 1000000/);
});
