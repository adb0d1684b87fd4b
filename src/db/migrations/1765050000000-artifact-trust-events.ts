import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KINDS_AFTER as KINDS_BEFORE } from './1764800000000-artifacts';
import { kindsCheck } from './1764700000000-monitoring';

/** The kinds of issue 21: a verified model signature attached, and a version's files scanned. */
export const KINDS_AFTER = [...KINDS_BEFORE, 'ARTIFACT_SIGNED', 'ARTIFACT_SCANNED'];

export class ArtifactTrustEvents1765050000000 implements MigrationInterface {
  name = 'ArtifactTrustEvents1765050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_AFTER)}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE webhooks SET kinds = ARRAY(SELECT k FROM unnest(kinds) k WHERE k = ANY($1::text[]))`, [KINDS_BEFORE]);
    await q.query(
      `ALTER TABLE webhooks DROP CONSTRAINT webhooks_kinds_check, ADD CONSTRAINT webhooks_kinds_check ${kindsCheck(KINDS_BEFORE)}`,
    );
  }
}
