/**
 * Scanning what arrives (issue 21, part 3), against the real server: fixtures uploaded file by file through
 * PUT /artifacts/<id>/<path>, each file's report and the version's summary queryable, ARTIFACT_SCANNED delivered to a
 * subscriber once the last file is in, the SCANNED gate (the default policy, `block: SUSPICIOUS`, `requireScanned`),
 * rescanArtifact (ADMIN only, the reports replaced, COLD and by-reference refused) and a scan tap that fails never
 * failing an upload.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Role } from '../../src/common/role';
import { SCANNER_VERSION } from '../../src/modules/artifacts/scan/scan.rules';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import type { RegisterVersionInput } from '../../src/modules/versions/version.service';
import {
  ArtifactScansDocument,
  PromotionReadinessDocument,
  RescanArtifactDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql';
import { modelName, registration } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';
import { subscribe } from '../support/subscriber';

const admin = caller('admin', Role.ADMIN);
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'scan');
const fixture = (name: string) => fs.readFile(path.join(FIXTURES, name));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function newModel() {
  const model = await t.services.models.create(admin, { name: modelName('scan'), owner: 'ml' });
  await aucBaseline(t.services, admin, model.id);
  return model;
}

/** A version of `modelId` whose folder holds these files (digests declared), uploaded one by one. */
async function uploadedFolder(modelId: string, files: Record<string, Buffer>) {
  const { version } = await t.services.versions.register(admin, {
    ...registration(),
    modelId,
    artifact: { format: 'OTHER', files: Object.entries(files).map(([p, b]) => ({ path: p, sizeBytes: b.length, sha256: sha256(b) })) },
  } as unknown as RegisterVersionInput);
  for (const [p, body] of Object.entries(files)) {
    const res = await fetch(`${t.baseUrl}/artifacts/${version.id}/${p}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body,
    });
    expect(res.status).toBe(201);
  }
  return version;
}

const scansOf = async (id: string, token = t.adminToken) =>
  ok(await t.request(ArtifactScansDocument, { id, first: 100 }, token)).modelVersion!.artifact;
const fileScan = (artifact: Awaited<ReturnType<typeof scansOf>>, p: string) =>
  artifact.files.edges.find((e) => e.node.path === p)!.node.scan;

/** A passing validation, then the move to STAGING: its answer. */
async function toStaging(versionId: string) {
  await t.services.metrics.log(admin, { versionId, metrics: [{ name: 'auc', value: 0.9, source: MetricSource.VALIDATION }] });
  await t.services.validation.validate(admin, versionId);
  return t.request(TransitionModelVersionDocument, { input: { versionId, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' } });
}

describe('uploads are scanned', () => {
  test('each file has its report, the version its summary, and ARTIFACT_SCANNED is delivered once the last file is in', async () => {
    const model = await newModel();
    const before = t.services.eventDispatcher.size;
    const events = subscribe<{ kind: string; action: string; subjectId: string; payload: Record<string, unknown> }>(
      t.baseUrl,
      t.adminToken,
      `subscription($filter: LifecycleEventFilter) { lifecycleEvents(filter: $filter) { kind action subjectId payload } }`,
      { filter: { modelIds: [model.id], kinds: ['ARTIFACT_SCANNED'] } },
      'lifecycleEvents',
    );
    const deadline = Date.now() + 5000;
    while (t.services.eventDispatcher.size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    const files = {
      'weights/model.pkl': await fixture('paths/os-system-global-reduce-p2.pkl'),
      'sklearn/model.pkl': await fixture('sklearn-logistic-p4.pkl'),
      'model.safetensors': await fixture('valid.safetensors'),
      'checkpoint.pt': await fixture('torch-malicious.pt'),
      'unknown.pkl': await fixture('unknown-global.pkl'),
      'config.json': await fixture('config.json'),
    };
    const version = await uploadedFolder(model.id, files);
    const artifact = await scansOf(version.id);
    expect(artifact.status).toBe('READY');

    const evil = fileScan(artifact, 'weights/model.pkl')!;
    expect(evil).toMatchObject({ format: 'PICKLE', verdict: 'DANGEROUS', scannerVersion: SCANNER_VERSION, reason: 'imports os.system' });
    expect(evil.bytesScanned).toBe(files['weights/model.pkl'].length);
    expect(evil.imports).toContainEqual(
      expect.objectContaining({ module: 'os', name: 'system', verdict: 'DANGEROUS', opcodes: ['GLOBAL'], calledBy: ['REDUCE'] }),
    );
    expect(evil.findings[0]).toMatchObject({ severity: 'DANGEROUS', code: 'PICKLE_IMPORT_DANGEROUS' });

    expect(fileScan(artifact, 'sklearn/model.pkl')).toMatchObject({ format: 'PICKLE', verdict: 'CLEAN', reason: 'clean' });
    expect(fileScan(artifact, 'sklearn/model.pkl')!.imports.every((i) => i.verdict === 'SAFE')).toBe(true);
    expect(fileScan(artifact, 'model.safetensors')).toMatchObject({ format: 'SAFETENSORS', verdict: 'CLEAN' });
    expect(fileScan(artifact, 'checkpoint.pt')).toMatchObject({ format: 'PYTORCH_ZIP', verdict: 'DANGEROUS' });
    expect(fileScan(artifact, 'unknown.pkl')).toMatchObject({ verdict: 'SUSPICIOUS' });
    expect(fileScan(artifact, 'config.json')).toMatchObject({ format: 'JSON', verdict: 'CLEAN' });
    expect(artifact.scan).toEqual({
      verdict: 'DANGEROUS',
      filesScanned: 6,
      filesNotScanned: 0,
      dangerousFiles: 2,
      suspiciousFiles: 1,
      scannerVersions: [SCANNER_VERSION],
      scannedAt: expect.any(String),
    });

    const [event] = await events.waitFor(1);
    expect(event).toMatchObject({ kind: 'ARTIFACT_SCANNED', action: 'artifact.scanned', subjectId: version.id });
    expect(event.payload).toEqual({
      versionId: version.id,
      files: 6,
      filesScanned: 6,
      filesNotScanned: 0,
      verdicts: { DANGEROUS: 2, SUSPICIOUS: 1, CLEAN: 3 },
      verdict: 'DANGEROUS',
      dangerous: [
        { path: 'checkpoint.pt', reason: expect.stringMatching(/^imports /) },
        { path: 'weights/model.pkl', reason: 'imports os.system' },
      ],
      suspicious: [{ path: 'unknown.pkl', reason: expect.stringMatching(/^imports /) }],
      scannerVersion: SCANNER_VERSION,
    });
    // One event per version: none before the last file arrived.
    await new Promise((r) => setTimeout(r, 300));
    expect(events.items).toHaveLength(1);
    await events.close();
  });

  test('a scan tap that fails never fails the upload: the file is recorded READY with a DANGEROUS SCANNER_ERROR', async () => {
    const model = await newModel();
    const scans = t.services.scans;
    const tap = scans.tap.bind(scans);
    scans.tap = () => ({
      write: () => {
        throw new Error('scanner exploded');
      },
      end: () => {
        throw new Error('unreachable');
      },
    });
    try {
      const version = await uploadedFolder(model.id, { 'model.onnx': Buffer.from('not really onnx') });
      const artifact = await scansOf(version.id);
      expect(artifact.status).toBe('READY');
      expect(fileScan(artifact, 'model.onnx')).toMatchObject({
        format: 'UNKNOWN',
        verdict: 'DANGEROUS',
        findings: [{ severity: 'DANGEROUS', code: 'SCANNER_ERROR', message: expect.stringMatching(/scanner exploded.*rescanArtifact/) }],
      });
    } finally {
      scans.tap = tap;
    }
  });
});

describe('bounds', () => {
  test.each(['deep-marks.pkl', 'deep-tuples.pkl'])(
    'a pickle nested beyond the depth bound (%s) is refused: BAD_USER_INPUT on the body, the file FAILED, nothing kept',
    async (name) => {
      const model = await newModel();
      const body = await fixture(name);
      const { version } = await t.services.versions.register(admin, {
        ...registration(),
        modelId: model.id,
        artifact: { format: 'PICKLE', files: [{ path: 'model.pkl', sizeBytes: body.length, sha256: sha256(body) }] },
      } as unknown as RegisterVersionInput);
      const res = await fetch(`${t.baseUrl}/artifacts/${version.id}/model.pkl`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.adminToken}` },
        body,
      });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(answer.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
      expect(answer.errors[0].message).toMatch(/model\.pkl: a pickle nested deeper than 1000 levels/);
      const artifact = await scansOf(version.id);
      expect(artifact.status).toBe('FAILED');
      expect(fileScan(artifact, 'model.pkl')).toBeNull();
      const download = await fetch(`${t.baseUrl}/artifacts/${version.id}/model.pkl`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      expect(download.status).not.toBe(200);
    },
  );
});

describe('the SCANNED gate', () => {
  test('refuses STAGING for a poisoned version (GATE_FAILED naming SCANNED and the file) and passes a clean one', async () => {
    const model = await newModel();
    const poisoned = await uploadedFolder(model.id, {
      MLmodel: Buffer.from('flavors: {}\n'),
      'weights/model.pkl': await fixture('paths/os-system-global-reduce-p2.pkl'),
    });
    const refused = await toStaging(poisoned.id);
    expect(errorCode(refused)).toBe('GATE_FAILED');
    const gates = refused.errors![0].extensions!.gates as Array<{ gate: string; passed: boolean; detail: string }>;
    expect(gates.find((g) => g.gate === 'SCANNED')).toEqual({
      gate: 'SCANNED',
      passed: false,
      detail: '1 file DANGEROUS: weights/model.pkl: DANGEROUS (imports os.system)',
    });
    expect(gates.filter((g) => !g.passed).map((g) => g.gate)).toEqual(['SCANNED']);
    expect(refused.errors![0].message).toMatch(/SCANNED \(1 file DANGEROUS: weights\/model\.pkl/);

    const clean = await uploadedFolder(model.id, {
      'model.safetensors': await fixture('valid.safetensors'),
      'model.pkl': await fixture('sklearn-logistic-p4.pkl'),
      'unknown.pkl': await fixture('unknown-global.pkl'),
    });
    const readiness = ok(await t.request(PromotionReadinessDocument, { versionId: clean.id, targetStage: 'STAGING' })).promotionReadiness;
    expect(readiness.gates).toContainEqual(
      expect.objectContaining({ gate: 'SCANNED', passed: true, detail: '3 of 3 files scanned, none DANGEROUS (worst: SUSPICIOUS)' }),
    );
    expect(ok(await toStaging(clean.id)).transitionModelVersion.version.stage).toBe('STAGING');
  });

  test('policy scan: { block: SUSPICIOUS } refuses a SUSPICIOUS file; requireScanned refuses a version registered by reference', async () => {
    const model = await newModel();
    await t.services.policy.setPolicy(admin, { modelId: model.id, document: { scan: { block: 'SUSPICIOUS' } } });
    const suspicious = await uploadedFolder(model.id, { 'unknown.pkl': await fixture('unknown-global.pkl') });
    const refused = await toStaging(suspicious.id);
    expect(errorCode(refused)).toBe('GATE_FAILED');
    const gate = (refused.errors![0].extensions!.gates as Array<{ gate: string; passed: boolean; detail: string }>).find(
      (g) => g.gate === 'SCANNED',
    )!;
    expect(gate.passed).toBe(false);
    expect(gate.detail).toMatch(/^1 file SUSPICIOUS or DANGEROUS: unknown\.pkl: SUSPICIOUS \(imports /);

    // By reference: nothing was uploaded, so nothing scanned; the default lets it through, requireScanned does not.
    const other = await newModel();
    const { version: referenced } = await t.services.versions.register(admin, readyRegistration(other.id));
    expect((await scansOf(referenced.id)).scan).toMatchObject({ verdict: null, filesScanned: 0, filesNotScanned: 1 });
    const readiness = ok(
      await t.request(PromotionReadinessDocument, { versionId: referenced.id, targetStage: 'STAGING' }),
    ).promotionReadiness;
    expect(readiness.gates).toContainEqual(expect.objectContaining({ gate: 'SCANNED', passed: true }));
    await t.services.policy.setPolicy(admin, { modelId: other.id, document: { scan: { requireScanned: true } } });
    const unscanned = await toStaging(referenced.id);
    expect(errorCode(unscanned)).toBe('GATE_FAILED');
    expect(unscanned.errors![0].extensions!.gates).toContainEqual({
      gate: 'SCANNED',
      passed: false,
      detail: '1 file not scanned: artifact: not scanned',
    });
  });

  test('a rule from PRODUCTION on does not apply to STAGING', async () => {
    const model = await newModel();
    await t.services.policy.setPolicy(admin, { modelId: model.id, document: { scan: { stage: 'PRODUCTION' } } });
    const poisoned = await uploadedFolder(model.id, { 'model.pkl': await fixture('paths/os-system-global-reduce-p2.pkl') });
    const readiness = ok(
      await t.request(PromotionReadinessDocument, { versionId: poisoned.id, targetStage: 'STAGING' }),
    ).promotionReadiness;
    expect(readiness.gates.map((g) => g.gate)).not.toContain('SCANNED');
    expect(ok(await toStaging(poisoned.id)).transitionModelVersion.version.stage).toBe(Stage.STAGING);
    const production = ok(
      await t.request(PromotionReadinessDocument, { versionId: poisoned.id, targetStage: 'PRODUCTION' }),
    ).promotionReadiness;
    expect(production.gates).toContainEqual(expect.objectContaining({ gate: 'SCANNED', passed: false }));
  });
});

describe('rescanArtifact', () => {
  test('ADMIN only: CONTRIBUTOR and APPROVER are FORBIDDEN; a rescan replaces every report and announces it', async () => {
    const model = await newModel();
    const version = await uploadedFolder(model.id, {
      'model.pkl': await fixture('paths/os-system-global-reduce-p2.pkl'),
      'model.safetensors': await fixture('valid.safetensors'),
    });
    for (const role of [Role.CONTRIBUTOR, Role.APPROVER]) {
      const refused = await t.request(RescanArtifactDocument, { input: { versionId: version.id } }, await t.tokenFor(role));
      expect(errorCode(refused)).toBe('FORBIDDEN');
    }
    // Reports as an older scanner made them: one gone (stored before scanning), one stale.
    await t.database.db.query(`DELETE FROM artifact_scans WHERE version_id = $1 AND path = 'model.safetensors'`, [version.id]);
    await t.database.db.query(
      `UPDATE artifact_scans SET verdict = 'CLEAN', findings = '[]', imports = '[]', reason = 'clean', scanned_at = now() - interval '1 day'
       WHERE version_id = $1`,
      [version.id],
    );
    expect((await scansOf(version.id)).scan).toMatchObject({ verdict: 'CLEAN', filesScanned: 1, filesNotScanned: 1 });

    const rescanned = ok(await t.request(RescanArtifactDocument, { input: { versionId: version.id } })).rescanArtifact;
    expect(rescanned).toEqual({
      versionId: version.id,
      filesScanned: 2,
      scan: {
        verdict: 'DANGEROUS',
        filesScanned: 2,
        filesNotScanned: 0,
        dangerousFiles: 1,
        suspiciousFiles: 0,
        scannerVersions: [SCANNER_VERSION],
        scannedAt: expect.any(String),
      },
    });
    const artifact = await scansOf(version.id);
    expect(fileScan(artifact, 'model.pkl')).toMatchObject({
      verdict: 'DANGEROUS',
      scannerVersion: SCANNER_VERSION,
      reason: 'imports os.system',
    });
    expect(Date.now() - Date.parse(fileScan(artifact, 'model.pkl')!.scannedAt)).toBeLessThan(60_000);
    expect(fileScan(artifact, 'model.safetensors')).toMatchObject({ verdict: 'CLEAN', scannerVersion: SCANNER_VERSION });

    const [audit] = await t.database.db.query(
      `SELECT actor, payload FROM audit_events WHERE subject_id = $1 AND action = 'artifact.scanned' ORDER BY seq DESC LIMIT 1`,
      [version.id],
    );
    expect(audit.actor).toBe('admin');
    expect(audit.payload).toMatchObject({ rescan: true, filesScanned: 2, verdict: 'DANGEROUS', scannerVersion: SCANNER_VERSION });
  });

  test('refused for a version registered by reference, a COLD artifact, and one not uploaded yet (CONFLICT); NOT_FOUND for an unknown id', async () => {
    const model = await newModel();
    const { version: referenced } = await t.services.versions.register(admin, readyRegistration(model.id));
    const byReference = await t.request(RescanArtifactDocument, { input: { versionId: referenced.id } });
    expect(errorCode(byReference)).toBe('CONFLICT');
    expect(byReference.errors![0].message).toMatch(/registered by reference/);

    const cold = await uploadedFolder(model.id, { 'model.safetensors': await fixture('valid.safetensors') });
    await t.database.db.query(`UPDATE model_versions SET artifact_status = 'COLD' WHERE id = $1`, [cold.id]);
    const refused = await t.request(RescanArtifactDocument, { input: { versionId: cold.id } });
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/COLD.*restoreArtifact/);

    const { version: pending } = await t.services.versions.register(admin, {
      ...registration(),
      modelId: model.id,
      artifact: { format: 'OTHER', files: [{ path: 'a.bin', sizeBytes: 1 }] },
    } as unknown as RegisterVersionInput);
    expect(errorCode(await t.request(RescanArtifactDocument, { input: { versionId: pending.id } }))).toBe('CONFLICT');
    expect(errorCode(await t.request(RescanArtifactDocument, { input: { versionId: '00000000-0000-4000-8000-000000000000' } }))).toBe(
      'NOT_FOUND',
    );
  });
});
