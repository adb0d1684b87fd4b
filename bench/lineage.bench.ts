// `npm run bench:lineage [-- --edges 1000000 --requests 200 --depths 3,5,10 --warmup 1]`: lineage traversals
// on a large graph, through modelgraph over HTTP (the real server, in a process of its own) and as the bare
// statement the server sends for them (lineage.walk.ts's, checked identical), on the same data in the same run.
// Not a test: it prints figures.
//
// The graph has the shape provenance and pipelines give it: every version linked to its commit, dataset
// versions, environment and training run; a few dataset versions and environments consumed by tens of
// thousands of versions and most by a handful; dataset derivation chains from raw sources; fine-tuning chains
// up to 15 versions long, some starting from a few popular foundation versions; deployments at chain ends.
// It is written with SQL (INSERT … SELECT over a plan in unlogged tables), in chunks, on two connections, with
// real registered_models, model_versions and deployments rows behind the registry's own nodes; the indexes
// and keys are made again after the rows, as pg_restore does.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createModelgraphDataSource } from '../src/composition';
import { createDataSource } from '../src/db/data-source';
import { LineageDirection, edgeLimit } from '../src/modules/lineage/lineage.rules';
import { walk } from '../src/modules/lineage/lineage.walk';
import { openBenchDatabase, percentile } from './bench-support';
import type { ParentMessage, ServerMessage } from './catalog.server';

const { values: options } = parseArgs({
  options: {
    edges: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    depths: { type: 'string', default: '3,5,10' },
    warmup: { type: 'string', default: '1' },
  },
});
const EDGES = Number(options.edges);
/** Per depth, shared by the three directions. */
const REQUESTS = Number(options.requests);
const PER_DIRECTION = Math.ceil(REQUESTS / 3);
const DEPTHS = options.depths.split(',').map(Number);
const WARMUP = Number(options.warmup);
const FIRST = 1000;
const STARTS_PER_DIRECTION = 8;

const LINEAGE_QUERY = `query Lineage($nodeId: UUID!, $direction: LineageDirection!, $maxDepth: Int!) {
  lineage(nodeId: $nodeId, direction: $direction, maxDepth: $maxDepth, first: ${FIRST}) {
    truncated nodes { depth node { id kind name } } edges { from to relation }
  }
}`;

// ---- the graph ----

/** Sizes derived from the number of edges wanted (about 6.3 edges per version before the top-up). */
function sizes(edges: number) {
  const versions = Math.max(50, Math.round(edges / 6.9));
  return {
    versions,
    models: Math.max(4, Math.round(versions / 60)),
    /** The first versions, which chain heads are sometimes fine-tuned from. */
    foundation: Math.max(3, Math.round(versions / 2000)),
    environments: Math.max(4, Math.round(versions / 400)),
    datasetVersions: Math.max(10, Math.round(versions / 4)),
    rawDatasets: Math.max(3, Math.round(versions / 80)),
  };
}

/** A node's id from its kind and ordinal: random-looking, as gen_random_uuid() makes them, and known without a lookup. */
const uuidOf = (tag: string, ordinal: string) => `md5('${tag}:' || (${ordinal}))::uuid`;
/** A rank from 0 to n - 1, Zipf-like (density 1/x): rank 0 is drawn about ln 2 / ln(n + 1) of the time. */
const zipf = (n: string) => `(floor((${n} + 1.0) ^ random())::int - 1)`;
const dvKey = (j: string) => `'s3://lake/ds-' || ((${j}) / 5) || '@v' || ((${j}) % 5 + 1)`;
const envKey = (e: string) => `'ghcr.io/acme/train@sha256:' || md5('env' || (${e})) || md5('env-' || (${e}))`;

/** Writes progress on stderr, in place on a terminal, every 10% otherwise. */
class Progress {
  private readonly started = Date.now();
  private lastDecile = -1;
  private done = 0;
  constructor(private readonly total: number) {}

  /** `work` more units done (a row written, or a row indexed), then `what` is shown. */
  add(work: number, what: string): void {
    this.done += work;
    const pct = Math.min(100, Math.floor((100 * this.done) / this.total));
    const line = `loading: ${String(pct).padStart(3)}%  ${what}  ${((Date.now() - this.started) / 1000).toFixed(1)} s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
    else if (Math.floor(pct / 10) > this.lastDecile) {
      this.lastDecile = Math.floor(pct / 10);
      process.stderr.write(`${line}\n`);
    }
  }

  end(): void {
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

interface Loaded {
  seconds: number;
  nodes: number;
  edges: number;
  versions: number;
  deployments: number;
  byRelation: string;
  hubs: string;
  /** The indexes and constraints after the load are those the migrations made. */
  schemaIntact: boolean;
}

const BULK_TABLES = ['registered_models', 'model_versions', 'deployments', 'lineage_nodes', 'lineage_edges'];

interface Definition {
  kind: 'index' | 'key' | 'foreign key';
  table: string;
  name: string;
  def: string;
}

/**
 * The indexes, keys and foreign keys of `tables` (and the foreign keys into them), as pg_restore would make them
 * again after loading the rows: a million rows into five random-uuid b-trees, each row checked against two
 * foreign keys, take minutes; sorting once per index takes seconds.
 */
async function definitions(db: Client, tables: string[]): Promise<Definition[]> {
  const { rows } = await db.query(
    `SELECT 'index' AS kind, i.indrelid::regclass::text AS "table", i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i
     WHERE i.indrelid = ANY($1::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
     UNION ALL
     SELECT CASE c.contype WHEN 'f' THEN 'foreign key' ELSE 'key' END, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
     FROM pg_constraint c
     WHERE (c.contype IN ('p', 'u') AND c.conrelid = ANY($1::regclass[])) OR (c.contype = 'f' AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[])))
     ORDER BY 1, 2, 3`,
    [tables],
  );
  return rows as Definition[];
}

/** The plan's tables: unlogged, so that both loading connections read them; dropped once the start nodes are chosen. */
const PLAN_TABLES = ['bench_chains', 'bench_plan', 'bench_trained', 'bench_derived', 'bench_joins'];

/** What to write, decided before anything is: versions, chains, inputs, deployments, dataset derivations. */
async function plan(db: Client) {
  const n = sizes(EDGES);
  await db.query(`SELECT setseed(0.42)`);
  // Chains of versions (40% alone, the rest 2 to 15 long), in models of about 60 versions.
  await db.query(
    `CREATE UNLOGGED TABLE bench_chains AS
     SELECT k, len, (sum(len) OVER (ORDER BY k) - len)::int AS first_i
     FROM (SELECT k, CASE WHEN random() < 0.4 THEN 1 ELSE 2 + floor(random() * 14)::int END AS len FROM generate_series(0, $1::int) k) c`,
    [n.versions],
  );
  await db.query(`DELETE FROM bench_chains WHERE first_i >= $1`, [n.versions]);
  await db.query(`UPDATE bench_chains SET len = $1 - first_i WHERE first_i + len > $1`, [n.versions]);
  const [{ chains }] = (await db.query(`SELECT count(*)::int AS chains FROM bench_chains`)).rows;
  // Per version: its commit (two versions a commit along a chain), environment (Zipf: a few images everywhere),
  // base (the previous version of its chain; a chain's head sometimes a foundation version) and deployments.
  await db.query(
    `CREATE UNLOGGED TABLE bench_plan AS
     SELECT v.*, row_number() OVER (PARTITION BY v.model ORDER BY v.i)::int AS version,
            v.chain * 16 + v.pos / 2 AS commit,
            ${zipf('$2')} AS env,
            CASE WHEN v.pos > 0 THEN v.i - 1
                 WHEN v.len > 1 AND v.i >= $3 AND random() < 0.35 THEN ${zipf('$3')} END AS base,
            CASE WHEN v.pos = v.len - 1 THEN (random() < 0.75)::int + (random() < 0.35)::int ELSE 0 END AS deployments
     FROM (SELECT c.first_i + p AS i, c.k AS chain, p AS pos, c.len, (c.k::bigint * $1 / $4)::int AS model
           FROM bench_chains c CROSS JOIN LATERAL generate_series(0, c.len - 1) p) v`,
    [n.models, n.environments, n.foundation, chains],
  );
  // One to three dataset versions per version, Zipf over all of them: a few hubs, a long tail.
  await db.query(
    `CREATE UNLOGGED TABLE bench_trained AS
     SELECT DISTINCT p.i, ${zipf('$1')} AS dv FROM bench_plan p CROSS JOIN LATERAL generate_series(0, p.i * 7919 % 3) s`,
    [n.datasetVersions],
  );
  // Dataset version j is derived from one of 3j+1 … 3j+3 (chains about log3 long, the popular ones the longest), or
  // from a raw source when there is none: raw → cleaned → joined → … → training set.
  await db.query(
    `CREATE UNLOGGED TABLE bench_derived AS
     SELECT j, CASE WHEN p < $1 THEN p END AS parent, CASE WHEN p >= $1 THEN ${zipf('$2')} END AS raw
     FROM (SELECT j, 3 * j + 1 + floor(random() * 3)::int AS p FROM generate_series(0, $1::int - 1) j) d`,
    [n.datasetVersions, n.rawDatasets],
  );
  await db.query(`CREATE INDEX ON bench_plan (chain)`);
  await db.query(`CREATE INDEX ON bench_trained (i)`);
  await db.query(`ANALYZE bench_chains, bench_plan, bench_trained, bench_derived`);
  const [planned] = (
    await db.query(
      `SELECT (SELECT count(*) FROM bench_plan)::int AS versions,
              (SELECT count(DISTINCT commit) FROM bench_plan)::int AS commits,
              (SELECT sum(deployments) FROM bench_plan)::int AS deployments,
              (SELECT count(*) FROM bench_trained)::int AS trained,
              (SELECT count(base) FROM bench_plan)::int AS tuned`,
    )
  ).rows;
  // The rest of the edges, to make EDGES exactly: datasets joined from a second, less popular one (from k > j: no
  // cycles), each pair once and none that is already a first parent.
  const joins = EDGES - (planned.versions * 3 + planned.trained + planned.tuned + planned.deployments + n.datasetVersions);
  await db.query(`CREATE UNLOGGED TABLE bench_joins (j int, k int)`);
  for (let want = joins; want > 0;) {
    const { rowCount } = await db.query(
      `INSERT INTO bench_joins
       SELECT DISTINCT j, k FROM (
         SELECT j, j + 1 + floor(random() * ($2::int - j - 1))::int AS k
         FROM (SELECT floor(random() * ($2::int - 1))::int AS j FROM generate_series(1, $1::int * 11 / 10 + 10)) s) c
       WHERE NOT EXISTS (SELECT 1 FROM bench_derived d WHERE d.j = c.j AND d.parent = c.k)
         AND NOT EXISTS (SELECT 1 FROM bench_joins b WHERE b.j = c.j AND b.k = c.k)
       LIMIT $1`,
      [want, n.datasetVersions],
    );
    want -= rowCount ?? 0;
  }
  const nodes = planned.versions * 2 + planned.commits + planned.deployments + n.environments + n.datasetVersions + n.rawDatasets;
  return { ...n, chains: chains as number, planned, nodes };
}

/** Two loading connections share the work (as pg_restore --jobs does): rows, then indexes, then vacuum. */
async function load(db: Client, url: string): Promise<Loaded> {
  const started = Date.now();
  const other = new Client({ connectionString: url });
  await other.connect();
  try {
    const loaders = [db, other];
    for (const c of loaders) await c.query(`SET maintenance_work_mem = '256MB'`);
    const p = await plan(db);
    const schema = await definitions(db, BULK_TABLES);
    const tableRows: Record<string, number> = {
      registered_models: p.models,
      model_versions: p.planned.versions,
      deployments: p.planned.deployments,
      lineage_nodes: p.nodes,
      lineage_edges: EDGES,
    };
    // Progress counts rows written, then rows sorted into an index or checked against a foreign key (about a sixth
    // of the work of writing one, as measured on the 2-core machine).
    const INDEXED = 1 / 6;
    const rebuildWork = schema.reduce((sum, d) => sum + (tableRows[d.table] ?? 0) * INDEXED, 0);
    const progress = new Progress(Object.values(tableRows).reduce((a, b) => a + b, 0) + rebuildWork);
    let edges = 0;
    const write = async (c: Client, sql: string, params: unknown[] = [], isEdges = false) => {
      const { rowCount } = await c.query(sql, params);
      if (isEdges) edges += rowCount ?? 0;
      progress.add(rowCount ?? 0, `${edges.toLocaleString('en-US')} of ${EDGES.toLocaleString('en-US')} edges`);
    };

    for (const d of schema.filter((x) => x.kind === 'foreign key')) await db.query(`ALTER TABLE ${d.table} DROP CONSTRAINT ${d.name}`);
    for (const d of schema.filter((x) => x.kind === 'key')) await db.query(`ALTER TABLE ${d.table} DROP CONSTRAINT ${d.name}`);
    for (const d of schema.filter((x) => x.kind === 'index')) await db.query(`DROP INDEX ${d.name}`);
    // Without foreign keys, nodes and edges can be written side by side.
    await Promise.all([writeNodes(db, p, write), writeEdges(other, p, write)]);

    // The indexes and keys again (checking every unique one), the largest first, on both connections; then the
    // foreign keys (checking every reference), which lock each other out.
    const queue = schema.filter((d) => d.kind !== 'foreign key').sort((a, b) => (tableRows[b.table] ?? 0) - (tableRows[a.table] ?? 0));
    const total = schema.length;
    let made = 0;
    const make = async (c: Client, d: Definition) => {
      await c.query(d.kind === 'index' ? d.def : `ALTER TABLE ${d.table} ADD CONSTRAINT ${d.name} ${d.def}`);
      made += 1;
      progress.add((tableRows[d.table] ?? 0) * INDEXED, `indexes and keys: ${made} of ${total}`);
    };
    await Promise.all(
      loaders.map(async (c) => {
        for (let d = queue.shift(); d; d = queue.shift()) await make(c, d);
      }),
    );
    for (const d of schema.filter((x) => x.kind === 'foreign key')) await make(db, d);
    progress.end();
    await Promise.all([
      other.query(`VACUUM ANALYZE lineage_edges`),
      db.query(`VACUUM ANALYZE ${BULK_TABLES.filter((t) => t !== 'lineage_edges').join(', ')}`),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const schemaIntact = JSON.stringify(await definitions(db, BULK_TABLES)) === JSON.stringify(schema);

    const [counts] = (
      await db.query(
        `SELECT (SELECT count(*) FROM lineage_nodes)::int AS nodes, (SELECT count(*) FROM lineage_edges)::int AS edges,
                (SELECT count(*) FROM model_versions)::int AS versions, (SELECT count(*) FROM deployments)::int AS deployments`,
      )
    ).rows;
    const byRelation = (await db.query(`SELECT relation, count(*)::int AS n FROM lineage_edges GROUP BY relation ORDER BY n DESC`)).rows
      .map((r) => `${r.relation} ${r.n}`)
      .join(', ');
    const hubs = (
      await db.query(
        `SELECT n.kind, count(*)::int AS consumers FROM lineage_edges e JOIN lineage_nodes n ON n.id = e.from_id
         GROUP BY n.kind, e.from_id ORDER BY consumers DESC LIMIT 6`,
      )
    ).rows
      .map((r) => `${r.kind} ${r.consumers}`)
      .join(', ');
    return { seconds, ...counts, byRelation, hubs, schemaIntact };
  } finally {
    await other.end();
  }
}

type Plan = Awaited<ReturnType<typeof plan>>;
type Write = (c: Client, sql: string, params?: unknown[], isEdges?: boolean) => Promise<void>;
const CHUNKS = 20;

/** Chunk c of the chains: a chain's versions are all in one chunk. */
const chunkRange = (p: Plan, c: number) => [Math.floor((c * p.chains) / CHUNKS), Math.floor(((c + 1) * p.chains) / CHUNKS)];
const IN_CHUNK = `p.chain >= $1 AND p.chain < $2`;

/** Models, versions and deployments, with their nodes; environments, commits, runs, raw datasets, dataset versions. */
async function writeNodes(db: Client, p: Plan, write: Write): Promise<void> {
  await write(
    db,
    `INSERT INTO registered_models (id, name, owner, risk_tier, version_counter, created_by)
     SELECT ${uuidOf('model', 'p.model')}, 'lineage-' || lpad(p.model::text, 5, '0'), 'team-' || (p.model % 25),
            (ARRAY['LOW', 'MEDIUM', 'HIGH'])[p.model % 3 + 1], count(*), 'bench'
     FROM bench_plan p GROUP BY p.model`,
  );
  await write(
    db,
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, properties, created_by)
     SELECT ${uuidOf('env', 'e')}, 'ENVIRONMENT', ${envKey('e')}, ${envKey('e')}, jsonb_build_object('imageDigest', ${envKey('e')}), 'bench'
     FROM generate_series(0, $1::int - 1) e`,
    [p.environments],
  );
  await write(
    db,
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, properties, created_by)
     SELECT ${uuidOf('raw', 'r')}, 'DATASET', 's3://raw/source-' || r, 'source-' || r, jsonb_build_object('owner', 'data-' || (r % 9)), 'bench'
     FROM generate_series(0, $1::int - 1) r`,
    [p.rawDatasets],
  );
  await write(
    db,
    `INSERT INTO lineage_nodes (id, kind, natural_key, name, created_by)
     SELECT ${uuidOf('dv', 'j')}, 'DATASET_VERSION', ${dvKey('j')}, ${dvKey('j')}, 'bench' FROM generate_series(0, $1::int - 1) j`,
    [p.datasetVersions],
  );
  for (let c = 0; c < CHUNKS; c += 1) {
    const range = chunkRange(p, c);
    await write(
      db,
      `INSERT INTO model_versions (id, model_id, version, stage, code_repo, code_commit, dataset_versions, hyperparameters,
         environment_image_digest, random_seed, training_run_id, artifact_format, artifact_storage_path, artifact_size_bytes,
         artifact_sha256, artifact_status, created_by)
       SELECT ${uuidOf('mv', 'p.i')}, ${uuidOf('model', 'p.model')}, p.version, CASE WHEN p.deployments > 0 THEN 'ARCHIVED' ELSE 'DEVELOPMENT' END,
              'https://github.com/acme/lineage-' || lpad(p.model::text, 5, '0'), md5('commit' || p.commit) || left(md5('c' || p.commit), 8),
              coalesce((SELECT jsonb_agg(${dvKey('t.dv')} ORDER BY t.dv) FROM bench_trained t WHERE t.i = p.i), '[]'),
              jsonb_build_object('learning_rate', 0.001 * (p.i % 50 + 1), 'batch_size', 32 * (p.i % 4 + 1), 'epochs', p.i % 20 + 1,
                                 'optimizer', 'adamw', 'warmup_steps', 100 * (p.i % 7), 'seed', p.i),
              ${envKey('p.env')}, p.i::text, 'run-' || p.i, 'SAFETENSORS',
              'models/' || ${uuidOf('model', 'p.model')} || '/' || p.version || '/', 1048576 + p.i, md5('a' || p.i) || md5('b' || p.i),
              'READY', 'bench'
       FROM bench_plan p WHERE ${IN_CHUNK}`,
      range,
    );
    await write(
      db,
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by)
       SELECT ${uuidOf('mv', 'p.i')}, 'MODEL_VERSION', ${uuidOf('mv', 'p.i')}::text, 'lineage-' || lpad(p.model::text, 5, '0') || '@' || p.version,
              ${uuidOf('model', 'p.model')}, 'bench'
       FROM bench_plan p WHERE ${IN_CHUNK}`,
      range,
    );
    await write(
      db,
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, properties, created_by)
       SELECT ${uuidOf('commit', 'c.commit')}, 'CODE_COMMIT', c.repo || '@' || c.sha, c.repo || '@' || left(c.sha, 12),
              jsonb_build_object('repo', c.repo, 'commit', c.sha), 'bench'
       FROM (SELECT DISTINCT p.commit, 'https://github.com/acme/lineage-' || lpad(p.model::text, 5, '0') AS repo,
                    md5('commit' || p.commit) || left(md5('c' || p.commit), 8) AS sha
             FROM bench_plan p WHERE ${IN_CHUNK}) c`,
      range,
    );
    await write(
      db,
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, created_by)
       SELECT ${uuidOf('run', 'p.i')}, 'TRAINING_RUN', 'run-' || p.i, 'run-' || p.i, 'bench' FROM bench_plan p WHERE ${IN_CHUNK}`,
      range,
    );
    await write(
      db,
      `INSERT INTO deployments (id, version_id, model_id, environment, endpoint, strategy, traffic_percent, status, created_by)
       SELECT ${uuidOf('dep', 'p.i * 2 + d')}, ${uuidOf('mv', 'p.i')}, ${uuidOf('model', 'p.model')}, (ARRAY['production', 'staging'])[d],
              'https://serve.example/lineage-' || lpad(p.model::text, 5, '0') || '/' || p.version, 'DIRECT', 100,
              CASE WHEN d = 1 THEN 'ACTIVE' ELSE 'ENDED' END, 'bench'
       FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.deployments) d WHERE ${IN_CHUNK}`,
      range,
    );
    await write(
      db,
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by)
       SELECT ${uuidOf('dep', 'p.i * 2 + d')}, 'DEPLOYMENT', ${uuidOf('dep', 'p.i * 2 + d')}::text,
              (ARRAY['production', 'staging'])[d] || ': https://serve.example/lineage-' || lpad(p.model::text, 5, '0') || '/' || p.version,
              ${uuidOf('model', 'p.model')}, 'bench'
       FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.deployments) d WHERE ${IN_CHUNK}`,
      range,
    );
  }
}

/** Every edge: dataset derivations, then per chunk of chains what provenance records, fine-tunes and deployments. */
async function writeEdges(db: Client, p: Plan, write: Write): Promise<void> {
  const edges = (relation: string, select: string, params: unknown[] = []) =>
    write(
      db,
      `INSERT INTO lineage_edges (from_id, to_id, relation, created_by) SELECT f, t, '${relation}', 'bench' FROM (${select}) x(f, t)`,
      params,
      true,
    );
  await edges(
    'DERIVED_FROM',
    `SELECT CASE WHEN d.parent IS NULL THEN ${uuidOf('raw', 'd.raw')} ELSE ${uuidOf('dv', 'd.parent')} END, ${uuidOf('dv', 'd.j')}
     FROM bench_derived d`,
  );
  await edges('DERIVED_FROM', `SELECT ${uuidOf('dv', 'b.k')}, ${uuidOf('dv', 'b.j')} FROM bench_joins b`);
  const version = uuidOf('mv', 'p.i');
  for (let c = 0; c < CHUNKS; c += 1) {
    const range = chunkRange(p, c);
    await edges('BUILT_FROM', `SELECT ${uuidOf('commit', 'p.commit')}, ${version} FROM bench_plan p WHERE ${IN_CHUNK}`, range);
    await edges(
      'TRAINED_ON',
      `SELECT ${uuidOf('dv', 't.dv')}, ${version} FROM bench_plan p JOIN bench_trained t ON t.i = p.i WHERE ${IN_CHUNK}`,
      range,
    );
    await edges('TRAINED_IN', `SELECT ${uuidOf('env', 'p.env')}, ${version} FROM bench_plan p WHERE ${IN_CHUNK}`, range);
    await edges('PRODUCED_BY', `SELECT ${uuidOf('run', 'p.i')}, ${version} FROM bench_plan p WHERE ${IN_CHUNK}`, range);
    await edges(
      'FINE_TUNED_FROM',
      `SELECT ${uuidOf('mv', 'p.base')}, ${version} FROM bench_plan p WHERE ${IN_CHUNK} AND p.base IS NOT NULL`,
      range,
    );
    await edges(
      'DEPLOYED_AS',
      `SELECT ${version}, ${uuidOf('dep', 'p.i * 2 + d')} FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.deployments) d
       WHERE ${IN_CHUNK}`,
      range,
    );
  }
}

/** Fixed start nodes per direction, chosen from the plan. */
async function startNodes(db: Client): Promise<Record<LineageDirection, string[]>> {
  const ids = async (sql: string) => ((await db.query(sql, [STARTS_PER_DIRECTION])).rows as Array<{ id: string }>).map((r) => r.id);
  return {
    // What a model at the end of a long fine-tuning chain was made from.
    [LineageDirection.UPSTREAM]: await ids(
      `SELECT ${uuidOf('mv', 'i')}::text AS id FROM (
         SELECT i, row_number() OVER (ORDER BY i) AS r, count(*) OVER () AS c FROM bench_plan WHERE pos = len - 1 AND len >= 12) x
       WHERE r % greatest(1, c / $1) = 0 ORDER BY i LIMIT $1`,
    ),
    // What was made from a dataset version consumed by 50 to 500 versions, spread over that range.
    [LineageDirection.DOWNSTREAM]: await ids(
      `SELECT ${uuidOf('dv', 'dv')}::text AS id FROM (
         SELECT dv, row_number() OVER (ORDER BY count(*), dv) AS r, count(*) OVER () AS c
         FROM bench_trained GROUP BY dv HAVING count(*) BETWEEN 50 AND 500) x
       WHERE r % greatest(1, c / $1) = 0 ORDER BY r LIMIT $1`,
    ),
    // Everything around a version in the middle of a chain.
    [LineageDirection.BOTH]: await ids(
      `SELECT ${uuidOf('mv', 'i')}::text AS id FROM (
         SELECT i, row_number() OVER (ORDER BY i) AS r, count(*) OVER () AS c FROM bench_plan WHERE pos = len / 2 AND len >= 4) x
       WHERE r % greatest(1, c / $1) = 0 ORDER BY i LIMIT $1`,
    ),
  };
}

// ---- the server and the bare statement ----

/** modelgraph in a process of its own (bench/catalog.server.js), as deployed: NODE_ENV=production. */
class Server {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly token: string | null,
  ) {}

  static async start(url: string): Promise<Server> {
    const env = { ...process.env, NODE_ENV: 'production' };
    const child = fork(path.join(__dirname, 'catalog.server.js'), ['modelgraph', url], { stdio: 'inherit', env });
    const ready = await Server.next<Extract<ServerMessage, { type: 'ready' }>>(child, 'ready');
    return new Server(child, ready.port, ready.token);
  }

  private static next<M extends ServerMessage>(child: ChildProcess, type: M['type']): Promise<M> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${type}: the server exited with ${code}`));
      const onMessage = (message: ServerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as M);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  tell(message: ParentMessage): void {
    this.child.send(message);
  }

  async captured(): Promise<Array<{ sql: string; parameters: unknown[] }>> {
    const answer = Server.next<Extract<ServerMessage, { type: 'captured' }>>(this.child, 'captured');
    this.tell({ type: 'captured' });
    return (await answer).statements;
  }

  /** POSTs a GraphQL request; answers with the raw body and the time it took in ms (until the last byte). */
  post(body: string): Promise<{ text: string; ms: number }> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve({ text, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.tell({ type: 'stop' });
    await exited;
  }
}

interface Traversal {
  depth: number;
  direction: LineageDirection;
  start: string;
  body: string;
  /** The statement walk() sends for it, and its parameters. */
  sql: string;
  parameters: unknown[];
  /** The ids of the nodes walk() answers, sorted. */
  nodes: string[];
}

interface GraphAnswer {
  data?: { lineage: { truncated: boolean; nodes: Array<{ depth: number; node: { id: string } }>; edges: unknown[] } };
  errors?: unknown[];
}

/** Every value as the text PostgreSQL sent (no JSON parsing): the bare statement's time ends at its last byte too. */
const RAW = { getTypeParser: () => (value: string) => value };

async function bareStatement(db: Client, t: Traversal): Promise<number> {
  const started = process.hrtime.bigint();
  await db.query({ text: t.sql, values: t.parameters, types: RAW });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const row = (cells: Array<string | number>, widths: number[]): string =>
  cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

const PLANS_FILE = path.join(os.tmpdir(), `modelgraph-lineage-plans-${process.pid}.txt`);

async function main(): Promise<void> {
  const bench = await openBenchDatabase('lineage');
  const migrator = createDataSource({ url: bench.url });
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  const db = new Client({ connectionString: bench.url });
  await db.connect();
  let captured: { sql: string; parameters: unknown[] } | null = null;
  const walker = createModelgraphDataSource({
    url: bench.url,
    poolSize: 1,
    onQuery: (sql, parameters) => (captured = { sql, parameters: parameters ?? [] }),
  });
  let server: Server | null = null;
  try {
    const loaded = await load(db, bench.url);
    const starts = await startNodes(db);
    await db.query(`DROP TABLE ${PLAN_TABLES.join(', ')}`);
    console.log(
      `modelgraph lineage benchmark: ${loaded.edges} edges, ${loaded.nodes} nodes (${loaded.versions} model versions, ${loaded.deployments} deployments)`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${bench.origin}; loaded (with VACUUM ANALYZE) in ${loaded.seconds.toFixed(1)} s`,
    );
    console.log(`edges: ${loaded.byRelation}`);
    console.log(`largest fan-out: ${loaded.hubs}`);
    console.log(`indexes and keys after the load as the migrations made them: ${loaded.schemaIntact ? 'yes' : 'NO'}`);

    await walker.initialize();
    const target = await Server.start(bench.url);
    server = target;
    const traversals: Traversal[] = [];
    for (const depth of DEPTHS) {
      for (const direction of Object.values(LineageDirection)) {
        for (const start of starts[direction]) {
          const found = await walk(walker.manager, [start], {
            direction,
            maxDepth: depth,
            first: FIRST,
            edges: edgeLimit(FIRST),
            relations: null,
            kinds: null,
            at: null,
            visible: () => null,
          });
          const { sql, parameters } = captured as unknown as { sql: string; parameters: unknown[] };
          const body = JSON.stringify({ query: LINEAGE_QUERY, variables: { nodeId: start, direction, maxDepth: depth } });
          const nodes = (found.get(start)?.nodes ?? []).map((n) => n.id).sort();
          traversals.push({ depth, direction, start, body, sql, parameters, nodes });
        }
      }
    }
    // The server must send the very statement walk() sent, and answer the nodes it found: checked for every traversal.
    let identical = 0;
    let sameNodes = 0;
    let statements = 0;
    for (const t of traversals) {
      target.tell({ type: 'capture' });
      const { text } = await target.post(t.body);
      const sent = await target.captured();
      statements += sent.length;
      const walkSent = sent.find((s) => s.sql.includes('WITH RECURSIVE walk'));
      if (walkSent && walkSent.sql === t.sql && JSON.stringify(walkSent.parameters) === JSON.stringify(t.parameters)) identical += 1;
      const answered = (JSON.parse(text) as GraphAnswer).data?.lineage.nodes.map((n) => n.node.id).sort();
      if (JSON.stringify(answered) === JSON.stringify(t.nodes)) sameNodes += 1;
    }
    console.log(
      `start nodes: ${STARTS_PER_DIRECTION} per direction; the server's walk statement identical to walk()'s: ${identical} of ${traversals.length}; ` +
        `same nodes answered: ${sameNodes} of ${traversals.length}; SQL statements per GraphQL request: ${(statements / traversals.length).toFixed(1)}`,
    );
    for (let i = 0; i < WARMUP; i += 1) {
      for (const t of traversals) {
        await target.post(t.body);
        await bareStatement(db, t);
      }
    }

    console.log(
      `\n${PER_DIRECTION * 3} requests per depth (${PER_DIRECTION} per direction), one client, sequential, after ${WARMUP + 1} unmeasured round(s) of every traversal; ` +
        'GraphQL and the bare statement alternate on the same start node',
    );
    const widths = [5, 10, 6, 10, 7, 7, 7, 7, 7];
    console.log(row(['depth', 'direction', 'nodes', 'truncated', 'GQL p50', 'GQL p95', 'SQL p50', 'SQL p95', 'ratio'], widths));
    const depth5: number[] = [];
    const ratios: number[] = [];
    for (const depth of DEPTHS) {
      const all = { graph: [] as number[], sql: [] as number[], nodes: 0, truncated: 0 };
      for (const direction of Object.values(LineageDirection)) {
        const set = traversals.filter((t) => t.depth === depth && t.direction === direction);
        const graph: number[] = [];
        const sql: number[] = [];
        let nodes = 0;
        let truncated = 0;
        for (let i = 0; i < PER_DIRECTION; i += 1) {
          const t = set[i % set.length];
          const order = i % 2 === 0;
          if (!order) sql.push(await bareStatement(db, t));
          const { text, ms } = await target.post(t.body);
          graph.push(ms);
          if (order) sql.push(await bareStatement(db, t));
          const answer = JSON.parse(text) as GraphAnswer;
          if (answer.errors || !answer.data) throw new Error(JSON.stringify(answer.errors));
          nodes += answer.data.lineage.nodes.length;
          truncated += answer.data.lineage.truncated ? 1 : 0;
        }
        all.graph.push(...graph);
        all.sql.push(...sql);
        all.nodes += nodes;
        all.truncated += truncated;
        console.log(line(depth, direction, graph, sql, nodes / PER_DIRECTION, truncated / PER_DIRECTION, widths));
      }
      console.log(line(depth, 'all', all.graph, all.sql, all.nodes / all.graph.length, all.truncated / all.graph.length, widths));
      if (depth === 5) depth5.push(...all.graph);
      ratios.push(ratioOf(all.graph, all.sql));
    }

    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of one depth-5 statement per direction (full plans in ${PLANS_FILE}):`);
    for (const direction of Object.values(LineageDirection)) {
      const t = traversals.find((x) => x.depth === 5 && x.direction === direction) ?? traversals.find((x) => x.direction === direction);
      if (!t) continue;
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${t.sql}`, t.parameters);
      const text = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      fs.appendFileSync(PLANS_FILE, `-- depth ${t.depth}, ${direction}, start ${t.start}\n${text}\n\n`);
      // The statement's own summary: the top node's buffers, planning and execution time.
      const lines = text.split('\n');
      const summary = [lines.find((l) => /^ {2}Buffers:/.test(l)), ...lines.filter((l) => /^(Planning|Execution) Time:/.test(l))];
      console.log(`  depth ${t.depth} ${direction.padEnd(10)} ${summary.map((l) => l?.trim()).join('; ')}`);
    }

    // Where one GraphQL request's time goes: each statement it sends, timed bare, against the whole request.
    const heavy = traversals.find((x) => x.depth === 5 && x.direction === LineageDirection.BOTH) ?? traversals[traversals.length - 1];
    target.tell({ type: 'capture' });
    await target.post(heavy.body);
    const sent = await target.captured();
    const median = async (run: () => Promise<number>) => {
      const times: number[] = [];
      for (let i = 0; i < 11; i += 1) times.push(await run());
      return percentile(
        times.sort((a, b) => a - b),
        50,
      );
    };
    const whole = await median(async () => (await target.post(heavy.body)).ms);
    console.log(
      `\none depth-${heavy.depth} ${heavy.direction} request through GraphQL: ${whole.toFixed(1)} ms (median of 11); its statements, each bare:`,
    );
    let sum = 0;
    for (const { sql, parameters } of sent) {
      const ms = await median(() => bareStatement(db, { sql, parameters } as Traversal));
      sum += ms;
      console.log(`  ${ms.toFixed(1).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').trim().slice(0, 100)}`);
    }
    console.log(`  ${sum.toFixed(1).padStart(6)} ms  in all; the rest (${(whole - sum).toFixed(1)} ms) is the server's own work and HTTP`);

    const p95 = depth5.length
      ? percentile(
          depth5.sort((a, b) => a - b),
          95,
        )
      : NaN;
    const depth5Ratio = ratios[DEPTHS.indexOf(5)] ?? NaN;
    console.log('\ngoals:');
    console.log(`  p95 under 100 ms at depth 5 through GraphQL: ${p95 < 100 ? 'met' : 'NOT met'} (${p95.toFixed(1)} ms)`);
    console.log(
      `  bare SQL p50 / GraphQL p50 at least 0.6 at depth 5: ${depth5Ratio >= 0.6 ? 'met' : 'NOT met'} (${ratios.map((r, i) => `depth ${DEPTHS[i]}: ${r.toFixed(2)}×`).join(', ')})`,
    );
    console.log(`  load under a minute: ${loaded.seconds < 60 ? 'met' : 'NOT met'} (${loaded.seconds.toFixed(1)} s)`);
  } finally {
    await server?.stop();
    if (walker.isInitialized) await walker.destroy();
    await db.end();
    await bench.close();
  }
}

function ratioOf(graph: number[], sql: number[]): number {
  return (
    percentile(
      [...sql].sort((a, b) => a - b),
      50,
    ) /
    percentile(
      [...graph].sort((a, b) => a - b),
      50,
    )
  );
}

function line(
  depth: number,
  direction: string,
  graph: number[],
  sql: number[],
  nodes: number,
  truncated: number,
  widths: number[],
): string {
  const g = [...graph].sort((a, b) => a - b);
  const s = [...sql].sort((a, b) => a - b);
  return row(
    [
      depth,
      direction,
      nodes.toFixed(0),
      `${(100 * truncated).toFixed(0)}%`,
      percentile(g, 50).toFixed(1),
      percentile(g, 95).toFixed(1),
      percentile(s, 50).toFixed(1),
      percentile(s, 95).toFixed(1),
      `${ratioOf(graph, sql).toFixed(2)}×`,
    ],
    widths,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
