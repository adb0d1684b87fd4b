import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook delivers what its creator may see (subject and role, as visibility depends on both): the role of the
 * token that created it is kept beside `created_by`. Webhooks made before this were made by ADMINs (no other role
 * could create one), so they keep seeing everything; new rows must name the role (no default).
 */
export class WebhookCreatorRole1764850000000 implements MigrationInterface {
  name = 'WebhookCreatorRole1764850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhooks ADD COLUMN created_by_role text NOT NULL DEFAULT 'ADMIN'
        CHECK (created_by_role IN ('VIEWER', 'CONTRIBUTOR', 'APPROVER', 'ADMIN'))`);
    await q.query('ALTER TABLE webhooks ALTER COLUMN created_by_role DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE webhooks DROP COLUMN created_by_role');
  }
}
