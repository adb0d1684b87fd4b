import { randomUUID } from 'node:crypto';
import { readById } from '../../src/db/hydrate';
import { RegisteredModelEntity } from '../../src/modules/models/model.entity';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('readById: one row by id, or NOT_FOUND naming what was asked for', () => {
  test('a row is hydrated into its entity; a missing id and an id that is no uuid are NOT_FOUND, the latter without a statement', async () => {
    const name = modelName('read-by-id');
    const [{ id }] = await t.db.query(
      `INSERT INTO registered_models (name, owner, risk_tier, created_by) VALUES ($1, 'ml', 'MEDIUM', 'test') RETURNING id`,
      [name],
    );
    const model = await readById(t.db.manager, RegisteredModelEntity, id, 'model');
    expect(model).toBeInstanceOf(RegisteredModelEntity);
    expect(model).toMatchObject({ id, name, owner: 'ml', riskTier: 'MEDIUM' });

    const missing = randomUUID();
    await expect(readById(t.db.manager, RegisteredModelEntity, missing, 'model')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `model ${missing} not found`,
    });
    const before = t.queries();
    await expect(readById(t.db.manager, RegisteredModelEntity, 'x', 'model')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.queries()).toBe(before);
  });

  test('a lock holds the row until the transaction ends', async () => {
    const [{ id }] = await t.db.query(
      `INSERT INTO registered_models (name, owner, risk_tier, created_by) VALUES ($1, 'ml', 'MEDIUM', 'test') RETURNING id`,
      [modelName('read-lock')],
    );
    await t.db.transaction(async (m) => {
      await readById(m, RegisteredModelEntity, id, 'model', 'FOR UPDATE');
      const [{ locked }] = await t.db.query(
        `SELECT count(*)::int AS locked FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'registered_models' AND l.mode = 'RowShareLock'`,
      );
      expect(locked).toBeGreaterThan(0);
    });
  });
});
