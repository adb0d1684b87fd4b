import type { Caller } from '../../src/common/caller';
import { encodeCursor } from '../../src/db/pagination';
import { createServices, type Services } from '../../src/composition';
import { Role } from '../../src/common/role';
import { RiskTier } from '../../src/modules/models/model.enums';
import { ArtifactFormat } from '../../src/modules/versions/version.enums';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName, registration } from '../support/fixtures';

let t: TestDatabase;
let s: Services;
const alice: Caller = { tokenId: 't1', subject: 'alice', role: Role.CONTRIBUTOR, requestId: 'r1' };

beforeAll(async () => {
  t = await createTestDatabase();
  s = createServices(t.db);
});
afterAll(() => t.drop());

const auditCount = async (): Promise<number> => (await t.db.query('SELECT count(*)::int AS n FROM audit_events'))[0].n;

async function newVersion(modelId: string) {
  const input = registration({ artifact: { format: ArtifactFormat.ONNX } }) as Parameters<Services['versions']['register']>[1];
  return (await s.versions.register(alice, { ...input, modelId })).version;
}

describe('models', () => {
  test('create applies defaults; a duplicate name is a CONFLICT naming the field', async () => {
    const name = modelName('create');
    const model = await s.models.create(alice, { name, owner: 'risk-ml' });
    expect(model).toMatchObject({ name, owner: 'risk-ml', riskTier: RiskTier.MEDIUM, status: 'ACTIVE', revision: 1, createdBy: 'alice' });
    await expect(s.models.create(alice, { name, owner: 'other' })).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'name' } });
  });

  test('update with the current revision applies; a stale revision is a CONFLICT and writes nothing', async () => {
    const model = await s.models.create(alice, { name: modelName('upd'), owner: 'a' });
    const updated = await s.models.update(alice, { id: model.id, expectedRevision: 1, description: 'v2', riskTier: RiskTier.HIGH });
    expect(updated).toMatchObject({ description: 'v2', riskTier: 'HIGH', revision: 2, owner: 'a' });
    const events = await auditCount();
    await expect(s.models.update(alice, { id: model.id, expectedRevision: 1, description: 'lost update' })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { field: 'expectedRevision', currentRevision: 2 },
    });
    expect(await auditCount()).toBe(events);
    expect((await s.models.byIds(alice, [model.id])).get(model.id)?.description).toBe('v2');
  });

  test('two concurrent updates from the same revision: exactly one wins', async () => {
    const model = await s.models.create(alice, { name: modelName('race'), owner: 'a' });
    const results = await Promise.allSettled([
      s.models.update(alice, { id: model.id, expectedRevision: 1, description: 'left' }),
      s.models.update(alice, { id: model.id, expectedRevision: 1, description: 'right' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'CONFLICT' });
  });

  test('update of an unknown model is NOT_FOUND', async () => {
    await expect(
      s.models.update(alice, { id: '00000000-0000-4000-8000-000000000000', expectedRevision: 1, description: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('tags merge and remove; filters find models by tags, tier, owner and name', async () => {
    const owner = `owner-${Date.now()}`;
    const a = await s.models.create(alice, { name: modelName('tagged-a'), owner, tags: [{ key: 'domain', value: 'payments' }] });
    const b = await s.models.create(alice, { name: modelName('tagged-b'), owner, riskTier: RiskTier.HIGH });
    const tagged = await s.models.setTags(alice, {
      modelId: b.id,
      tags: [
        { key: 'domain', value: 'payments' },
        { key: 'pii', value: 'yes' },
      ],
    });
    expect(tagged.tags).toEqual({ domain: 'payments', pii: 'yes' });
    const untagged = await s.models.setTags(alice, { modelId: b.id, tags: [], removeKeys: ['pii'] });
    expect(untagged.tags).toEqual({ domain: 'payments' });
    expect(untagged.revision).toBe(3);

    const order = { field: 'NAME' as const, direction: 'ASC' as const };
    const byTag = await s.models.list(alice, { owner, tags: [{ key: 'domain', value: 'payments' }] }, order, {});
    expect(byTag.rows.map((m) => m.id)).toEqual([a.id, b.id]);
    const byTier = await s.models.list(alice, { owner, riskTier: RiskTier.HIGH }, order, {});
    expect(byTier.rows.map((m) => m.id)).toEqual([b.id]);
    const byName = await s.models.list(alice, { nameContains: 'TAGGED-B' }, order, {});
    expect(byName.rows.map((m) => m.id)).toEqual([b.id]);
    // LIKE wildcards in the search text are literal, not patterns.
    expect(await s.models.count(alice, { nameContains: '%' })).toBe(0);
  });

  test('cursor pagination walks every model once, in order, in both directions', async () => {
    const owner = `pager-${Date.now()}`;
    for (let i = 0; i < 7; i += 1) await s.models.create(alice, { name: modelName('page'), owner });
    for (const direction of ['ASC', 'DESC'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await s.models.list(alice, { owner }, { field: 'CREATED_AT', direction }, { first: 3, after });
        expect(await s.models.count(alice, { owner })).toBe(7);
        seen.push(...page.rows.map((m) => m.name));
        pages += 1;
        if (!page.hasNextPage) break;
        after = encodeCursor(page.keys[page.keys.length - 1]);
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(7);
      const sorted = [...seen].sort((x, y) => Number(x.split('-').pop()) - Number(y.split('-').pop()));
      expect(seen).toEqual(direction === 'ASC' ? sorted : sorted.reverse());
    }
  });
});

describe('aliases', () => {
  test('set, move and delete are recorded in the history, answerable by time', async () => {
    const model = await s.models.create(alice, { name: modelName('alias'), owner: 'a' });
    const v1 = await newVersion(model.id);
    const v2 = await newVersion(model.id);

    await s.aliases.set(alice, { modelId: model.id, alias: 'champion', versionId: v1.id });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const moved = await s.aliases.set(alice, { modelId: model.id, alias: 'champion', versionId: v2.id });
    expect(moved).toMatchObject({ versionId: v2.id, revision: 2 });

    const events = await auditCount();
    const same = await s.aliases.set(alice, { modelId: model.id, alias: 'champion', versionId: v2.id });
    expect(same.revision).toBe(2);
    expect(await auditCount()).toBe(events); // no change, no event

    const key = `${model.id}/champion`;
    expect((await s.aliases.targetsAt([key], between)).get(key)).toBe(v1.id);
    expect((await s.aliases.targetsAt([key], new Date())).get(key)).toBe(v2.id);
    expect((await s.aliases.targetsAt([key], new Date(0))).has(key)).toBe(false);

    await s.aliases.delete(alice, { modelId: model.id, alias: 'champion' });
    expect((await s.aliases.byName([key])).has(key)).toBe(false);
    expect((await s.aliases.targetsAt([key], new Date())).get(key)).toBeNull();

    const history = (await s.aliases.historyPages([model.id], 'champion', {})).get(model.id);
    expect(history?.rows.map((h) => [h.previousVersionId, h.versionId])).toEqual([
      [v2.id, null],
      [v1.id, v2.id],
      [null, v1.id],
    ]);
  });

  test('an alias must point at a version of the same model', async () => {
    const a = await s.models.create(alice, { name: modelName('alias-a'), owner: 'a' });
    const b = await s.models.create(alice, { name: modelName('alias-b'), owner: 'a' });
    const vb = await newVersion(b.id);
    await expect(s.aliases.set(alice, { modelId: a.id, alias: 'champion', versionId: vb.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'versionId' },
    });
    await expect(s.aliases.set(alice, { modelId: a.id, alias: 'Champion!', versionId: vb.id })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'alias' },
    });
    await expect(s.aliases.delete(alice, { modelId: a.id, alias: 'never-set' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
