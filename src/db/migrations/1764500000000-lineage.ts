import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = [
  'DATASET',
  'DATASET_VERSION',
  'FEATURE',
  'CODE_COMMIT',
  'TRAINING_RUN',
  'EXPERIMENT',
  'JOB',
  'MODEL_VERSION',
  'EVALUATION',
  'DEPLOYMENT',
  'ENVIRONMENT',
  'EXTERNAL',
];

/**
 * The lineage graph: nodes unique per (kind, natural key), edges from input to output unique per (from, to,
 * relation) while live. An edge is never changed; removing one stamps `removed_at`, so the graph as it
 * was at any time can still be answered. A model version's and a deployment's node has their id.
 */
export class Lineage1764500000000 implements MigrationInterface {
  name = 'Lineage1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lineage_nodes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN (${KINDS.map((k) => `'${k}'`).join(', ')})),
        natural_key text NOT NULL,
        name text NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        -- The model of a MODEL_VERSION or DEPLOYMENT node: who may see it follows the model's access.
        model_id uuid REFERENCES registered_models (id),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind IN ('MODEL_VERSION', 'DEPLOYMENT')) = (model_id IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX lineage_nodes_key_idx ON lineage_nodes (kind, natural_key)`);
    await q.query(`
      CREATE TABLE lineage_edges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        from_id uuid NOT NULL REFERENCES lineage_nodes (id),
        to_id uuid NOT NULL REFERENCES lineage_nodes (id),
        relation text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_by text,
        removed_at timestamptz,
        CHECK (from_id <> to_id),
        CHECK ((removed_at IS NULL) = (removed_by IS NULL))
      )`);
    // Walking the graph reads an edge list by either end: both covering, so a step is an index-only scan.
    await q.query(`CREATE UNIQUE INDEX lineage_edges_live_idx ON lineage_edges (from_id, to_id, relation) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX lineage_edges_from_idx ON lineage_edges (from_id) INCLUDE (to_id, relation, created_at, removed_at)`);
    await q.query(`CREATE INDEX lineage_edges_to_idx ON lineage_edges (to_id) INCLUDE (from_id, relation, created_at, removed_at)`);
    await backfillLineage(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE lineage_edges');
    await q.query('DROP TABLE lineage_nodes');
  }
}

/**
 * The provenance of every version and deployment already registered, as registration records it from now
 * on (`provenanceOf` in lineage.rules.ts: a test checks that both give the same graph), dated when the
 * version or deployment was.
 */
export async function backfillLineage(q: { query(sql: string): Promise<unknown> }): Promise<void> {
  await q.query(`
    INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by, created_at, updated_at)
    SELECT v.id, 'MODEL_VERSION', v.id::text, r.name || '@' || v.version, v.model_id, v.created_by, v.created_at, v.created_at
    FROM model_versions v JOIN registered_models r ON r.id = v.model_id
    ON CONFLICT DO NOTHING`);
  await q.query(`
    INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by, created_at, updated_at)
    SELECT d.id, 'DEPLOYMENT', d.id::text, d.environment || ': ' || d.endpoint, d.model_id, d.created_by, d.created_at, d.created_at
    FROM deployments d
    ON CONFLICT DO NOTHING`);
  // Every input of every version's tuple, with the relation its edge carries; the earliest version names its node.
  await q.query(`
    CREATE TEMP TABLE provenance AS
    SELECT v.id AS version_id, v.created_by, v.created_at, p.kind, p.natural_key, p.name, p.properties, p.relation
    FROM model_versions v
    CROSS JOIN LATERAL (
      SELECT 'CODE_COMMIT' AS kind, v.code_repo || '@' || v.code_commit AS natural_key, v.code_repo || '@' || left(v.code_commit, 12) AS name,
             jsonb_build_object('repo', v.code_repo, 'commit', v.code_commit) AS properties, 'BUILT_FROM' AS relation
      UNION ALL
      SELECT 'DATASET_VERSION', d.value, d.value, '{}'::jsonb, 'TRAINED_ON' FROM jsonb_array_elements_text(v.dataset_versions) d
      UNION ALL
      SELECT 'ENVIRONMENT', v.environment_image_digest, v.environment_image_digest, jsonb_build_object('imageDigest', v.environment_image_digest), 'TRAINED_IN'
      WHERE v.environment_image_digest IS NOT NULL
      UNION ALL
      SELECT 'ENVIRONMENT', 'lock:sha256:' || encode(sha256(convert_to(v.environment_package_lock, 'UTF8')), 'hex'),
             'package lock ' || left(encode(sha256(convert_to(v.environment_package_lock, 'UTF8')), 'hex'), 12),
             jsonb_build_object('packageLockSha256', encode(sha256(convert_to(v.environment_package_lock, 'UTF8')), 'hex')), 'TRAINED_IN'
      WHERE v.environment_image_digest IS NULL AND v.environment_package_lock IS NOT NULL
      UNION ALL
      SELECT 'TRAINING_RUN', v.training_run_id, v.training_run_id, '{}'::jsonb, 'PRODUCED_BY' WHERE v.training_run_id IS NOT NULL
    ) p`);
  await q.query(`
    INSERT INTO lineage_nodes (kind, natural_key, name, properties, created_by, created_at, updated_at)
    SELECT DISTINCT ON (kind, natural_key) kind, natural_key, name, properties, created_by, created_at, created_at
    FROM provenance ORDER BY kind, natural_key, created_at, version_id
    ON CONFLICT DO NOTHING`);
  await q.query(`
    INSERT INTO lineage_edges (from_id, to_id, relation, created_by, created_at)
    SELECT DISTINCT ON (n.id, p.version_id, p.relation) n.id, p.version_id, p.relation, p.created_by, p.created_at
    FROM provenance p JOIN lineage_nodes n ON n.kind = p.kind AND n.natural_key = p.natural_key
    ON CONFLICT DO NOTHING`);
  await q.query(`
    INSERT INTO lineage_edges (from_id, to_id, relation, created_by, created_at)
    SELECT d.version_id, d.id, 'DEPLOYED_AS', d.created_by, d.created_at FROM deployments d
    ON CONFLICT DO NOTHING`);
  await q.query('DROP TABLE provenance');
}
