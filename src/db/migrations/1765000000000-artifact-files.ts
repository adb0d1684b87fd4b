import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version's artifact is a manifest of files (a model folder), each with its size, sha256 and status, uploaded,
 * verified, moved and restored one by one: `artifact_files`, one row per (version, path). Paths compare byte for
 * byte (COLLATE "C": code point order, OMS's order, and case-sensitive). The version keeps its own artifact columns
 * for clients (status READY only when every file is; a folder's sha256 is the OMS root digest, its size the total),
 * and says whether it is one file or a folder (`artifact_layout`).
 *
 * Every version already registered becomes a folder of one: its file `artifact` (the object's name in the store
 * since ever, models/<model id>/<version>/artifact, or the object it references), with the version's size, digest,
 * status, failure, verification time and upload lease, which moves to the file (uploads are claimed per file now).
 */
export class ArtifactFiles1765000000000 implements MigrationInterface {
  name = 'ArtifactFiles1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE model_versions
        ADD COLUMN artifact_layout text NOT NULL DEFAULT 'FILE' CHECK (artifact_layout IN ('FILE', 'FOLDER'))`);
    await q.query(`
      CREATE TABLE artifact_files (
        version_id uuid NOT NULL REFERENCES model_versions (id),
        path text COLLATE "C" NOT NULL CHECK (octet_length(path) BETWEEN 1 AND 1024),
        size_bytes bigint CHECK (size_bytes >= 0),
        sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        status text NOT NULL CHECK (status IN ('PENDING_UPLOAD', 'READY', 'FAILED', 'COLD', 'DELETED')),
        failure_reason text CHECK (length(failure_reason) <= 2000),
        upload_id uuid,
        upload_started_at timestamptz,
        verified_at timestamptz,
        PRIMARY KEY (version_id, path),
        CONSTRAINT artifact_files_upload_lease_check CHECK ((upload_id IS NULL) = (upload_started_at IS NULL))
      )`);
    await q.query(`
      INSERT INTO artifact_files (version_id, path, size_bytes, sha256, status, failure_reason, upload_id, upload_started_at, verified_at)
      SELECT id, 'artifact', artifact_size_bytes, artifact_sha256, artifact_status, artifact_failure_reason, artifact_upload_id,
        artifact_upload_started_at, artifact_verified_at
      FROM model_versions`);
    await q.query(`
      ALTER TABLE model_versions DROP CONSTRAINT model_versions_upload_lease_check, DROP COLUMN artifact_upload_id,
        DROP COLUMN artifact_upload_started_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Before this migration a version had one object: a folder cannot be told in those columns, so it is not undone.
    const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM model_versions WHERE artifact_layout = 'FOLDER'`)) as Array<{
      n: number;
    }>;
    if (n > 0) throw new Error(`${n} versions have a folder as their artifact: they cannot be kept as one object, so this is not undone`);
    await q.query(`
      ALTER TABLE model_versions ADD COLUMN artifact_upload_id uuid, ADD COLUMN artifact_upload_started_at timestamptz,
        ADD CONSTRAINT model_versions_upload_lease_check CHECK ((artifact_upload_id IS NULL) = (artifact_upload_started_at IS NULL))`);
    await q.query(`
      UPDATE model_versions v SET artifact_upload_id = f.upload_id, artifact_upload_started_at = f.upload_started_at
      FROM artifact_files f WHERE f.version_id = v.id AND f.path = 'artifact' AND f.upload_id IS NOT NULL`);
    await q.query('DROP TABLE artifact_files');
    await q.query('ALTER TABLE model_versions DROP COLUMN artifact_layout');
  }
}
