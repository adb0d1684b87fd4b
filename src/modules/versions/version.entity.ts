import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ArtifactFormat, ArtifactLayout, ArtifactStatus, Stage } from './version.enums';

@Entity({ name: 'model_versions' })
export class ModelVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('int')
  version: number;

  @Column('text', { nullable: true })
  label: string | null;

  @Column('text')
  description: string;

  @Column('text')
  stage: Stage;

  // The reproducibility tuple: immutable once the artifact is READY.
  @Column('text', { name: 'code_repo' })
  codeRepo: string;

  @Column('text', { name: 'code_commit' })
  codeCommit: string;

  @Column('jsonb', { name: 'dataset_versions' })
  datasetVersions: string[];

  @Column('jsonb')
  hyperparameters: Record<string, unknown>;

  @Column('text', { name: 'environment_image_digest', nullable: true })
  environmentImageDigest: string | null;

  @Column('text', { name: 'environment_package_lock', nullable: true })
  environmentPackageLock: string | null;

  /** Text, because seeds are often 64-bit unsigned and GraphQL Int is 32-bit. */
  @Column('text', { name: 'random_seed', nullable: true })
  randomSeed: string | null;

  @Column('text', { name: 'training_run_id', nullable: true })
  trainingRunId: string | null;

  @Column('text', { name: 'artifact_format' })
  artifactFormat: ArtifactFormat;

  /** Where the registry keeps the artifact: models/<model id>/<version>/ under the artifact store (by id: a rename moves nothing). */
  @Column('text', { name: 'artifact_storage_path' })
  artifactStoragePath: string;

  /** An artifact that already lives elsewhere, registered by reference. */
  @Column('text', { name: 'artifact_source_uri', nullable: true })
  artifactSourceUri: string | null;

  /** One file, or a folder of files (artifact_files holds them: a single file is a folder of one). */
  @Column('text', { name: 'artifact_layout' })
  artifactLayout: ArtifactLayout;

  /** bigint comes back from pg as a string. A folder's: the total of its files. */
  @Column('bigint', { name: 'artifact_size_bytes', nullable: true })
  artifactSizeBytes: string | null;

  /** A folder's: the OMS root digest of its manifest (manifest.rules.ts, rootDigest), once every file's is known. */
  @Column('text', { name: 'artifact_sha256', nullable: true })
  artifactSha256: string | null;

  @Column('jsonb', { name: 'artifact_signature', nullable: true })
  artifactSignature: Record<string, unknown> | null;

  /** READY only when every file of the artifact is (manifestStatus). */
  @Column('text', { name: 'artifact_status' })
  artifactStatus: ArtifactStatus;

  /** Why the upload or the last verification failed (FAILED only). */
  @Column('text', { name: 'artifact_failure_reason', nullable: true })
  artifactFailureReason: string | null;

  /** When the stored bytes were last found to match the digest. */
  @Column('timestamptz', { name: 'artifact_verified_at', nullable: true })
  artifactVerifiedAt: Date | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;
}
