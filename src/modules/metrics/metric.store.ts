import type { EntityManager } from 'typeorm';

/** Latest whole-population (slice '') VALIDATION value of each metric of a version: what validation compares. */
export async function validationValues(m: EntityManager, versionId: string): Promise<Map<string, number>> {
  const rows = (await m.query(`SELECT name, value FROM metric_latest WHERE version_id = $1 AND source = 'VALIDATION' AND slice = ''`, [
    versionId,
  ])) as Array<{ name: string; value: number }>;
  return new Map(rows.map((r) => [r.name, r.value]));
}
