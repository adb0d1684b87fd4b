import type { EntityManager } from 'typeorm';

/** The newest validation report's verdict and time for a version, or null when it has none. */
export async function latestVerdict(m: EntityManager, versionId: string): Promise<{ passed: boolean; createdAt: Date } | null> {
  const [latest] = (await m.query(
    'SELECT passed, created_at FROM validation_reports WHERE version_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
    [versionId],
  )) as Array<{ passed: boolean; created_at: Date }>;
  return latest ? { passed: latest.passed, createdAt: latest.created_at } : null;
}
