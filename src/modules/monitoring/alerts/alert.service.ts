import type { DataSource } from 'typeorm';
import type { Caller } from '../../../common/caller';
import { badInput, conflict, notFound, staleRevision } from '../../../common/errors';
import { validateText } from '../../../common/text';
import { isUuid } from '../../../common/uuid';
import { hydrate, hydratePage, readById } from '../../../db/hydrate';
import { writeReturning } from '../../../db/write';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../../db/pagination';
import { Action, type AccessService } from '../../access';
import { appendAudit } from '../../audit';
import { type EventDispatcher, type EventEnvelope, decodeEventCursor, EventKind } from '../../events';
import { AlertEntity } from './alert.entity';
import { AlertKind, AlertSeverity, AlertStatus, severityRank } from './alert.enums';
import { alertSnapshot, type AlertChange } from './alert.store';

export interface AlertFilter {
  modelIds?: string[] | null;
  versionIds?: string[] | null;
  kinds?: AlertKind[] | null;
  statuses?: AlertStatus[] | null;
  minSeverity?: AlertSeverity | null;
}

export interface AlertEvent {
  cursor: string;
  seq: number;
  change: AlertChange;
  previousSeverity: AlertSeverity | null;
  alert: AlertEntity;
}

/** When the next version of a drifting model reached PRODUCTION after a drift alert: the drift-to-retrain gap. */
export interface RetrainGap {
  versionId: string;
  version: number;
  reachedProductionAt: Date;
  gapSeconds: number;
}

export interface DriftToRetrain {
  /** Drift alerts (DATA_DRIFT, CONCEPT_DRIFT) of the model. */
  driftAlerts: number;
  /** Of them, followed by a newer version reaching PRODUCTION. */
  retrained: number;
  medianGapSeconds: number | null;
  maxGapSeconds: number | null;
  /** The oldest drift alert no newer version has answered yet. */
  waitingSince: Date | null;
}

const MAX_FILTER_IDS = 1000;
const DRIFT_KINDS = [AlertKind.DATA_DRIFT, AlertKind.CONCEPT_DRIFT];

/** Alerts: listed, acknowledged, resolved, and pushed to subscribers as they are raised. */
export class AlertService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly dispatcher: EventDispatcher,
  ) {}

  /** alerts(filter, first, after): newest first, only of models the caller can see. */
  async list(caller: Caller, filter: AlertFilter, page: PageArgs): Promise<Page<AlertEntity>> {
    return hydratePage(this.db.manager, AlertEntity, await keysetPage(this.db.manager, this.alertList(caller, filter), page));
  }

  count(caller: Caller, filter: AlertFilter): Promise<number> {
    return keysetCount(this.db.manager, this.alertList(caller, filter));
  }

  async byIds(caller: Caller, ids: readonly string[]): Promise<Map<string, AlertEntity>> {
    const rows = await this.access.visibleRows(caller, 'alerts', 'id', ids.filter(isUuid));
    return new Map(rows.map((r) => [String(r.id), hydrate(this.db.manager, AlertEntity, r)]));
  }

  /** Someone is on it: the alert stays open (and deduplicates), now with who took it. */
  acknowledge(caller: Caller, input: { id: string; note?: string | null; expectedRevision?: number | null }): Promise<AlertEntity> {
    validateText(input.note, 'note', { max: 2000 });
    return this.change(caller, input.id, input.expectedRevision, 'alert.acknowledged', (before) => {
      if (before.status !== AlertStatus.OPEN)
        throw conflict(`the alert is ${before.status}${before.acknowledgedBy ? ` (by ${before.acknowledgedBy})` : ''}`, {
          status: before.status,
        });
      return [
        `status = 'ACKNOWLEDGED', acknowledged_by = $2, acknowledged_at = now(), acknowledge_note = $3`,
        [caller.subject, input.note ?? null],
      ];
    });
  }

  /** Closed: the next breach of the same kind on the same feature or metric raises a new alert. */
  resolve(caller: Caller, input: { id: string; resolution?: string | null; expectedRevision?: number | null }): Promise<AlertEntity> {
    validateText(input.resolution, 'resolution', { max: 2000 });
    return this.change(caller, input.id, input.expectedRevision, 'alert.resolved', (before) => {
      if (before.status === AlertStatus.RESOLVED)
        throw conflict(`the alert was resolved by ${before.resolvedBy}`, { status: before.status });
      return [`status = 'RESOLVED', resolved_by = $2, resolved_at = now(), resolution = $3`, [caller.subject, input.resolution ?? null]];
    });
  }

  /**
   * driftAlerts(filter): alerts as they are raised or escalate, of the models the caller can see, at or above
   * `minSeverity`; with `after`, first those since that cursor.
   */
  driftAlerts(caller: Caller, filter: AlertFilter, after: string | null): AsyncGenerator<AlertEvent> {
    if ((filter.modelIds?.length ?? 0) > MAX_FILTER_IDS) throw badInput('filter.modelIds', `at most ${MAX_FILTER_IDS}`);
    if (filter.modelIds?.some((id) => !isUuid(id))) throw badInput('filter.modelIds', 'must be model ids');
    const position = after === null || after === undefined ? null : decodeEventCursor(after);
    if (after && position === null) throw badInput('after', 'is not an event cursor: pass the cursor of the last alert you received');
    const events = this.dispatcher.stream(caller, { modelIds: filter.modelIds, kinds: [EventKind.ALERT_RAISED] }, position);
    const alerts = alertsOf(events, filter);
    // As for promotions: end the stream below at once when the client leaves, not at its next event.
    const finish = alerts.return.bind(alerts);
    alerts.return = (value) => {
      void events.return(undefined);
      return finish(value);
    };
    return alerts;
  }

  /** For each drift alert among `alertIds`: the first newer version of its model to reach PRODUCTION after it was raised. */
  async retrainGaps(alertIds: readonly string[]): Promise<Map<string, RetrainGap>> {
    const rows = (await this.db.query(
      `SELECT a.id, r.version_id, r.version, r.changed_at, extract(epoch FROM r.changed_at - a.raised_at)::float8 AS gap
       FROM alerts a JOIN model_versions av ON av.id = a.version_id
       CROSS JOIN LATERAL (
         SELECT st.version_id, v.version, st.changed_at FROM stage_transitions st JOIN model_versions v ON v.id = st.version_id
         WHERE st.model_id = a.model_id AND st.to_stage = 'PRODUCTION' AND st.changed_at > a.raised_at AND v.version > av.version
         ORDER BY st.changed_at LIMIT 1) r
       WHERE a.id = ANY($1::uuid[]) AND a.kind = ANY($2)`,
      [alertIds.filter(isUuid), DRIFT_KINDS],
    )) as Array<{ id: string; version_id: string; version: number; changed_at: Date; gap: number }>;
    return new Map(
      rows.map((r) => [r.id, { versionId: r.version_id, version: r.version, reachedProductionAt: r.changed_at, gapSeconds: r.gap }]),
    );
  }

  /** Per model: how long drift waited for a retrained version to reach PRODUCTION. */
  async driftToRetrain(modelIds: readonly string[]): Promise<Map<string, DriftToRetrain>> {
    const rows = (await this.db.query(
      `SELECT a.model_id, count(*)::int AS drift_alerts, count(r.changed_at)::int AS retrained,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.changed_at - a.raised_at)) AS median_gap,
         max(extract(epoch FROM r.changed_at - a.raised_at))::float8 AS max_gap,
         min(a.raised_at) FILTER (WHERE r.changed_at IS NULL) AS waiting_since
       FROM alerts a JOIN model_versions av ON av.id = a.version_id
       LEFT JOIN LATERAL (
         SELECT st.changed_at FROM stage_transitions st JOIN model_versions v ON v.id = st.version_id
         WHERE st.model_id = a.model_id AND st.to_stage = 'PRODUCTION' AND st.changed_at > a.raised_at AND v.version > av.version
         ORDER BY st.changed_at LIMIT 1) r ON true
       WHERE a.model_id = ANY($1::uuid[]) AND a.kind = ANY($2)
       GROUP BY a.model_id`,
      [modelIds.filter(isUuid), DRIFT_KINDS],
    )) as Array<{
      model_id: string;
      drift_alerts: number;
      retrained: number;
      median_gap: number | null;
      max_gap: number | null;
      waiting_since: Date | null;
    }>;
    return new Map(
      rows.map((r) => [
        r.model_id,
        {
          driftAlerts: r.drift_alerts,
          retrained: r.retrained,
          medianGapSeconds: r.median_gap,
          maxGapSeconds: r.max_gap,
          waitingSince: r.waiting_since,
        },
      ]),
    );
  }

  /**
   * Open and acknowledged alerts per model name, kind and severity, for /metrics. Bounded: the
   * `maxModels` models with the most keep their name, the rest add up under '_other'.
   */
  async openCounts(
    caller: Caller,
    maxModels: number,
  ): Promise<Array<{ model: string; kind: AlertKind; severity: AlertSeverity; count: number }>> {
    const params = new SqlParams();
    const max = params.p(maxModels);
    const visible = this.access.visibleModels(caller, 'r.id', params);
    return this.db.query(
      `WITH c AS (
         SELECT r.name, a.kind, a.severity, count(*)::int AS n FROM alerts a JOIN registered_models r ON r.id = a.model_id
         WHERE a.status <> 'RESOLVED' ${visible ? `AND ${visible}` : ''} GROUP BY 1, 2, 3),
       ranked AS (SELECT name, row_number() OVER (ORDER BY sum(n) DESC, name) AS rank FROM c GROUP BY name)
       SELECT CASE WHEN ranked.rank <= ${max} THEN c.name ELSE '_other' END AS model, c.kind, c.severity, sum(c.n)::int AS count
       FROM c JOIN ranked USING (name) GROUP BY 1, 2, 3`,
      params.values,
    );
  }

  private async change(
    caller: Caller,
    id: string,
    expectedRevision: number | null | undefined,
    action: string,
    set: (before: AlertEntity) => [string, unknown[]],
  ): Promise<AlertEntity> {
    return this.db.transaction(async (m) => {
      const before = await readById(m, AlertEntity, id, 'alert', 'FOR UPDATE');
      await this.access.authorize(m, caller, Action.HANDLE_ALERT, before.modelId, notFound('alert', id));
      if (expectedRevision !== undefined && expectedRevision !== null && expectedRevision !== before.revision) {
        throw staleRevision('alert', before.revision, expectedRevision);
      }
      const [assignments, params] = set(before);
      const [after] = await writeReturning(
        m,
        AlertEntity,
        `UPDATE alerts SET ${assignments}, revision = revision + 1 WHERE id = $1 RETURNING *`,
        [id, ...params],
      );
      await appendAudit(m, caller, {
        action,
        subjectType: 'Alert',
        subjectId: id,
        modelId: after.modelId,
        payload: { before: alertSnapshot(before), after: alertSnapshot(after), note: noteOf(after) },
      });
      return after;
    });
  }

  private alertList(caller: Caller, filter: AlertFilter): ListQuery {
    const params = new SqlParams();
    const where: string[] = [];
    for (const [column, ids, name] of [
      ['x.model_id', filter.modelIds, 'modelIds'],
      ['x.version_id', filter.versionIds, 'versionIds'],
    ] as const) {
      if (!ids?.length) continue;
      if (ids.length > MAX_FILTER_IDS) throw badInput(`filter.${name}`, `at most ${MAX_FILTER_IDS}`);
      if (ids.some((v) => !isUuid(v))) throw badInput(`filter.${name}`, 'must be ids');
      where.push(`${column} = ANY(${params.p(ids)}::uuid[])`);
    }
    if (filter.kinds?.length) where.push(`x.kind = ANY(${params.p(filter.kinds)})`);
    if (filter.statuses?.length) where.push(`x.status = ANY(${params.p(filter.statuses)})`);
    if (filter.minSeverity) {
      const severities = Object.values(AlertSeverity).filter((s) => severityRank(s) >= severityRank(filter.minSeverity as AlertSeverity));
      where.push(`x.severity = ANY(${params.p(severities)})`);
    }
    const visible = this.access.visibleModels(caller, 'x.model_id', params);
    if (visible) where.push(visible);
    return { from: 'alerts', where, params, order: ['x.raised_at', 'x.id'], direction: 'DESC' };
  }
}

/** The note an acknowledgement or a resolution carries, for the audit trail. */
function noteOf(a: AlertEntity): string | null {
  return a.status === AlertStatus.RESOLVED ? a.resolution : a.acknowledgeNote;
}

async function* alertsOf(events: AsyncGenerator<EventEnvelope>, filter: AlertFilter): AsyncGenerator<AlertEvent> {
  const floor = filter.minSeverity ? severityRank(filter.minSeverity) : 0;
  const kinds = filter.kinds?.length ? new Set(filter.kinds) : null;
  try {
    for await (const event of events) {
      const p = event.payload as { alert: Record<string, unknown>; previousSeverity: AlertSeverity | null };
      const alert = fromSnapshot(p.alert);
      if (severityRank(alert.severity) < floor || (kinds && !kinds.has(alert.kind))) continue;
      yield {
        cursor: event.cursor,
        seq: event.seq,
        change: event.action === 'alert.raised' ? 'RAISED' : 'ESCALATED',
        previousSeverity: p.previousSeverity,
        alert,
      };
    }
  } finally {
    await events.return(undefined);
  }
}

/** An alert as its event recorded it (dates come back from JSON as text). */
function fromSnapshot(s: Record<string, unknown>): AlertEntity {
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return Object.assign(new AlertEntity(), {
    ...s,
    windowStart: date(s.windowStart),
    windowEnd: date(s.windowEnd),
    raisedAt: date(s.raisedAt),
    lastSeenAt: date(s.lastSeenAt),
    acknowledgedBy: null,
    acknowledgedAt: null,
    acknowledgeNote: null,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
  });
}
