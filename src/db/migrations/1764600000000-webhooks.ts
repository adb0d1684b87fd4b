import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The event kinds webhooks could filter on when this migration was written (later migrations extend the list). */
export const KINDS = [
  'MODEL_CHANGED',
  'MODEL_RETIRED',
  'VERSION_REGISTERED',
  'STAGE_CHANGED',
  'ALIAS_MOVED',
  'VALIDATION_COMPLETED',
  'APPROVAL_RECORDED',
  'DEPLOYMENT_CHANGED',
  'METRICS_LOGGED',
  'POLICY_CHANGED',
  'ACCESS_CHANGED',
  'LINEAGE_CHANGED',
  'OTHER',
];

/**
 * Webhooks: each one reads the audit log (the outbox) from its own cursor, in order. The worker claims due
 * webhooks with FOR UPDATE SKIP LOCKED and leases them, so instances share the work; every attempt is kept
 * in webhook_deliveries. All delivery state is here, so deliveries go on from the cursor after a restart.
 */
export class Webhooks1764600000000 implements MigrationInterface {
  name = 'Webhooks1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
        model_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(model_ids) <= 100),
        kinds text[] NOT NULL DEFAULT '{}' CHECK (kinds <@ ARRAY[${KINDS.map((k) => `'${k}'`).join(', ')}]::text[]),
        secret text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{32,}={0,2}$'),
        previous_secret text CHECK (previous_secret ~ '^whsec_[A-Za-z0-9+/]{32,}={0,2}$'),
        previous_secret_expires_at timestamptz,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED')),
        paused_reason text,
        cursor_seq bigint NOT NULL CHECK (cursor_seq >= 0),
        consecutive_failures int NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_token uuid,
        lease_until timestamptz,
        last_success_at timestamptz,
        last_failure_at timestamptz,
        last_error text CHECK (length(last_error) <= 2000),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision int NOT NULL DEFAULT 1 CHECK (revision >= 1),
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
        CHECK ((status = 'PAUSED') = (paused_reason IS NOT NULL)),
        CHECK ((lease_token IS NULL) = (lease_until IS NULL))
      )`);
    // What the worker's claim scans: active webhooks by when they are next due.
    await q.query(`CREATE INDEX webhooks_due_idx ON webhooks (next_attempt_at) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX webhooks_created_idx ON webhooks (created_at, id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_seq bigint NOT NULL CHECK (event_seq >= 1),
        event_id uuid NOT NULL,
        attempt int NOT NULL CHECK (attempt >= 1),
        redelivery boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
        response_status int CHECK (response_status BETWEEN 100 AND 599),
        latency_ms int NOT NULL CHECK (latency_ms >= 0),
        error text CHECK (length(error) <= 2000),
        attempted_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'SUCCEEDED') = (error IS NULL)),
        CHECK (status = 'FAILED' OR response_status BETWEEN 200 AND 299)
      )`);
    // The history of one webhook, newest first; and the attempts at one event (the attempt number).
    await q.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (webhook_id, event_seq)`);
    // Pruning old attempts.
    await q.query(`CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhooks');
  }
}
