import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenSSF Model Signing (issue 21): the signers the registry trusts (`trusted_signers`: keys, certificate
 * authorities, Sigstore identities; GLOBAL, per TEAM or per MODEL; revoked, never deleted) and the verified
 * signatures on versions (`model_signatures`, each with its bundle). A signer's name is unique per scope among the
 * unrevoked ones, so a rotated key may take the name of the one it replaces. The bundle's bound is a setting
 * (MODELGRAPH_MAX_SIGNATURE_BYTES, default 4 MiB); the column's CHECK is the largest the setting allows, 64 MiB.
 */
export class Trust1765100000000 implements MigrationInterface {
  name = 'Trust1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trusted_signers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('SIGNING_KEY', 'CERTIFICATE_AUTHORITY', 'SIGSTORE_IDENTITY')),
        scope text NOT NULL CHECK (scope IN ('GLOBAL', 'TEAM', 'MODEL')),
        team_id uuid REFERENCES teams (id),
        model_id uuid REFERENCES registered_models (id),
        public_key text CHECK (length(public_key) <= 10000),
        certificate text CHECK (length(certificate) <= 20000),
        fingerprint text CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
        subject text CHECK (length(subject) <= 2000),
        issuer text CHECK (length(issuer) <= 2000),
        curve text CHECK (curve IN ('P-256', 'P-384', 'P-521')),
        not_after timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by text,
        revoked_reason text CHECK (length(revoked_reason) <= 2000),
        CONSTRAINT trusted_signers_scope_ids_check CHECK (
          (scope = 'GLOBAL' AND team_id IS NULL AND model_id IS NULL)
          OR (scope = 'TEAM' AND team_id IS NOT NULL AND model_id IS NULL)
          OR (scope = 'MODEL' AND model_id IS NOT NULL AND team_id IS NULL)),
        CONSTRAINT trusted_signers_kind_fields_check CHECK (
          (kind = 'SIGNING_KEY' AND public_key IS NOT NULL AND fingerprint IS NOT NULL)
          OR (kind = 'CERTIFICATE_AUTHORITY' AND certificate IS NOT NULL AND fingerprint IS NOT NULL)
          OR (kind = 'SIGSTORE_IDENTITY' AND issuer IS NOT NULL AND subject IS NOT NULL)),
        CONSTRAINT trusted_signers_revocation_check CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX trusted_signers_name_idx ON trusted_signers (scope, COALESCE(team_id::text, ''), COALESCE(model_id::text, ''), name)
        WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX trusted_signers_team_idx ON trusted_signers (team_id) WHERE team_id IS NOT NULL`);
    await q.query(`CREATE INDEX trusted_signers_model_idx ON trusted_signers (model_id) WHERE model_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE model_signatures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions (id),
        model_id uuid NOT NULL REFERENCES registered_models (id),
        method text NOT NULL CHECK (method IN ('KEY', 'CERTIFICATE', 'SIGSTORE')),
        signer text NOT NULL CHECK (length(signer) <= 4000),
        signer_issuer text CHECK (length(signer_issuer) <= 4000),
        trusted_signer_id uuid NOT NULL REFERENCES trusted_signers (id),
        signed_at timestamptz NOT NULL,
        attached_at timestamptz NOT NULL DEFAULT now(),
        attached_by text NOT NULL,
        root_digest text NOT NULL CHECK (root_digest ~ '^[0-9a-f]{64}$'),
        bundle_sha256 text NOT NULL CHECK (bundle_sha256 ~ '^[0-9a-f]{64}$'),
        bundle text NOT NULL CHECK (octet_length(bundle) <= 67108864),
        UNIQUE (version_id, bundle_sha256)
      )`);
    await q.query(`CREATE INDEX model_signatures_version_idx ON model_signatures (version_id, attached_at, id)`);
    await q.query(`CREATE INDEX model_signatures_signer_idx ON model_signatures (trusted_signer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE model_signatures');
    await q.query('DROP TABLE trusted_signers');
  }
}
