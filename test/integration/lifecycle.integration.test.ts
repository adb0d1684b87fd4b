import { createServices, type Services } from '../../src/composition';
import { Role } from '../../src/common/role';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';
import {
  aucBaseline,
  caller,
  decide,
  newApprover,
  readyRegistration,
  signMessage,
  stagedVersion,
  type Approver,
} from '../support/lifecycle';
import { Decision } from '../../src/modules/governance/governance.enums';

let t: TestDatabase;
let s: Services;
const ci = caller('ci-pipeline', Role.CONTRIBUTOR);
const admin = caller('root', Role.ADMIN);
let alice: Approver;
let bob: Approver;

beforeAll(async () => {
  t = await createTestDatabase();
  s = createServices(t.db);
  alice = await newApprover(s, 'alice');
  bob = await newApprover(s, 'bob');
});
afterAll(() => t.drop());

async function modelWithBaseline(riskTier = RiskTier.MEDIUM) {
  const model = await s.models.create(admin, { name: modelName('life'), owner: 'ml', riskTier });
  await aucBaseline(s, admin, model.id);
  return model;
}

const count = async (sql: string, params: unknown[] = []): Promise<number> => (await t.db.query(sql, params))[0].n;
const stageOf = async (id: string): Promise<Stage> => (await t.db.query('SELECT stage FROM model_versions WHERE id = $1', [id]))[0].stage;

describe('promotion', () => {
  test('promoting archives the previous production version in the same transaction', async () => {
    const model = await modelWithBaseline();
    const v1 = await stagedVersion(s, ci, model.id, [alice]);
    const v2 = await stagedVersion(s, ci, model.id, [alice]);
    await s.transitions.transition(alice.caller, { versionId: v1.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    const result = await s.transitions.transition(alice.caller, {
      versionId: v2.id,
      toStage: Stage.PRODUCTION,
      expectedStage: Stage.STAGING,
      reason: 'better auc',
    });
    expect(result.version.stage).toBe(Stage.PRODUCTION);
    expect(result.archived?.id).toBe(v1.id);
    expect(await stageOf(v1.id)).toBe(Stage.ARCHIVED);
    const history = (await s.transitions.historyPages([v1.id], {})).get(v1.id);
    expect(history?.rows.map((h) => [h.fromStage, h.toStage])).toEqual([
      [Stage.PRODUCTION, Stage.ARCHIVED],
      [Stage.STAGING, Stage.PRODUCTION],
      [Stage.DEVELOPMENT, Stage.STAGING],
    ]);
    expect(history?.rows[0].reason).toBe(`replaced by version ${v2.version}`);
  });

  test('50 concurrent promotions of different versions of one model end with exactly one in PRODUCTION', async () => {
    const model = await modelWithBaseline();
    const versions = [];
    for (let i = 0; i < 50; i += 1) versions.push(await stagedVersion(s, ci, model.id, [alice]));
    const eventsBefore = await count(
      `SELECT count(*)::int AS n FROM audit_events WHERE model_id = $1 AND action = 'version.stage_changed'`,
      [model.id],
    );

    const results = await Promise.allSettled(
      versions.map((v) =>
        s.transitions.transition(alice.caller, { versionId: v.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING }),
      ),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const r of refused) expect(['CONFLICT', 'GATE_FAILED']).toContain(r.reason.code);
    const promoted = results.length - refused.length;
    expect(promoted).toBeGreaterThanOrEqual(1);

    expect(await count(`SELECT count(*)::int AS n FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION'`, [model.id])).toBe(1);
    // One audit event per committed stage change: each promotion, plus an archive for each but the first.
    const events =
      (await count(`SELECT count(*)::int AS n FROM audit_events WHERE model_id = $1 AND action = 'version.stage_changed'`, [model.id])) -
      eventsBefore;
    expect(events).toBe(promoted + (promoted - 1));
    expect(
      await count(`SELECT count(*)::int AS n FROM stage_transitions WHERE model_id = $1 AND to_stage IN ('PRODUCTION', 'ARCHIVED')`, [
        model.id,
      ]),
    ).toBe(events);
    expect((await s.audit.verifyChain()).ok).toBe(true);
  });

  test('the same version promoted 10 times at once moves once; the rest are CONFLICT on expectedStage', async () => {
    const model = await modelWithBaseline();
    const v = await stagedVersion(s, ci, model.id, [alice]);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        s.transitions.transition(alice.caller, { versionId: v.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'CONFLICT', details: { field: 'expectedStage', currentStage: 'PRODUCTION' } });
    }
  });

  test('the same idempotencyKey 20 times at once transitions once and answers the same every time', async () => {
    const model = await modelWithBaseline();
    const v = await stagedVersion(s, ci, model.id, [alice]);
    const input = {
      versionId: v.id,
      toStage: Stage.PRODUCTION,
      expectedStage: Stage.STAGING,
      reason: 'release',
      idempotencyKey: 'deploy-8812',
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => s.transitions.transition(alice.caller, input)));
    expect(new Set(results.map((r) => `${r.version.id}/${r.version.stage}/${r.version.revision}`)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await count(`SELECT count(*)::int AS n FROM stage_transitions WHERE version_id = $1 AND to_stage = 'PRODUCTION'`, [v.id])).toBe(
      1,
    );
    await expect(s.transitions.transition(alice.caller, { ...input, reason: 'other' })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { field: 'idempotencyKey' },
    });
  });

  test('a promotion reads the model and each version once, and answers with the rows it wrote; only a replay reads back', async () => {
    const model = await modelWithBaseline();
    const v1 = await stagedVersion(s, ci, model.id, [alice]);
    const v2 = await stagedVersion(s, ci, model.id, [alice]);
    await s.transitions.transition(alice.caller, { versionId: v1.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    const input = { versionId: v2.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING, idempotencyKey: `reads-${v2.id}` };
    const reads = (sql: string[], pattern: RegExp) => sql.filter((q) => pattern.test(q)).length;

    const first = await t.capture(() => s.transitions.transition(alice.caller, input));
    expect(reads(first.sql, /FROM registered_models r LEFT JOIN grants/)).toBe(1); // the caller's level on the model
    expect(reads(first.sql, /FROM registered_models/)).toBe(2); // and the model, locked and read in one statement
    expect(reads(first.sql, /SELECT \* FROM model_versions WHERE id = \$1/)).toBe(1); // the version, FOR UPDATE
    expect(reads(first.sql, /FROM model_versions WHERE model_id = \$1 AND stage = 'PRODUCTION'/)).toBe(1); // the one it archives
    expect(first.result.replayed).toBe(false);
    expect([first.result.version.stage, first.result.version.revision]).toEqual([Stage.PRODUCTION, v2.revision + 2]);
    expect([first.result.archived?.id, first.result.archived?.stage]).toEqual([v1.id, Stage.ARCHIVED]);

    const replay = await t.capture(() => s.transitions.transition(alice.caller, input));
    expect(replay.result.replayed).toBe(true);
    expect(reads(replay.sql, /SELECT \* FROM model_versions WHERE id = \$1/)).toBe(2); // the promoted and the archived version, by id
    expect(reads(replay.sql, /FROM registered_models/)).toBe(1); // only the authorization, which a replay passes too
    expect(replay.result.version).toEqual(first.result.version);
    expect(replay.result.archived).toEqual(first.result.archived);
  });

  test('the database itself allows one PRODUCTION version per model', async () => {
    const model = await modelWithBaseline();
    const a = await s.versions.register(ci, readyRegistration(model.id));
    const b = await s.versions.register(ci, readyRegistration(model.id));
    await t.db.query(`UPDATE model_versions SET stage = 'PRODUCTION' WHERE id = $1`, [a.version.id]);
    await expect(t.db.query(`UPDATE model_versions SET stage = 'PRODUCTION' WHERE id = $1`, [b.version.id])).rejects.toThrow(
      /model_versions_one_production_idx/,
    );
  });
});

describe('gates and moves', () => {
  test('STAGING needs a READY artifact and a passing validation; GATE_FAILED lists every gate', async () => {
    const model = await modelWithBaseline();
    const { version } = await s.versions.register(ci, { ...readyRegistration(model.id), artifact: { format: 'ONNX' as never } });
    const err = await s.transitions
      .transition(ci, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT })
      .catch((e) => e);
    expect(err.code).toBe('GATE_FAILED');
    expect(err.details.gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed])).toEqual([
      ['ARTIFACT_READY', false],
      ['VALIDATION', false],
      ['VALIDATION_FRESH', false],
      // The artifacts module's gate: nothing uploaded, so nothing scanned DANGEROUS (the default policy needs no report).
      ['SCANNED', true],
    ]);
    expect(await stageOf(version.id)).toBe(Stage.DEVELOPMENT);
  });

  test('a missing metric fails validation, and a failed validation blocks STAGING', async () => {
    const model = await modelWithBaseline();
    const { version } = await s.versions.register(ci, readyRegistration(model.id));
    await s.metrics.log(ci, { versionId: version.id, metrics: [{ name: 'precision', value: 0.99, source: MetricSource.VALIDATION }] });
    const report = await s.validation.validate(ci, version.id);
    expect(report.passed).toBe(false);
    const checks = (await s.validation.checksByReports([report.id])).get(report.id);
    expect(checks).toMatchObject([{ metric: 'auc', candidateValue: null, passed: false }]);
    await expect(
      s.transitions.transition(ci, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT }),
    ).rejects.toMatchObject({ code: 'GATE_FAILED' });
  });

  test('PRODUCTION needs the approvals the policy asks for: default 1 for MEDIUM, 2 for HIGH, 0 for LOW', async () => {
    for (const [tier, needed] of [
      [RiskTier.LOW, 0],
      [RiskTier.MEDIUM, 1],
      [RiskTier.HIGH, 2],
    ] as const) {
      const model = await modelWithBaseline(tier);
      const v = await stagedVersion(s, ci, model.id, []);
      const promote = () =>
        s.transitions.transition(alice.caller, { versionId: v.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
      const approvers = [alice, bob];
      for (let i = 0; i < needed; i += 1) {
        await expect(promote()).rejects.toMatchObject({ code: 'GATE_FAILED' });
        await decide(s, approvers[i], v.id, Stage.PRODUCTION);
      }
      if (tier === RiskTier.HIGH) {
        // HIGH needs its model card too (the cards module's MODEL_CARD_COMPLETE gate, on by default for HIGH).
        await expect(promote()).rejects.toMatchObject({ code: 'GATE_FAILED', message: expect.stringMatching(/^[^;]*MODEL_CARD_COMPLETE/) });
        await s.cards.update(ci, {
          versionId: v.id,
          expectedRevision: 0,
          sections: {
            useCases: ['scoring'],
            technicalLimitations: ['none known'],
            ethicalConsiderations: [{ name: 'none known' }],
            fairnessAssessments: [{ groupAtRisk: 'everyone' }],
          },
        });
      }
      expect((await promote()).version.stage).toBe(Stage.PRODUCTION);
    }
  });

  test('a rejection by an approver blocks promotion even with enough approvals', async () => {
    const model = await modelWithBaseline();
    const v = await stagedVersion(s, ci, model.id, [alice]);
    await decide(s, bob, v.id, Stage.PRODUCTION, Decision.REJECTED);
    const readiness = await s.transitions.readiness(ci, v.id, Stage.PRODUCTION);
    expect(readiness.gates.find((g) => g.gate === 'APPROVALS')).toMatchObject({ passed: false, detail: 'rejected by bob' });
  });

  test('moves outside the lifecycle are INVALID_TRANSITION listing the allowed moves', async () => {
    const model = await modelWithBaseline();
    const { version } = await s.versions.register(ci, readyRegistration(model.id));
    await expect(
      s.transitions.transition(alice.caller, { versionId: version.id, toStage: Stage.PRODUCTION, expectedStage: Stage.DEVELOPMENT }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { allowed: [Stage.STAGING] } });
    await expect(
      s.transitions.transition(ci, { versionId: version.id, toStage: Stage.STAGING, expectedStage: Stage.STAGING }),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { currentStage: Stage.DEVELOPMENT } });
  });

  test('contributors may request STAGING but not PRODUCTION', async () => {
    const model = await modelWithBaseline();
    const v = await stagedVersion(s, ci, model.id, [alice]);
    await expect(
      s.transitions.transition(ci, { versionId: v.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { action: 'MOVE_BEYOND_STAGING', requiredLevel: 'APPROVE', level: 'CONTRIBUTE' },
    });
  });

  test('a model policy adds required checks and changes the approvals; the policy is versioned', async () => {
    const model = await modelWithBaseline();
    const first = await s.policy.setPolicy(admin, {
      modelId: model.id,
      document: { requiredChecks: ['fairness >= 0.9'], approvals: { PRODUCTION: 0 } },
    });
    const second = await s.policy.setPolicy(admin, {
      modelId: model.id,
      document: { requiredChecks: ['fairness >= 0.95'], approvals: { PRODUCTION: 0 } },
    });
    expect([first.version, second.version]).toEqual([1, 2]);
    const { version } = await s.versions.register(ci, readyRegistration(model.id));
    await s.metrics.log(ci, {
      versionId: version.id,
      metrics: [
        { name: 'auc', value: 0.9, source: MetricSource.VALIDATION },
        { name: 'fairness', value: 0.93, source: MetricSource.VALIDATION },
      ],
    });
    const report = await s.validation.validate(ci, version.id);
    expect(report.passed).toBe(false);
    expect(report.policyId).toBe(second.id);
    expect(report.summary).toMatch(/fairness/);
  });
});

describe('approvals', () => {
  test('a public key belongs to one approver at a time; approvals name their key and can be verified again', async () => {
    const mallory = caller('mallory', Role.APPROVER);
    // Mallory registers Alice's public key as his own, to give a second approval with her key: refused.
    await expect(s.approvals.registerApproverKey(mallory, alice.publicKeyPem)).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { field: 'publicKey' },
    });
    // Alice registering her own key again changes nothing.
    const again = await s.approvals.registerApproverKey(alice.caller, alice.publicKeyPem);
    expect(again.revokedAt).toBeNull();

    const model = await modelWithBaseline(RiskTier.HIGH);
    const v = await stagedVersion(s, ci, model.id, [alice]);
    const [approval] = (await s.approvals.approvalPages([v.id], {})).get(v.id)?.rows ?? [];
    expect(approval.keyFingerprint).toBe(again.fingerprint);
    expect(await s.approvals.verify(ci, approval.id)).toMatchObject({ valid: true, keyFingerprint: again.fingerprint });

    // Rewritten behind the registry's back, it no longer verifies.
    await t.db.query(`UPDATE approvals SET decision = 'REJECTED' WHERE id = $1`, [approval.id]);
    expect(await s.approvals.verify(ci, approval.id)).toMatchObject({
      valid: false,
      detail: expect.stringMatching(/message does not match/),
    });
    await t.db.query(`UPDATE approvals SET decision = 'APPROVED', signature = $2 WHERE id = $1`, [
      approval.id,
      Buffer.alloc(64, 1).toString('base64'),
    ]);
    expect(await s.approvals.verify(ci, approval.id)).toMatchObject({ valid: false, detail: expect.stringMatching(/does not verify/) });
    await expect(s.approvals.verify(ci, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('a bad signature, a second decision and the registrant deciding on its own version are refused', async () => {
    const model = await modelWithBaseline();
    const v = await stagedVersion(s, ci, model.id, []);
    const { signedAt } = await s.approvals.challenge(alice.caller, v.id, Stage.PRODUCTION, Decision.APPROVED);
    await expect(
      s.approvals.decide(
        alice.caller,
        { versionId: v.id, targetStage: Stage.PRODUCTION, signedAt, signature: Buffer.alloc(64).toString('base64') },
        Decision.APPROVED,
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'signature' } });
    // Signed for APPROVED, sent as REJECTED: the message differs, so the signature does not verify.
    const challenge = await s.approvals.challenge(alice.caller, v.id, Stage.PRODUCTION, Decision.APPROVED);
    await expect(
      s.approvals.decide(
        alice.caller,
        {
          versionId: v.id,
          targetStage: Stage.PRODUCTION,
          signedAt: challenge.signedAt,
          signature: signMessage(challenge.message, alice.privateKey),
        },
        Decision.REJECTED,
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'signature' } });

    await decide(s, alice, v.id, Stage.PRODUCTION);
    await expect(decide(s, alice, v.id, Stage.PRODUCTION)).rejects.toMatchObject({ code: 'CONFLICT' });

    const carol = await newApprover(s, 'carol');
    const own = await s.versions.register(carol.caller, readyRegistration(model.id));
    await expect(decide(s, carol, own.version.id, Stage.PRODUCTION)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { action: 'APPROVE', rule: 'separationOfDuties' },
    });
    expect(await count('SELECT count(*)::int AS n FROM approvals WHERE version_id = $1', [own.version.id])).toBe(0);
  });
});

describe('rollback and history', () => {
  test('rollback restores the version last in production; productionVersionsAt answers from the audit trail', async () => {
    const model = await modelWithBaseline();
    const v1 = await stagedVersion(s, ci, model.id, [alice]);
    const v2 = await stagedVersion(s, ci, model.id, [alice]);
    const before = new Date();
    await s.transitions.transition(alice.caller, { versionId: v1.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    await new Promise((r) => setTimeout(r, 20));
    const whileV1 = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await s.transitions.transition(alice.caller, { versionId: v2.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    await new Promise((r) => setTimeout(r, 20));
    const whileV2 = new Date();
    await new Promise((r) => setTimeout(r, 20));

    await expect(s.transitions.rollback(ci, { modelId: model.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rolledBack = await s.transitions.rollback(alice.caller, { modelId: model.id, reason: 'latency regression' });
    expect([rolledBack.version.id, rolledBack.archived?.id]).toEqual([v1.id, v2.id]);
    expect(await stageOf(v1.id)).toBe(Stage.PRODUCTION);
    expect(await stageOf(v2.id)).toBe(Stage.ARCHIVED);

    const at = async (time: Date) => (await s.transitions.productionVersionsAt([model.id], time)).get(model.id) ?? null;
    expect(await at(before)).toBeNull();
    expect(await at(whileV1)).toBe(v1.id);
    expect(await at(whileV2)).toBe(v2.id);
    expect(await at(new Date())).toBe(v1.id);
  });

  test('rollback with nothing to go back to is INVALID_TRANSITION', async () => {
    const model = await modelWithBaseline();
    await expect(s.transitions.rollback(alice.caller, { modelId: model.id })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});

describe('metrics', () => {
  test('the latest point of each series is kept as batches arrive, in any order, and validation reads it', async () => {
    const model = await modelWithBaseline();
    const { version } = await s.versions.register(ci, readyRegistration(model.id));
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
    const log = (points: Array<{ value: number; step?: number; minute: number; source?: MetricSource; slice?: string }>) =>
      s.metrics.log(ci, {
        versionId: version.id,
        metrics: points.map((p) => ({
          name: 'auc',
          value: p.value,
          step: p.step,
          source: p.source ?? MetricSource.VALIDATION,
          slice: p.slice,
          recordedAt: at(p.minute),
        })),
      });
    const latest = async () =>
      Object.fromEntries(
        ((await s.metrics.latestPages([version.id], {}, {})).get(version.id)?.rows ?? []).map((m) => [`${m.source}/${m.slice}`, m.value]),
      );

    await log([
      { value: 0.81, minute: 10 },
      { value: 0.82, minute: 20 },
      { value: 0.7, minute: 5, slice: 'eu' },
    ]);
    expect(await latest()).toEqual({ 'VALIDATION/': 0.82, 'VALIDATION/eu': 0.7 });
    await log([{ value: 0.5, minute: 15 }]); // older than the latest: the latest stays
    expect(await latest()).toEqual({ 'VALIDATION/': 0.82, 'VALIDATION/eu': 0.7 });
    await log([{ value: 0.85, minute: 20, step: 3 }]); // same time, a later step: the newer point
    expect(await latest()).toEqual({ 'VALIDATION/': 0.85, 'VALIDATION/eu': 0.7 });
    await log([{ value: 0.1, minute: 30, source: MetricSource.TRAINING }]);
    expect(await latest()).toEqual({ 'TRAINING/': 0.1, 'VALIDATION/': 0.85, 'VALIDATION/eu': 0.7 });
    // The same answer as reading every point.
    const [{ value }] = await t.db.query(
      `SELECT value FROM metrics WHERE version_id = $1 AND name = 'auc' AND source = 'VALIDATION' AND slice = ''
       ORDER BY recorded_at DESC, step DESC, id DESC LIMIT 1`,
      [version.id],
    );
    expect(value).toBe(0.85);
    // Validation compares the latest whole-population VALIDATION value: 0.85 passes the baseline of 0.8.
    const report = await s.validation.validate(ci, version.id);
    expect(report.passed).toBe(true);
  });

  test('10,000 points in one call are stored in one statement; a bad point refuses the whole batch', async () => {
    const model = await modelWithBaseline();
    const { version } = await s.versions.register(ci, readyRegistration(model.id));
    const points = Array.from({ length: 10_000 }, (_, i) => ({ name: 'loss', value: 1 / (i + 1), step: i, source: MetricSource.TRAINING }));
    const statements = t.queries();
    expect(await s.metrics.log(ci, { versionId: version.id, metrics: points })).toEqual({ count: 10_000 });
    // BEGIN, version check, the caller's level, one INSERT, the audit append (lock, last event, insert), COMMIT
    expect(t.queries() - statements).toBeLessThanOrEqual(8);
    expect(await count('SELECT count(*)::int AS n FROM metrics WHERE version_id = $1', [version.id])).toBe(10_000);

    await expect(
      s.metrics.log(ci, {
        versionId: version.id,
        metrics: [
          { name: 'ok', value: 1, source: MetricSource.TRAINING },
          { name: 'bad', value: NaN, source: MetricSource.TRAINING },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'metrics[1].value' } });
    await expect(
      s.metrics.log(ci, {
        versionId: '00000000-0000-4000-8000-000000000000',
        metrics: [{ name: 'x', value: 1, source: MetricSource.TRAINING }],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await count(`SELECT count(*)::int AS n FROM metrics WHERE name IN ('ok', 'x')`)).toBe(0);

    const loss = { name: 'loss', source: MetricSource.TRAINING };
    expect((await s.metrics.historyPages([version.id], loss, { first: 3 })).get(version.id)?.rows).toHaveLength(3);
    expect((await s.metrics.historyCounts([version.id], loss)).get(version.id)).toBe(10_000);
    const latest = (await s.metrics.latestPages([version.id], {}, {})).get(version.id);
    expect(latest?.rows).toHaveLength(1);
  });
});
