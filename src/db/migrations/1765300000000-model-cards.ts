import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model cards (issue 22, the card): the people-written sections of one version's card (`sections`, CycloneDX 1.6
 * `modelCard` fields), when and by whom each section was last edited (`edits`), and the card's `revision` for
 * optimistic concurrency. One row per version, made by its first edit. Bounds: the rules' own (card.rules.ts,
 * CARD_BOUNDS), and the whole card at most 4 MiB of JSON here.
 */
export class ModelCards1765300000000 implements MigrationInterface {
  name = 'ModelCards1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE model_cards (
        version_id uuid PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
        model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
        sections jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sections) = 'object' AND octet_length(sections::text) <= 4194304),
        edits jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(edits) = 'object'),
        revision integer NOT NULL DEFAULT 1 CHECK (revision > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    await q.query('CREATE INDEX model_cards_model_idx ON model_cards (model_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE model_cards');
  }
}
