import pino from 'pino';
import { createLoaders, createModelgraphDataSource, createServices, entities } from '../../src/composition';
import { Role } from '../../src/common/role';
import { modules } from '../../src/modules';
import { createTestDatabase, type TestDatabase } from '../support/database';

let t: TestDatabase;
const caller = { tokenId: 't', subject: 'someone', role: Role.VIEWER, requestId: 'r' };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('the composition root', () => {
  test('every module is listed once, under a unique name', () => {
    const names = modules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('loaders are grouped per module, so modules with the same loader names keep their own', () => {
    const loaders = createLoaders(createServices(t.db), caller);
    expect(Object.keys(loaders).sort()).toEqual(modules.map((m) => m.name).sort());
    expect(loaders.versions.byId).not.toBe(loaders.deployments.byId);
    expect(loaders.models.byId).not.toBe(loaders.versions.byId);
  });

  test('loaders are fresh for every request; services are built once', () => {
    const services = createServices(t.db);
    expect(createLoaders(services, caller).models.byId).not.toBe(createLoaders(services, caller).models.byId);
    expect(createLoaders(services, caller).models).not.toBe(createLoaders(services, caller).models);
  });

  test('the data source maps every entity the modules declare, each once', () => {
    const mapped = t.db.entityMetadatas.map((e) => e.target);
    expect(new Set(entities).size).toBe(entities.length);
    for (const entity of entities) expect(mapped).toContain(entity);
  });

  test('the services of every module sit side by side', () => {
    expect(Object.keys(createServices(t.db)).sort()).toEqual(
      [
        'access',
        'alerts',
        'aliases',
        'approvals',
        'artifacts',
        'artifactWorker',
        'audit',
        'bom',
        'canaries',
        'cards',
        'checkpoints',
        'deployments',
        'drift',
        'eventDispatcher',
        'events',
        'lineage',
        'metrics',
        'models',
        'objectives',
        'policy',
        'reports',
        'retention',
        'retirement',
        'scans',
        'tokens',
        'transitions',
        'trust',
        'validation',
        'versions',
        'webhooks',
        'webhookWorker',
      ].sort(),
    );
  });

  test('connecting as the server login warns about nothing: no extension is installed behind the migrations', async () => {
    // TypeORM would try CREATE EXTENSION "uuid-ossp" on every start and warn when the login may not: the
    // migrations use PostgreSQL's own gen_random_uuid(), so nothing is needed.
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const db = createModelgraphDataSource({ url: t.url, logger });
    await db.initialize();
    await db.destroy();
    expect(lines.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
    expect(lines.join('')).not.toMatch(/EXTENSION/);
  });
});
