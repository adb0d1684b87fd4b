/**
 * Retention through the API, on the filesystem store: the plan says why every version stays, applying it retires
 * ARCHIVED versions and queues their artifacts, the worker moves them to cold storage or deletes them — exactly
 * once even when it dies between the store step and the record — legal holds stop all of it, a cold artifact
 * comes back, and a sweep finds what no version references.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Role } from '../../src/common/role';
import { LineageRelation } from '../../src/modules/lineage/lineage.rules';
import { RiskTier } from '../../src/modules/models/model.enums';
import { FilesystemArtifactStore } from '../../src/modules/artifacts/artifact-store.filesystem';
import type { ArtifactStore } from '../../src/modules/artifacts/artifact-store';
import { ArtifactWorker } from '../../src/modules/artifacts/artifact.worker';
import type { ModelVersionEntity } from '../../src/modules/versions/version.entity';
import { Stage } from '../../src/modules/versions/version.enums';
import {
  ApplyRetentionDocument,
  ReleaseLegalHoldDocument,
  RestoreArtifactDocument,
  RetentionPlanDocument,
  SetLegalHoldDocument,
  SetRetentionPolicyDocument,
  SweepArtifactsDocument,
  VersionArtifactDocument,
} from '../generated/graphql';
import { modelName } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';
import { MetricSource } from '../../src/modules/metrics/metric.enums';

const admin = caller('admin', Role.ADMIN);

let t: TestServer;
let artifactDir: string;
beforeAll(async () => {
  artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mg-retention-'));
  // The worker is driven by hand here (runOnce), so that a test decides when it runs and when it "dies".
  t = await startTestServer({ MODELGRAPH_ARTIFACT_DIR: artifactDir }, { jobs: false });
});
afterAll(async () => {
  await t.close();
  await fs.rm(artifactDir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const exists = (key: string) =>
  fs.stat(path.join(artifactDir, key)).then(
    () => true,
    () => false,
  );

/** The files of a model folder (an MLflow model, more or less) of version `i`. */
const FOLDER = (i: number): Record<string, Buffer> => ({
  MLmodel: Buffer.from(`flavors: {python_function: {loader_module: mlflow.sklearn}} # ${i}\n`),
  'conda.yaml': Buffer.from('dependencies: [python=3.11.9, scikit-learn=1.5.2]\n'),
  'data/model.pkl': Buffer.from(`weights of version ${i} `.repeat(50)),
});

/**
 * A model whose versions 1..n were uploaded into the store and promoted in turn: 1..n-1 ARCHIVED, n in PRODUCTION.
 * Each version's artifact is one file, or with `folder` the three files of FOLDER(i).
 */
async function modelWithHistory(n: number, riskTier = RiskTier.LOW, folder = false) {
  const model = await t.services.models.create(admin, { name: modelName('retention'), owner: 'ml', riskTier });
  await aucBaseline(t.services, admin, model.id);
  const versions: ModelVersionEntity[] = [];
  for (let i = 1; i <= n; i += 1) {
    const body = Buffer.from(`weights of version ${i} `.repeat(50));
    const files = Object.entries(FOLDER(i)).map(([p, b]) => ({ path: p, sizeBytes: b.length, sha256: sha256(b) }));
    const { version } = await t.services.versions.register(
      admin,
      readyRegistration(model.id, {
        artifact: folder ? { format: 'PICKLE' as never, files } : { format: 'ONNX' as never, sha256: sha256(body), sizeBytes: body.length },
      }),
    );
    if (!folder) await t.services.artifacts.upload(admin, version.id, Readable.from([body]), { sha256: null, sizeBytes: null });
    for (const [p, b] of folder ? Object.entries(FOLDER(i)) : []) {
      await t.services.artifacts.upload(admin, version.id, Readable.from([b]), { sha256: null, sizeBytes: null }, p);
    }
    await t.services.metrics.log(admin, { versionId: version.id, metrics: [{ name: 'auc', value: 0.9, source: MetricSource.VALIDATION }] });
    await t.services.validation.validate(admin, version.id);
    await t.services.transitions.transition(admin, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT });
    await t.services.transitions.transition(admin, { versionId: version.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    versions.push(version);
  }
  // Everything archived so far was archived 100 days ago.
  await t.database.db.query(
    `UPDATE stage_transitions SET changed_at = now() - interval '100 days' WHERE model_id = $1 AND to_stage = 'ARCHIVED'`,
    [model.id],
  );
  return { model, versions, key: (i: number) => `${versions[i - 1].artifactStoragePath}artifact` };
}

async function plan(modelId: string) {
  const { entries } = ok(await t.request(RetentionPlanDocument, { modelId })).retentionPlan;
  return Object.fromEntries(entries.map((e) => [e.version, [e.action, e.artifactAction, e.reason]]));
}

const statusOf = async (versionId: string) => ok(await t.request(VersionArtifactDocument, { id: versionId })).modelVersion!.artifact.status;
/** What retention and the worker recorded: the artifact's events but the upload's own (uploaded, scanned). */
const artifactActions = async (modelId: string) =>
  (
    await t.database.db.query(
      `SELECT action FROM audit_events WHERE model_id = $1 AND action LIKE 'artifact.%' AND action NOT IN ('artifact.uploaded', 'artifact.scanned') ORDER BY seq`,
      [modelId],
    )
  ).map((r: { action: string }) => r.action);

describe('plan and apply', () => {
  test('the plan says why each version stays; applying retires the rest and the worker moves them to cold storage', async () => {
    const { model, versions, key } = await modelWithHistory(4);
    await t.services.aliases.set(admin, { modelId: model.id, alias: 'baseline', versionId: versions[1].id });
    expect(Object.values(await plan(model.id)).every(([action]) => action === 'KEEP')).toBe(true); // no policy yet
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: model.id, maxAgeDays: 30, keepAtLeast: 1, artifactAction: 'COLD_STORAGE' },
      }),
    );
    expect(await plan(model.id)).toEqual({
      4: ['KEEP', null, 'in PRODUCTION: only ARCHIVED versions retire'],
      3: ['KEEP', null, 'one of the 1 most recently archived'],
      2: ['KEEP', null, 'holds the alias baseline'],
      1: ['RETIRE', 'COLD_STORAGE', 'archived 100 days ago, more than 30'],
    });

    const applied = ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } })).applyRetention;
    expect(applied).toMatchObject({ retired: 1, queued: 1 });
    expect((await t.services.versions.byIds(admin, [versions[0].id])).get(versions[0].id)?.stage).toBe('RETIRED');
    expect(await statusOf(versions[0].id)).toBe('READY'); // queued: the worker moves it
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('COLD');
    expect(await exists(key(1))).toBe(false);
    expect(await exists(`cold/${key(1)}`)).toBe(true);
    expect(await artifactActions(model.id)).toEqual(['artifact.cold_storage_queued', 'artifact.moved_to_cold']);
    const download = await fetch(`${t.baseUrl}/artifacts/${versions[0].id}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(download.status).toBe(409);
    // Nothing more to do: applying again retires nothing.
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } })).applyRetention).toMatchObject({
      retired: 0,
      queued: 0,
    });

    // restoreArtifact brings it back, audited, and the cold copy goes.
    expect(ok(await t.request(RestoreArtifactDocument, { input: { versionId: versions[0].id } })).restoreArtifact.status).toBe('READY');
    expect(await exists(key(1))).toBe(true);
    expect(await exists(`cold/${key(1)}`)).toBe(false);
    expect((await fetch(`${t.baseUrl}/artifacts/${versions[0].id}`, { headers: { authorization: `Bearer ${t.adminToken}` } })).status).toBe(
      200,
    );
    expect(errorCode(await t.request(RestoreArtifactDocument, { input: { versionId: versions[0].id } }))).toBe('CONFLICT');
  });

  test('an ACTIVE deployment and lineage keep a version; the tier policy applies when the model has none; DELETE deletes', async () => {
    const { model, versions, key } = await modelWithHistory(4);
    await t.services.deployments.record(admin, {
      versionId: versions[1].id,
      environment: 'edge',
      endpoint: 'https://edge.example/m',
      strategy: 'DIRECT' as never,
      trafficPercent: 100,
      overrideReason: 'pinned on old devices',
    });
    // Version 4 (in production) was fine-tuned from version 1: version 1 is upstream of what serves.
    await t.services.lineage.addEdges(admin, [{ fromId: versions[0].id, toId: versions[3].id, relation: LineageRelation.FINE_TUNED_FROM }]);
    const viewer = await t.tokenFor(Role.VIEWER, 'retention-viewer');
    const tier = { riskTier: 'LOW' as const, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'DELETE' as const };
    expect(errorCode(await t.request(SetRetentionPolicyDocument, { input: tier }, viewer))).toBe('FORBIDDEN');
    ok(await t.request(SetRetentionPolicyDocument, { input: tier }));
    const p = await plan(model.id);
    expect(p[1][2]).toMatch(/^upstream in lineage of .*@4 \(PRODUCTION\)$/);
    expect(p[2]).toEqual(['KEEP', null, 'has 1 ACTIVE deployment']);
    expect(p[3]).toEqual(['RETIRE', 'DELETE', 'archived 100 days ago, more than 30']);
    expect(ok(await t.request(RetentionPlanDocument, { modelId: model.id })).retentionPlan.policy).toMatchObject({ scope: 'RISK_TIER' });

    const contributor = await t.tokenFor(Role.APPROVER, 'retention-approver');
    expect(errorCode(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } }, contributor))).toBe('FORBIDDEN');
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } })).applyRetention).toMatchObject({
      retired: 1,
      queued: 1,
    });
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[2].id)).toBe('DELETED');
    expect(await exists(key(3))).toBe(false);
    expect(await artifactActions(model.id)).toEqual(['artifact.deletion_queued', 'artifact.deleted']);
    await t.database.db.query(`DELETE FROM retention_policies WHERE scope = 'RISK_TIER'`);
  });
});

/** The filesystem store, with one step that does its work and then never answers: the worker "dies" right after it. */
function dyingAfter(step: 'write' | 'remove'): { store: ArtifactStore; done: Promise<void> } {
  const real = new FilesystemArtifactStore(artifactDir);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const store = Object.create(real) as ArtifactStore;
  store[step] = async (...args: never[]) => {
    await (real[step] as (...a: never[]) => Promise<void>).apply(real, args);
    finished();
    return new Promise<void>(() => undefined); // never returns: the process is gone
  };
  return { store, done };
}

describe('the worker dies between the store step and its record', () => {
  async function queued(action: 'COLD_STORAGE' | 'DELETE') {
    const history = await modelWithHistory(2);
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: history.model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: action },
      }),
    );
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: history.model.id } })).applyRetention.queued).toBe(1);
    return history;
  }
  const expireLeases = () =>
    t.database.db.query(`UPDATE artifact_jobs SET lease_until = now() - interval '1 second' WHERE done_at IS NULL`);

  test('a deletion: the next worker finds the object gone, records it once', async () => {
    const { model, versions, key } = await queued('DELETE');
    const dying = dyingAfter('remove');
    void new ArtifactWorker(t.database.db, dying.store, t.services.artifacts.holds).runOnce();
    await dying.done;
    expect(await exists(key(1))).toBe(false);
    expect(await statusOf(versions[0].id)).toBe('READY'); // not recorded: the worker died
    expect(await t.services.artifactWorker.runOnce()).toBe(0); // its lease still holds
    await expireLeases();
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('DELETED');
    expect(await artifactActions(model.id)).toEqual(['artifact.deletion_queued', 'artifact.deleted']);
    const [job] = await t.database.db.query('SELECT attempts, done_at FROM artifact_jobs WHERE version_id = $1', [versions[0].id]);
    expect(job.attempts).toBe(2);
  });

  test('a move to cold storage: copied again, recorded once, the hot object removed, one cold object', async () => {
    const { model, versions, key } = await queued('COLD_STORAGE');
    const dying = dyingAfter('write');
    void new ArtifactWorker(t.database.db, dying.store, t.services.artifacts.holds).runOnce();
    await dying.done;
    expect(await exists(`cold/${key(1)}`)).toBe(true);
    expect(await exists(key(1))).toBe(true);
    await expireLeases();
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('COLD');
    expect(await exists(key(1))).toBe(false);
    expect(await fs.readdir(path.join(artifactDir, 'cold', versions[0].artifactStoragePath))).toEqual(['artifact']);
    expect(await artifactActions(model.id)).toEqual(['artifact.cold_storage_queued', 'artifact.moved_to_cold']);
  });
});

describe('legal hold', () => {
  test('while held nothing retires, moves or is deleted, and the plan says so; only an ADMIN holds and releases', async () => {
    const { model, versions, key } = await modelWithHistory(3);
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'DELETE' },
      }),
    );
    const manager = await t.tokenFor(Role.APPROVER, 'hold-approver');
    const input = { versionId: versions[0].id, reason: 'litigation: Acme v. Fraud', reference: 'CASE-2026-117' };
    expect(errorCode(await t.request(SetLegalHoldDocument, { input }, manager))).toBe('FORBIDDEN');
    const hold = ok(await t.request(SetLegalHoldDocument, { input })).setLegalHold;
    expect(hold).toMatchObject({ modelId: model.id, versionId: versions[0].id, placedBy: 'admin' });
    expect((await plan(model.id))[1]).toEqual(['KEEP', null, 'under legal hold: litigation: Acme v. Fraud (CASE-2026-117)']);
    expect((await plan(model.id))[2][0]).toBe('RETIRE');

    // By hand neither: the version cannot be moved to RETIRED, the model cannot retire.
    const moved = t.services.transitions.transition(admin, {
      versionId: versions[0].id,
      toStage: Stage.RETIRED,
      expectedStage: Stage.ARCHIVED,
    });
    await expect(moved).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.services.retirement.retire(admin, { modelId: model.id, reason: 'done', force: true })).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    // A deletion already queued waits while the hold lasts.
    ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } })); // retires version 2 only
    await t.request(SetLegalHoldDocument, { input: { modelId: model.id, reason: 'whole model under review', reference: 'AUDIT-9' } });
    expect(await t.services.artifactWorker.runOnce()).toBe(0);
    expect(await exists(key(2))).toBe(true);
    const [job] = await t.database.db.query('SELECT last_error FROM artifact_jobs WHERE version_id = $1', [versions[1].id]);
    expect(job.last_error).toBe('under legal hold: whole model under review (AUDIT-9)');

    const holds = await t.services.retention.holds(admin, model.id);
    for (const h of holds) ok(await t.request(ReleaseLegalHoldDocument, { input: { id: h.id, reason: 'matter closed' } }));
    expect(errorCode(await t.request(ReleaseLegalHoldDocument, { input: { id: hold.id, reason: 'again' } }))).toBe('CONFLICT');
    await t.database.db.query(`UPDATE artifact_jobs SET next_attempt_at = now() WHERE version_id = $1`, [versions[1].id]);
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await exists(key(2))).toBe(false);
    expect((await plan(model.id))[1][0]).toBe('RETIRE');
    const actions = (
      await t.database.db.query(`SELECT action FROM audit_events WHERE model_id = $1 AND action LIKE 'legal_hold.%' ORDER BY seq`, [
        model.id,
      ])
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['legal_hold.placed', 'legal_hold.placed', 'legal_hold.released', 'legal_hold.released']);
  });

  test('refusals name the field', async () => {
    const bad = await t.request(SetLegalHoldDocument, { input: { reason: 'x', reference: 'y' } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toBe('modelId');
    const policy = await t.request(SetRetentionPolicyDocument, { input: { maxAgeDays: 0, keepAtLeast: 1, artifactAction: 'DELETE' } });
    expect(policy.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxAgeDays' });
  });
});

describe('references', () => {
  const uriOf = (key: string) => pathToFileURL(path.join(artifactDir, key)).href;
  const place = async (key: string, body: string) => {
    await fs.mkdir(path.dirname(path.join(artifactDir, key)), { recursive: true });
    await fs.writeFile(path.join(artifactDir, key), body);
  };
  /**
   * Rows from before the rule: written straight into the tables, as an older registry accepted them and the
   * artifact-files migration carried them over (the version's one file holds its size and digest).
   */
  const pointAt = async (versionId: string, key: string) => {
    const body = await fs.readFile(path.join(artifactDir, key));
    await t.database.db.query(
      'UPDATE model_versions SET artifact_source_uri = $2, artifact_sha256 = $3, artifact_size_bytes = $4 WHERE id = $1',
      [versionId, uriOf(key), sha256(body), body.length],
    );
    await t.database.db.query('UPDATE artifact_files SET sha256 = $2, size_bytes = $3 WHERE version_id = $1', [
      versionId,
      sha256(body),
      body.length,
    ]);
  };

  test('a version whose reference names another model’s object retires, but the object is never moved, deleted or restored over', async () => {
    const bravo = await modelWithHistory(1);
    const bravoBytes = await fs.readFile(path.join(artifactDir, bravo.key(1)));
    const alpha = await modelWithHistory(2);
    await pointAt(alpha.versions[0].id, bravo.key(1));
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: alpha.model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'DELETE' },
      }),
    );
    expect((await plan(alpha.model.id))[1]).toEqual([
      'RETIRE',
      null,
      'archived 100 days ago, more than 30; its artifact is not in the registry’s store',
    ]);
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: alpha.model.id } })).applyRetention).toMatchObject({
      retired: 1,
      queued: 0,
    });
    await t.services.artifactWorker.runOnce();
    expect(await fs.readFile(path.join(artifactDir, bravo.key(1)))).toEqual(bravoBytes);
    expect(await statusOf(alpha.versions[0].id)).toBe('READY');

    // Had it been moved to cold storage before the rule, restoring it would write over bravo's object: refused.
    await t.database.db.query(`UPDATE model_versions SET artifact_status = 'COLD' WHERE id = $1`, [alpha.versions[0].id]);
    await place(`cold/${bravo.key(1)}`, 'not bravo');
    const restored = await t.request(RestoreArtifactDocument, { input: { versionId: alpha.versions[0].id } });
    expect(errorCode(restored)).toBe('CONFLICT');
    expect(restored.errors![0].message).toContain('not in the registry’s store');
    expect(await fs.readFile(path.join(artifactDir, bravo.key(1)))).toEqual(bravoBytes);
    expect(await exists(`cold/${bravo.key(1)}`)).toBe(true);
    await fs.rm(path.join(artifactDir, 'cold', bravo.key(1)));
  });

  test('an object two versions share (rows from before the rule) stays where it is; an object of one version’s own moves', async () => {
    const alpha = await modelWithHistory(3);
    const own = `models/${alpha.model.id}/imports/own.onnx`;
    const shared = `models/${alpha.model.id}/imports/shared.onnx`;
    await place(own, 'version 1 alone');
    await place(shared, 'versions 2 and 3');
    await pointAt(alpha.versions[0].id, own);
    await pointAt(alpha.versions[1].id, shared);
    await pointAt(alpha.versions[2].id, shared);
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: alpha.model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'COLD_STORAGE' },
      }),
    );
    const p = await plan(alpha.model.id);
    expect(p[1]).toEqual(['RETIRE', 'COLD_STORAGE', 'archived 100 days ago, more than 30']);
    expect(p[2]).toEqual(['RETIRE', null, 'archived 100 days ago, more than 30; its artifact is not in the registry’s store']);
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: alpha.model.id } })).applyRetention).toMatchObject({
      retired: 2,
      queued: 1,
    });
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(alpha.versions[0].id)).toBe('COLD');
    expect([await exists(own), await exists(`cold/${own}`)]).toEqual([false, true]);
    expect([await exists(shared), await exists(`cold/${shared}`)]).toEqual([true, false]);
    const served = await fetch(`${t.baseUrl}/artifacts/${alpha.versions[2].id}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect([served.status, await served.text()]).toEqual([200, 'versions 2 and 3']);
    expect(ok(await t.request(RestoreArtifactDocument, { input: { versionId: alpha.versions[0].id } })).restoreArtifact.status).toBe(
      'READY',
    );
    expect([await exists(own), await exists(`cold/${own}`)]).toEqual([true, false]);

    // A sweep keeps what a version references in its model's folder.
    const listed = ok(await t.request(SweepArtifactsDocument, { input: { graceHours: 0, dryRun: true } })).sweepArtifacts.map((o) => o.key);
    expect(listed).not.toContain(own);
    expect(listed).not.toContain(shared);
  });
});

describe('a model folder', () => {
  test('retention moves every file of a folder to cold storage; a download waits for restoreArtifact, which brings every file back', async () => {
    const { model, versions } = await modelWithHistory(2, RiskTier.LOW, true);
    const key = (i: number, file: string) => `${versions[i - 1].artifactStoragePath}${file}`;
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'COLD_STORAGE' },
      }),
    );
    expect((await plan(model.id))[1]).toEqual(['RETIRE', 'COLD_STORAGE', 'archived 100 days ago, more than 30']);
    expect(ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } })).applyRetention).toMatchObject({ queued: 1 });
    const [job] = await t.database.db.query('SELECT store_key FROM artifact_jobs WHERE version_id = $1', [versions[0].id]);
    expect(job.store_key).toBe(versions[0].artifactStoragePath); // the folder, every file under it

    // A leftover beside the folder's files is swept; the signature bundle's place (model.sig) is not.
    await fs.writeFile(path.join(artifactDir, key(1, 'model.sig')), '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}');
    await fs.writeFile(path.join(artifactDir, key(1, 'stray.bin')), 'left behind');
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('COLD');
    for (const file of Object.keys(FOLDER(1)))
      expect([file, await exists(key(1, file)), await exists(`cold/${key(1, file)}`)]).toEqual([file, false, true]);
    const listed = ok(await t.request(SweepArtifactsDocument, { input: { graceHours: 0, dryRun: true } })).sweepArtifacts.map((o) => o.key);
    expect(listed).toContain(key(1, 'stray.bin'));
    expect(listed.filter((k) => k.includes(versions[0].artifactStoragePath) && !k.endsWith('stray.bin'))).toEqual([]);
    expect(listed.filter((k) => k.includes(versions[1].artifactStoragePath))).toEqual([]);
    const download = await fetch(`${t.baseUrl}/artifacts/${versions[0].id}/MLmodel`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(download.status).toBe(409);

    expect(ok(await t.request(RestoreArtifactDocument, { input: { versionId: versions[0].id } })).restoreArtifact.status).toBe('READY');
    for (const [file, body] of Object.entries(FOLDER(1))) {
      expect([file, await fs.readFile(path.join(artifactDir, key(1, file))), await exists(`cold/${key(1, file)}`)]).toEqual([
        file,
        body,
        false,
      ]);
    }
    const served = await fetch(`${t.baseUrl}/artifacts/${versions[0].id}/data/model.pkl`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect([served.status, Buffer.from(await served.arrayBuffer())]).toEqual([200, FOLDER(1)['data/model.pkl']]);
    expect(await artifactActions(model.id)).toEqual(['artifact.cold_storage_queued', 'artifact.moved_to_cold', 'artifact.restored']);
    await fs.rm(path.join(artifactDir, key(1, 'stray.bin')));
  });

  test('a worker that dies in the middle of a folder: the next one moves the files still to do, each once, and records the move once', async () => {
    const { model, versions } = await modelWithHistory(2, RiskTier.LOW, true);
    const key = (file: string) => `${versions[0].artifactStoragePath}${file}`;
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'COLD_STORAGE' },
      }),
    );
    ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } }));
    // The store: its second write done, then it never answers again (the process is gone).
    const real = new FilesystemArtifactStore(artifactDir);
    let writes = 0;
    let died: () => void = () => undefined;
    const dead = new Promise<void>((resolve) => (died = resolve));
    const dying = Object.create(real) as ArtifactStore;
    dying.write = async (k, body) => {
      await real.write(k, body);
      if ((writes += 1) < 2) return;
      died();
      return new Promise<void>(() => undefined);
    };
    void new ArtifactWorker(t.database.db, dying, t.services.artifacts.holds).runOnce();
    await dead;
    // Files in path order: MLmodel was moved and recorded, conda.yaml copied but not recorded, data/model.pkl untouched.
    const statuses = async () =>
      (await t.database.db.query('SELECT path, status FROM artifact_files WHERE version_id = $1 ORDER BY path', [versions[0].id])).map(
        (r: { path: string; status: string }) => [r.path, r.status],
      );
    expect(await statuses()).toEqual([
      ['MLmodel', 'COLD'],
      ['conda.yaml', 'READY'],
      ['data/model.pkl', 'READY'],
    ]);
    expect(await statusOf(versions[0].id)).toBe('READY'); // not COLD until every file is
    expect([await exists(key('MLmodel')), await exists(key('conda.yaml')), await exists(`cold/${key('conda.yaml')}`)]).toEqual([
      false,
      true,
      true,
    ]);
    await t.database.db.query(`UPDATE artifact_jobs SET lease_until = now() - interval '1 second' WHERE done_at IS NULL`);
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('COLD');
    expect(await statuses()).toEqual([
      ['MLmodel', 'COLD'],
      ['conda.yaml', 'COLD'],
      ['data/model.pkl', 'COLD'],
    ]);
    expect((await fs.readdir(path.join(artifactDir, 'cold', versions[0].artifactStoragePath), { recursive: true })).sort()).toEqual([
      'MLmodel',
      'conda.yaml',
      'data',
      'data/model.pkl',
    ]);
    expect(await fs.readdir(path.join(artifactDir, versions[0].artifactStoragePath), { recursive: true })).toEqual(['data']);
    expect(await artifactActions(model.id)).toEqual(['artifact.cold_storage_queued', 'artifact.moved_to_cold']);
  });

  test('under legal hold no file of a folder moves; released, a deletion removes every one', async () => {
    const { model, versions } = await modelWithHistory(2, RiskTier.LOW, true);
    ok(
      await t.request(SetRetentionPolicyDocument, {
        input: { modelId: model.id, maxAgeDays: 30, keepAtLeast: 0, artifactAction: 'DELETE' },
      }),
    );
    ok(await t.request(ApplyRetentionDocument, { input: { modelId: model.id } }));
    const hold = ok(
      await t.request(SetLegalHoldDocument, { input: { versionId: versions[0].id, reason: 'review', reference: 'R-1' } }),
    ).setLegalHold;
    expect(await t.services.artifactWorker.runOnce()).toBe(0);
    for (const file of Object.keys(FOLDER(1))) expect(await exists(`${versions[0].artifactStoragePath}${file}`)).toBe(true);
    ok(await t.request(ReleaseLegalHoldDocument, { input: { id: hold.id, reason: 'done' } }));
    await t.database.db.query(`UPDATE artifact_jobs SET next_attempt_at = now() WHERE version_id = $1`, [versions[0].id]);
    expect(await t.services.artifactWorker.runOnce()).toBe(1);
    expect(await statusOf(versions[0].id)).toBe('DELETED');
    for (const file of Object.keys(FOLDER(1))) expect(await exists(`${versions[0].artifactStoragePath}${file}`)).toBe(false);
  });
});

describe('sweep', () => {
  test('objects no version references are listed, and removed past the grace period; referenced ones stay', async () => {
    const { key } = await modelWithHistory(1);
    const orphan = 'models/00000000-0000-4000-8000-00000000dead/1/artifact';
    await new FilesystemArtifactStore(artifactDir).write(orphan, Readable.from([Buffer.from('left behind')]));
    const listed = ok(await t.request(SweepArtifactsDocument, { input: { graceHours: 0, dryRun: true } })).sweepArtifacts;
    expect(listed).toContainEqual({ key: orphan, size: 11, removed: false });
    expect(listed.map((o) => o.key)).not.toContain(key(1));
    expect(
      ok(await t.request(SweepArtifactsDocument, { input: { graceHours: 24, dryRun: false } })).sweepArtifacts.find(
        (o) => o.key === orphan,
      ),
    ).toMatchObject({
      removed: false,
    });
    const swept = ok(await t.request(SweepArtifactsDocument, { input: { graceHours: 0, dryRun: false } })).sweepArtifacts;
    expect(swept.find((o) => o.key === orphan)).toMatchObject({ removed: true });
    expect(await exists(orphan)).toBe(false);
    expect(await exists(key(1))).toBe(true);
  });
});
