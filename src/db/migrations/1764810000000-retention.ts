import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: policies (per model, per risk tier, or global), legal holds on models and versions, and the
 * queue of artifact moves and deletions a background worker carries out (claimed with SKIP LOCKED under a
 * lease, retried with backoff, every state here so that it survives restarts).
 */
export class Retention1764810000000 implements MigrationInterface {
  name = 'Retention1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retention_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL CHECK (scope IN ('GLOBAL', 'RISK_TIER', 'MODEL')),
        model_id uuid REFERENCES registered_models (id),
        risk_tier text CHECK (risk_tier IN ('LOW', 'MEDIUM', 'HIGH')),
        max_age_days int NOT NULL CHECK (max_age_days BETWEEN 1 AND 36500),
        keep_at_least int NOT NULL CHECK (keep_at_least BETWEEN 0 AND 10000),
        artifact_action text NOT NULL CHECK (artifact_action IN ('COLD_STORAGE', 'DELETE')),
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision int NOT NULL DEFAULT 1,
        CHECK ((scope = 'MODEL') = (model_id IS NOT NULL)),
        CHECK ((scope = 'RISK_TIER') = (risk_tier IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX retention_policies_scope_idx ON retention_policies (scope, COALESCE(model_id::text, risk_tier, ''))`,
    );
    await q.query(`
      CREATE TABLE legal_holds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        version_id uuid REFERENCES model_versions (id),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 500),
        placed_by text NOT NULL,
        placed_at timestamptz NOT NULL DEFAULT now(),
        released_by text,
        released_at timestamptz,
        release_reason text,
        CHECK ((released_at IS NULL) = (released_by IS NULL))
      )`);
    await q.query(`CREATE INDEX legal_holds_model_idx ON legal_holds (model_id) WHERE released_at IS NULL`);
    await q.query(`
      CREATE TABLE artifact_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        action text NOT NULL CHECK (action IN ('MOVE_TO_COLD', 'DELETE')),
        store_key text NOT NULL,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        last_error text,
        done_at timestamptz
      )`);
    // One pending job per version: retention never queues the same artifact twice.
    await q.query(`CREATE UNIQUE INDEX artifact_jobs_pending_idx ON artifact_jobs (version_id) WHERE done_at IS NULL`);
    await q.query(`CREATE INDEX artifact_jobs_due_idx ON artifact_jobs (next_attempt_at) WHERE done_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['artifact_jobs', 'legal_holds', 'retention_policies']) await q.query(`DROP TABLE ${table}`);
  }
}
