import { SCANNER_VERSION, type ScanReport, type ScanVerdict } from './scan.rules';

/**
 * What is made of the stored scan reports of a version's files: the reason a report gives in a few words, a report
 * made storable, the `artifact.scanned` audit event and the SCANNED gate's verdict. Pure: the store reads the rows
 * (a version's summary is counted in SQL) and hands them here.
 */

/** A version's scan reports counted (Artifact.scan). */
export interface ScanSummary {
  /** The worst verdict of the files scanned; null when none is. */
  verdict: ScanVerdict | null;
  files: number;
  filesScanned: number;
  filesNotScanned: number;
  dangerousFiles: number;
  suspiciousFiles: number;
  /** The scanner versions the reports were made by, ascending. */
  scannerVersions: number[];
  /** When the latest report was made; null when none was. */
  scannedAt: Date | null;
}

/** A file whose report is not CLEAN, with what made it so. */
export interface FlaggedFile {
  path: string;
  verdict: ScanVerdict;
  reason: string;
}

/** Paths of each verdict listed in an `artifact.scanned` event, at most. */
export const MAX_EVENT_PATHS = 20;
/** Files a SCANNED gate's detail names, at most. */
export const MAX_GATE_PATHS = 10;
/** A report's reason, at most (characters). */
export const MAX_REASON = 300;

const RANK: Record<ScanVerdict, number> = { CLEAN: 0, SUSPICIOUS: 1, DANGEROUS: 2 };

/** Whether a verdict is as bad as `block` (DANGEROUS blocks DANGEROUS; SUSPICIOUS blocks both). */
export function blocks(verdict: ScanVerdict, block: 'DANGEROUS' | 'SUSPICIOUS'): boolean {
  return RANK[verdict] >= RANK[block];
}

/** The verdicts that `block` blocks, worst first. */
export function blockedVerdicts(block: 'DANGEROUS' | 'SUSPICIOUS'): ScanVerdict[] {
  return block === 'DANGEROUS' ? ['DANGEROUS'] : ['DANGEROUS', 'SUSPICIOUS'];
}

/** What made a report's verdict, in a few words: its worst import (`imports os.system`), else its worst finding. */
export function reasonOf(report: Pick<ScanReport, 'verdict' | 'imports' | 'findings'>): string {
  if (report.verdict === 'CLEAN') return 'clean';
  const imported = report.imports.find((i) => i.verdict === report.verdict);
  const finding = report.findings.find((f) => f.severity === report.verdict);
  const reason = imported
    ? `imports ${imported.module}.${imported.name}`
    : finding
      ? `${finding.code}: ${finding.message}`
      : report.verdict.toLowerCase();
  return wellFormed(reason).slice(0, MAX_REASON);
}

/**
 * The report as PostgreSQL's jsonb takes it: strings read from a file may hold NUL or lone surrogates, which jsonb
 * refuses; they become U+FFFD. Everything else is kept as the scanner made it.
 */
export function storable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v))) as T;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(text: string): string {
  return text.replace(/\0/g, '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * The payload of an `artifact.scanned` audit event: the summary and the first 20 DANGEROUS and SUSPICIOUS files (in
 * path order, each with its reason), never the reports themselves (those are on the files, ArtifactFile.scan).
 */
export function scannedEvent(
  versionId: string,
  summary: ScanSummary,
  dangerous: readonly FlaggedFile[],
  suspicious: readonly FlaggedFile[],
  rescan: boolean,
) {
  const listed = (files: readonly FlaggedFile[]) => files.slice(0, MAX_EVENT_PATHS).map((f) => ({ path: f.path, reason: f.reason }));
  return {
    versionId,
    files: summary.files,
    filesScanned: summary.filesScanned,
    filesNotScanned: summary.filesNotScanned,
    verdicts: {
      DANGEROUS: summary.dangerousFiles,
      SUSPICIOUS: summary.suspiciousFiles,
      CLEAN: summary.filesScanned - summary.dangerousFiles - summary.suspiciousFiles,
    },
    verdict: summary.verdict,
    dangerous: listed(dangerous),
    suspicious: listed(suspicious),
    scannerVersion: SCANNER_VERSION,
    ...(rescan ? { rescan: true } : {}),
  };
}

export interface ScanGateRule {
  block: 'DANGEROUS' | 'SUSPICIOUS';
  requireScanned: boolean;
}

/** How many of a version's files are as bad as `rule.block`, from its summary. */
export function blockedCount(rule: ScanGateRule, summary: ScanSummary): number {
  return summary.dangerousFiles + (rule.block === 'SUSPICIOUS' ? summary.suspiciousFiles : 0);
}

/**
 * The SCANNED gate over a version's reports: it fails when a report is as bad as `rule.block`, or, with
 * `requireScanned`, when a file has none. `blocked` and `unscanned` are the first offending files (worst first, then
 * in path order; the counts come from the summary); the detail names up to 10, then how many more:
 * `weights/model.pkl: DANGEROUS (imports os.system)`.
 */
export function scanGate(
  rule: ScanGateRule,
  summary: ScanSummary,
  blocked: readonly FlaggedFile[],
  unscanned: readonly string[],
): { gate: 'SCANNED'; passed: boolean; detail: string } {
  const blocking = blockedCount(rule, summary);
  const unscannedCount = rule.requireScanned ? summary.filesNotScanned : 0;
  const blockWord = rule.block === 'DANGEROUS' ? 'DANGEROUS' : 'SUSPICIOUS or DANGEROUS';
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  if (blocking + unscannedCount === 0) {
    const worst = summary.verdict && summary.verdict !== 'CLEAN' ? ` (worst: ${summary.verdict})` : '';
    const notScanned = summary.filesNotScanned ? `; ${summary.filesNotScanned} not scanned (requireScanned is off)` : '';
    return {
      gate: 'SCANNED',
      passed: true,
      detail: `${summary.filesScanned} of ${files(summary.files)} scanned, none ${blockWord}${worst}${notScanned}`,
    };
  }
  const named = [
    ...blocked.filter((f) => blocks(f.verdict, rule.block)).map((f) => `${f.path}: ${f.verdict} (${f.reason})`),
    ...(rule.requireScanned ? unscanned.map((p) => `${p}: not scanned`) : []),
  ].slice(0, MAX_GATE_PATHS);
  const more = blocking + unscannedCount - named.length;
  const what = [blocking ? `${files(blocking)} ${blockWord}` : '', unscannedCount ? `${files(unscannedCount)} not scanned` : '']
    .filter(Boolean)
    .join(', ');
  return { gate: 'SCANNED', passed: false, detail: `${what}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}` };
}

/**
 * The report stored for a file whose scan tap failed (it threw, so the scanner never finished): a SCANNER_ERROR,
 * DANGEROUS as the scanner's own errors are, so nothing unscanned passes the gate unseen; rescanArtifact scans it again.
 */
export function tapFailedReport(path: string, error: string, bytes: number): ScanReport {
  return {
    path,
    format: 'UNKNOWN',
    verdict: 'DANGEROUS',
    findings: [
      {
        code: 'SCANNER_ERROR',
        severity: 'DANGEROUS',
        message: `the scan of this upload failed (${error.slice(0, 500)}): the file was not scanned; rescanArtifact scans it again`,
      },
    ],
    imports: [],
    scannerVersion: SCANNER_VERSION,
    bytesScanned: bytes,
  };
}
