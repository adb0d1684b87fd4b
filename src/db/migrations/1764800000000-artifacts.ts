import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KINDS_AFTER as KINDS_BEFORE, kindsCheck } from './1764700000000-monitoring';

export const KINDS_AFTER = [...KINDS_BEFORE, 'ARTIFACT_CHANGED'];

/**
 * Artifacts uploaded into the registry's store: who is uploading (one upload per version at a time, a lease a
 * crashed upload gives up), why an upload or a verification failed, and when the digest was last checked.
 */
export class Artifacts1764800000000 implements MigrationInterface {
  name = 'Artifacts1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE model_versions
        ADD COLUMN artifact_upload_id uuid,
        ADD COLUMN artifact_upload_started_at timestamptz,
        ADD COLUMN artifact_failure_reason text CHECK (length(artifact_failure_reason) <= 2000),
        ADD COLUMN artifact_verified_at timestamptz,
        ADD CONSTRAINT model_versions_upload_lease_check CHECK ((artifact_upload_id IS NULL) = (artifact_upload_started_at IS NULL))`);
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_AFTER)}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE webhooks SET kinds = ARRAY(SELECT k FROM unnest(kinds) k WHERE k = ANY($1::text[]))`, [KINDS_BEFORE]);
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_BEFORE)}`,
    );
    await q.query(`
      ALTER TABLE model_versions DROP CONSTRAINT model_versions_upload_lease_check, DROP COLUMN artifact_upload_id,
        DROP COLUMN artifact_upload_started_at, DROP COLUMN artifact_failure_reason, DROP COLUMN artifact_verified_at`);
  }
}
