import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lifecycle: metrics, baselines, policies, validation reports, approvals, stage history, deployments. */
export class Lifecycle1764100000000 implements MigrationInterface {
  name = 'Lifecycle1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // At most one PRODUCTION version per model, enforced by the database and not only by code.
    await q.query(`CREATE UNIQUE INDEX model_versions_one_production_idx ON model_versions (model_id) WHERE stage = 'PRODUCTION'`);

    await q.query(`
      CREATE TABLE metrics (
        id bigserial PRIMARY KEY,
        version_id uuid NOT NULL REFERENCES model_versions (id),
        name text NOT NULL CHECK (name <> ''),
        value double precision NOT NULL CHECK (value <> 'NaN' AND value NOT IN ('Infinity', '-Infinity')),
        step integer NOT NULL DEFAULT 0,
        source text NOT NULL CHECK (source IN ('TRAINING', 'VALIDATION', 'TEST', 'PRODUCTION')),
        slice text NOT NULL DEFAULT '',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX metrics_latest_idx ON metrics (version_id, source, name, slice, recorded_at DESC, step DESC, id DESC)`);

    await q.query(`
      CREATE TABLE baselines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        metric text NOT NULL,
        comparator text NOT NULL CHECK (comparator IN ('GTE', 'LTE')),
        reference text NOT NULL CHECK (reference IN ('FIXED', 'PRODUCTION_VERSION')),
        threshold double precision,
        tolerance double precision NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
        updated_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision integer NOT NULL DEFAULT 1,
        UNIQUE (model_id, metric),
        CHECK (reference <> 'FIXED' OR threshold IS NOT NULL)
      )`);

    await q.query(`
      CREATE TABLE policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL CHECK (scope IN ('MODEL', 'RISK_TIER')),
        scope_key text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        document jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (scope, scope_key, version)
      )`);

    await q.query(`
      CREATE TABLE validation_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        passed boolean NOT NULL,
        summary text NOT NULL,
        policy_id uuid REFERENCES policies (id),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX validation_reports_version_idx ON validation_reports (version_id, created_at DESC, id)`);
    await q.query(`
      CREATE TABLE validation_checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES validation_reports (id),
        position integer NOT NULL,
        origin text NOT NULL CHECK (origin IN ('BASELINE', 'POLICY')),
        metric text NOT NULL,
        comparator text NOT NULL CHECK (comparator IN ('GTE', 'LTE')),
        candidate_value double precision,
        baseline_value double precision,
        tolerance double precision NOT NULL,
        passed boolean NOT NULL,
        detail text NOT NULL,
        UNIQUE (report_id, position)
      )`);

    await q.query(`
      CREATE TABLE approver_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL,
        public_key_pem text NOT NULL,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX approver_keys_active_idx ON approver_keys (subject) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        target_stage text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('APPROVED', 'REJECTED')),
        approver text NOT NULL,
        approver_role text NOT NULL,
        key_id uuid NOT NULL REFERENCES approver_keys (id),
        message text NOT NULL,
        signature text NOT NULL,
        comment text NOT NULL DEFAULT '',
        signed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (version_id, target_stage, approver)
      )`);

    await q.query(`
      CREATE TABLE stage_transitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        from_stage text NOT NULL,
        to_stage text NOT NULL,
        reason text NOT NULL DEFAULT '',
        actor text NOT NULL,
        audit_seq bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stage_transitions_version_idx ON stage_transitions (version_id, changed_at DESC, id)`);
    await q.query(`CREATE INDEX stage_transitions_model_idx ON stage_transitions (model_id, changed_at DESC)`);

    await q.query(`
      CREATE TABLE deployments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        environment text NOT NULL,
        endpoint text NOT NULL,
        strategy text NOT NULL CHECK (strategy IN ('DIRECT', 'BLUE_GREEN', 'CANARY', 'SHADOW', 'AB_TEST')),
        traffic_percent double precision NOT NULL CHECK (traffic_percent >= 0 AND traffic_percent <= 100),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'DRAINING', 'ROLLED_BACK', 'ENDED')),
        override_reason text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        revision integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX deployments_version_idx ON deployments (version_id, created_at DESC, id)`);
    await q.query(
      `CREATE INDEX deployments_model_active_idx ON deployments (model_id, created_at DESC, id) WHERE status IN ('ACTIVE', 'DRAINING')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'deployments',
      'stage_transitions',
      'approvals',
      'approver_keys',
      'validation_checks',
      'validation_reports',
      'policies',
      'baselines',
      'metrics',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX model_versions_one_production_idx`);
  }
}
