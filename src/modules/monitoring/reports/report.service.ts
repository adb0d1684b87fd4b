import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../../common/caller';
import { canonicalJson } from '../../../common/canonical-json';
import { badInput, conflict, DomainError, notFound } from '../../../common/errors';
import { hydrate } from '../../../db/hydrate';
import { writeReturning } from '../../../db/write';
import { Action, type AccessService } from '../../access';
import { appendAudits, type AuditRecord } from '../../audit';
import { DeploymentStatus } from '../../deployments';
import { MetricSource, insertMetricPoints, validationValues } from '../../metrics';
import { AlertKind, AlertSeverity } from '../alerts/alert.enums';
import { alertRecords, raiseAlert, type Breach } from '../alerts/alert.store';
import { analyseCanary, COMPARED_STRATEGIES } from '../canary/canary.service';
import { MAX_VALUES_PER_REPORT, sizeOfDistribution, toDistributions, type FeatureShape } from '../drift/distribution.rules';
import { featureDrift, type Distribution, type FeatureDrift } from '../drift/drift.rules';
import { qualitySeverity } from '../drift/quality.rules';
import { isModelQuality, ProductionMetricKind, validateProductionMetrics, worseBy, type ProductionMetricShape } from '../monitoring.rules';
import { evaluateObjectives } from '../objectives/objective.service';
import { readSettings, type MonitoringSettings } from '../objectives/objective.store';
import { ProductionReportEntity } from './report.entity';
import { MAX_REPORTS_PER_BATCH, validateWindow, type ReportWindow } from './report.rules';
import { resolveTarget, type Target } from './report.store';

interface ReportTarget {
  versionId?: string | null;
  deploymentId?: string | null;
  window: ReportWindow;
}

export interface FeatureReportInput extends ReportTarget {
  features: FeatureShape[];
}

export interface MetricsReportInput extends ReportTarget {
  metrics: ProductionMetricShape[];
}

/** One feature of a report: its drift, or why there is none (no reference, too little data). */
export type FeatureResult = { feature: string } & (FeatureDrift | { status: 'NO_REFERENCE'; severity: null; reason: string });

/** One metric of a report, and what it was compared with: the version's VALIDATION value for model-quality metrics. */
export interface MetricResult {
  name: string;
  kind: ProductionMetricKind;
  value: number;
  observations: number | null;
  baseline: number | null;
  worseBy: number | null;
  status: 'COMPARED' | 'NO_BASELINE' | 'INSUFFICIENT_DATA' | 'NOT_COMPARED';
  severity: AlertSeverity | null;
}

export interface ReportOutcome {
  report: ProductionReportEntity;
  /** True when this window was already reported with the same values: the first report's outcome is returned. */
  replayed: boolean;
}

/** A production metric row of a report, before it is stored. */
interface MetricRow {
  name: string;
  kind: ProductionMetricKind;
  value: number;
  observations: number | null;
}

interface Evaluated {
  evaluation: Record<string, unknown>;
  breaches: Breach[];
  metrics: MetricRow[];
}

/** The share of a report's evaluated features that drifted: a production metric objectives can be set on. */
export const DRIFT_RATE_METRIC = 'drift_rate';

/**
 * What production sends per window, once a version has its reference distributions (drift/): feature distributions
 * and metrics. Each report is evaluated as it arrives, in its own transaction: drift per feature, model quality
 * against validation, objectives, and for a canary its verdict against production; breaches become alerts.
 */
export class ReportService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** reportFeatureDistribution: each feature against the version's reference (PSI and KS, or chi-square). */
  async reportFeatures(caller: Caller, input: FeatureReportInput): Promise<ReportOutcome> {
    const features = toDistributions(input.features);
    return this.ingest(caller, 'FEATURES', input, features, featureEvaluator(input, features));
  }

  /**
   * reportFeatureDistributions: several windows or deployments in one transaction, each evaluated, stored and
   * audited as reportFeatures does it (a replay answers its first outcome), the audit events appended together.
   * All are stored or none: a refused report refuses the batch, its field named `inputs[i]…`.
   */
  async reportFeaturesBatch(caller: Caller, inputs: FeatureReportInput[]): Promise<ReportOutcome[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw badInput('inputs', 'give at least one report');
    if (inputs.length > MAX_REPORTS_PER_BATCH) throw badInput('inputs', `at most ${MAX_REPORTS_PER_BATCH} reports, got ${inputs.length}`);
    const now = new Date();
    const prepared = inputs.map((input, i) => {
      try {
        const features = toDistributions(input.features);
        return { input, features, inputHash: this.prepare('FEATURES', input, features, now) };
      } catch (err) {
        throw inBatch(i, err);
      }
    });
    const values = prepared.reduce((n, p) => n + p.features.reduce((k, f) => k + sizeOfDistribution(f.distribution), 0), 0);
    if (values > MAX_VALUES_PER_REPORT)
      throw badInput(
        'inputs',
        `at most ${MAX_VALUES_PER_REPORT} bins, quantiles and categories in all the reports together, got ${values}`,
      );
    // Every batch takes its rows' locks in one order (by deployment or version, then window), whatever order its
    // reports came in: two batches over the same deployments then wait for each other instead of deadlocking.
    const order = prepared
      .map((p, i) => ({
        ...p,
        i,
        key: `${p.input.deploymentId ?? ''}|${p.input.versionId ?? ''}|${new Date(p.input.window.start).toISOString()}`,
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    return this.db.transaction(async (m) => {
      // The batch's reports mostly share their deployments, models and versions: what they read alike is read once.
      const once = readOnce();
      // First what each report reads and concludes (nothing a report writes changes it: the targets, rights, settings
      // and references), then all the reports in one statement, then each recorded in turn, as one call would.
      const assessed: Assessed[] = [];
      for (const { input, features, inputHash, i } of order) {
        try {
          assessed.push(await this.assess(m, once, caller, 'FEATURES', input, features, featureEvaluator(input, features), inputHash));
        } catch (err) {
          throw inBatch(i, err);
        }
      }
      const recorded = await this.storeAndRecord(m, caller, assessed, now, (k, err) => inBatch(order[k].i, err));
      const outcomes: ReportOutcome[] = new Array(prepared.length);
      for (const [k, { i }] of order.entries()) outcomes[i] = recorded[k];
      return outcomes;
    });
  }

  /**
   * reportProductionMetrics: stored beside the version's metric history (source PRODUCTION); model-quality
   * metrics compared with the version's VALIDATION values; objectives on them evaluated; a canary judged.
   */
  async reportMetrics(caller: Caller, input: MetricsReportInput): Promise<ReportOutcome> {
    validateProductionMetrics(input.metrics);
    const metrics: MetricRow[] = input.metrics.map((p) => ({
      name: p.name,
      kind: p.kind as ProductionMetricKind,
      value: p.value,
      observations: p.observations ?? null,
    }));
    return this.ingest(caller, 'METRICS', input, metrics, async (m, target, settings) => {
      const validated = await validationValues(m, target.versionId);
      const openDrift = await openDataDrift(m, target.versionId);
      const breaches: Breach[] = [];
      const results = metrics.map((metric): MetricResult => {
        const result: MetricResult = { ...metric, baseline: null, worseBy: null, status: 'NOT_COMPARED', severity: null };
        if (!isModelQuality(metric.kind)) return result;
        const baseline = validated.get(metric.name);
        if (baseline === undefined) return { ...result, status: 'NO_BASELINE' };
        if ((metric.observations ?? 0) < settings.drift.minObservations) return { ...result, baseline, status: 'INSUFFICIENT_DATA' };
        const worse = worseBy(metric.kind, metric.value, baseline);
        const severity = qualitySeverity(worse, settings.quality);
        if (severity) {
          // Quality fell with the inputs unchanged: the relation between them and the label moved (concept drift).
          // With inputs drifting, the drift explains it: the model's performance degraded.
          const kind = openDrift.length ? AlertKind.PERFORMANCE_DEGRADED : AlertKind.CONCEPT_DRIFT;
          breaches.push({
            ...breachOf(target, input.window),
            kind,
            subject: metric.name,
            severity,
            summary: `${metric.name} is ${percent(worse)} worse in production (${metric.value}) than validated (${baseline}) for version ${target.version}`,
            evidence: {
              value: metric.value,
              validated: baseline,
              worseBy: worse,
              observations: metric.observations,
              tolerance: settings.quality,
              driftingFeatures: openDrift,
            },
          });
        }
        return { ...result, baseline, worseBy: Number.isFinite(worse) ? worse : null, status: 'COMPARED', severity };
      });
      return { evaluation: { metrics: results }, breaches, metrics };
    });
  }

  /**
   * One report in one transaction: idempotent per (deployment or version, window) — the same values again
   * return the first outcome, other values for the same window are a CONFLICT — then evaluated, stored, its
   * metrics added to the version's history, objectives and canary judged, and alerts raised, with the
   * report's audit event and the alerts' events last.
   */
  private async ingest(caller: Caller, kind: ReportKind, input: ReportTarget, body: unknown, evaluate: Evaluate): Promise<ReportOutcome> {
    const now = new Date();
    const inputHash = this.prepare(kind, input, body, now);
    return this.db.transaction(async (m) => {
      const assessed = await this.assess(m, readOnce(), caller, kind, input, body, evaluate, inputHash);
      const [outcome] = await this.storeAndRecord(m, caller, [assessed], now);
      return outcome;
    });
  }

  /** Checks the window and answers the hash a replay of the same report must match. */
  private prepare(kind: ReportKind, input: ReportTarget, body: unknown, now: Date): string {
    validateWindow(input.window, now);
    return createHash('sha256')
      .update(
        canonicalJson({ kind, versionId: input.versionId ?? null, deploymentId: input.deploymentId ?? null, window: input.window, body }),
      )
      .digest('hex');
  }

  /** What a report reads (its target, the caller's right, the model's settings) and what its evaluation concludes. */
  private async assess(
    m: EntityManager,
    once: ReadOnce,
    caller: Caller,
    kind: ReportKind,
    input: ReportTarget,
    body: unknown,
    evaluate: Evaluate,
    inputHash: string,
  ): Promise<Assessed> {
    const target = await once(`target ${input.deploymentId ?? ''} ${input.versionId ?? ''}`, () => resolveTarget(m, input));
    await once(`authorized ${target.modelId}`, () => {
      // Made only when checked: an error captures its stack, and a batch checks each model once.
      const missing = target.deploymentId ? notFound('deployment', target.deploymentId) : notFound('model version', target.versionId);
      return this.access.authorize(m, caller, Action.REPORT_PRODUCTION, target.modelId, missing);
    });
    const settings = await once(`settings ${target.modelId}`, () => readSettings(m, target.modelId));
    return { kind, input, body, inputHash, target, settings, ...(await evaluate(m, target, settings, once)) };
  }

  /**
   * The reports stored in one statement, then each recorded in turn as one call would record it, their metrics
   * written, their audit events appended. Answers their outcomes in their order; `fail(k, err)` is what the failure
   * of the k-th becomes (a batch names it).
   */
  private async storeAndRecord(
    m: EntityManager,
    caller: Caller,
    assessed: Assessed[],
    now: Date,
    fail: (k: number, err: unknown) => unknown = (_k, err) => err,
  ): Promise<ReportOutcome[]> {
    const stored = await storeReports(m, caller, assessed);
    const metrics = new PendingMetrics();
    const outcomes: ReportOutcome[] = [];
    const audits: AuditRecord[] = [];
    for (const [k, report] of assessed.entries()) {
      try {
        const done = await this.record(m, metrics, report, stored[k], now);
        outcomes.push(done.outcome);
        audits.push(...done.audits);
      } catch (err) {
        throw fail(k, err);
      }
    }
    await metrics.flush(m);
    await appendAudits(m, caller, audits);
    return outcomes;
  }

  /**
   * A report once stored (`report`), or found already reported (null: the same values are a replay, answered
   * with the first outcome; others a CONFLICT): its metrics, the objectives and a canary judged, its alerts
   * raised. Answers its outcome and the audit events to append (none on a replay).
   */
  private async record(
    m: EntityManager,
    pending: PendingMetrics,
    assessed: Assessed,
    report: ProductionReportEntity | null,
    now: Date,
  ): Promise<{ outcome: ReportOutcome; audits: AuditRecord[] }> {
    const { kind, input, body, inputHash, target, settings, breaches, metrics } = assessed;
    if (!report) return { outcome: { report: await this.reported(m, kind, target, input.window, inputHash), replayed: true }, audits: [] };
    pending.add(report.id, target, input.window, metrics);
    breaches.push(...(await this.judge(m, pending, target, settings, input.window, new Set(metrics.map((x) => x.name)), now)));
    const outcomes = [];
    for (const breach of breaches) outcomes.push(await raiseAlert(m, breach));
    const reported: AuditRecord = {
      action: kind === 'FEATURES' ? 'monitoring.features_reported' : 'monitoring.metrics_reported',
      subjectType: 'ModelVersion',
      subjectId: target.versionId,
      modelId: target.modelId,
      payload: {
        reportId: report.id,
        deploymentId: target.deploymentId,
        window: input.window,
        count: Array.isArray(body) ? body.length : 0,
        alerts: outcomes.map((o) => ({ id: o.alert.id, kind: o.alert.kind, subject: o.alert.subject, change: o.change })),
      },
    };
    return { outcome: { report, replayed: false }, audits: [reported, ...(await alertRecords(m, target, outcomes))] };
  }

  /**
   * The report already stored for this window (unique per kind, version, deployment and window; a concurrent
   * insert waited for its twin to commit): the same values are a replay, others a CONFLICT.
   */
  private async reported(
    m: EntityManager,
    kind: string,
    target: Target,
    window: ReportWindow,
    inputHash: string,
  ): Promise<ProductionReportEntity> {
    const [existing] = await m.query(
      `SELECT * FROM production_reports WHERE kind = $1 AND version_id = $2 AND deployment_id IS NOT DISTINCT FROM $3
         AND window_start = $4 AND window_end = $5`,
      [kind, target.versionId, target.deploymentId, window.start, window.end],
    );
    if (existing.input_hash !== inputHash) {
      throw conflict(
        `${window.start.toISOString()} – ${window.end.toISOString()} was already reported for this ${target.deploymentId ? 'deployment' : 'version'} with other values: the first report stands`,
        { field: 'window', reportId: existing.id },
      );
    }
    return hydrate(m, ProductionReportEntity, existing);
  }

  /** Objectives on the metrics just reported, and a canary's verdict once its metrics arrive. */
  private async judge(
    m: EntityManager,
    pending: PendingMetrics,
    target: Target,
    settings: MonitoringSettings,
    window: ReportWindow,
    reported: ReadonlySet<string>,
    now: Date,
  ): Promise<Breach[]> {
    const breaches: Breach[] = [];
    const canary =
      target.deploymentId && target.deploymentStatus === DeploymentStatus.ACTIVE && COMPARED_STRATEGIES.includes(target.strategy as string);
    // Both read production metrics, this report's among them.
    if (settings.objectives.length || canary) await pending.flush(m);
    for (const status of await evaluateObjectives(m, target.modelId, settings.objectives, now, reported)) {
      if (status.state !== 'BREACHED' && status.state !== 'AT_RISK') continue;
      const breached = status.state === 'BREACHED';
      breaches.push({
        ...breachOf(target, window),
        kind: AlertKind.OBJECTIVE_BREACHED,
        subject: status.metric,
        severity: breached ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
        summary: breached
          ? `${status.metric} ${status.comparator} ${status.target}: the error budget over ${status.windowDays} days is spent`
          : `${status.metric} ${status.comparator} ${status.target}: the error budget burns ${round(status.burnRate ?? 0)}× faster than it lasts`,
        evidence: { objective: status },
      });
    }
    if (canary && reported.size) {
      const analysis = await analyseCanary(
        m,
        { id: target.deploymentId as string, modelId: target.modelId, environment: target.environment as string },
        settings.canary,
      );
      if (analysis.verdict === 'ROLLBACK') {
        for (const failed of analysis.metrics.filter((x) => x.verdict === 'FAIL')) {
          breaches.push({
            ...breachOf(target, window),
            kind: AlertKind.CANARY_FAILED,
            subject: failed.name,
            severity: AlertSeverity.CRITICAL,
            summary: `${target.strategy} deployment of version ${target.version}: ${failed.reason}`,
            evidence: {
              verdict: analysis.verdict,
              reason: analysis.reason,
              baselineDeploymentId: analysis.baselineDeploymentId,
              comparison: failed,
            },
          });
        }
      }
    }
    return breaches;
  }
}

type ReportKind = 'FEATURES' | 'METRICS';

/** A report read and evaluated, not yet stored. */
interface Assessed extends Evaluated {
  kind: ReportKind;
  input: ReportTarget;
  body: unknown;
  inputHash: string;
  target: Target;
  settings: MonitoringSettings;
}

/**
 * The reports in one statement, in their order (a batch's lock order), each answered its row, or null where its
 * window was already reported (a report is the transaction's first write: a window already reported stops it there,
 * with nothing written). A window twice in one batch is stored for the first report; the second finds it reported.
 */
async function storeReports(m: EntityManager, caller: Caller, reports: Assessed[]): Promise<Array<ProductionReportEntity | null>> {
  const rows = await writeReturning(
    m,
    ProductionReportEntity,
    `INSERT INTO production_reports (model_id, version_id, deployment_id, kind, window_start, window_end, input_hash, evaluation, reported_by)
     SELECT r.model_id, r.version_id, r.deployment_id, r.kind, r.window_start, r.window_end, r.input_hash, e.evaluation, $9
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
       WITH ORDINALITY AS r(model_id, version_id, deployment_id, kind, window_start, window_end, input_hash, n)
     JOIN jsonb_array_elements($8::jsonb) WITH ORDINALITY AS e(evaluation, n) USING (n)
     ORDER BY n
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      reports.map((r) => r.target.modelId),
      reports.map((r) => r.target.versionId),
      reports.map((r) => r.target.deploymentId),
      reports.map((r) => r.kind),
      reports.map((r) => r.input.window.start),
      reports.map((r) => r.input.window.end),
      reports.map((r) => r.inputHash),
      JSON.stringify(reports.map((r) => r.evaluation)),
      caller.subject,
    ],
  );
  // Each stored row to the first report of its hash (the hash covers the target, the window and the values).
  const byHash = new Map(rows.map((row) => [row.inputHash, row]));
  return reports.map((r) => {
    const row = byHash.get(r.inputHash) ?? null;
    byHash.delete(r.inputHash);
    return row;
  });
}
type Evaluate = (m: EntityManager, target: Target, settings: MonitoringSettings, once: ReadOnce) => Promise<Evaluated>;

/**
 * Reads that the reports of one transaction share (their target, the caller's right on the model, the model's
 * settings, the version's references), each made once under its key. The transaction's own writes never change them.
 */
type ReadOnce = <T>(key: string, read: () => Promise<T>) => Promise<T>;

function readOnce(): ReadOnce {
  const reads = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>) => {
    if (!reads.has(key)) reads.set(key, read());
    return reads.get(key) as Promise<T>;
  };
}

/** A feature report's evaluation: each feature against the version's reference; the drifted ones are breaches. */
function featureEvaluator(input: FeatureReportInput, features: Array<{ name: string; distribution: Distribution }>): Evaluate {
  return async (m, target, settings, once) => {
    const names = features.map((f) => f.name);
    const references = await once(`references ${target.versionId} ${JSON.stringify(names)}`, () =>
      referencesOf(m, target.versionId, names),
    );
    const results: FeatureResult[] = features.map(({ name, distribution }, i) => {
      const reference = references.get(name);
      if (!reference)
        return { feature: name, status: 'NO_REFERENCE', severity: null, reason: 'the version has no reference distribution for it' };
      return { feature: name, ...featureDrift(reference, distribution, settings.drift, `features[${i}]`) };
    });
    const evaluated = results.filter((r) => r.status === 'OK');
    const drifted = evaluated.filter((r) => r.severity === 'WARNING' || r.severity === 'CRITICAL');
    const breaches = drifted.map((r): Breach => ({
      ...breachOf(target, input.window),
      kind: AlertKind.DATA_DRIFT,
      subject: r.feature,
      severity: r.severity === 'CRITICAL' ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
      summary: `${r.feature} drifted (${describe(r as FeatureDrift)}) in version ${target.version}`,
      evidence: {
        statistics: (r as FeatureDrift).statistics,
        observations: (r as FeatureDrift).observations,
        thresholds: settings.drift,
      },
    }));
    // The drift rate is a production metric like any other: objectives may be set on it.
    const metrics: MetricRow[] = evaluated.length
      ? [
          {
            name: DRIFT_RATE_METRIC,
            kind: ProductionMetricKind.DRIFT_RATE,
            value: drifted.length / evaluated.length,
            observations: evaluated.length,
          },
        ]
      : [];
    return { evaluation: { features: results, driftRate: metrics[0]?.value ?? null }, breaches, metrics };
  };
}

/** A report of a batch refused: the error names it, its field becoming `inputs[i].field` (or `inputs[i]`). */
function inBatch(i: number, err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  const own = typeof err.details.field === 'string' ? err.details.field : null;
  const field = own ? `inputs[${i}].${own}` : `inputs[${i}]`;
  const message = own && err.message.startsWith(`${own}: `) ? err.message.slice(own.length + 2) : err.message;
  return new DomainError(err.code, `${field}: ${message}`, { ...err.details, field });
}

function breachOf(target: Target, window: ReportWindow): Pick<Breach, 'modelId' | 'versionId' | 'deploymentId' | 'window'> {
  return { modelId: target.modelId, versionId: target.versionId, deploymentId: target.deploymentId, window };
}

/** The version's references for these features, as distributions. */
async function referencesOf(m: EntityManager, versionId: string, features: string[]): Promise<Map<string, Distribution>> {
  const rows = (await m.query('SELECT feature, distribution FROM reference_distributions WHERE version_id = $1 AND feature = ANY($2)', [
    versionId,
    features,
  ])) as Array<{ feature: string; distribution: Distribution }>;
  return new Map(rows.map((r) => [r.feature, r.distribution]));
}

/** The features of the version with an open DATA_DRIFT alert. */
async function openDataDrift(m: EntityManager, versionId: string): Promise<string[]> {
  const rows = (await m.query(
    `SELECT subject FROM alerts WHERE version_id = $1 AND kind = 'DATA_DRIFT' AND status <> 'RESOLVED' ORDER BY subject`,
    [versionId],
  )) as Array<{ subject: string }>;
  return rows.map((r) => r.subject);
}

/**
 * The production metrics of a transaction's reports, written together: two statements for a batch of reports
 * instead of two a report. They go in production_metrics (what objectives and canary verdicts read) and in the
 * versions' metric history, source PRODUCTION. Whatever reads production metrics (objectives, a canary's
 * verdict) flushes them first, and the transaction flushes them before its audit events: every read in the
 * transaction sees the metrics of every report before it, as when each report wrote its own.
 */
class PendingMetrics {
  private rows: Array<MetricRow & { reportId: string; target: Target; window: ReportWindow }> = [];

  add(reportId: string, target: Target, window: ReportWindow, metrics: readonly MetricRow[]): void {
    for (const metric of metrics) this.rows.push({ ...metric, reportId, target, window });
  }

  async flush(m: EntityManager): Promise<void> {
    const rows = this.rows;
    if (!rows.length) return;
    this.rows = [];
    await m.query(
      `INSERT INTO production_metrics (report_id, model_id, version_id, deployment_id, window_start, window_end, name, kind, value, observations)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[],
         $9::float8[], $10::bigint[])`,
      [
        rows.map((x) => x.reportId),
        rows.map((x) => x.target.modelId),
        rows.map((x) => x.target.versionId),
        rows.map((x) => x.target.deploymentId),
        rows.map((x) => x.window.start),
        rows.map((x) => x.window.end),
        rows.map((x) => x.name),
        rows.map((x) => x.kind),
        rows.map((x) => x.value),
        rows.map((x) => x.observations),
      ],
    );
    await insertMetricPoints(
      m,
      rows.map((x) => x.target.versionId),
      rows.map((x) => ({ name: x.name, value: x.value, source: MetricSource.PRODUCTION, recordedAt: x.window.end })),
    );
  }
}

function describe(r: FeatureDrift): string {
  const s = r.statistics;
  if (s.chiSquare) return `chi-square p = ${s.chiSquare.pValue.toPrecision(3)}, PSI ${round(s.psi ?? 0)}`;
  return `PSI ${round(s.psi ?? 0)}${s.ks ? `, KS ${round(s.ks.d)}` : ''}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const percent = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : 'infinitely');
