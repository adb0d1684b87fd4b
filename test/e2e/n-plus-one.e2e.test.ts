import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import type { RegisterVersionInput } from '../../src/modules/versions/version.service';
import { ModelsWithVersionsAndAliasesDocument } from '../generated/graphql';
import { modelName, registration } from '../support/fixtures';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({}, { jobs: false }); // no background statements in the counts
  const { models, versions, aliases } = t.services;
  for (let i = 0; i < 100; i += 1) {
    const model = await models.create(SYSTEM_CALLER, { name: modelName('np1'), owner: 'team' });
    for (let v = 0; v < 2; v += 1) {
      const { version } = await versions.register(SYSTEM_CALLER, { ...registration(), modelId: model.id } as RegisterVersionInput);
      if (v === 1) await aliases.set(SYSTEM_CALLER, { modelId: model.id, alias: 'champion', versionId: version.id });
    }
  }
});
afterAll(() => t.close());

/** modelgraph_db_queries_total, read the way Prometheus would: from GET /metrics (with a token: the gauges too). */
async function statementsSoFar(token?: string): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).text();
  const line = text.split('\n').find((l) => l.startsWith('modelgraph_db_queries_total '));
  if (!line) throw new Error('modelgraph_db_queries_total is missing from /metrics');
  return Number(line.split(' ')[1]);
}

/**
 * What reading /metrics itself costs: with a token, the monitoring gauges read open alerts and objectives from the
 * database on each scrape. Measured, and taken off every count below, so the counts are the request's own.
 */
async function scrapeCost(token?: string): Promise<number> {
  const first = await statementsSoFar(token);
  return (await statementsSoFar(token)) - first;
}

async function statementsFor(first: number): Promise<number> {
  const cost = await scrapeCost();
  const before = await statementsSoFar();
  const data = ok(await t.request(ModelsWithVersionsAndAliasesDocument, { first }));
  const after = await statementsSoFar();
  expect(data.models.edges).toHaveLength(first);
  for (const { node } of data.models.edges) {
    expect(node.versions.totalCount).toBe(2);
    expect(node.versions.edges.map((e) => e.node.aliases.edges.map((a) => a.node.name))).toEqual([['champion'], []]);
  }
  return after - before - cost;
}

test('a scrape of /metrics costs no statement; with a token, three: the token, open alerts, the objectives of the models that have some', async () => {
  expect(await scrapeCost()).toBe(0);
  expect(await scrapeCost(t.adminToken)).toBe(3);
});

test('models(first: N) { versions { aliases } } runs as many SQL statements for 100 models as for 10', async () => {
  const forTen = await statementsFor(10);
  const forHundred = await statementsFor(100);
  expect(forHundred).toBe(forTen);
  // token lookup + models page and count + versions page and count + aliases page (its totalCount is not selected)
  expect(forTen).toBe(6);
});

test('totalCount is counted only when selected: one statement per list that selects it', async () => {
  const pages = `query($first: Int) { models(first: $first) { edges { node { versions { edges { node { aliases { edges { node { name } } } } } } } } } }`;
  const counted = `query($first: Int) { models(first: $first) { totalCount edges { node { versions { totalCount edges { node {
    aliases { totalCount edges { node { name } } } } } } } } } }`;
  const statements = async (query: string): Promise<number> => {
    const cost = await scrapeCost();
    const before = await statementsSoFar();
    ok(await t.post({ query, variables: { first: 20 } }));
    return (await statementsSoFar()) - before - cost;
  };
  // token lookup + one page per list
  expect(await statements(pages)).toBe(4);
  expect(await statements(counted)).toBe(7);
});
