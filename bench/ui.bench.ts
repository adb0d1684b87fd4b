// `npm run bench:ui [-- --models 10000 --versions 100000 --nodes 1000 --runs 7]`: how fast the governance
// console draws, in the same Debian chromium the UI tests drive (CHROMIUM_PATH to use another). Not a test:
// it prints figures.
//
// The registry holds `--models` models (written with SQL, as a restore would), one of them with `--versions`
// versions, and a lineage graph of `--nodes` nodes around one version (written through the lineage service,
// three steps upstream and three downstream, fanning out). Each run opens a page in a new browser context
// (nothing cached: the bundle is fetched and parsed every time) and reads the marks the console sets:
//   mg:models-rendered   the first page of models on screen
//   mg:model-rendered    a model and its first page of versions on screen
//   mg:lineage-fetched / -laid-out / -drawn / -refined   the walk answered, placed in columns, drawn, and
//                        (400 nodes or fewer) laid out again by ELK
// Times are from the start of navigation (performance.timeOrigin).
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';
import type { Browser } from 'playwright-core';
import { createModelgraph, createModelgraphDataSource } from '../src/composition';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { SYSTEM_CALLER } from '../src/modules/tokens/token.service';
import { LineageNodeKind } from '../src/common/lineage';
import { LineageDirection, LineageRelation } from '../src/modules/lineage/lineage.rules';
import { ArtifactFormat } from '../src/modules/versions/version.enums';
import { startServer } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { launchChromium } from '../test/ui/chromium';
import { openBenchDatabase, percentile } from './bench-support';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: '10000' },
    versions: { type: 'string', default: '100000' },
    nodes: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '7' },
  },
});
const MODELS = Number(values.models);
const VERSIONS = Number(values.versions);
const NODES = Number(values.nodes);
const RUNS = Number(values.runs);

type Marks = Record<string, number>;

/** The console's own operation `name` (ui/src/operations), with the fragments it uses: the same text the page sends. */
function consoleOperation(name: string): string {
  const folder = path.resolve(__dirname, '../../ui/src/operations');
  const definitions: DefinitionNode[] = fs
    .readdirSync(folder)
    .flatMap((file) => parse(fs.readFileSync(path.join(folder, file), 'utf8')).definitions);
  const operation = definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!operation) throw new Error(`no operation ${name} in ${folder}`);
  const fragments = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = definitions.find(
          (d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition' && d.name.value === spread.name.value,
        );
        if (fragment && !fragments.has(fragment.name.value)) {
          fragments.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return [operation, ...fragments.values()].map((d) => print(d)).join('\n');
}

async function main() {
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production', MODELGRAPH_UI_DIR: path.resolve(__dirname, '../ui') });
  const bench = await openBenchDatabase('ui');
  const db = createModelgraphDataSource({ url: bench.url });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const { services: s, application } = await createModelgraph(db, {});
  const server = await startServer(
    { config, db, logger: createLogger('silent'), metrics: createMetrics(), application },
    { port: 0, host: '127.0.0.1' },
  );
  const base = `http://127.0.0.1:${server.port}`;
  let browser: Browser | undefined;
  try {
    const { secret: token } = await s.tokens.create(SYSTEM_CALLER, { subject: 'bench', role: 'ADMIN' as never });
    let started = performance.now();
    const bigModelId = await seedModels(db);
    console.log(`seeded ${MODELS} models, one with ${VERSIONS} versions, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const center = await seedLineage(s);
    console.log(`seeded a lineage graph of ${NODES} nodes around one version in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    browser = await launchChromium();
    console.log(
      `chromium ${browser.version()}, headless; machine: ${os.cpus().length} cores, node ${process.version}; the server runs in this process\n` +
        `${RUNS} runs per page, each in a new browser context (cold cache), times from the start of navigation in ms\n`,
    );
    const open = async (url: string, mark: string, atLeast: () => number | null = () => null): Promise<Marks> => {
      const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
      // The console keeps the pasted token in sessionStorage: put it there before the page's own scripts run.
      await context.addInitScript(`sessionStorage.setItem('modelgraph.token', ${JSON.stringify(token)})`);
      const page = await context.newPage();
      await page.goto(base + url);
      await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { timeout: 60_000 });
      // Each mark's first time (newest first, so the earliest is written last): a later layout marks again.
      const marks = (await page.evaluate(
        `Object.fromEntries(performance.getEntriesByType('mark').reverse().map((e) => [e.name, e.startTime]))`,
      )) as Marks;
      const shown = (await page.evaluate(`document.body.dataset.lineageNodes ?? null`)) as string | null;
      const least = atLeast();
      if (least !== null && Number(shown) < least) throw new Error(`${url}: expected at least ${least} nodes drawn, saw ${shown}`);
      if (shown) marks.nodes = Number(shown);
      await context.close();
      return marks;
    };
    const rows: string[] = [];
    interface Goal {
      ms: number;
      /** The mark the time counts from; null: the start of navigation. */
      from: string | null;
    }
    /** The page's main query alone, over HTTP from here: what the API costs of the page's time. */
    const api = async (operation: string, variables: Record<string, unknown>): Promise<number> => {
      const body = JSON.stringify({ query: consoleOperation(operation), variables });
      const times: number[] = [];
      for (let i = 0; i <= RUNS; i += 1) {
        const t = performance.now();
        const res = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
        const answer = (await res.json()) as { errors?: unknown[] };
        if (answer.errors) throw new Error(`${operation}: ${JSON.stringify(answer.errors)}`);
        if (i > 0) times.push(performance.now() - t); // the first is a warm-up
      }
      return percentile(
        times.sort((a, b) => a - b),
        50,
      );
    };
    const measure = async (
      label: string,
      url: string,
      mark: string,
      goals: Goal[],
      columns: string[],
      reference: { operation: string; variables: Record<string, unknown>; what: string },
      nodes?: number,
    ) => {
      await open(url, mark, () => nodes ?? null); // a warm-up: the server's first queries, chromium's first start
      const runs: Marks[] = [];
      for (let i = 0; i < RUNS; i += 1) runs.push(await open(url, mark, () => nodes ?? null));
      const stat = (name: string) => {
        const sorted = runs.map((r) => r[name]).sort((a, b) => a - b);
        return `${name.replace('mg:', '')} p50 ${percentile(sorted, 50).toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}`;
      };
      const drawn = runs[0].nodes ? ` (${runs[0].nodes} nodes drawn)` : '';
      rows.push(`${label}${drawn}\n  ${columns.map(stat).join('; ')}`);
      rows.push(
        `  reference: ${reference.what}, over HTTP without a browser: p50 ${(await api(reference.operation, reference.variables)).toFixed(0)} ms`,
      );
      for (const goal of goals) {
        const median = percentile(
          runs.map((r) => r[mark] - (goal.from ? r[goal.from] : 0)).sort((a, b) => a - b),
          50,
        );
        const since = goal.from ? `from ${goal.from.replace('mg:', '')}` : 'from navigation';
        rows.push(`  goal < ${goal.ms} ms ${since}: ${median < goal.ms ? 'met' : 'NOT met'} (median ${median.toFixed(0)} ms)`);
      }
    };
    await measure(
      `models page, first of ${MODELS} models (50 a page)`,
      '/ui/models',
      'mg:models-rendered',
      [{ ms: 1000, from: null }],
      ['mg:models-rendered'],
      {
        operation: 'ConsoleModels',
        variables: { first: 50, filter: {}, orderBy: { field: 'NAME', direction: 'ASC' } },
        what: 'the page’s ConsoleModels query',
      },
    );
    await measure(
      `model page of the model with ${VERSIONS} versions (50 a page)`,
      `/ui/models/${bigModelId}`,
      'mg:model-rendered',
      [],
      ['mg:model-rendered'],
      { operation: 'ConsoleModel', variables: { id: bigModelId, versionsFirst: 50 }, what: 'the page’s ConsoleModel query' },
    );
    await measure(
      `lineage explorer, the ${NODES}-node graph, depth 3 each way, grouping off`,
      `/ui/lineage/${center}?depth=3&group=0`,
      'mg:lineage-drawn',
      // Laid out and drawn: from the walk's answer; and the whole page, from navigation, for comparison.
      [
        { ms: 1500, from: 'mg:lineage-fetched' },
        { ms: 1500, from: null },
      ],
      ['mg:lineage-fetched', 'mg:lineage-laid-out', 'mg:lineage-drawn'],
      lineageWalk(center, 'UPSTREAM'),
      NODES,
    );
    await measure(
      `lineage explorer, the same graph with siblings grouped (the default)`,
      `/ui/lineage/${center}?depth=3`,
      'mg:lineage-refined',
      [],
      ['mg:lineage-fetched', 'mg:lineage-laid-out', 'mg:lineage-drawn', 'mg:lineage-refined'],
      lineageWalk(center, 'DOWNSTREAM'),
    );
    console.log(rows.join('\n'));
  } finally {
    await browser?.close();
    await server.close();
    await db.destroy();
    await bench.close();
  }
}

/** One of the two walks the explorer sends (it sends both at once). */
function lineageWalk(nodeId: string, direction: 'UPSTREAM' | 'DOWNSTREAM') {
  return {
    operation: 'ConsoleLineage',
    variables: { nodeId, depth: 3, direction },
    what: `the page’s ${direction.toLowerCase()} ConsoleLineage query`,
  };
}

/** `MODELS` models by SQL, and `VERSIONS` versions of the first; answers that model's id. */
async function seedModels(db: import('typeorm').DataSource): Promise<string> {
  await db.query(
    `INSERT INTO registered_models (id, name, owner, risk_tier, version_counter, created_by, tags)
     SELECT gen_random_uuid(), 'model-' || lpad(i::text, 6, '0'), 'team-' || (i % 25), (ARRAY['LOW', 'MEDIUM', 'HIGH'])[i % 3 + 1],
            CASE WHEN i = 0 THEN $2::int ELSE 0 END, 'bench', jsonb_build_object('domain', 'd' || (i % 7))
     FROM generate_series(0, $1::int - 1) i`,
    [MODELS, VERSIONS],
  );
  const [{ id }] = (await db.query(`SELECT id FROM registered_models WHERE name = 'model-000000'`)) as Array<{ id: string }>;
  for (let from = 1; from <= VERSIONS; from += 20_000) {
    await db.query(
      `INSERT INTO model_versions (id, model_id, version, stage, code_repo, code_commit, dataset_versions, hyperparameters,
         environment_image_digest, artifact_format, artifact_storage_path, artifact_status, created_by)
       SELECT gen_random_uuid(), $1, v, CASE WHEN v = $3::int THEN 'PRODUCTION' WHEN v > $3::int - 3 THEN 'STAGING' ELSE 'ARCHIVED' END,
              'https://github.com/acme/big', md5('c' || v) || left(md5('d' || v), 8), '["s3://data@v1"]'::jsonb,
              jsonb_build_object('learning_rate', 0.001 * (v % 50 + 1)), 'img@sha256:' || repeat('ab', 32), 'ONNX',
              'models/big/' || v, 'PENDING_UPLOAD', 'bench'
       FROM generate_series($2::int, least($2::int + 19999, $3::int)) v`,
      [id, from, VERSIONS],
    );
  }
  await db.query('ANALYZE');
  return id;
}

/**
 * A real version with `NODES` lineage nodes around it: three columns upstream and three downstream, each
 * node fanning out to the next column, about half the nodes on each side.
 */
async function seedLineage(s: Awaited<ReturnType<typeof createModelgraph>>['services']): Promise<string> {
  const model = await s.models.create(SYSTEM_CALLER, { name: 'lineage-centre', owner: 'bench' });
  const { version } = await s.versions.register(SYSTEM_CALLER, {
    modelId: model.id,
    code: { repo: 'https://github.com/acme/centre', commit: 'c'.repeat(40) },
    datasetVersions: ['s3://data/centre@v1'],
    environment: { imageDigest: `img@sha256:${'ab'.repeat(32)}` },
    artifact: { format: ArtifactFormat.ONNX, uri: 's3://models/centre.onnx', sha256: 'e'.repeat(64), sizeBytes: 1 },
  } as never);
  // What registration linked to the version (its commit, dataset version, environment) counts towards the total,
  // with the version itself: the explorer draws the upstream walk, the downstream walk and the node between.
  const around = async (direction: LineageDirection) =>
    (await s.lineage.graph(SYSTEM_CALLER, version.id, { maxDepth: 3, first: 10_000, direction })).nodes.map((n) => n.id);
  const existing = new Set([version.id, ...(await around(LineageDirection.UPSTREAM)), ...(await around(LineageDirection.DOWNSTREAM))]).size;
  const perSide = Math.floor((NODES - existing) / 2);
  const sides: Array<{ up: boolean; kinds: LineageNodeKind[]; total: number }> = [
    {
      up: true,
      kinds: [LineageNodeKind.DATASET_VERSION, LineageNodeKind.DATASET, LineageNodeKind.EXTERNAL],
      total: NODES - existing - perSide,
    },
    { up: false, kinds: [LineageNodeKind.EVALUATION, LineageNodeKind.JOB, LineageNodeKind.EXTERNAL], total: perSide },
  ];
  for (const side of sides) {
    // Columns of 2 %, 18 % and 80 % of the side's nodes: each column's nodes spread over the one before.
    const sizes = [Math.max(1, Math.round(side.total * 0.02)), Math.max(1, Math.round(side.total * 0.18))];
    sizes.push(side.total - sizes[0] - sizes[1]);
    let previous = [version.id];
    for (let column = 0; column < 3; column += 1) {
      const inputs = Array.from({ length: sizes[column] }, (_, i) => ({
        kind: side.kinds[column],
        naturalKey: `bench-${side.up ? 'up' : 'down'}-${column}-${i}`,
        name: `${side.up ? 'up' : 'down'} ${column + 1}.${i}`,
      }));
      const ids: string[] = [];
      for (let i = 0; i < inputs.length; i += 500)
        ids.push(...(await s.lineage.upsertNodes(SYSTEM_CALLER, inputs.slice(i, i + 500))).nodes.map((n) => n.id));
      const edges = ids.map((id, i) => {
        const other = previous[i % previous.length];
        return side.up
          ? { fromId: id, toId: other, relation: LineageRelation.DERIVED_FROM }
          : { fromId: other, toId: id, relation: LineageRelation.CONSUMED_BY };
      });
      for (let i = 0; i < edges.length; i += 500) await s.lineage.addEdges(SYSTEM_CALLER, edges.slice(i, i + 500));
      previous = ids;
    }
  }
  return version.id;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
