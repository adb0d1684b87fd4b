import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints name the registry they were made for (the id of its chain's first event), so that a
 * checkpoint file meeting another database is told apart from a rewritten chain. Rows from before have none.
 */
export class CheckpointRegistry1764900000000 implements MigrationInterface {
  name = 'CheckpointRegistry1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_checkpoints ADD COLUMN registry_id uuid`);
    await q.query(
      `COMMENT ON COLUMN audit_checkpoints.registry_id IS 'the id of the first audit event of the registry signed for; null before registries had an identity'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_checkpoints DROP COLUMN registry_id`);
  }
}
