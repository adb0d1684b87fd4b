import {
  ApprovalChallengeDocument,
  ApproveModelVersionDocument,
  AuditEventsDocument,
  CreateModelDocument,
  EffectivePolicyDocument,
  EndDeploymentDocument,
  LogMetricsDocument,
  MetricHistoryDocument,
  ProductionHistoryDocument,
  PromotionReadinessDocument,
  RecordDeploymentDocument,
  RegisterApproverKeyDocument,
  RegisterModelVersionDocument,
  RejectModelVersionDocument,
  RollbackModelDocument,
  SetBaselineDocument,
  SetPolicyDocument,
  TransitionModelVersionDocument,
  UpdateDeploymentDocument,
  ValidateModelVersionDocument,
  VerifyApprovalDocument,
  VersionLifecycleDocument,
  VersionMetricsDocument,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import { modelName, registration, SHA } from '../support/fixtures';
import { keyPair, signMessage } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let viewer: string;
let ci: string;
let approver: string;
const approverKeys = keyPair();

beforeAll(async () => {
  t = await startTestServer();
  viewer = await t.tokenFor(Role.VIEWER, 'vera');
  ci = await t.tokenFor(Role.CONTRIBUTOR, 'ci-pipeline');
  approver = await t.tokenFor(Role.APPROVER, 'alice');
  ok(await t.request(RegisterApproverKeyDocument, { input: { publicKey: approverKeys.publicKeyPem } }, approver));
});
afterAll(() => t.close());

async function newModel(riskTier: 'LOW' | 'MEDIUM' | 'HIGH' = 'MEDIUM') {
  const model = ok(await t.request(CreateModelDocument, { input: { name: modelName('promote'), owner: 'risk-ml', riskTier } })).createModel
    .model;
  ok(
    await t.request(SetBaselineDocument, {
      input: { modelId: model.id, metric: 'auc', comparator: 'GTE', reference: 'FIXED', threshold: 0.8, tolerance: 0.01 },
    }),
  );
  return model;
}

async function register(modelId: string) {
  const input = registration({ modelId, artifact: { format: 'ONNX', uri: 's3://models/fraud.onnx', sha256: SHA('f'), sizeBytes: 10 } });
  return ok(await t.request(RegisterModelVersionDocument, { input }, ci)).registerModelVersion.version;
}

/** A decision input signed with the approver's key, from a fresh challenge. */
async function signed(versionId: string, decision: 'APPROVED' | 'REJECTED') {
  const { message, signedAt } = ok(
    await t.request(ApprovalChallengeDocument, { input: { versionId, targetStage: 'PRODUCTION', decision } }, approver),
  ).approvalChallenge;
  return {
    versionId,
    targetStage: 'PRODUCTION' as const,
    signedAt,
    signature: signMessage(message, approverKeys.privateKey),
    comment: 'looks good',
  };
}

async function approve(versionId: string) {
  return t.request(ApproveModelVersionDocument, { input: await signed(versionId, 'APPROVED') }, approver);
}

/** register → metrics → validate → STAGING → approve: the path every version takes. */
async function readyForProduction(modelId: string, auc = 0.91) {
  const version = await register(modelId);
  ok(
    await t.request(
      LogMetricsDocument,
      { input: { versionId: version.id, metrics: [{ name: 'auc', value: auc, source: 'VALIDATION' }] } },
      ci,
    ),
  );
  expect(
    ok(await t.request(ValidateModelVersionDocument, { input: { versionId: version.id } }, ci)).validateModelVersion.report.passed,
  ).toBe(true);
  ok(
    await t.request(
      TransitionModelVersionDocument,
      { input: { versionId: version.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' } },
      ci,
    ),
  );
  ok(await approve(version.id));
  return version;
}

describe('register → metrics → validate → approve → promote → rollback', () => {
  test('the whole walk over HTTP, with the readiness report explaining each step', async () => {
    const model = await newModel();
    const v1 = await register(model.id);

    const logged = ok(
      await t.request(
        LogMetricsDocument,
        {
          input: {
            versionId: v1.id,
            metrics: [
              { name: 'auc', value: 0.9, source: 'VALIDATION' },
              { name: 'auc', value: 0.86, source: 'VALIDATION', slice: 'segment:new-customers' },
              { name: 'loss', value: 0.4, step: 1, source: 'TRAINING' },
              { name: 'loss', value: 0.3, step: 2, source: 'TRAINING' },
            ],
          },
        },
        ci,
      ),
    );
    expect(logged.logMetrics.count).toBe(4);
    const metrics = ok(await t.request(VersionMetricsDocument, { id: v1.id, source: 'VALIDATION' })).modelVersion?.metrics;
    expect(metrics?.edges.map((e) => [e.node.name, e.node.slice, e.node.value])).toEqual([
      ['auc', '', 0.9],
      ['auc', 'segment:new-customers', 0.86],
    ]);
    const history = ok(await t.request(MetricHistoryDocument, { id: v1.id, name: 'loss', source: 'TRAINING' })).modelVersion?.metricHistory;
    expect(history?.edges.map((e) => e.node.step)).toEqual([2, 1]);

    const notYet = ok(await t.request(PromotionReadinessDocument, { versionId: v1.id, targetStage: 'STAGING' })).promotionReadiness;
    expect(notYet).toMatchObject({ currentStage: 'DEVELOPMENT', moveAllowed: true, ready: false });
    expect(notYet.gates.find((g) => g.gate === 'VALIDATION')?.detail).toMatch(/no validation report/);

    const report = ok(await t.request(ValidateModelVersionDocument, { input: { versionId: v1.id } }, ci)).validateModelVersion.report;
    expect(report).toMatchObject({ passed: true, createdBy: 'ci-pipeline' });
    expect(report.checks).toEqual([
      expect.objectContaining({
        origin: 'BASELINE',
        metric: 'auc',
        comparator: 'GTE',
        candidateValue: 0.9,
        baselineValue: 0.8,
        tolerance: 0.01,
        passed: true,
      }),
    ]);

    const staged = ok(
      await t.request(
        TransitionModelVersionDocument,
        { input: { versionId: v1.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT', reason: 'validated' } },
        ci,
      ),
    ).transitionModelVersion;
    expect(staged.version.stage).toBe('STAGING');

    const blocked = await t.request(
      TransitionModelVersionDocument,
      { input: { versionId: v1.id, toStage: 'PRODUCTION', expectedStage: 'STAGING' } },
      approver,
    );
    expect(errorCode(blocked)).toBe('GATE_FAILED');
    expect(blocked.errors?.[0].extensions?.gates).toEqual(
      expect.arrayContaining([expect.objectContaining({ gate: 'APPROVALS', passed: false, detail: expect.stringMatching(/0 of 1/) })]),
    );

    const approval = ok(await approve(v1.id)).approveModelVersion.approval;
    expect(approval).toMatchObject({ decision: 'APPROVED', approver: 'alice', targetStage: 'PRODUCTION' });
    // Anyone who can read can check the approval again: the key that signed it, and that it verifies.
    const verified = ok(await t.request(VerifyApprovalDocument, { id: approval.id }, viewer)).verifyApproval;
    expect(verified).toEqual({ approvalId: approval.id, valid: true, keyFingerprint: approval.keyFingerprint, detail: expect.any(String) });
    const ready = ok(await t.request(PromotionReadinessDocument, { versionId: v1.id, targetStage: 'PRODUCTION' })).promotionReadiness;
    expect(ready.ready).toBe(true);

    const promoted = ok(
      await t.request(
        TransitionModelVersionDocument,
        { input: { versionId: v1.id, toStage: 'PRODUCTION', expectedStage: 'STAGING', reason: 'release 1' } },
        approver,
      ),
    ).transitionModelVersion;
    expect(promoted).toMatchObject({ version: { stage: 'PRODUCTION' }, archivedVersion: null, replayed: false });

    const v2 = await readyForProduction(model.id, 0.93);
    const second = ok(
      await t.request(
        TransitionModelVersionDocument,
        { input: { versionId: v2.id, toStage: 'PRODUCTION', expectedStage: 'STAGING' } },
        approver,
      ),
    ).transitionModelVersion;
    expect(second.archivedVersion).toMatchObject({ id: v1.id, stage: 'ARCHIVED' });
    const betweenReleases = new Date().toISOString();

    const rollback = ok(
      await t.request(RollbackModelDocument, { input: { modelId: model.id, reason: 'latency regression' } }, approver),
    ).rollbackModel;
    expect(rollback).toMatchObject({
      restoredVersion: { id: v1.id, stage: 'PRODUCTION' },
      archivedVersion: { id: v2.id, stage: 'ARCHIVED' },
    });

    const production = ok(await t.request(ProductionHistoryDocument, { name: model.name, time: betweenReleases })).model;
    expect(production?.productionVersion?.id).toBe(v1.id);
    expect(production?.productionVersionAt?.id).toBe(v2.id);

    const lifecycle = ok(await t.request(VersionLifecycleDocument, { id: v1.id })).modelVersion;
    expect(lifecycle?.stageHistory.edges.map((e) => `${e.node.fromStage}→${e.node.toStage}`)).toEqual([
      'ARCHIVED→PRODUCTION',
      'PRODUCTION→ARCHIVED',
      'STAGING→PRODUCTION',
      'DEVELOPMENT→STAGING',
    ]);
    expect(lifecycle?.stageHistory.edges[0].node.reason).toBe('rollback: latency regression');
    expect(lifecycle?.approvals.edges.map((e) => e.node.approver)).toEqual(['alice']);

    const trail = ok(
      await t.request(AuditEventsDocument, { filter: { subjectId: v1.id, action: 'version.stage_changed' }, direction: 'ASC' }),
    ).auditEvents;
    expect(trail.edges.map((e) => [e.node.actor, e.node.payload.toStage])).toEqual([
      ['ci-pipeline', 'STAGING'],
      ['alice', 'PRODUCTION'],
      ['alice', 'ARCHIVED'],
      ['alice', 'PRODUCTION'],
    ]);
  });

  test('retrying a promotion with its idempotencyKey answers the first result', async () => {
    const model = await newModel();
    const v = await readyForProduction(model.id);
    const input = { versionId: v.id, toStage: 'PRODUCTION' as const, expectedStage: 'STAGING' as const, idempotencyKey: 'release-77' };
    const first = ok(await t.request(TransitionModelVersionDocument, { input }, approver)).transitionModelVersion;
    const retry = ok(await t.request(TransitionModelVersionDocument, { input }, approver)).transitionModelVersion;
    expect(retry).toMatchObject({
      replayed: true,
      version: { id: first.version.id, stage: 'PRODUCTION', revision: first.version.revision },
    });
    expect(errorCode(await t.request(TransitionModelVersionDocument, { input: { ...input, reason: 'x' } }, approver))).toBe('CONFLICT');
  });

  test('moves outside the lifecycle are INVALID_TRANSITION with the allowed moves', async () => {
    const model = await newModel();
    const v = await register(model.id);
    const res = await t.request(
      TransitionModelVersionDocument,
      { input: { versionId: v.id, toStage: 'RETIRED', expectedStage: 'DEVELOPMENT' } },
      approver,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', allowed: ['STAGING'] });
  });

  test('a rejection is recorded and blocks promotion', async () => {
    const model = await newModel('LOW');
    const v = await register(model.id);
    ok(
      await t.request(
        LogMetricsDocument,
        { input: { versionId: v.id, metrics: [{ name: 'auc', value: 0.95, source: 'VALIDATION' }] } },
        ci,
      ),
    );
    ok(await t.request(ValidateModelVersionDocument, { input: { versionId: v.id } }, ci));
    ok(
      await t.request(TransitionModelVersionDocument, { input: { versionId: v.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' } }, ci),
    );
    const rejected = await t.request(RejectModelVersionDocument, { input: await signed(v.id, 'REJECTED') }, approver);
    expect(ok(rejected).rejectModelVersion.approval.decision).toBe('REJECTED');
    // LOW needs no approvals, but a recorded rejection is never ignored.
    expect(
      errorCode(
        await t.request(
          TransitionModelVersionDocument,
          { input: { versionId: v.id, toStage: 'PRODUCTION', expectedStage: 'STAGING' } },
          approver,
        ),
      ),
    ).toBe('GATE_FAILED');
  });
});

describe('policies', () => {
  test('a policy is versioned and shows in the effective policy; a bad document names the bad part', async () => {
    const model = await newModel('HIGH');
    const defaults = ok(await t.request(EffectivePolicyDocument, { name: model.name })).model?.effectivePolicy;
    expect(defaults).toMatchObject({ source: null, productionApprovals: 2, separationOfDuties: true, approverRole: 'APPROVER' });

    ok(await t.request(SetPolicyDocument, { input: { riskTier: 'HIGH', document: { approvals: { PRODUCTION: 3 } } } }));
    ok(
      await t.request(SetPolicyDocument, {
        input: { modelId: model.id, document: { requiredChecks: ['fairness_score >= 0.9'], maxValidationAgeHours: 72 } },
      }),
    );
    const effective = ok(await t.request(EffectivePolicyDocument, { name: model.name })).model;
    expect(effective?.effectivePolicy).toMatchObject({
      source: { scope: 'MODEL', version: 1 },
      requiredChecks: ['fairness_score >= 0.9'],
      maxValidationAgeHours: 72,
      productionApprovals: 2,
    });
    expect(effective?.baselines.edges.map((e) => e.node.metric)).toEqual(['auc']);

    const bad = await t.request(SetPolicyDocument, {
      input: { modelId: model.id, document: { requiredChecks: ['fairness_score => 0.9'] } },
    });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'document.requiredChecks[0]' });
    const unknown = await t.request(SetPolicyDocument, {
      input: { riskTier: 'LOW', document: { approvals: { PRODUCTION: 1 }, quorum: 2 } },
    });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'document.quorum' });
  });
});

describe('deployments', () => {
  test('record, shift traffic, end; a version outside STAGING/PRODUCTION needs an override reason, which is audited', async () => {
    const model = await newModel();
    const v = await readyForProduction(model.id);
    const deployment = ok(
      await t.request(
        RecordDeploymentDocument,
        { input: { versionId: v.id, environment: 'edge-eu', endpoint: 'https://edge-eu/fraud', strategy: 'CANARY', trafficPercent: 5 } },
        ci,
      ),
    ).recordDeployment.deployment;
    expect(deployment).toMatchObject({
      status: 'ACTIVE',
      trafficPercent: 5,
      overrideReason: null,
      version: { stage: 'STAGING' },
      model: { id: model.id },
    });

    const shifted = ok(
      await t.request(UpdateDeploymentDocument, { input: { id: deployment.id, trafficPercent: 50, expectedRevision: 1 } }, ci),
    ).updateDeployment.deployment;
    expect(shifted).toMatchObject({ trafficPercent: 50, revision: 2, status: 'ACTIVE' });
    expect(
      errorCode(await t.request(UpdateDeploymentDocument, { input: { id: deployment.id, trafficPercent: 60, expectedRevision: 1 } }, ci)),
    ).toBe('CONFLICT');
    expect(errorCode(await t.request(UpdateDeploymentDocument, { input: { id: deployment.id, trafficPercent: 101 } }, ci))).toBe(
      'BAD_USER_INPUT',
    );

    const active = ok(await t.request(ProductionHistoryDocument, { name: model.name, time: new Date().toISOString() })).model
      ?.activeDeployments;
    expect(active?.edges.map((e) => e.node.id)).toEqual([deployment.id]);

    const ended = ok(await t.request(EndDeploymentDocument, { input: { id: deployment.id } }, ci)).endDeployment.deployment;
    expect(ended.status).toBe('ENDED');
    expect(ended.endedAt).not.toBeNull();
    expect(errorCode(await t.request(UpdateDeploymentDocument, { input: { id: deployment.id, status: 'ACTIVE' } }, ci))).toBe(
      'INVALID_TRANSITION',
    );

    const dev = await register(model.id);
    const refused = await t.request(
      RecordDeploymentDocument,
      { input: { versionId: dev.id, environment: 'staging', endpoint: 'https://s/fraud' } },
      ci,
    );
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overrideReason' });
    const forced = ok(
      await t.request(
        RecordDeploymentDocument,
        { input: { versionId: dev.id, environment: 'staging', endpoint: 'https://s/fraud', overrideReason: 'load test of a candidate' } },
        ci,
      ),
    ).recordDeployment.deployment;
    expect(forced.overrideReason).toBe('load test of a candidate');
    const audit = ok(await t.request(AuditEventsDocument, { filter: { subjectId: forced.id } })).auditEvents;
    expect(audit.edges[0].node.payload).toMatchObject({ versionStage: 'DEVELOPMENT', overrideReason: 'load test of a candidate' });
    const lifecycle = ok(await t.request(VersionLifecycleDocument, { id: dev.id })).modelVersion;
    expect(lifecycle?.deployments.edges.map((e) => e.node.environment)).toEqual(['staging']);
  });
});

describe('roles', () => {
  test('each lifecycle operation refuses the roles below it', async () => {
    const model = await newModel();
    const v = await readyForProduction(model.id);
    const forbidden = async (res: Promise<{ errors?: Array<{ extensions?: { code?: string } }> }>) =>
      expect((await res).errors?.[0].extensions?.code).toBe('FORBIDDEN');

    await forbidden(
      t.request(LogMetricsDocument, { input: { versionId: v.id, metrics: [{ name: 'x', value: 1, source: 'TEST' }] } }, viewer),
    );
    await forbidden(t.request(ValidateModelVersionDocument, { input: { versionId: v.id } }, viewer));
    await forbidden(
      t.request(
        SetBaselineDocument,
        { input: { modelId: model.id, metric: 'x', comparator: 'GTE', reference: 'FIXED', threshold: 1 } },
        ci,
      ),
    );
    await forbidden(
      t.request(
        SetBaselineDocument,
        { input: { modelId: model.id, metric: 'x', comparator: 'GTE', reference: 'FIXED', threshold: 1 } },
        approver,
      ),
    );
    await forbidden(t.request(SetPolicyDocument, { input: { modelId: model.id, document: {} } }, approver));
    await forbidden(
      t.request(ApprovalChallengeDocument, { input: { versionId: v.id, targetStage: 'PRODUCTION', decision: 'APPROVED' } }, ci),
    );
    await forbidden(
      t.request(TransitionModelVersionDocument, { input: { versionId: v.id, toStage: 'PRODUCTION', expectedStage: 'STAGING' } }, ci),
    );
    await forbidden(
      t.request(TransitionModelVersionDocument, { input: { versionId: v.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' } }, viewer),
    );
    await forbidden(t.request(RollbackModelDocument, { input: { modelId: model.id } }, ci));
    await forbidden(t.request(RecordDeploymentDocument, { input: { versionId: v.id, environment: 'prod', endpoint: 'e' } }, viewer));
    // And nothing of it was written.
    const lifecycle = ok(await t.request(VersionLifecycleDocument, { id: v.id })).modelVersion;
    expect(lifecycle?.stage).toBe('STAGING');
    expect(lifecycle?.deployments.totalCount).toBe(0);
  });

  test('bad metric points are refused with the field named', async () => {
    const model = await newModel();
    const v = await register(model.id);
    const empty = await t.request(
      LogMetricsDocument,
      {
        input: {
          versionId: v.id,
          metrics: [
            { name: 'ok', value: 1, source: 'TEST' },
            { name: '', value: 1, source: 'TEST' },
          ],
        },
      },
      ci,
    );
    expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metrics[1].name' });
    const nan = await t.post(
      {
        query: 'mutation L($input: LogMetricsInput!) { logMetrics(input: $input) { count } }',
        variables: { input: { versionId: v.id, metrics: [{ name: 'auc', value: 'NaN', source: 'TEST' }] } },
      },
      ci,
    );
    expect(errorCode(nan)).toBe('BAD_USER_INPUT');
    const stored = ok(await t.request(VersionMetricsDocument, { id: v.id })).modelVersion?.metrics.totalCount;
    expect(stored).toBe(0);
  });
});
