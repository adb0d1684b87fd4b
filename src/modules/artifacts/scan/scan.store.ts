import type { EntityManager } from 'typeorm';
import { hydrate } from '../../../db/hydrate';
import { ArtifactScanEntity } from './scan.entity';
import { reasonOf, storable, type FlaggedFile, type ScanSummary } from './report.rules';
import type { ScanReport, ScanVerdict } from './scan.rules';

/** Writes a file's report, replacing the one before (a rescan, or an upload of a file that failed before). */
export async function saveReport(m: EntityManager, versionId: string, report: ScanReport): Promise<void> {
  const { findings, imports } = storable({ findings: report.findings, imports: report.imports });
  await m.query(
    `INSERT INTO artifact_scans (version_id, path, scanner_version, format, verdict, findings, imports, reason, bytes, scanned_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, now())
     ON CONFLICT (version_id, path) DO UPDATE SET scanner_version = EXCLUDED.scanner_version, format = EXCLUDED.format,
       verdict = EXCLUDED.verdict, findings = EXCLUDED.findings, imports = EXCLUDED.imports, reason = EXCLUDED.reason,
       bytes = EXCLUDED.bytes, scanned_at = EXCLUDED.scanned_at`,
    [
      versionId,
      report.path,
      report.scannerVersion,
      report.format,
      report.verdict,
      JSON.stringify(findings),
      JSON.stringify(imports),
      reasonOf(report),
      report.bytesScanned,
    ],
  );
}

/** The reports of these files, by `${versionId}\n${path}`. */
export async function reportsOf(
  m: EntityManager,
  files: ReadonlyArray<{ versionId: string; path: string }>,
): Promise<Map<string, ArtifactScanEntity>> {
  const rows = (await m.query(
    `SELECT s.* FROM artifact_scans s JOIN unnest($1::uuid[], $2::text[]) AS f(version_id, path)
       ON s.version_id = f.version_id AND s.path = f.path COLLATE "C"`,
    [files.map((f) => f.versionId), files.map((f) => f.path)],
  )) as Array<Record<string, unknown>>;
  return new Map(
    rows.map((row) => {
      const scan = hydrate(m, ArtifactScanEntity, row);
      return [scanKey(scan.versionId, scan.path), scan];
    }),
  );
}

export const scanKey = (versionId: string, path: string): string => `${versionId.toLowerCase()}\n${path}`;

/** Each version's reports counted against its files: one statement for many versions. */
export async function summaries(m: EntityManager, versionIds: readonly string[]): Promise<Map<string, ScanSummary>> {
  const rows = (await m.query(
    `SELECT f.version_id, count(*)::int AS files, count(s.path)::int AS scanned,
       count(*) FILTER (WHERE s.verdict = 'DANGEROUS')::int AS dangerous,
       count(*) FILTER (WHERE s.verdict = 'SUSPICIOUS')::int AS suspicious,
       coalesce(array_agg(DISTINCT s.scanner_version) FILTER (WHERE s.scanner_version IS NOT NULL), '{}') AS versions,
       max(s.scanned_at) AS scanned_at
     FROM artifact_files f LEFT JOIN artifact_scans s ON s.version_id = f.version_id AND s.path = f.path
     WHERE f.version_id = ANY($1::uuid[]) GROUP BY f.version_id`,
    [versionIds],
  )) as Array<{
    version_id: string;
    files: number;
    scanned: number;
    dangerous: number;
    suspicious: number;
    versions: number[];
    scanned_at: Date | null;
  }>;
  return new Map(
    rows.map((r) => [
      r.version_id,
      {
        verdict: r.scanned === 0 ? null : r.dangerous ? 'DANGEROUS' : r.suspicious ? 'SUSPICIOUS' : 'CLEAN',
        files: r.files,
        filesScanned: r.scanned,
        filesNotScanned: r.files - r.scanned,
        dangerousFiles: r.dangerous,
        suspiciousFiles: r.suspicious,
        scannerVersions: [...r.versions].sort((a, b) => a - b),
        scannedAt: r.scanned_at,
      } satisfies ScanSummary,
    ]),
  );
}

/** The first `limit` files of a version with one of these verdicts: worst first, then in path order. */
export async function flaggedFiles(m: EntityManager, versionId: string, verdicts: ScanVerdict[], limit: number): Promise<FlaggedFile[]> {
  if (!verdicts.length) return [];
  return (await m.query(
    `SELECT path, verdict, reason FROM artifact_scans WHERE version_id = $1 AND verdict = ANY($2::text[])
     ORDER BY verdict = 'DANGEROUS' DESC, path LIMIT $3`,
    [versionId, verdicts, limit],
  )) as FlaggedFile[];
}

/** The first `limit` files of a version that have no report, in path order. */
export async function unscannedFiles(m: EntityManager, versionId: string, limit: number): Promise<string[]> {
  const rows = (await m.query(
    `SELECT f.path FROM artifact_files f WHERE f.version_id = $1
       AND NOT EXISTS (SELECT 1 FROM artifact_scans s WHERE s.version_id = f.version_id AND s.path = f.path)
     ORDER BY f.path LIMIT $2`,
    [versionId, limit],
  )) as Array<{ path: string }>;
  return rows.map((r) => r.path);
}
