import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ArtifactStatus } from './version.enums';

/** One file of a version's artifact (`artifact_files`): a single-file artifact has one, named `artifact`. */
@Entity({ name: 'artifact_files' })
export class ArtifactFileEntity {
  @PrimaryColumn('uuid', { name: 'version_id' })
  versionId: string;

  /** Normalised (manifest.rules.ts), compared byte for byte (COLLATE "C"). */
  @PrimaryColumn('text')
  path: string;

  /** bigint comes back from pg as a string; null only for a single file whose size its upload declares. */
  @Column('bigint', { name: 'size_bytes', nullable: true })
  sizeBytes: string | null;

  /** Declared at registration or by the upload (X-Artifact-Sha256). */
  @Column('text', { nullable: true })
  sha256: string | null;

  @Column('text')
  status: ArtifactStatus;

  /** Why the upload or the last verification of this file failed (FAILED only). */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** The upload that holds this file now (one at a time), and since when: another may take over after the lease. */
  @Column('uuid', { name: 'upload_id', nullable: true })
  uploadId: string | null;

  @Column('timestamptz', { name: 'upload_started_at', nullable: true })
  uploadStartedAt: Date | null;

  /** When the stored bytes were last found to match the digest. */
  @Column('timestamptz', { name: 'verified_at', nullable: true })
  verifiedAt: Date | null;
}
