import type { EntityManager } from 'typeorm';
import { hydrate } from '../../../db/hydrate';
import { writeReturning } from '../../../db/write';
import type { AuditRecord } from '../../audit';
import { AlertEntity } from './alert.entity';
import { AlertKind, AlertSeverity, higherSeverity, Recommendation } from './alert.enums';

/** A breach found in a report: it becomes an alert, or counts again on the open alert of the same key. */
export interface Breach {
  modelId: string;
  versionId: string;
  deploymentId: string | null;
  kind: AlertKind;
  /** The feature or metric. */
  subject: string;
  severity: AlertSeverity;
  summary: string;
  evidence: Record<string, unknown>;
  window: { start: Date; end: Date };
}

/** RAISED: a new alert. ESCALATED: the open alert's severity went up. REPEATED: it was seen again, no higher. */
export type AlertChange = 'RAISED' | 'ESCALATED' | 'REPEATED';

export interface AlertOutcome {
  alert: AlertEntity;
  change: AlertChange;
  previousSeverity: AlertSeverity | null;
}

/**
 * Raises the breach as an alert, deduplicated per (model, version, feature or metric, kind) while open: a
 * repeat counts an occurrence, takes the newest evidence and window, and only ever raises the severity.
 * The open alert is locked first; two reports racing to raise the same new alert meet at the unique index.
 */
export async function raiseAlert(m: EntityManager, b: Breach): Promise<AlertOutcome> {
  const key = [b.modelId, b.versionId, b.subject, b.kind];
  const find = () =>
    m.query(
      `SELECT * FROM alerts WHERE model_id = $1 AND version_id = $2 AND subject = $3 AND kind = $4 AND status <> 'RESOLVED' FOR UPDATE`,
      key,
    );
  let [open] = await find();
  if (!open) {
    const [inserted] = await m.query(
      `INSERT INTO alerts (model_id, version_id, deployment_id, kind, subject, severity, summary, evidence, window_start, window_end)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (model_id, version_id, subject, kind) WHERE status <> 'RESOLVED' DO NOTHING RETURNING *`,
      [
        b.modelId,
        b.versionId,
        b.deploymentId,
        b.kind,
        b.subject,
        b.severity,
        b.summary,
        JSON.stringify(b.evidence),
        b.window.start,
        b.window.end,
      ],
    );
    if (inserted) return { alert: hydrate(m, AlertEntity, inserted), change: 'RAISED', previousSeverity: null };
    [open] = await find();
  }
  const previous = open.severity as AlertSeverity;
  const severity = higherSeverity(previous, b.severity);
  const [updated] = await writeReturning(
    m,
    AlertEntity,
    `UPDATE alerts SET occurrences = occurrences + 1, last_seen_at = now(), severity = $2, summary = $3, evidence = $4,
       window_start = $5, window_end = $6, deployment_id = COALESCE($7, deployment_id), revision = revision + 1
     WHERE id = $1 RETURNING *`,
    [open.id, severity, b.summary, JSON.stringify(b.evidence), b.window.start, b.window.end, b.deploymentId],
  );
  return { alert: updated, change: severity === previous ? 'REPEATED' : 'ESCALATED', previousSeverity: previous };
}

/** What subscribers and webhooks receive of an alert (the audit payload): everything but the acknowledgement details. */
export function alertSnapshot(a: AlertEntity): Record<string, unknown> {
  return {
    id: a.id,
    modelId: a.modelId,
    versionId: a.versionId,
    deploymentId: a.deploymentId,
    kind: a.kind,
    subject: a.subject,
    severity: a.severity,
    status: a.status,
    summary: a.summary,
    evidence: a.evidence,
    windowStart: a.windowStart,
    windowEnd: a.windowEnd,
    occurrences: a.occurrences,
    recommendation: a.recommendation,
    raisedAt: a.raisedAt,
    lastSeenAt: a.lastSeenAt,
    revision: a.revision,
  };
}

/** What a report's alerts are about: a version, and the deployment the report came through when it named one. */
export interface AlertTarget {
  modelId: string;
  versionId: string;
  version: number;
  deploymentId: string | null;
}

/**
 * The audit records of a report's alerts, for the report to append last in its transaction: one per alert raised
 * or escalated (a plain repeat is counted on the alert and in the report's own event), then the recommendations. An alert that became
 * CRITICAL recommends retraining (a failed canary: rolling back); automation hears it once per version (per
 * deployment for a rollback) until the alerts that recommended it are resolved.
 */
export async function alertRecords(m: EntityManager, target: AlertTarget, outcomes: AlertOutcome[]): Promise<AuditRecord[]> {
  const becameCritical = outcomes.filter(
    (o) => o.change !== 'REPEATED' && o.alert.severity === AlertSeverity.CRITICAL && o.alert.recommendation === null,
  );
  const recommendations: Array<{ recommendation: Recommendation; alerts: AlertEntity[] }> = [];
  for (const recommendation of [Recommendation.RETRAIN, Recommendation.ROLLBACK]) {
    const alerts = becameCritical
      .map((o) => o.alert)
      .filter((a) => (a.kind === AlertKind.CANARY_FAILED) === (recommendation === Recommendation.ROLLBACK));
    if (!alerts.length) continue;
    const ids = alerts.map((a) => a.id);
    const [already] = await m.query(
      `SELECT 1 FROM alerts WHERE version_id = $1 AND status <> 'RESOLVED' AND recommendation = $2 AND NOT (id = ANY($3::uuid[]))
         AND ($2 = 'RETRAIN' OR deployment_id IS NOT DISTINCT FROM $4) LIMIT 1`,
      [target.versionId, recommendation, ids, target.deploymentId],
    );
    await m.query('UPDATE alerts SET recommendation = $2 WHERE id = ANY($1::uuid[])', [ids, recommendation]);
    for (const a of alerts) a.recommendation = recommendation;
    if (!already) recommendations.push({ recommendation, alerts });
  }
  const records: AuditRecord[] = outcomes
    .filter((o) => o.change !== 'REPEATED')
    .map((o) => ({
      action: o.change === 'RAISED' ? 'alert.raised' : 'alert.escalated',
      subjectType: 'Alert',
      subjectId: o.alert.id,
      modelId: o.alert.modelId,
      payload: { alert: alertSnapshot(o.alert), previousSeverity: o.previousSeverity },
    }));
  for (const { recommendation, alerts } of recommendations) {
    const retrain = recommendation === Recommendation.RETRAIN;
    records.push({
      action: retrain ? 'recommendation.retrain' : 'recommendation.rollback',
      subjectType: retrain ? 'ModelVersion' : 'Deployment',
      subjectId: retrain ? target.versionId : (target.deploymentId as string),
      modelId: target.modelId,
      payload: {
        versionId: target.versionId,
        version: target.version,
        deploymentId: target.deploymentId,
        alertIds: alerts.map((a) => a.id),
        reasons: alerts.map((a) => a.summary),
      },
    });
  }
  return records;
}
