import { EventKind } from '../../src/modules/events/event.rules';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * A webhook's kinds are kept among the event kinds by a CHECK constraint each migration that adds a kind rewrites:
 * a kind added to EventKind without its migration would be offered by the schema and refused by the database.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

test('webhooks_kinds_check allows exactly the EventKind values (in a migrated database)', async () => {
  const rows = (await t.db.query(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
     WHERE c.conname = 'webhooks_kinds_check' AND c.conrelid = 'webhooks'::regclass`,
  )) as Array<{ def: string }>;
  expect(rows).toHaveLength(1);
  // CHECK ((kinds <@ ARRAY['MODEL_CHANGED'::text, …]))
  const [, list] = /kinds <@ ARRAY\[(.*)\]/.exec(rows[0].def) ?? [];
  expect(list).toBeDefined();
  const allowed = [...list.matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
  expect(allowed.length).toBeGreaterThan(0);
  expect([...allowed].sort()).toEqual(Object.values(EventKind).sort());
});
