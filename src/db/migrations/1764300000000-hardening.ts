import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hardening: the client's request id beside the server's; a public key belongs to one approver at a
 * time; signed checkpoints of the audit chain and the record of breaks found in it, both append-only.
 */
export class Hardening1764300000000 implements MigrationInterface {
  name = 'Hardening1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN client_request_id text`);
    // The server's login may only insert and read these (see grantServerRole): the comment says which.
    await q.query(`COMMENT ON TABLE audit_events IS 'append-only: the hash-chained audit trail'`);

    // Where two approvers hold the same key today, the later registration gives it up.
    await q.query(`
      UPDATE approver_keys k SET revoked_at = now()
      WHERE k.revoked_at IS NULL AND EXISTS (
        SELECT 1 FROM approver_keys e
        WHERE e.fingerprint = k.fingerprint AND e.revoked_at IS NULL AND (e.created_at, e.id) < (k.created_at, k.id))`);
    await q.query(`CREATE UNIQUE INDEX approver_keys_fingerprint_active_idx ON approver_keys (fingerprint) WHERE revoked_at IS NULL`);
    // Each approval names the key that signed it, so anyone can check it again later.
    await q.query(`ALTER TABLE approvals ADD COLUMN key_fingerprint text`);
    await q.query(`UPDATE approvals a SET key_fingerprint = k.fingerprint FROM approver_keys k WHERE k.id = a.key_id`);
    await q.query(`ALTER TABLE approvals ALTER COLUMN key_fingerprint SET NOT NULL`);

    await q.query(`
      CREATE FUNCTION modelgraph_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigserial PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL,
        signed_at timestamptz NOT NULL,
        key_fingerprint text NOT NULL,
        public_key text NOT NULL,
        signature text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (seq DESC)`);
    await q.query(`COMMENT ON TABLE audit_checkpoints IS 'append-only: signed checkpoints of the audit chain'`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION modelgraph_reject_change()`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION modelgraph_reject_change()`);

    await q.query(`
      CREATE TABLE audit_chain_breaks (
        id bigserial PRIMARY KEY,
        seq bigint NOT NULL,
        reason text NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by text,
        acknowledgement text
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_chain_breaks_open_idx ON audit_chain_breaks (seq) WHERE acknowledged_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_breaks`);
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP FUNCTION modelgraph_reject_change`);
    await q.query(`ALTER TABLE approvals DROP COLUMN key_fingerprint`);
    await q.query(`DROP INDEX approver_keys_fingerprint_active_idx`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN client_request_id`);
  }
}
