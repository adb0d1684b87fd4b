import { encodeCursor } from '../../src/db/pagination';
import { ModelVersionEntity } from '../../src/modules/versions/version.entity';
import { Stage } from '../../src/modules/versions/version.enums';
import type { Caller } from '../../src/common/caller';
import { createServices, type Services } from '../../src/composition';
import { Role } from '../../src/common/role';
import type { RegisterVersionInput } from '../../src/modules/versions/version.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName, registration, SHA } from '../support/fixtures';

let t: TestDatabase;
let s: Services;
const ci: Caller = { tokenId: 't', subject: 'ci-pipeline', role: Role.CONTRIBUTOR, requestId: 'r' };

beforeAll(async () => {
  t = await createTestDatabase();
  s = createServices(t.db);
});
afterAll(() => t.drop());

const input = (overrides: Partial<RegisterVersionInput> = {}): RegisterVersionInput =>
  ({ ...registration(), ...overrides }) as RegisterVersionInput;
const count = async (table: string): Promise<number> => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

describe('registerModelVersion', () => {
  test('numbers versions from 1 per model and assigns the storage path', async () => {
    const model = await s.models.create(ci, { name: modelName('num'), owner: 'a' });
    const first = await s.versions.register(ci, input({ modelId: model.id }));
    const second = await s.versions.register(ci, input({ modelName: model.name, label: '1.1.0' }));
    expect(first.version).toMatchObject({
      version: 1,
      stage: 'DEVELOPMENT',
      artifactStoragePath: `models/${model.id}/1/`,
      artifactStatus: 'PENDING_UPLOAD',
      createdBy: 'ci-pipeline',
      randomSeed: '18446744073709551615',
      hyperparameters: { learning_rate: 0.05, max_depth: 6 },
    });
    expect(second.version).toMatchObject({ version: 2, label: '1.1.0', artifactStoragePath: `models/${model.id}/2/` });
  });

  test('an artifact registered by reference is READY', async () => {
    const model = await s.models.create(ci, { name: modelName('ref'), owner: 'a' });
    const { version } = await s.versions.register(
      ci,
      input({ modelId: model.id, artifact: { format: 'ONNX' as never, uri: 's3://bucket/model.onnx', sha256: SHA('c'), sizeBytes: 1234 } }),
    );
    expect(version).toMatchObject({ artifactStatus: 'READY', artifactSha256: SHA('c'), artifactSizeBytes: '1234' });
  });

  test('concurrent registrations get distinct consecutive numbers', async () => {
    const model = await s.models.create(ci, { name: modelName('conc'), owner: 'a' });
    const results = await Promise.all(Array.from({ length: 20 }, () => s.versions.register(ci, input({ modelId: model.id }))));
    expect(results.map((r) => r.version.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('a refused registration takes no number: numbers stay consecutive', async () => {
    const model = await s.models.create(ci, { name: modelName('reuse'), owner: 'a' });
    await s.versions.register(ci, input({ modelId: model.id, label: 'x' }));
    await expect(s.versions.register(ci, input({ modelId: model.id, label: 'x' }))).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { field: 'label' },
    });
    const next = await s.versions.register(ci, input({ modelId: model.id }));
    expect(next.version.version).toBe(2);
  });

  test('the same idempotencyKey sent 20 times at once registers one version and answers it every time', async () => {
    const model = await s.models.create(ci, { name: modelName('idem'), owner: 'a' });
    const versionsBefore = await count('model_versions');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => s.versions.register(ci, input({ modelId: model.id, idempotencyKey: 'build-7781' }))),
    );
    expect(new Set(results.map((r) => r.version.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await count('model_versions')).toBe(versionsBefore + 1);
    const events = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'version.registered' AND model_id = $1`, [
      model.id,
    ]);
    expect(events[0].n).toBe(1);

    await expect(
      s.versions.register(ci, input({ modelId: model.id, idempotencyKey: 'build-7781', label: 'different' })),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'idempotencyKey' } });
    // Keys belong to their caller: another caller's identical key is a separate request.
    const other = await s.versions.register(
      { ...ci, subject: 'other-pipeline' },
      input({ modelId: model.id, idempotencyKey: 'build-7781' }),
    );
    expect(other.replayed).toBe(false);
    expect(other.version.version).toBe(2);
  });

  test('refusals write nothing', async () => {
    const model = await s.models.create(ci, { name: modelName('refuse'), owner: 'a' });
    const before = [await count('model_versions'), await count('audit_events'), await count('idempotency_keys')];
    await expect(s.versions.register(ci, input({ modelId: model.id, code: { repo: 'r', commit: 'abc' } }))).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'code.commit' },
    });
    await expect(s.versions.register(ci, input({ modelName: 'no-such-model', idempotencyKey: 'k1' }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(s.versions.register(ci, input({ modelId: model.id, modelName: model.name }))).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect([await count('model_versions'), await count('audit_events'), await count('idempotency_keys')]).toEqual(before);
    const [{ version_counter }] = await t.db.query('SELECT version_counter FROM registered_models WHERE id = $1', [model.id]);
    expect(version_counter).toBe(0);
  });

  test('batched reads: latest version, by number, and pages per model', async () => {
    const a = await s.models.create(ci, { name: modelName('batch-a'), owner: 'a' });
    const b = await s.models.create(ci, { name: modelName('batch-b'), owner: 'a' });
    for (let i = 0; i < 3; i += 1) await s.versions.register(ci, input({ modelId: a.id }));
    await s.versions.register(ci, input({ modelId: b.id }));
    const latest = await s.versions.latestByModels([a.id, b.id]);
    expect(latest.get(a.id)?.version).toBe(3);
    expect(latest.get(b.id)?.version).toBe(1);
    const byNumber = await s.versions.byModelAndNumber([`${a.id}/2`, `${b.id}/9`]);
    expect(byNumber.get(`${a.id}/2`)?.version).toBe(2);
    expect(byNumber.has(`${b.id}/9`)).toBe(false);
    const pages = await s.versions.pagesByModels([a.id, b.id], {}, { first: 2 });
    const counts = await s.versions.countsByModels([a.id, b.id], {});
    expect([counts.get(a.id), pages.get(a.id)?.hasNextPage]).toEqual([3, true]);
    expect(pages.get(a.id)?.rows.map((v) => v.version)).toEqual([3, 2]);
    expect([counts.get(b.id), pages.get(b.id)?.hasNextPage]).toEqual([1, false]);
    const next = await s.versions.pagesByModels([a.id], {}, { first: 2, after: encodeCursor(pages.get(a.id)?.keys[1] ?? []) });
    expect(next.get(a.id)?.rows.map((v) => v.version)).toEqual([1]);
    // The version counter and a count of the rows agree, with and without a filter.
    expect((await s.versions.countsByModels([a.id], { stage: Stage.DEVELOPMENT })).get(a.id)).toBe(3);
    expect(counts.get(a.id)).toBe((await t.db.query('SELECT count(*)::int AS n FROM model_versions WHERE model_id = $1', [a.id]))[0].n);
  });

  test('reads by model (latest, by number, in production) carry every column of the entity but the four bulky ones', async () => {
    // The bulky columns are left out on purpose: the fields that show them (reproducibility, artifact) reload the row
    // by id. Every other column, including one added later, reads as it does by id: never undefined.
    const bulky = ['datasetVersions', 'hyperparameters', 'environmentPackageLock', 'artifactSignature'];
    const model = await s.models.create(ci, { name: modelName('summary'), owner: 'a' });
    const { version } = await s.versions.register(ci, input({ modelId: model.id }));
    // Every column holds a value (not null), so that one left out (undefined) cannot pass for an empty one.
    await t.db.query(
      `UPDATE model_versions SET stage = 'PRODUCTION', label = 'summary', environment_package_lock = 'lock',
         artifact_source_uri = 's3://b/m.onnx', artifact_size_bytes = 1, artifact_sha256 = $2, artifact_signature = '{"k": 1}',
         artifact_status = 'FAILED', artifact_failure_reason = 'digest mismatch', artifact_verified_at = now()
       WHERE id = $1`,
      [version.id, SHA('c')],
    );
    const whole = (await s.versions.byIds(ci, [version.id])).get(version.id);
    const columns = t.db.getMetadata(ModelVersionEntity).columns.map((c) => c.propertyName);
    expect(columns.filter((c) => whole?.[c as keyof ModelVersionEntity] == null)).toEqual([]);
    const summary = Object.fromEntries(columns.filter((c) => !bulky.includes(c)).map((c) => [c, whole?.[c as keyof ModelVersionEntity]]));
    const read = {
      latestVersion: (await s.versions.latestByModels([model.id])).get(model.id),
      'version(number)': (await s.versions.byModelAndNumber([`${model.id}/1`])).get(`${model.id}/1`),
      productionVersion: (await s.versions.productionByModels([model.id])).get(model.id),
    };
    for (const [field, row] of Object.entries(read)) {
      const got = Object.fromEntries(columns.map((c) => [c, row?.[c as keyof ModelVersionEntity]]));
      expect({ field, missing: columns.filter((c) => !bulky.includes(c) && got[c] === undefined) }).toEqual({ field, missing: [] });
      expect({ field, read: bulky.filter((c) => got[c] !== undefined) }).toEqual({ field, read: [] });
      expect({ field, ...got }).toEqual({ field, ...summary });
    }
  });
});
