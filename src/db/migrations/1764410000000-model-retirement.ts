import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When, by whom and why a model was retired: a retired model stays, read-only, with its whole history. */
export class ModelRetirement1764410000000 implements MigrationInterface {
  name = 'ModelRetirement1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE registered_models ADD COLUMN retired_at timestamptz, ADD COLUMN retired_by text, ADD COLUMN retirement_reason text`,
    );
    await q.query(
      `ALTER TABLE registered_models ADD CONSTRAINT registered_models_retired_check CHECK ((status = 'RETIRED') = (retired_at IS NOT NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE registered_models DROP CONSTRAINT registered_models_retired_check`);
    await q.query(`ALTER TABLE registered_models DROP COLUMN retired_at, DROP COLUMN retired_by, DROP COLUMN retirement_reason`);
  }
}
