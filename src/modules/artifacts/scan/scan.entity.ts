import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PickleImport, ScanFinding, ScanFormat, ScanVerdict } from './scan.rules';

/** The scanner's report on one stored file (`artifact_scans`): written as the file is recorded, replaced by a rescan. */
@Entity({ name: 'artifact_scans' })
export class ArtifactScanEntity {
  @PrimaryColumn('uuid', { name: 'version_id' })
  versionId: string;

  @PrimaryColumn('text')
  path: string;

  /** SCANNER_VERSION of the rules that made the report. */
  @Column('int', { name: 'scanner_version' })
  scannerVersion: number;

  @Column('text')
  format: ScanFormat;

  @Column('text')
  verdict: ScanVerdict;

  @Column('jsonb')
  findings: ScanFinding[];

  @Column('jsonb')
  imports: PickleImport[];

  /** What made the verdict, in a few words (report.rules.ts reasonOf). */
  @Column('text')
  reason: string;

  /** bigint comes back from pg as a string. */
  @Column('bigint')
  bytes: string;

  @Column('timestamptz', { name: 'scanned_at' })
  scannedAt: Date;
}
