import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The registry core: tokens, models, versions, aliases and their history, the audit chain, idempotency keys. */
export class RegistryCore1764060000000 implements MigrationInterface {
  name = 'RegistryCore1764060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL,
        description text NOT NULL DEFAULT '',
        role text NOT NULL CHECK (role IN ('VIEWER', 'CONTRIBUTOR', 'APPROVER', 'ADMIN')),
        token_hash text NOT NULL UNIQUE,
        token_prefix text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE registered_models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        description text NOT NULL DEFAULT '',
        owner text NOT NULL,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(tags) = 'object'),
        risk_tier text NOT NULL CHECK (risk_tier IN ('LOW', 'MEDIUM', 'HIGH')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'RETIRED')),
        version_counter integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX registered_models_tags_idx ON registered_models USING gin (tags jsonb_path_ops)`);
    await q.query(`CREATE INDEX registered_models_owner_idx ON registered_models (owner)`);
    await q.query(`CREATE INDEX registered_models_created_idx ON registered_models (created_at, id)`);

    await q.query(`
      CREATE TABLE model_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        version integer NOT NULL CHECK (version > 0),
        label text,
        description text NOT NULL DEFAULT '',
        stage text NOT NULL DEFAULT 'DEVELOPMENT'
          CHECK (stage IN ('DEVELOPMENT', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'RETIRED', 'REJECTED')),
        code_repo text NOT NULL,
        code_commit text NOT NULL,
        dataset_versions jsonb NOT NULL DEFAULT '[]'::jsonb,
        hyperparameters jsonb NOT NULL DEFAULT '{}'::jsonb,
        environment_image_digest text,
        environment_package_lock text,
        random_seed text,
        training_run_id text,
        artifact_format text NOT NULL
          CHECK (artifact_format IN ('ONNX', 'PICKLE', 'JOBLIB', 'TORCH', 'SAFETENSORS', 'TF_SAVEDMODEL', 'OTHER')),
        artifact_storage_path text NOT NULL,
        artifact_source_uri text,
        artifact_size_bytes bigint CHECK (artifact_size_bytes >= 0),
        artifact_sha256 text CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$'),
        artifact_signature jsonb,
        artifact_status text NOT NULL
          CHECK (artifact_status IN ('PENDING_UPLOAD', 'READY', 'FAILED', 'COLD', 'DELETED')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision integer NOT NULL DEFAULT 1,
        UNIQUE (model_id, version),
        CHECK (artifact_status <> 'READY' OR (artifact_sha256 IS NOT NULL AND artifact_size_bytes IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX model_versions_label_idx ON model_versions (model_id, label) WHERE label IS NOT NULL`);

    await q.query(`
      CREATE TABLE model_aliases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        name text NOT NULL,
        version_id uuid NOT NULL REFERENCES model_versions (id),
        updated_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision integer NOT NULL DEFAULT 1,
        UNIQUE (model_id, name)
      )`);
    await q.query(`CREATE INDEX model_aliases_version_idx ON model_aliases (version_id)`);

    await q.query(`
      CREATE TABLE model_alias_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        alias text NOT NULL,
        version_id uuid REFERENCES model_versions (id),
        previous_version_id uuid REFERENCES model_versions (id),
        actor text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX model_alias_history_idx ON model_alias_history (model_id, alias, changed_at DESC, id)`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        model_id uuid,
        payload jsonb NOT NULL,
        request_id text,
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX audit_events_model_idx ON audit_events (model_id, seq)`);
    await q.query(`CREATE INDEX audit_events_subject_idx ON audit_events (subject_id, seq)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (action, seq)`);
    // Append-only, enforced by the database itself and not only by the code that writes it.
    await q.query(`
      CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change()`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        actor text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, actor, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_reject_change`);
    await q.query(`DROP TABLE model_alias_history`);
    await q.query(`DROP TABLE model_aliases`);
    await q.query(`DROP TABLE model_versions`);
    await q.query(`DROP TABLE registered_models`);
    await q.query(`DROP TABLE api_tokens`);
  }
}
