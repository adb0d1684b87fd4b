/**
 * /metrics names models only to those who may see them: without a token it answers the process and request
 * series alone; with a token, the per-model gauges cover the models that token sees (MODELGRAPH_VISIBILITY=granted).
 */
import { Role } from '../../src/common/role';
import { CreateModelDocument, GrantAccessDocument, RegisterModelVersionDocument } from '../generated/graphql';
import { modelName, registration } from '../support/fixtures';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let alpha: string;
let bravo: string;
let alphaViewer: string;

beforeAll(async () => {
  t = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
  alphaViewer = await t.tokenFor(Role.VIEWER, 'alpha-viewer');
  const models: Record<string, string> = {};
  for (const name of [modelName('alpha'), modelName('bravo')]) {
    const model = ok(await t.request(CreateModelDocument, { input: { name, owner: 'ml' } })).createModel.model;
    const version = ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelId: model.id }) })).registerModelVersion
      .version;
    // An open alert on each model, as monitoring would raise it.
    await t.database.db.query(
      `INSERT INTO alerts (model_id, version_id, kind, subject, severity, summary, evidence, window_start, window_end)
       VALUES ($1, $2, 'DATA_DRIFT', 'tenure', 'WARNING', 'tenure drifted', '{}', now() - interval '1 hour', now())`,
      [model.id, version.id],
    );
    models[name.startsWith('alpha') ? 'alpha' : 'bravo'] = name;
    if (name.startsWith('alpha'))
      ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'alpha-viewer', level: 'VIEW' } }));
  }
  ({ alpha, bravo } = models as { alpha: string; bravo: string });
});
afterAll(() => t.close());

const scrape = async (token?: string) => {
  const res = await fetch(`${t.baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
};

test('anonymous: process and request series, no model names', async () => {
  const { status, text } = await scrape();
  expect(status).toBe(200);
  expect(text).toContain('modelgraph_process_cpu_seconds_total');
  expect(text).toContain('modelgraph_graphql_requests_total');
  expect(text).not.toContain(alpha);
  expect(text).not.toContain(bravo);
  expect(text).not.toContain('modelgraph_open_alerts{');
});

test('with a token: the per-model gauges of the models it sees, and only those', async () => {
  const viewer = await scrape(alphaViewer);
  expect(viewer.status).toBe(200);
  expect(viewer.text).toContain(`modelgraph_open_alerts{model="${alpha}",kind="DATA_DRIFT",severity="WARNING"} 1`);
  expect(viewer.text).not.toContain(bravo);
  expect(viewer.text).toContain('modelgraph_graphql_requests_total');

  const admin = await scrape(t.adminToken);
  expect(admin.text).toContain(`modelgraph_open_alerts{model="${alpha}",kind="DATA_DRIFT",severity="WARNING"} 1`);
  expect(admin.text).toContain(`modelgraph_open_alerts{model="${bravo}",kind="DATA_DRIFT",severity="WARNING"} 1`);
});

test('a bad token is 401, as on every other route', async () => {
  const { status, text } = await scrape('mg_not_a_token');
  expect(status).toBe(401);
  expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
});
