import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest point of every metric series (version, name, source, slice), kept as points arrive, so
 * that "the latest value of each metric" reads one row per series instead of every point of a version.
 */
export class MetricLatest1764200000000 implements MigrationInterface {
  name = 'MetricLatest1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metric_latest (
        version_id uuid NOT NULL REFERENCES model_versions (id),
        name text NOT NULL,
        source text NOT NULL,
        slice text NOT NULL,
        metric_id bigint NOT NULL REFERENCES metrics (id),
        value double precision NOT NULL,
        step integer NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (version_id, name, source, slice)
      )`);
    await q.query(`
      INSERT INTO metric_latest (version_id, name, source, slice, metric_id, value, step, recorded_at)
      SELECT DISTINCT ON (version_id, name, source, slice) version_id, name, source, slice, id, value, step, recorded_at
      FROM metrics ORDER BY version_id, name, source, slice, recorded_at DESC, step DESC, id DESC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE metric_latest');
  }
}
