import { Role } from '../../src/common/role';
import { createServices, type Services } from '../../src/composition';
import { backfillLineage } from '../../src/db/migrations/1764500000000-lineage';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName, SHA } from '../support/fixtures';
import { caller, readyRegistration } from '../support/lifecycle';

let t: TestDatabase;
let s: Services;
const admin = caller('admin', Role.ADMIN);

beforeAll(async () => {
  t = await createTestDatabase();
  s = createServices(t.db);
});
afterAll(() => t.drop());

/** The graph by natural keys (ids of generic nodes differ between two fillings), with every column that matters. */
async function snapshot() {
  const nodes = await t.db.query(
    `SELECT kind, natural_key, name, properties, model_id, CASE WHEN model_id IS NULL THEN NULL ELSE id END AS id FROM lineage_nodes ORDER BY kind, natural_key`,
  );
  const edges = await t.db.query(
    `SELECT f.kind || ':' || f.natural_key AS from_key, t.kind || ':' || t.natural_key AS to_key, e.relation
     FROM lineage_edges e JOIN lineage_nodes f ON f.id = e.from_id JOIN lineage_nodes t ON t.id = e.to_id
     ORDER BY 1, 2, 3`,
  );
  return { nodes, edges };
}

describe('the backfill', () => {
  test('gives the graph registration gives, for every shape of tuple', async () => {
    const model = await s.models.create(admin, { name: modelName('backfill'), owner: 'ml' });
    const versions = [
      readyRegistration(model.id, { datasetVersions: ['s3://bf/a@v1', 's3://bf/b@v2', 's3://bf/a@v1'], trainingRunId: 'run-bf-1' }),
      readyRegistration(model.id, { datasetVersions: ['s3://bf/a@v1'], trainingRunId: null }),
      readyRegistration(model.id, {
        datasetVersions: ['s3://bf/c@v1'],
        environment: { packageLock: 'numpy==2.1.0\nscikit-learn==1.5.2\n' },
        code: { repo: 'https://github.com/acme/other', commit: 'b'.repeat(40) },
      }),
      readyRegistration(model.id, { environment: { imageDigest: `ghcr.io/acme/x@sha256:${SHA('c')}`, packageLock: 'ignored' } }),
    ];
    const registered = [];
    for (const input of versions) registered.push((await s.versions.register(admin, input)).version);
    await s.deployments.record(admin, {
      versionId: registered[0].id,
      environment: 'production',
      endpoint: 'https://serve.example/bf',
      strategy: DeploymentStrategy.DIRECT,
      trafficPercent: 100,
      overrideReason: 'test',
    });
    const recorded = await snapshot();
    expect(recorded.edges.length).toBeGreaterThan(10);

    await t.db.query('DELETE FROM lineage_edges');
    await t.db.query('DELETE FROM lineage_nodes');
    await backfillLineage(t.db);
    expect(await snapshot()).toEqual(recorded);

    // Dated when the version was: the graph `at` a past time is right for history too.
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM lineage_edges e JOIN model_versions v ON v.id = e.to_id WHERE e.created_at <> v.created_at`,
    );
    expect(n).toBe(0);
  });
});
