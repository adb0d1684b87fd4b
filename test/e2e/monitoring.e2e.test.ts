/**
 * Production monitoring through the API: reference distributions, feature and metric reports, every alert kind
 * (DATA_DRIFT, CONCEPT_DRIFT, PERFORMANCE_DEGRADED, OBJECTIVE_BREACHED, CANARY_FAILED) with deduplication,
 * acknowledgement, resolution and the recommendation events, objectives, canary verdicts, the drift alerts
 * subscription, the drift-to-retrain gap and the gauges on /metrics — with the refusals.
 */
import {
  AcknowledgeAlertDocument,
  AlertsDocument,
  CanaryAnalysisDocument,
  DriftToRetrainDocument,
  ObjectiveStatusDocument,
  ReportFeatureDistributionDocument,
  ReportFeatureDistributionsDocument,
  ReportProductionMetricsDocument,
  ResolveAlertDocument,
  SetModelObjectivesDocument,
  SetReferenceDistributionDocument,
  type FeatureDistributionInput,
  type ProductionMetricInput,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import { modelName } from '../support/fixtures';
import { aucBaseline, caller, stagedVersion } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';
import { subscribe } from '../support/subscriber';

const admin = caller('admin', Role.ADMIN);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const HOUR = 3600_000;
/** The window of `hoursAgo` hours ago, one hour long, on whole hours so that tests agree on it. */
function window(hoursAgo: number): { start: string; end: string } {
  const end = Math.floor(Date.now() / HOUR) * HOUR - (hoursAgo - 1) * HOUR;
  return { start: new Date(end - HOUR).toISOString(), end: new Date(end).toISOString() };
}

const EDGES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const numeric = (name: string, counts: number[]): FeatureDistributionInput => ({ name, histogram: { binEdges: EDGES, counts } });
const UNIFORM = Array(10).fill(100);
/**
 * Against UNIFORM: shares .135 ×5 and .065 ×5 give PSI = 5·0.035·ln(1.35) + 5·0.035·ln(1/0.65) = 0.0525 + 0.0754
 * = 0.128 (WARNING); .15 and .05 give 5·0.05·ln(1.5) + 5·0.05·ln 2 = 0.1014 + 0.1733 = 0.275 (CRITICAL).
 */
const WARNING_SHIFT = [135, 135, 135, 135, 135, 65, 65, 65, 65, 65];
const CRITICAL_SHIFT = [150, 150, 150, 150, 150, 50, 50, 50, 50, 50];

async function productionModel() {
  const model = await t.services.models.create(admin, { name: modelName('monitoring'), owner: 'ml', riskTier: 'LOW' as never });
  await aucBaseline(t.services, admin, model.id);
  const version = await stagedVersion(t.services, admin, model.id, []);
  await t.services.transitions.transition(admin, { versionId: version.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
  const deployment = await t.services.deployments.record(admin, {
    versionId: version.id,
    environment: 'production',
    endpoint: 'https://serve.example/churn',
    strategy: DeploymentStrategy.DIRECT,
    trafficPercent: 100,
  });
  return { model, version, deployment };
}

async function withReference(versionId: string, features = [numeric('age', UNIFORM), numeric('income', UNIFORM)]) {
  ok(await t.request(SetReferenceDistributionDocument, { input: { versionId, features } }));
}

function reportFeatures(
  input: { versionId?: string; deploymentId?: string; hoursAgo: number; features: FeatureDistributionInput[] },
  token?: string,
) {
  const { hoursAgo, ...rest } = input;
  return t.request(ReportFeatureDistributionDocument, { input: { ...rest, window: window(hoursAgo) } }, token);
}

function reportMetrics(
  input: { versionId?: string; deploymentId?: string; hoursAgo: number; metrics: ProductionMetricInput[] },
  token?: string,
) {
  const { hoursAgo, ...rest } = input;
  return t.request(ReportProductionMetricsDocument, { input: { ...rest, window: window(hoursAgo) } }, token);
}

async function alertsOf(modelId: string, extra: Record<string, unknown> = {}) {
  return ok(await t.request(AlertsDocument, { filter: { modelIds: [modelId], ...extra } })).alerts.edges.map((e) => e.node);
}

async function actions(modelId: string): Promise<string[]> {
  const rows = await t.database.db.query('SELECT action FROM audit_events WHERE model_id = $1 ORDER BY seq', [modelId]);
  return rows.map((r: { action: string }) => r.action);
}

const monitoringActions = async (modelId: string) =>
  (await actions(modelId)).filter((a) => a.startsWith('alert.') || a.startsWith('recommendation.') || a.startsWith('monitoring.'));

describe('data drift', () => {
  test('each feature against its reference: no drift, WARNING, CRITICAL, too little data, no reference', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId, [
      numeric('age', UNIFORM),
      numeric('income', UNIFORM),
      numeric('tenure', UNIFORM),
      numeric('spend', UNIFORM),
    ]);
    const { report, replayed } = ok(
      await reportFeatures({
        deploymentId: deployment.id,
        hoursAgo: 1,
        features: [
          numeric('age', UNIFORM),
          numeric('income', WARNING_SHIFT),
          numeric('tenure', CRITICAL_SHIFT),
          numeric('spend', [5, 5, 5, 5, 5, 5, 5, 5, 5, 5]), // 50 observations: fewer than the 100 a verdict needs
          numeric('unknown', UNIFORM),
        ],
      }),
    ).reportFeatureDistribution;
    expect(replayed).toBe(false);
    const byName = Object.fromEntries(report.features.map((f) => [f.feature, f]));
    expect(byName.age).toMatchObject({ status: 'OK', severity: 'NONE', psi: 0 });
    expect(byName.income.severity).toBe('WARNING');
    expect(byName.income.psi).toBeCloseTo(0.12795, 4);
    expect(byName.tenure.severity).toBe('CRITICAL');
    expect(byName.tenure.psi).toBeCloseTo(0.27465, 4);
    expect(byName.tenure.ksStatistic).toBeCloseTo(0.25, 10); // the CDFs differ most after bin 5: 0.75 − 0.5
    expect(byName.spend).toMatchObject({ status: 'INSUFFICIENT_DATA', severity: null, psi: null });
    expect(byName.spend.reason).toContain('fewer than the 100');
    expect(byName.unknown).toMatchObject({ status: 'NO_REFERENCE', severity: null });
    expect(report.driftRate).toBeCloseTo(2 / 3, 10); // 2 of the 3 features with a verdict

    const alerts = await alertsOf(model.id);
    expect(alerts.map((a) => [a.kind, a.subject, a.severity, a.status]).sort()).toEqual([
      ['DATA_DRIFT', 'income', 'WARNING', 'OPEN'],
      ['DATA_DRIFT', 'tenure', 'CRITICAL', 'OPEN'],
    ]);
    const tenure = alerts.find((a) => a.subject === 'tenure')!;
    expect(tenure).toMatchObject({
      recommendation: 'RETRAIN',
      occurrences: 1,
      deployment: { id: deployment.id },
      version: { id: deployment.versionId },
    });
    expect((tenure.evidence as { statistics: { psi: number } }).statistics.psi).toBeCloseTo(0.27465, 4);
    expect(await monitoringActions(model.id)).toEqual([
      'monitoring.reference_set',
      'monitoring.features_reported',
      'alert.raised',
      'alert.raised',
      'recommendation.retrain',
    ]);
    // The drift rate is kept as a production metric of the version.
    const [point] = await t.database.db.query(
      `SELECT value FROM metrics WHERE version_id = $1 AND source = 'PRODUCTION' AND name = 'drift_rate'`,
      [deployment.versionId],
    );
    expect(point.value).toBeCloseTo(2 / 3, 10);
  });

  test('a quantile sketch as reference, category counts with chi-square', async () => {
    const { model, version } = await productionModel();
    ok(
      await t.request(SetReferenceDistributionDocument, {
        input: {
          versionId: version.id,
          features: [
            { name: 'latency', quantiles: { count: 1000, quantiles: [0, 0.25, 0.5, 0.75, 1].map((q) => ({ q, value: q * 100 })) } },
            {
              name: 'device',
              categories: [
                { category: 'ios', count: 500 },
                { category: 'android', count: 500 },
              ],
            },
          ],
        },
      }),
    );
    const { report } = ok(
      await reportFeatures({
        versionId: version.id,
        hoursAgo: 1,
        features: [
          { name: 'latency', histogram: { binEdges: [0, 25, 50, 75, 100], counts: [250, 250, 250, 250] } },
          {
            name: 'device',
            categories: [
              { category: 'ios', count: 300 },
              { category: 'android', count: 700 },
            ],
          },
        ],
      }),
    ).reportFeatureDistribution;
    const [latency, device] = report.features;
    expect(latency).toMatchObject({ status: 'OK', severity: 'NONE', psi: 0, referenceObservations: 1000 });
    // 2×2 table: ios 500/300, android 500/700; expected ios 400 a side, android 600: chi-square = 2·100²/400 + 2·100²/600 = 83.33, df 1.
    expect(device).toMatchObject({ status: 'OK', severity: 'CRITICAL', chiSquareDf: 1 });
    expect(device.chiSquare).toBeCloseTo(250 / 3, 6);
    expect(device.chiSquarePValue! / 6.932e-20).toBeCloseTo(1, 3); // P(χ²₁ > 83.33) = erfc(√41.67) = 6.932e-20
    expect((await alertsOf(model.id)).map((a) => a.subject)).toEqual(['device']);
  });

  test('one alert per feature while open: repeats count, escalation is an event, acknowledged still deduplicates, resolved does not', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId);
    const drift = (hoursAgo: number, counts: number[]) =>
      reportFeatures({ deploymentId: deployment.id, hoursAgo, features: [numeric('age', counts)] });

    ok(await drift(4, WARNING_SHIFT));
    ok(await drift(3, WARNING_SHIFT));
    let [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({ severity: 'WARNING', occurrences: 2, recommendation: null, windowEnd: window(3).end });
    expect(await monitoringActions(model.id)).toEqual([
      'monitoring.reference_set',
      'monitoring.features_reported',
      'alert.raised',
      'monitoring.features_reported', // a repeat: counted on the alert, no event of its own
    ]);

    const viewer = await t.tokenFor(Role.VIEWER, 'monitoring-viewer');
    expect(errorCode(await t.request(AcknowledgeAlertDocument, { input: { id: alert.id } }, viewer))).toBe('FORBIDDEN');
    const acknowledged = ok(await t.request(AcknowledgeAlertDocument, { input: { id: alert.id, note: 'looking at the feed' } }))
      .acknowledgeAlert.alert;
    expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'admin', acknowledgeNote: 'looking at the feed' });
    const again = await t.request(AcknowledgeAlertDocument, { input: { id: alert.id } });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0].message).toContain('ACKNOWLEDGED (by admin)');

    ok(await drift(2, CRITICAL_SHIFT)); // the acknowledged alert escalates: still one alert
    [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({ status: 'ACKNOWLEDGED', severity: 'CRITICAL', occurrences: 3, recommendation: 'RETRAIN' });
    expect((await monitoringActions(model.id)).slice(-3)).toEqual([
      'monitoring.features_reported',
      'alert.escalated',
      'recommendation.retrain',
    ]);

    const resolved = ok(await t.request(ResolveAlertDocument, { input: { id: alert.id, resolution: 'upstream fixed' } })).resolveAlert
      .alert;
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolvedBy: 'admin', resolution: 'upstream fixed' });
    expect(errorCode(await t.request(ResolveAlertDocument, { input: { id: alert.id } }))).toBe('CONFLICT');
    expect(errorCode(await t.request(ResolveAlertDocument, { input: { id: '00000000-0000-4000-8000-000000000000' } }))).toBe('NOT_FOUND');

    ok(await drift(1, WARNING_SHIFT)); // after resolution the same breach is a new alert
    const all = await alertsOf(model.id);
    expect(all.map((a) => [a.status, a.severity])).toEqual([
      ['OPEN', 'WARNING'],
      ['RESOLVED', 'CRITICAL'],
    ]);
    expect(await alertsOf(model.id, { statuses: ['OPEN', 'ACKNOWLEDGED'] })).toHaveLength(1);
    expect(await alertsOf(model.id, { minSeverity: 'CRITICAL' })).toHaveLength(1);
    expect((await monitoringActions(model.id)).filter((a) => a.startsWith('alert.'))).toEqual([
      'alert.raised',
      'alert.acknowledged',
      'alert.escalated',
      'alert.resolved',
      'alert.raised',
    ]);
  });

  test('a window is reported once: the same values replay the first outcome, other values are a CONFLICT', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId);
    const first = ok(
      await reportFeatures({ deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', CRITICAL_SHIFT)] }),
    ).reportFeatureDistribution;
    const events = (await actions(model.id)).length;
    const replay = ok(
      await reportFeatures({ deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', CRITICAL_SHIFT)] }),
    ).reportFeatureDistribution;
    expect(replay).toEqual({ ...first, replayed: true });
    expect((await actions(model.id)).length).toBe(events);
    expect((await alertsOf(model.id))[0].occurrences).toBe(1);

    const other = await reportFeatures({ deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', UNIFORM)] });
    expect(errorCode(other)).toBe('CONFLICT');
    expect(other.errors![0].extensions).toMatchObject({ field: 'window', reportId: first.report.id });
    // The same window of the version without the deployment is another key.
    expect(
      ok(await reportFeatures({ versionId: deployment.versionId, hoursAgo: 1, features: [numeric('age', UNIFORM)] }))
        .reportFeatureDistribution.replayed,
    ).toBe(false);
    // Racing twins: one stores, the other answers its outcome; racing others: one stores, the other is a CONFLICT.
    const twins = await Promise.all(
      [2, 2].map(() => reportFeatures({ deploymentId: deployment.id, hoursAgo: 2, features: [numeric('age', UNIFORM)] })),
    );
    expect(twins.map((r) => ok(r).reportFeatureDistribution.replayed).sort()).toEqual([false, true]);
    const rivals = await Promise.all(
      [UNIFORM, CRITICAL_SHIFT].map((counts) =>
        reportFeatures({ deploymentId: deployment.id, hoursAgo: 3, features: [numeric('age', counts)] }),
      ),
    );
    expect(rivals.map((r) => (r.errors ? errorCode(r) : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    expect(
      await t.database.db.query('SELECT count(*)::int AS n FROM production_reports WHERE deployment_id = $1', [deployment.id]),
    ).toEqual([{ n: 3 }]);
    // A report and its alerts are appended to the audit chain in one statement: the chain still verifies.
    expect(await t.services.audit.verifyChain()).toMatchObject({ ok: true });
  });

  test('refusals name the field, and nothing of a refused report is stored', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId);
    const refused = async (features: FeatureDistributionInput[], field: string, extra: Record<string, unknown> = {}) => {
      const res = await t.request(ReportFeatureDistributionDocument, {
        input: { deploymentId: deployment.id, window: window(1), features, ...extra },
      });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
    };
    await refused([numeric('age', [100, 100, -1, 100, 100, 100, 100, 100, 100, 100])], 'features[0].histogram.counts[2]');
    await refused([{ name: 'age', histogram: { binEdges: [0, 1, 2], counts: [1, 2, 3] } }], 'features[0].histogram.counts');
    await refused([{ name: 'age', histogram: { binEdges: [0, 2, 1], counts: [1, 2] } }], 'features[0].histogram.binEdges[2]');
    await refused([numeric('age', UNIFORM), numeric('age', UNIFORM)], 'features[1].name');
    await refused([{ name: 'age' }], 'features[0]');
    await refused([{ name: 'age', categories: [{ category: 'a', count: 200 }] }], 'features[0].production');
    await refused([numeric('age', UNIFORM)], 'window.end', {
      window: { start: window(1).start, end: new Date(Date.now() + 3600_000).toISOString() },
    });
    await refused([numeric('age', UNIFORM)], 'versionId', { versionId: deployment.versionId });
    // NaN cannot travel in JSON; through the service it is refused like any other bad count.
    await expect(
      t.services.reports.reportFeatures(admin, {
        deploymentId: deployment.id,
        window: { start: new Date(window(1).start), end: new Date(window(1).end) },
        features: [{ name: 'age', histogram: { binEdges: EDGES, counts: [NaN, ...UNIFORM.slice(1)] } }],
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'features[0].histogram.counts[0]' } });
    expect(await t.database.db.query('SELECT id FROM production_reports WHERE model_id = $1', [model.id])).toEqual([]);

    // Reporting needs CONTRIBUTE on the model: a VIEWER may read but not report.
    const viewer = await t.tokenFor(Role.VIEWER, 'monitoring-reader');
    expect(errorCode(await reportFeatures({ deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', UNIFORM)] }, viewer))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('reportFeatureDistributions: many windows or deployments in one call', () => {
  const batch = (reports: Array<{ deploymentId: string; hoursAgo: number; features: FeatureDistributionInput[] }>, token?: string) =>
    t.request(
      ReportFeatureDistributionsDocument,
      { inputs: reports.map(({ hoursAgo, ...rest }) => ({ ...rest, window: window(hoursAgo) })) },
      token,
    );

  test('each report evaluated, stored and audited as one call of its own would be; the same batch again replays', async () => {
    const a = await productionModel();
    const b = await productionModel();
    await withReference(a.deployment.versionId);
    await withReference(b.deployment.versionId);
    const reports = [
      { deploymentId: a.deployment.id, hoursAgo: 3, features: [numeric('age', UNIFORM), numeric('income', UNIFORM)] },
      { deploymentId: a.deployment.id, hoursAgo: 2, features: [numeric('age', UNIFORM), numeric('income', CRITICAL_SHIFT)] },
      { deploymentId: b.deployment.id, hoursAgo: 2, features: [numeric('age', WARNING_SHIFT), numeric('income', UNIFORM)] },
    ];
    const first = ok(await batch(reports)).reportFeatureDistributions;
    expect(first.map((p) => [p.replayed, p.report.deploymentId, p.report.driftRate])).toEqual([
      [false, a.deployment.id, 0],
      [false, a.deployment.id, 0.5],
      [false, b.deployment.id, 0.5],
    ]);
    expect(first[1].report.features.find((f) => f.feature === 'income')?.severity).toBe('CRITICAL');
    expect((await alertsOf(a.model.id)).map((x) => [x.kind, x.subject, x.severity])).toEqual([['DATA_DRIFT', 'income', 'CRITICAL']]);
    expect((await alertsOf(b.model.id)).map((x) => [x.kind, x.subject, x.severity])).toEqual([['DATA_DRIFT', 'age', 'WARNING']]);
    const audited = async () =>
      [...(await monitoringActions(a.model.id)), ...(await monitoringActions(b.model.id))].filter((x) => x !== 'monitoring.reference_set');
    expect(await audited()).toEqual([
      'monitoring.features_reported',
      'monitoring.features_reported',
      'alert.raised',
      'recommendation.retrain',
      'monitoring.features_reported',
      'alert.raised',
    ]);

    const again = ok(await batch(reports)).reportFeatureDistributions;
    expect(again.map((p) => [p.replayed, p.report.id])).toEqual(first.map((p) => [true, p.report.id]));
    expect(await audited()).toHaveLength(6);
  });

  test('objectives judge each report of a batch with the metrics of the reports before it, as one call each would', async () => {
    // The drift rate of each report is an objective's metric: drift_rate ≤ 0.1 with half the windows as budget.
    // 0, 0, 0.5, 0.5: 2 of 4 windows missed, the budget is spent at the last report (BREACHED).
    const objective = { metric: 'drift_rate', comparator: 'LTE' as const, target: 0.1, budget: 0.5, windowDays: 1 };
    const features = [
      [UNIFORM, UNIFORM],
      [UNIFORM, UNIFORM],
      [UNIFORM, CRITICAL_SHIFT],
      [UNIFORM, CRITICAL_SHIFT],
    ];
    const judged = async (
      send: (reports: Array<{ deploymentId: string; hoursAgo: number; features: FeatureDistributionInput[] }>) => Promise<void>,
    ) => {
      const { model, deployment } = await productionModel();
      await withReference(deployment.versionId);
      ok(await t.request(SetModelObjectivesDocument, { input: { modelId: model.id, objectives: [objective] } }));
      await send(
        features.map(([age, income], i) => ({
          deploymentId: deployment.id,
          hoursAgo: 4 - i,
          features: [numeric('age', age), numeric('income', income)],
        })),
      );
      const [status] = ok(await t.request(ObjectiveStatusDocument, { modelId: model.id })).objectiveStatus;
      const alerts = (await alertsOf(model.id)).map((a) => [a.kind, a.subject, a.severity, a.occurrences]).sort();
      return { state: status.state, budgetRemaining: status.budgetRemaining, alerts, audited: await monitoringActions(model.id) };
    };
    const one = await judged(async (reports) => {
      for (const report of reports) ok(await reportFeatures(report));
    });
    const together = await judged(async (reports) => void ok(await batch(reports)));
    expect(one.state).toBe('BREACHED');
    expect(one.alerts).toContainEqual(['OBJECTIVE_BREACHED', 'drift_rate', 'CRITICAL', 1]);
    expect(together).toEqual(one);
  });

  test('a window twice in one batch: the same values are a replay of the first, other values a CONFLICT', async () => {
    const { deployment } = await productionModel();
    await withReference(deployment.versionId);
    const report = { deploymentId: deployment.id, hoursAgo: 2, features: [numeric('age', UNIFORM)] };
    const twice = ok(
      await batch([report, { deploymentId: deployment.id, hoursAgo: 3, features: [numeric('age', UNIFORM)] }, report]),
    ).reportFeatureDistributions;
    expect(twice.map((p) => p.replayed)).toEqual([false, false, true]);
    expect(twice[2].report.id).toBe(twice[0].report.id);

    const other = await batch([
      { ...report, hoursAgo: 1 },
      { deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', WARNING_SHIFT)] },
    ]);
    expect(errorCode(other)).toBe('CONFLICT');
    expect(other.errors![0].extensions).toMatchObject({ field: 'inputs[1].window' });
    // Nothing of the refused batch was kept: its first report, sent alone, is new.
    expect(ok(await reportFeatures({ ...report, hoursAgo: 1 })).reportFeatureDistribution.replayed).toBe(false);
  });

  test('all stored or none: a report refused refuses the batch, named inputs[i]', async () => {
    const { deployment } = await productionModel();
    await withReference(deployment.versionId);
    ok(await reportFeatures({ deploymentId: deployment.id, hoursAgo: 5, features: [numeric('age', UNIFORM)] }));
    const fresh = { deploymentId: deployment.id, hoursAgo: 4, features: [numeric('age', UNIFORM)] };

    const conflicting = await batch([fresh, { deploymentId: deployment.id, hoursAgo: 5, features: [numeric('age', WARNING_SHIFT)] }]);
    expect(errorCode(conflicting)).toBe('CONFLICT');
    expect(conflicting.errors![0].extensions).toMatchObject({ field: 'inputs[1].window' });
    // The first report of the refused batch was not kept: sent again alone, it is new.
    expect(ok(await reportFeatures(fresh)).reportFeatureDistribution.replayed).toBe(false);

    const bad = await batch([
      { deploymentId: deployment.id, hoursAgo: 3, features: [numeric('age', UNIFORM)] },
      { deploymentId: deployment.id, hoursAgo: 2, features: [numeric('age', [1, 2, 3])] },
    ]);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toMatch(/^inputs\[1\]\.features\[0\]\.histogram/);
    expect(bad.errors![0].message).toMatch(/^inputs\[1\]\.features\[0\]\.histogram/);
    const unknown = await batch([
      { deploymentId: '00000000-0000-4000-8000-000000000000', hoursAgo: 2, features: [numeric('age', UNIFORM)] },
    ]);
    expect([errorCode(unknown), unknown.errors![0].extensions!.field]).toEqual(['NOT_FOUND', 'inputs[0]']);
    const viewer = await t.tokenFor(Role.VIEWER, 'batch-viewer');
    expect(errorCode(await batch([fresh], viewer))).toBe('FORBIDDEN');
    expect(ok(await reportFeatures({ ...fresh, hoursAgo: 3 })).reportFeatureDistribution.replayed).toBe(false);
  });

  test('batches over the same deployments in opposite orders, sent together, both land: no deadlock', async () => {
    const deployments: Array<{ id: string; versionId: string }> = [];
    for (let i = 0; i < 4; i++) {
      const { deployment } = await productionModel();
      await withReference(deployment.versionId);
      deployments.push(deployment);
    }
    const reports = (hoursAgo: number) =>
      deployments.map((d) => ({ deploymentId: d.id, hoursAgo, features: [numeric('age', UNIFORM), numeric('income', UNIFORM)] }));
    const rounds = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((hoursAgo) => batch(hoursAgo % 2 ? reports(hoursAgo) : reports(hoursAgo).reverse())),
    );
    for (const res of rounds) expect(ok(res).reportFeatureDistributions.map((p) => p.replayed)).toEqual([false, false, false, false]);
  });

  test('what a batch reads for every report (the deployment, the right, the settings, the references) is read once', async () => {
    const { deployment } = await productionModel();
    await withReference(deployment.versionId);
    const reports = Array.from({ length: 20 }, (_, i) => ({
      deploymentId: deployment.id,
      hoursAgo: 30 + i,
      features: [numeric('age', UNIFORM), numeric('income', UNIFORM)],
    }));
    const statements = async () => (await t.metrics.dbQueries.get()).values[0].value;
    const before = await statements();
    expect(ok(await batch(reports)).reportFeatureDistributions.filter((p) => !p.replayed)).toHaveLength(20);
    // The reads once, the 20 reports in one statement, their drift-rate metrics in two, the audit events: fewer
    // statements than reports (7 a report when each read its own target, right, settings and references; then 3 when
    // each wrote its own row, metric and latest value; then 1, its row). The background jobs may add a few.
    expect((await statements()) - before).toBeLessThan(20);
  });

  test('bounded: 1 to 100 reports, 50,000 bins, quantiles and categories in all', async () => {
    const { deployment } = await productionModel();
    const one = (hoursAgo: number, features = [numeric('age', UNIFORM)]) => ({ deploymentId: deployment.id, hoursAgo, features });
    const field = async (reports: Parameters<typeof batch>[0]) => {
      const res = await batch(reports);
      return [errorCode(res), res.errors![0].extensions!.field];
    };
    expect(await field([])).toEqual(['BAD_USER_INPUT', 'inputs']);
    expect(await field(Array.from({ length: 101 }, (_, i) => one(i + 1)))).toEqual(['BAD_USER_INPUT', 'inputs']);
    // 30,000 numbers each, under one report's bound; 60,000 together, over the batch's.
    const wide = Array.from({ length: 500 }, (_, i) => ({
      name: `f${i}`,
      histogram: { binEdges: Array.from({ length: 61 }, (_, j) => j), counts: Array(60).fill(1) },
    }));
    expect(await field([one(1, wide), one(2, wide)])).toEqual(['BAD_USER_INPUT', 'inputs']);
  });
});

describe('model quality in production', () => {
  test('metrics land in the version history (PRODUCTION); quality below validation is CONCEPT_DRIFT, with inputs drifting PERFORMANCE_DEGRADED', async () => {
    const { model, deployment } = await productionModel(); // validated at auc 0.9
    const quality = (hoursAgo: number, auc: number, observations = 5000) =>
      reportMetrics({
        deploymentId: deployment.id,
        hoursAgo,
        metrics: [
          { name: 'auc', kind: 'QUALITY', value: auc, observations },
          { name: 'latency_p99_ms', kind: 'LATENCY_MS', value: 120, observations },
        ],
      });
    const fine = ok(await quality(5, 0.89)).reportProductionMetrics.report;
    expect(fine.metrics).toEqual([
      {
        name: 'auc',
        kind: 'QUALITY',
        value: 0.89,
        observations: 5000,
        baseline: 0.9,
        worseBy: expect.closeTo(0.0111, 4),
        status: 'COMPARED',
        severity: null,
      },
      {
        name: 'latency_p99_ms',
        kind: 'LATENCY_MS',
        value: 120,
        observations: 5000,
        baseline: null,
        worseBy: null,
        status: 'NOT_COMPARED',
        severity: null,
      },
    ]);
    const history = await t.database.db.query(
      `SELECT name, value FROM metrics WHERE version_id = $1 AND source = 'PRODUCTION' ORDER BY name`,
      [deployment.versionId],
    );
    expect(history).toEqual([
      { name: 'auc', value: 0.89 },
      { name: 'latency_p99_ms', value: 120 },
    ]);

    expect(ok(await quality(4, 0.8, 50)).reportProductionMetrics.report.metrics[0].status).toBe('INSUFFICIENT_DATA');
    // 0.9 → 0.8 is 11.1 % worse: CRITICAL, with the inputs unchanged.
    ok(await quality(3, 0.8));
    let [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({ kind: 'CONCEPT_DRIFT', subject: 'auc', severity: 'CRITICAL', recommendation: 'RETRAIN' });
    expect(alert.evidence).toMatchObject({ value: 0.8, validated: 0.9, driftingFeatures: [] });

    await withReference(deployment.versionId);
    ok(await reportFeatures({ deploymentId: deployment.id, hoursAgo: 2, features: [numeric('age', CRITICAL_SHIFT)] }));
    ok(await quality(1, 0.84)); // 6.7 % worse: WARNING, explained by the drifting input
    [alert] = await alertsOf(model.id, { kinds: ['PERFORMANCE_DEGRADED'] });
    expect(alert).toMatchObject({ subject: 'auc', severity: 'WARNING', recommendation: null });
    expect(alert.evidence).toMatchObject({ driftingFeatures: ['age'] });
  });

  test('metric refusals name the field', async () => {
    const { deployment } = await productionModel();
    const refused = async (metrics: ProductionMetricInput[], field: string) => {
      const res = await reportMetrics({ deploymentId: deployment.id, hoursAgo: 1, metrics });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe(field);
    };
    await refused([{ name: 'availability', kind: 'AVAILABILITY', value: 1.5 }], 'metrics[0].value');
    await refused([{ name: 'latency', kind: 'LATENCY_MS', value: -1 }], 'metrics[0].value');
    await refused([{ name: 'ctr', kind: 'KPI_RATE', value: 0.1, observations: -3 }], 'metrics[0].observations');
    await refused(
      [
        { name: 'ctr', kind: 'KPI_RATE', value: 0.1 },
        { name: 'ctr', kind: 'KPI_RATE', value: 0.2 },
      ],
      'metrics[1].name',
    );
    await refused([], 'metrics');
  });
});

describe('objectives', () => {
  test('error budget over a rolling window: AT_RISK warns, BREACHED is critical and recommends retraining', async () => {
    const { model, deployment } = await productionModel();
    const set = await t.request(SetModelObjectivesDocument, {
      input: { modelId: model.id, objectives: [{ metric: 'latency_p99_ms', comparator: 'LTE', target: 500, budget: 0.5, windowDays: 1 }] },
    });
    expect(ok(set).setModelObjectives).toMatchObject({
      revision: 1,
      objectives: [{ metric: 'latency_p99_ms', comparator: 'LTE', target: 500, budget: 0.5, windowDays: 1 }],
      driftThresholds: { psiWarning: 0.1, psiCritical: 0.25, pValueWarning: 0.05, pValueCritical: 0.01, minObservations: 100 },
      canaryRule: { maxDegradation: 0.005, minObservations: 1000, alpha: 0.05 },
    });
    const latency = (hoursAgo: number, value: number) =>
      reportMetrics({
        deploymentId: deployment.id,
        hoursAgo,
        metrics: [{ name: 'latency_p99_ms', kind: 'LATENCY_MS', value, observations: 10_000 }],
      });
    for (const hoursAgo of [4, 3, 2]) ok(await latency(hoursAgo, 300));
    ok(await latency(1, 900));
    // 1 of 4 reported hours missed: 1 − (1/4)/0.5 = 0.5 of the budget left; the last hour all missed: burn 1/0.5 = 2.
    let [status] = ok(await t.request(ObjectiveStatusDocument, { modelId: model.id })).objectiveStatus;
    expect(status).toMatchObject({ state: 'AT_RISK', currentValue: 900, currentMeets: false, budgetRemaining: 0.5, burnRate: 2 });
    expect(status.coverage).toBeCloseTo(4 / 24, 10);
    let [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({ kind: 'OBJECTIVE_BREACHED', subject: 'latency_p99_ms', severity: 'WARNING', recommendation: null });

    ok(await latency(5, 900)); // 2 of 5 missed: 1 − 0.4/0.5 = 0.2 left — still AT_RISK
    ok(await latency(6, 900)); // 3 of 6: 1 − 0.5/0.5 = 0: spent
    [status] = ok(await t.request(ObjectiveStatusDocument, { modelId: model.id })).objectiveStatus;
    expect(status.state).toBe('BREACHED');
    expect(status.budgetRemaining).toBeCloseTo(0, 10);
    [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({ severity: 'CRITICAL', occurrences: 3, recommendation: 'RETRAIN' });

    const metrics = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } })).text();
    expect(metrics).toContain(`modelgraph_open_alerts{model="${model.name}",kind="OBJECTIVE_BREACHED",severity="CRITICAL"} 1`);
    expect(metrics).toContain(`modelgraph_objective_breached{model="${model.name}",objective="latency_p99_ms_lte"} 1`);
    expect(metrics).toMatch(
      new RegExp(`modelgraph_objective_budget_remaining\\{model="${model.name}",objective="latency_p99_ms_lte"\\} [-0-9.e]+`),
    );
  });

  test('only MANAGE sets objectives; bad objectives are refused by field; thresholds override the defaults', async () => {
    const { model } = await productionModel();
    const contributor = await t.tokenFor(Role.CONTRIBUTOR, 'objective-setter');
    const input = { modelId: model.id, objectives: [{ metric: 'availability', comparator: 'GTE' as const, target: 0.999 }] };
    expect(errorCode(await t.request(SetModelObjectivesDocument, { input }, contributor))).toBe('FORBIDDEN');
    const bad = await t.request(SetModelObjectivesDocument, { input: { ...input, objectives: [{ ...input.objectives[0], budget: 2 }] } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toBe('objectives[0].budget');
    const badThresholds = await t.request(SetModelObjectivesDocument, {
      input: {
        ...input,
        driftThresholds: { psi: { warning: 0.3, critical: 0.2 }, pValue: { warning: 0.05, critical: 0.01 }, minObservations: 100 },
      },
    });
    expect(errorCode(badThresholds)).toBe('BAD_USER_INPUT');
    const set = ok(
      await t.request(SetModelObjectivesDocument, {
        input: {
          ...input,
          driftThresholds: { psi: { warning: 0.2, critical: 0.5 }, pValue: { warning: 0.05, critical: 0.01 }, minObservations: 50 },
        },
      }),
    ).setModelObjectives;
    expect(set.objectives).toEqual([{ metric: 'availability', comparator: 'GTE', target: 0.999, budget: 0.01, windowDays: 28 }]);
    expect(set.driftThresholds).toMatchObject({ psiWarning: 0.2, minObservations: 50 });
    // Absent keeps the overrides; the stale revision is refused.
    const kept = ok(await t.request(SetModelObjectivesDocument, { input: { ...input, expectedRevision: 1 } })).setModelObjectives;
    expect(kept).toMatchObject({ revision: 2, driftThresholds: { psiWarning: 0.2 } });
    expect(errorCode(await t.request(SetModelObjectivesDocument, { input: { ...input, expectedRevision: 1 } }))).toBe('CONFLICT');
    expect(ok(await t.request(ObjectiveStatusDocument, { modelId: model.id })).objectiveStatus[0]).toMatchObject({
      state: 'NO_DATA',
      budgetRemaining: null,
    });
  });
});

describe('canary verdicts', () => {
  async function canaryBeside() {
    const prod = await productionModel();
    const candidate = await stagedVersion(t.services, admin, prod.model.id, []);
    const canary = await t.services.deployments.record(admin, {
      versionId: candidate.id,
      environment: 'production',
      endpoint: 'https://serve.example/churn-canary',
      strategy: DeploymentStrategy.CANARY,
      trafficPercent: 5,
    });
    return { ...prod, candidate, canary };
  }
  const ctr = (deploymentId: string, hoursAgo: number, value: number, observations: number) =>
    reportMetrics({ deploymentId, hoursAgo, metrics: [{ name: 'ctr', kind: 'KPI_RATE', value, observations }] });

  test('PROMOTE when no KPI is worse; INCONCLUSIVE without enough traffic; ROLLBACK raises CANARY_FAILED and recommends a rollback', async () => {
    const { model, deployment, canary } = await canaryBeside();
    let analysis = ok(await t.request(CanaryAnalysisDocument, { deploymentId: canary.id })).canaryAnalysis;
    expect(analysis).toMatchObject({ verdict: 'INCONCLUSIVE', baselineDeploymentId: deployment.id, windows: 0 });

    ok(await ctr(deployment.id, 3, 0.1, 100_000));
    ok(await ctr(canary.id, 3, 0.1, 500));
    analysis = ok(await t.request(CanaryAnalysisDocument, { deploymentId: canary.id })).canaryAnalysis;
    expect(analysis).toMatchObject({ verdict: 'INCONCLUSIVE', windows: 1, metrics: [{ name: 'ctr', verdict: 'INSUFFICIENT_DATA' }] });
    expect(analysis.reason).toContain('not enough traffic');

    ok(await ctr(deployment.id, 2, 0.1, 100_000));
    ok(await ctr(canary.id, 2, 0.1005, 100_000));
    analysis = ok(await t.request(CanaryAnalysisDocument, { deploymentId: canary.id })).canaryAnalysis;
    expect(analysis.verdict).toBe('PROMOTE');
    expect(await alertsOf(model.id)).toEqual([]);

    // The canary's CTR falls 10 % on 100,000 impressions a side: significant, far past 0.5 %.
    ok(await ctr(deployment.id, 1, 0.1, 100_000));
    ok(await ctr(canary.id, 1, 0.08, 100_000));
    analysis = ok(await t.request(CanaryAnalysisDocument, { deploymentId: canary.id })).canaryAnalysis;
    expect(analysis).toMatchObject({ verdict: 'ROLLBACK', windows: 3 });
    const [metric] = analysis.metrics;
    // Weighted over the common windows: canary (0.1·500 + 0.1005·100000 + 0.08·100000) / 200500, production 0.1.
    expect(metric.canaryValue).toBeCloseTo((0.1 * 500 + 0.1005 * 100_000 + 0.08 * 100_000) / 200_500, 10);
    expect(metric).toMatchObject({ test: 'TWO_PROPORTION_Z', verdict: 'FAIL', baselineValue: 0.1, canaryObservations: 200_500 });
    expect(metric.pValue).toBeLessThan(0.05);
    const [alert] = await alertsOf(model.id);
    expect(alert).toMatchObject({
      kind: 'CANARY_FAILED',
      subject: 'ctr',
      severity: 'CRITICAL',
      recommendation: 'ROLLBACK',
      deployment: { id: canary.id },
    });
    expect((await monitoringActions(model.id)).slice(-2)).toEqual(['alert.raised', 'recommendation.rollback']);
    const [event] = await t.database.db.query(
      `SELECT subject_id, payload FROM audit_events WHERE model_id = $1 AND action = 'recommendation.rollback'`,
      [model.id],
    );
    expect(event.subject_id).toBe(canary.id);
    expect(event.payload.alertIds).toEqual([alert.id]);
  });

  test('only a CANARY, SHADOW or AB_TEST deployment is analysed; without a production deployment it is INCONCLUSIVE', async () => {
    const { deployment, canary } = await canaryBeside();
    const direct = await t.request(CanaryAnalysisDocument, { deploymentId: deployment.id });
    expect(errorCode(direct)).toBe('BAD_USER_INPUT');
    await t.services.deployments.end(admin, deployment.id);
    const analysis = ok(await t.request(CanaryAnalysisDocument, { deploymentId: canary.id })).canaryAnalysis;
    expect(analysis).toMatchObject({ verdict: 'INCONCLUSIVE', baselineDeploymentId: null });
    expect(analysis.reason).toContain('no ACTIVE deployment');
  });
});

describe('alerts as events', () => {
  const DRIFT_ALERTS = `subscription($filter: DriftAlertFilter, $after: String) {
    driftAlerts(filter: $filter, after: $after) { cursor change previousSeverity alert { id kind severity subject model { id name } } }
  }`;
  const EVENTS = `subscription($filter: LifecycleEventFilter) { lifecycleEvents(filter: $filter) { kind action subjectId payload } }`;

  async function live<T>(query: string, variables: Record<string, unknown>, field: string) {
    const before = t.services.eventDispatcher.size;
    const received = subscribe<T>(t.baseUrl, t.adminToken, query, variables, field);
    const deadline = Date.now() + 5000;
    while (t.services.eventDispatcher.size < before + 1) {
      if (Date.now() > deadline) throw new Error('the subscription did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    return received;
  }

  test('driftAlerts by severity, resumable; lifecycleEvents carry the alerts and the recommendation; webhooks may filter on them', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId);
    type Received = {
      cursor: string;
      change: string;
      previousSeverity: string | null;
      alert: { id: string; severity: string; subject: string; model: { id: string; name: string } };
    };
    const all = await live<Received>(DRIFT_ALERTS, { filter: { modelIds: [model.id] } }, 'driftAlerts');
    const critical = await live<Received>(DRIFT_ALERTS, { filter: { modelIds: [model.id], minSeverity: 'CRITICAL' } }, 'driftAlerts');
    const events = await live<{ kind: string; action: string }>(
      EVENTS,
      { filter: { modelIds: [model.id], kinds: ['ALERT_RAISED', 'RETRAINING_RECOMMENDED'] } },
      'lifecycleEvents',
    );

    ok(await reportFeatures({ deploymentId: deployment.id, hoursAgo: 2, features: [numeric('age', WARNING_SHIFT)] }));
    ok(
      await reportFeatures({
        deploymentId: deployment.id,
        hoursAgo: 1,
        features: [numeric('age', CRITICAL_SHIFT), numeric('income', CRITICAL_SHIFT)],
      }),
    );

    const raised = await all.waitFor(3);
    expect(raised.map((r) => [r.change, r.alert.subject, r.alert.severity, r.previousSeverity])).toEqual([
      ['RAISED', 'age', 'WARNING', null],
      ['ESCALATED', 'age', 'CRITICAL', 'WARNING'],
      ['RAISED', 'income', 'CRITICAL', null],
    ]);
    expect(raised[0].alert.model).toEqual({ id: model.id, name: model.name });
    expect((await critical.waitFor(2)).map((r) => r.alert.subject)).toEqual(['age', 'income']);
    expect((await events.waitFor(4)).map((e) => e.kind)).toEqual([
      'ALERT_RAISED',
      'ALERT_RAISED',
      'ALERT_RAISED',
      'RETRAINING_RECOMMENDED',
    ]);

    const resumed = subscribe<Received>(
      t.baseUrl,
      t.adminToken,
      DRIFT_ALERTS,
      { filter: { modelIds: [model.id] }, after: raised[0].cursor },
      'driftAlerts',
    );
    expect((await resumed.waitFor(2)).map((r) => r.alert.subject)).toEqual(['age', 'income']);
    for (const s of [all, critical, events, resumed]) await s.close();

    const webhook = await t.services.webhooks.create(admin, {
      url: 'https://93.184.216.34/alerts', // a public address: created, never delivered to in this test
      filter: { modelIds: [model.id], kinds: ['ALERT_RAISED', 'RETRAINING_RECOMMENDED', 'ROLLBACK_RECOMMENDED'] as never },
    });
    expect(webhook.webhook.kinds).toEqual(['ALERT_RAISED', 'RETRAINING_RECOMMENDED', 'ROLLBACK_RECOMMENDED']);
  });

  test('the drift-to-retrain gap: from a drift alert to the next version reaching PRODUCTION', async () => {
    const { model, deployment } = await productionModel();
    await withReference(deployment.versionId);
    ok(await reportFeatures({ deploymentId: deployment.id, hoursAgo: 1, features: [numeric('age', CRITICAL_SHIFT)] }));
    let gap = ok(await t.request(DriftToRetrainDocument, { id: model.id })).model!.driftToRetrain;
    expect(gap).toMatchObject({ driftAlerts: 1, retrained: 0, medianGapSeconds: null });
    expect(gap.waitingSince).not.toBeNull();

    const retrained = await stagedVersion(t.services, admin, model.id, []);
    await t.services.transitions.transition(admin, { versionId: retrained.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
    gap = ok(await t.request(DriftToRetrainDocument, { id: model.id })).model!.driftToRetrain;
    expect(gap).toMatchObject({ driftAlerts: 1, retrained: 1, waitingSince: null });
    expect(gap.medianGapSeconds).toBeGreaterThan(0);
    const [alert] = ok(await t.request(AlertsDocument, { filter: { modelIds: [model.id] } })).alerts.edges.map((e) => e.node);
    expect(alert.retrainedBy).toMatchObject({ versionId: retrained.id, version: retrained.version });
    expect(alert.retrainedBy!.gapSeconds).toBeCloseTo(gap.medianGapSeconds!, 6);
  });
});

describe('visibility', () => {
  test('alerts of models a caller cannot see are neither listed nor handled, and never pushed', async () => {
    const restricted = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    try {
      const s = restricted.services;
      const model = await s.models.create(admin, { name: modelName('monitoring-hidden'), owner: 'ml', riskTier: 'LOW' as never });
      await aucBaseline(s, admin, model.id);
      const version = await stagedVersion(s, admin, model.id, []);
      await s.drift.setReference(admin, { versionId: version.id, features: [numeric('age', UNIFORM)] });
      const stranger = await restricted.tokenFor(Role.CONTRIBUTOR, 'monitoring-stranger');
      const pushed = subscribe<unknown>(restricted.baseUrl, stranger, `subscription { driftAlerts { alert { id } } }`, {}, 'driftAlerts');
      const deadline = Date.now() + 5000;
      while (s.eventDispatcher.size < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const w = window(1);
      await s.reports.reportFeatures(admin, {
        versionId: version.id,
        window: { start: new Date(w.start), end: new Date(w.end) },
        features: [numeric('age', CRITICAL_SHIFT)],
      });
      const [alert] = (await s.alerts.list(admin, { modelIds: [model.id] }, {})).rows;
      expect(alert.subject).toBe('age');

      const listed = ok(await restricted.request(AlertsDocument, { filter: { modelIds: [model.id] } }, stranger)).alerts;
      expect(listed).toMatchObject({ edges: [], totalCount: 0 });
      expect(errorCode(await restricted.request(AcknowledgeAlertDocument, { input: { id: alert.id } }, stranger))).toBe('NOT_FOUND');
      const report = await restricted.request(
        ReportFeatureDistributionDocument,
        { input: { versionId: version.id, window: window(2), features: [numeric('age', UNIFORM)] } },
        stranger,
      );
      expect(errorCode(report)).toBe('NOT_FOUND');
      // The admin's own subscription gets the alert; the stranger's gets nothing in the same time.
      const mine = subscribe<unknown>(
        restricted.baseUrl,
        restricted.adminToken,
        `subscription($after: String) { driftAlerts(after: $after) { alert { id } } }`,
        { after: 'ZXZlbnQ6MA' },
        'driftAlerts',
      );
      await mine.waitFor(1);
      expect(pushed.items).toEqual([]);
      await Promise.all([pushed.close(), mine.close()]);
    } finally {
      await restricted.close();
    }
  });

  test('driftAlerts follow the token, not its subject: an ADMIN and a VIEWER token of one subject, in either order', async () => {
    const restricted = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    try {
      const s = restricted.services;
      const monitored = async (name: string) => {
        const model = await s.models.create(admin, { name: modelName(name), owner: 'ml', riskTier: 'LOW' as never });
        await aucBaseline(s, admin, model.id);
        const version = await stagedVersion(s, admin, model.id, []);
        // A feature per round below: a second CRITICAL report of one feature would repeat its open alert, not raise one.
        await s.drift.setReference(admin, { versionId: version.id, features: [numeric('f0', UNIFORM), numeric('f1', UNIFORM)] });
        return { model, version };
      };
      const granted = await monitored('monitoring-granted');
      const hidden = await monitored('monitoring-hidden');
      await s.access.grant(admin, { modelId: granted.model.id, subject: 'dora', level: 'VIEW' as never });
      const asAdmin = await restricted.tokenFor(Role.ADMIN, 'dora');
      const asViewer = await restricted.tokenFor(Role.VIEWER, 'dora');
      const ALERTS = `subscription { driftAlerts { alert { subject model { id } } } }`;
      type Pushed = { alert: { subject: string; model: { id: string } } };
      const orders = [
        [asAdmin, asViewer],
        [asViewer, asAdmin],
      ];
      for (const [round, order] of orders.entries()) {
        // The first subscriber of a subject used to decide what every other token of that subject was pushed.
        const first = subscribe<Pushed>(restricted.baseUrl, order[0], ALERTS, {}, 'driftAlerts');
        while (s.eventDispatcher.size < 1) await new Promise((r) => setTimeout(r, 10));
        const second = subscribe<Pushed>(restricted.baseUrl, order[1], ALERTS, {}, 'driftAlerts');
        while (s.eventDispatcher.size < 2) await new Promise((r) => setTimeout(r, 10));
        const [admins, viewers] = order[0] === asAdmin ? [first, second] : [second, first];
        const w = window(round + 1);
        for (const { version } of [hidden, granted]) {
          await s.reports.reportFeatures(admin, {
            versionId: version.id,
            window: { start: new Date(w.start), end: new Date(w.end) },
            features: [numeric(`f${round}`, CRITICAL_SHIFT)],
          });
        }
        await admins.waitFor(2);
        await viewers.waitFor(1);
        await new Promise((r) => setTimeout(r, 300));
        expect(admins.items.map((p) => p.alert.model.id)).toEqual([hidden.model.id, granted.model.id]);
        expect(viewers.items.map((p) => p.alert.model.id)).toEqual([granted.model.id]);
        await Promise.all([first.close(), second.close()]);
        while (s.eventDispatcher.size > 0) await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await restricted.close();
    }
  });
});
