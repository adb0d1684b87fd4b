import type { EntityManager } from 'typeorm';

/** Latest whole-population (slice '') VALIDATION value of each metric of a version: what validation compares. */
export async function validationValues(m: EntityManager, versionId: string): Promise<Map<string, number>> {
  const rows = (await m.query(
    `SELECT DISTINCT ON (name) name, value FROM metrics
     WHERE version_id = $1 AND source = 'VALIDATION' AND slice = ''
     ORDER BY name, recorded_at DESC, step DESC, id DESC`,
    [versionId],
  )) as Array<{ name: string; value: number }>;
  return new Map(rows.map((r) => [r.name, r.value]));
}
