import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scanner's report on each stored file of a version (issue 21, part 3): one row per (version_id, path), written
 * in the transaction that records the upload and replaced by rescanArtifact; `reason` is what made its verdict, in a
 * few words (`imports os.system`), for the gate and the audit event. A file with no row was not scanned
 * (registered by reference, or stored before scanning existed). Bounds: the scanner's own (maxFindings and
 * maxImports, 1,000 each, plus the one FINDINGS_TRUNCATED finding), checked here too.
 */
export class ArtifactScans1765200000000 implements MigrationInterface {
  name = 'ArtifactScans1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE artifact_scans (
        version_id uuid NOT NULL,
        path text COLLATE "C" NOT NULL,
        scanner_version integer NOT NULL CHECK (scanner_version > 0),
        format text NOT NULL CHECK (format IN ('PICKLE', 'PYTORCH_ZIP', 'ZIP', 'SAFETENSORS', 'GGUF', 'ONNX', 'NUMPY', 'JSON', 'TEXT', 'UNKNOWN')),
        verdict text NOT NULL CHECK (verdict IN ('DANGEROUS', 'SUSPICIOUS', 'CLEAN')),
        findings jsonb NOT NULL CHECK (jsonb_typeof(findings) = 'array' AND jsonb_array_length(findings) <= 1001),
        imports jsonb NOT NULL CHECK (jsonb_typeof(imports) = 'array' AND jsonb_array_length(imports) <= 1000),
        reason text NOT NULL CHECK (length(reason) <= 300),
        bytes bigint NOT NULL CHECK (bytes >= 0),
        scanned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version_id, path),
        FOREIGN KEY (version_id, path) REFERENCES artifact_files (version_id, path) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE artifact_scans');
  }
}
