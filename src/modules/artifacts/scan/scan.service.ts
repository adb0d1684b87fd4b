import type { DataSource, EntityManager } from 'typeorm';
import { RegistryAction } from '../../../common/authorization';
import type { Caller } from '../../../common/caller';
import { badInput, conflict, notFound } from '../../../common/errors';
import { isUuid } from '../../../common/uuid';
import { Action, type AccessService } from '../../access';
import { appendAudit } from '../../audit';
import { appliesFrom } from '../../governance';
import type { GateCheck, GateResult } from '../../lifecycle';
import { ArtifactStatus, readVersion } from '../../versions';
import type { ArtifactStore } from '../artifact-store';
import { storeKeyOf } from '../artifact.rules';
import type { ArtifactTap, TapOutcome, TappedFile, UploadedFile } from '../artifact.taps';
import {
  blockedCount,
  blockedVerdicts,
  MAX_EVENT_PATHS,
  MAX_GATE_PATHS,
  scanGate,
  scannedEvent,
  tapFailedReport,
  type ScanSummary,
} from './report.rules';
import type { ArtifactScanEntity } from './scan.entity';
import { DEFAULT_SCAN_LIMITS, type ScanReport } from './scan.rules';
import { createScanner } from './scanner.rules';
import { flaggedFiles, reportsOf, saveReport, summaries, unscannedFiles } from './scan.store';

/** The name of the scanner's tap on uploads. */
export const SCAN_TAP = 'scan';
/** Rescans running at once on one instance: a further one is refused (CONFLICT) until one ends. */
export const MAX_RESCANS = 2;
/** A rescan gives the event loop a turn after this many bytes scanned without one. */
const YIELD_EVERY_BYTES = 4 * 1024 ** 2;

export interface Rescan {
  versionId: string;
  filesScanned: number;
  summary: ScanSummary;
}

/**
 * Scanning what arrives (issue 21, part 3): every uploaded file's bytes go through the scanner as they stream in (the
 * `scan` tap), its report is stored in the transaction that records the file, and once the version's last file is in,
 * an `artifact.scanned` audit event sums the version up. rescanArtifact reads the stored files again with the current
 * rules; the SCANNED gate refuses a move the policy's `scan` rule forbids. The scanner is pure and synchronous per
 * chunk (scanner.rules.ts); what it keeps is bounded by ScanLimits.
 */
export class ScanService {
  private readonly rescanning = new Set<string>();

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly store: ArtifactStore,
  ) {}

  /** The tap on every upload: the scanner fed each chunk, its report the tap's result. */
  tap(file: TappedFile): ArtifactTap<ScanReport> {
    const scanner = createScanner(file.path);
    return { write: (chunk) => scanner.push(chunk), end: () => scanner.finish() };
  }

  /**
   * The fileUploaded hook: stores the file's report (a tap that failed is stored as SCANNER_ERROR, DANGEROUS: see
   * tapFailedReport), and when the file was the version's last, appends `artifact.scanned`. In the upload's transaction.
   */
  async recordUpload(m: EntityManager, caller: Caller, file: UploadedFile, outcomes: TapOutcome[]): Promise<void> {
    const outcome = outcomes.find((o) => o.tap === SCAN_TAP);
    if (outcome) {
      const report =
        outcome.error !== undefined ? tapFailedReport(file.path, outcome.error, file.sizeBytes) : (outcome.result as ScanReport);
      refuseTooDeep(file.path, report);
      await saveReport(m, file.versionId, { ...report, path: file.path });
    }
    if (file.artifactStatus === ArtifactStatus.READY) await this.announce(m, caller, file.versionId, file.modelId, false);
  }

  /**
   * rescanArtifact(versionId), ADMIN (RESCAN_ARTIFACTS) on a model the caller sees: every stored file read again as a
   * stream and scanned with the current rules; the reports replaced and `artifact.scanned` (rescan: true) appended in
   * one transaction. Only a READY artifact in the registry's store is rescanned (COLD: restore it first; DELETED or by
   * reference: nothing is stored). One rescan per version at a time (across instances: an advisory lock), at most
   * MAX_RESCANS per instance.
   */
  async rescan(caller: Caller, versionId: string): Promise<Rescan> {
    this.access.authorizeRegistry(caller, RegistryAction.RESCAN_ARTIFACTS);
    if (!isUuid(versionId)) throw notFound('model version', versionId);
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    if (!storeKeyOf(this.store, version))
      throw conflict(`the artifact was registered by reference (${version.artifactSourceUri}): nothing is stored here to scan`, {
        status: version.artifactStatus,
      });
    if (version.artifactStatus !== ArtifactStatus.READY) throw notReady(version.artifactStatus);
    if (this.rescanning.has(version.id)) throw conflict('a rescan of this version is already running');
    if (this.rescanning.size >= MAX_RESCANS) throw conflict(`${MAX_RESCANS} rescans are running on this instance: try again when one ends`);
    this.rescanning.add(version.id);
    try {
      return await this.db.transaction(async (m) => {
        // One rescan of a version at a time, whichever instance runs it; held until this transaction ends.
        const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('artifact-rescan'), hashtext($1)) AS locked`, [
          version.id,
        ]);
        if (!locked) throw conflict('a rescan of this version is already running');
        const files = (await m.query(`SELECT path, status FROM artifact_files WHERE version_id = $1 ORDER BY path`, [
          version.id,
        ])) as Array<{
          path: string;
          status: ArtifactStatus;
        }>;
        for (const file of files) {
          if (file.status !== ArtifactStatus.READY) throw notReady(file.status, file.path);
          await saveReport(m, version.id, await this.scanStored(storeKeyOf(this.store, version, file.path) as string, file.path));
        }
        // The artifact must not have moved (to cold storage, deleted) while its files were read.
        const [current] = await m.query('SELECT artifact_status FROM model_versions WHERE id = $1 FOR UPDATE', [version.id]);
        if (current.artifact_status !== ArtifactStatus.READY) throw notReady(current.artifact_status);
        const summary = await this.announce(m, caller, version.id, version.modelId, true);
        return { versionId: version.id, filesScanned: files.length, summary };
      });
    } finally {
      this.rescanning.delete(version.id);
    }
  }

  /** The SCANNED gate, for lifecycle's addGate: none when the policy's scan rule does not apply to the move. */
  readonly gate: GateCheck = async (m, { version, targetStage, policy }): Promise<GateResult[]> => {
    if (!appliesFrom(policy.scan.stage, targetStage)) return [];
    const summary = (await summaries(m, [version.id])).get(version.id) ?? emptySummary();
    // The summary already says whether any file is blocked: most promotions need not list them.
    const blocked = blockedCount(policy.scan, summary)
      ? await flaggedFiles(m, version.id, blockedVerdicts(policy.scan.block), MAX_GATE_PATHS)
      : [];
    const unscanned = policy.scan.requireScanned && summary.filesNotScanned ? await unscannedFiles(m, version.id, MAX_GATE_PATHS) : [];
    return [scanGate(policy.scan, summary, blocked, unscanned)];
  };

  /** Reports of files, for the per-request loaders. */
  reportsOf(files: ReadonlyArray<{ versionId: string; path: string }>): Promise<Map<string, ArtifactScanEntity>> {
    return reportsOf(this.db.manager, files);
  }

  /** Each version's summary, for the per-request loaders. */
  summariesOf(versionIds: readonly string[]): Promise<Map<string, ScanSummary>> {
    return summaries(this.db.manager, versionIds);
  }

  /** Reads a stored object as a stream through a fresh scanner; never holds it, and yields to the event loop as it goes. */
  private async scanStored(key: string, path: string): Promise<ScanReport> {
    const object = await this.store.read(key);
    if (!object) throw conflict(`${path}: the store has no object at ${this.store.uriOf(key)} (verifyArtifact checks it)`, { path });
    const scanner = createScanner(path);
    let sinceYield = 0;
    for await (const chunk of object.body as AsyncIterable<Buffer>) {
      scanner.push(chunk);
      sinceYield += chunk.length;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return scanner.finish();
  }

  /** Appends `artifact.scanned` with the version's summary, bounded; answers the summary. */
  private async announce(m: EntityManager, caller: Caller, versionId: string, modelId: string, rescan: boolean): Promise<ScanSummary> {
    const summary = (await summaries(m, [versionId])).get(versionId) ?? emptySummary();
    const dangerous = summary.dangerousFiles ? await flaggedFiles(m, versionId, ['DANGEROUS'], MAX_EVENT_PATHS) : [];
    const suspicious = summary.suspiciousFiles ? await flaggedFiles(m, versionId, ['SUSPICIOUS'], MAX_EVENT_PATHS) : [];
    await appendAudit(m, caller, {
      action: 'artifact.scanned',
      subjectType: 'ModelVersion',
      subjectId: versionId,
      modelId,
      payload: scannedEvent(versionId, summary, dangerous, suspicious, rescan),
    });
    return summary;
  }
}

const notReady = (status: ArtifactStatus, path?: string) =>
  conflict(
    `${path ? `${path} is` : 'the artifact is'} ${status}: only a READY artifact is rescanned${
      status === ArtifactStatus.COLD ? ' (restoreArtifact brings it back from cold storage)' : ''
    }`,
    { status, ...(path ? { path } : {}) },
  );

const emptySummary = (): ScanSummary => ({
  verdict: null,
  files: 0,
  filesScanned: 0,
  filesNotScanned: 0,
  dangerousFiles: 0,
  suspiciousFiles: 0,
  scannerVersions: [],
  scannedAt: null,
});

/**
 * A pickle nested beyond maxPickleDepth cannot be scanned to its end (what follows the depth is never read), so its
 * upload is refused, as the issue's bounds ask: BAD_USER_INPUT on the body, the file FAILED with the reason and
 * nothing of it kept. A stored file found so deep by a rescan keeps its DANGEROUS report instead: it is already there.
 */
function refuseTooDeep(path: string, report: ScanReport): void {
  const deep = report.findings.find((f) => f.code === 'PICKLE_TOO_DEEP');
  if (deep) {
    throw badInput(
      'body',
      `${path}: a pickle nested deeper than ${DEFAULT_SCAN_LIMITS.maxPickleDepth} levels (MARKs or containers${deep.entry ? `, in ${deep.entry}` : ''}) is refused: it cannot be scanned to its end`,
    );
  }
}
