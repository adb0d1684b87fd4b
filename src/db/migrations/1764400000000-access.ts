import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access per model: teams of subjects, grants of a level on one model (by id) or on all models to a
 * subject or a team, and protected alias patterns. Nothing is granted for the models already there: a
 * token keeps exactly what its role gave it; creators get MANAGE from now on, on what they create.
 */
export class Access1764400000000 implements MigrationInterface {
  name = 'Access1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        description text NOT NULL DEFAULT '',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE team_members (
        team_id uuid NOT NULL REFERENCES teams (id),
        subject text NOT NULL,
        added_by text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, subject)
      )`);
    await q.query(`CREATE INDEX team_members_subject_idx ON team_members (subject)`);
    await q.query(`
      CREATE TABLE grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text,
        team_id uuid REFERENCES teams (id),
        model_id uuid REFERENCES registered_models (id),
        level text NOT NULL CHECK (level IN ('VIEW', 'CONTRIBUTE', 'APPROVE', 'MANAGE')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((subject IS NULL) <> (team_id IS NULL))
      )`);
    // One grant per principal and scope (a model, or all models: model_id NULL); granting again changes its level.
    await q.query(
      `CREATE UNIQUE INDEX grants_scope_idx ON grants (COALESCE(subject, ''), COALESCE(team_id::text, ''), COALESCE(model_id::text, ''))`,
    );
    await q.query(`CREATE INDEX grants_model_idx ON grants (model_id)`);
    await q.query(`CREATE INDEX grants_subject_idx ON grants (subject) WHERE subject IS NOT NULL`);
    await q.query(`CREATE INDEX grants_team_idx ON grants (team_id) WHERE team_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE protected_aliases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid REFERENCES registered_models (id),
        pattern text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX protected_aliases_scope_idx ON protected_aliases (COALESCE(model_id::text, ''), pattern)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE protected_aliases');
    await q.query('DROP TABLE grants');
    await q.query('DROP TABLE team_members');
    await q.query('DROP TABLE teams');
  }
}
