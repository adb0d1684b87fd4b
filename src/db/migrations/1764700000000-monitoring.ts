import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KINDS as KINDS_BEFORE } from './1764600000000-webhooks';

/** The webhook event kinds after monitoring: its alerts and recommendations are lifecycle events. */
export const KINDS_AFTER = [
  ...KINDS_BEFORE,
  'MONITORING_CHANGED',
  'PRODUCTION_REPORTED',
  'ALERT_RAISED',
  'ALERT_CHANGED',
  'RETRAINING_RECOMMENDED',
  'ROLLBACK_RECOMMENDED',
];
/** The CHECK constraint that keeps a webhook's kinds among `kinds`. */
export const kindsCheck = (kinds: string[]) => `CHECK (kinds <@ ARRAY[${kinds.map((k) => `'${k}'`).join(', ')}]::text[])`;

/**
 * Production monitoring: reference distributions per version, per-model objectives and thresholds, the
 * reports production sends (idempotent per deployment and window), their metrics in a form SQL can
 * aggregate, and alerts — at most one open alert per (model, version, feature or metric, kind).
 */
export class Monitoring1764700000000 implements MigrationInterface {
  name = 'Monitoring1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reference_distributions (
        version_id uuid NOT NULL REFERENCES model_versions (id),
        feature text NOT NULL CHECK (length(feature) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('NUMERIC', 'CATEGORICAL')),
        distribution jsonb NOT NULL,
        observations double precision NOT NULL CHECK (observations >= 0),
        set_by text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version_id, feature)
      )`);
    await q.query(`
      CREATE TABLE model_monitoring (
        model_id uuid PRIMARY KEY REFERENCES registered_models (id),
        objectives jsonb NOT NULL DEFAULT '[]',
        drift_thresholds jsonb,
        quality_tolerance jsonb,
        canary_rule jsonb,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision int NOT NULL DEFAULT 1 CHECK (revision >= 1)
      )`);
    await q.query(`
      CREATE TABLE production_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        deployment_id uuid REFERENCES deployments (id),
        kind text NOT NULL CHECK (kind IN ('FEATURES', 'METRICS')),
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL CHECK (window_end >= window_start),
        input_hash text NOT NULL,
        evaluation jsonb NOT NULL,
        reported_by text NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Idempotent per (deployment, window): a version reported without a deployment is its own key.
    await q.query(`
      CREATE UNIQUE INDEX production_reports_window_idx ON production_reports
        (kind, version_id, COALESCE(deployment_id, '00000000-0000-0000-0000-000000000000'::uuid), window_start, window_end)`);
    await q.query(`CREATE INDEX production_reports_version_idx ON production_reports (version_id, window_end DESC, id)`);
    await q.query(`
      CREATE TABLE production_metrics (
        report_id uuid NOT NULL REFERENCES production_reports (id),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        deployment_id uuid REFERENCES deployments (id),
        name text NOT NULL,
        kind text NOT NULL,
        value double precision NOT NULL,
        observations bigint CHECK (observations >= 0),
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        PRIMARY KEY (report_id, name)
      )`);
    // Objectives read a model's metric over a rolling window; canary verdicts read one deployment's windows.
    await q.query(`CREATE INDEX production_metrics_model_idx ON production_metrics (model_id, name, window_end DESC)`);
    await q.query(`CREATE INDEX production_metrics_deployment_idx ON production_metrics (deployment_id, name, window_start, window_end)`);
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        deployment_id uuid REFERENCES deployments (id),
        kind text NOT NULL CHECK (kind IN ('DATA_DRIFT', 'CONCEPT_DRIFT', 'PERFORMANCE_DEGRADED', 'OBJECTIVE_BREACHED', 'CANARY_FAILED')),
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
        severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')),
        summary text NOT NULL,
        evidence jsonb NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        occurrences int NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
        recommendation text CHECK (recommendation IN ('RETRAIN', 'ROLLBACK')),
        raised_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_by text,
        acknowledged_at timestamptz,
        acknowledge_note text,
        resolved_by text,
        resolved_at timestamptz,
        resolution text,
        revision int NOT NULL DEFAULT 1 CHECK (revision >= 1),
        CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL))
      )`);
    // Deduplication: one alert at a time per (model, version, feature or metric, kind) until it is resolved.
    await q.query(`CREATE UNIQUE INDEX alerts_open_idx ON alerts (model_id, version_id, subject, kind) WHERE status <> 'RESOLVED'`);
    await q.query(`CREATE INDEX alerts_model_idx ON alerts (model_id, raised_at DESC, id)`);
    await q.query(`CREATE INDEX alerts_raised_idx ON alerts (raised_at DESC, id)`);
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_AFTER)}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE webhooks SET kinds = ARRAY(SELECT k FROM unnest(kinds) k WHERE k = ANY($1::text[]))`, [KINDS_BEFORE]);
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_BEFORE)}`,
    );
    for (const table of ['alerts', 'production_metrics', 'production_reports', 'model_monitoring', 'reference_distributions']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
