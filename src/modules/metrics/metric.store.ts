import type { EntityManager } from 'typeorm';
import type { MetricPointShape } from './metric.rules';

/** Latest whole-population (slice '') VALIDATION value of each metric of a version: what validation compares. */
export async function validationValues(m: EntityManager, versionId: string): Promise<Map<string, number>> {
  const rows = (await m.query(`SELECT name, value FROM metric_latest WHERE version_id = $1 AND source = 'VALIDATION' AND slice = ''`, [
    versionId,
  ])) as Array<{ name: string; value: number }>;
  return new Map(rows.map((r) => [r.name, r.value]));
}

/**
 * Stores validated points, and in the same statement the latest point of each series they touch, where newer
 * (metric_latest). One INSERT … SELECT FROM unnest(…) however many points. `versions`: the version of every
 * point, or of each point (one id per point, in order: a batch of reports spans versions).
 */
export async function insertMetricPoints(
  m: EntityManager,
  versions: string | readonly string[],
  points: readonly MetricPointShape[],
): Promise<void> {
  const now = new Date();
  await m.query(
    `WITH points AS (
       INSERT INTO metrics (version_id, source, name, value, step, slice, recorded_at)
       SELECT p.version_id, p.source, p.name, p.value, p.step, p.slice, p.recorded_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::timestamptz[])
         AS p(version_id, source, name, value, step, slice, recorded_at)
       RETURNING id, version_id, name, source, slice, value, step, recorded_at
     )
     INSERT INTO metric_latest AS l (version_id, name, source, slice, metric_id, value, step, recorded_at)
     SELECT DISTINCT ON (version_id, name, source, slice) version_id, name, source, slice, id, value, step, recorded_at
     FROM points ORDER BY version_id, name, source, slice, recorded_at DESC, step DESC, id DESC
     ON CONFLICT (version_id, name, source, slice) DO UPDATE
       SET metric_id = EXCLUDED.metric_id, value = EXCLUDED.value, step = EXCLUDED.step, recorded_at = EXCLUDED.recorded_at
       WHERE (EXCLUDED.recorded_at, EXCLUDED.step, EXCLUDED.metric_id) > (l.recorded_at, l.step, l.metric_id)`,
    [
      typeof versions === 'string' ? points.map(() => versions) : versions,
      points.map((p) => p.source),
      points.map((p) => p.name),
      points.map((p) => p.value),
      points.map((p) => p.step ?? 0),
      points.map((p) => p.slice ?? ''),
      points.map((p) => p.recordedAt ?? now),
    ],
  );
}
