import { createHash } from 'node:crypto';
import { badInput } from '../../common/errors';
import { STORED_JSON, validateJson } from '../../common/json';
import { LineageNodeKind } from '../../common/lineage';
import { validateText } from '../../common/text';

/**
 * How an edge's output relates to its input. Edges always point from input to output:
 * dataset → model version → deployment.
 */
export enum LineageRelation {
  /** dataset (version) → the model version trained on it */
  TRAINED_ON = 'TRAINED_ON',
  /** dataset → the model version validated on it */
  VALIDATED_ON = 'VALIDATED_ON',
  /** dataset → the evaluation run on it */
  EVALUATED_ON = 'EVALUATED_ON',
  /** code commit → the model version built from it */
  BUILT_FROM = 'BUILT_FROM',
  /** environment (image, package lock) → the model version trained in it */
  TRAINED_IN = 'TRAINED_IN',
  /** run → what it produced (a model version, a dataset) */
  PRODUCED_BY = 'PRODUCED_BY',
  /** dataset → the run that read it */
  CONSUMED_BY = 'CONSUMED_BY',
  /** job → one of its runs */
  RUN_OF = 'RUN_OF',
  /** source → what was derived from it (a dataset from a dataset, a feature from a dataset) */
  DERIVED_FROM = 'DERIVED_FROM',
  /** base model version → the version fine-tuned from it */
  FINE_TUNED_FROM = 'FINE_TUNED_FROM',
  /** feature → the model version that uses it */
  USES_FEATURE = 'USES_FEATURE',
  /** model version → its deployment */
  DEPLOYED_AS = 'DEPLOYED_AS',
  /** anything else */
  RELATED_TO = 'RELATED_TO',
}

export enum LineageDirection {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}

/** The registry makes these nodes itself, one per version and deployment; clients link to them. */
export const AUTOMATIC_KINDS: readonly LineageNodeKind[] = [LineageNodeKind.MODEL_VERSION, LineageNodeKind.DEPLOYMENT];

export const MAX_BATCH = 10_000;
export const MAX_DEPTH = 20;
export const MAX_NODES = 10_000;
/**
 * `lineage` answers at most this many edges per node asked for (`first`), the edge each node was reached by first: a
 * registry's graph has about 2.3 edges per node (bench:lineage's), an OpenLineage run one per input and output and
 * one from its job.
 */
export const EDGES_PER_NODE = 4;
/**
 * …and never more than this many: the answer is built in one go on the event loop (10,000 nodes and 20,000 edges take
 * about as long as each other, tens of ms).
 */
export const MAX_EDGES = 20_000;

/** The most edges `lineage(first)` answers: 4 × first, at most 20,000. */
export const edgeLimit = (first: number): number => Math.min(EDGES_PER_NODE * first, MAX_EDGES);

/** `lineagePaths` answers at most this many paths (`first`, default 10). */
export const MAX_PATHS = 100;
/** `lineagePaths` reads at most this many edges besides those its walk reached each node by. */
export const PATH_EDGES = 10_000;
/** `impact` answers at most this many versions and live deployments together (`first`, default and most). */
export const MAX_IMPACTED = 1000;
/** The most steps of a path: the start, then one per edge. */
export const PATH_STEPS = MAX_DEPTH + 1;

export interface NodeInput {
  kind: LineageNodeKind;
  naturalKey: string;
  name?: string | null;
  properties?: Record<string, unknown> | null;
}

export interface EdgeInput {
  fromId: string;
  toId: string;
  relation: LineageRelation;
}

/** A node as provenance or OpenLineage describe it: by (kind, natural key), before it has an id. */
export interface NodeSpec {
  kind: LineageNodeKind;
  naturalKey: string;
  name: string;
  properties: Record<string, unknown>;
}

export function validateBatch(items: readonly unknown[], field: string): void {
  if (items.length === 0) throw badInput(field, 'must not be empty');
  if (items.length > MAX_BATCH) throw badInput(field, `has ${items.length} items; at most ${MAX_BATCH} per call`);
}

/** upsertLineageNodes: kinds the registry does not make itself, a key, a name, bounded properties. */
export function validateNodes(nodes: readonly NodeInput[]): void {
  validateBatch(nodes, 'nodes');
  nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    if (AUTOMATIC_KINDS.includes(node.kind))
      throw badInput(`${at}.kind`, `${node.kind} nodes are made by the registry: link to the version's or deployment's id`);
    validateText(node.naturalKey, `${at}.naturalKey`, { required: true, max: 2000, identifier: true });
    validateText(node.name, `${at}.name`, { max: 500, identifier: true });
    if (node.properties !== undefined && node.properties !== null) {
      if (typeof node.properties !== 'object' || Array.isArray(node.properties)) throw badInput(`${at}.properties`, 'must be an object');
      validateJson(node.properties, `${at}.properties`, STORED_JSON);
    }
  });
}

/** addLineageEdges: no self-loop; the ids are checked against the graph by the service. */
export function validateEdges(edges: readonly EdgeInput[]): void {
  validateBatch(edges, 'edges');
  edges.forEach((edge, i) => {
    if (edge.fromId.toLowerCase() === edge.toId.toLowerCase())
      throw badInput(`edges[${i}]`, 'is a self-loop: fromId and toId are the same node');
  });
}

export interface TraversalArgs {
  maxDepth?: number | null;
  first?: number | null;
}

/** maxDepth 1–20 (default 3) and first 1–10,000 (default 1,000), or BAD_USER_INPUT. */
export function traversalBounds(args: TraversalArgs): { maxDepth: number; first: number } {
  const maxDepth = args.maxDepth ?? 3;
  const first = args.first ?? 1000;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH) throw badInput('maxDepth', `must be between 1 and ${MAX_DEPTH}`);
  if (!Number.isInteger(first) || first < 1 || first > MAX_NODES) throw badInput('first', `must be between 1 and ${MAX_NODES}`);
  return { maxDepth, first };
}

/** lineagePaths: maxDepth 1–20 (default 20), first 1–100 (default 10), or BAD_USER_INPUT. */
export function pathBounds(args: TraversalArgs): { maxDepth: number; first: number } {
  const { maxDepth } = traversalBounds({ maxDepth: args.maxDepth ?? MAX_DEPTH });
  const first = args.first ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PATHS) throw badInput('first', `must be between 1 and ${MAX_PATHS}`);
  return { maxDepth, first };
}

/** impact: first 1–1,000 (default 1,000), or BAD_USER_INPUT. */
export function impactBounds(args: { first?: number | null }): { first: number } {
  const first = args.first ?? MAX_IMPACTED;
  if (!Number.isInteger(first) || first < 1 || first > MAX_IMPACTED) throw badInput('first', `must be between 1 and ${MAX_IMPACTED}`);
  return { first };
}

/** removeLineageEdge names the edge by its id, or by its ends and relation (an edge is unique per them while live). */
export type EdgeTarget = { id: string } | { fromId: string; toId: string; relation: LineageRelation };

/**
 * Which edge removeLineageEdge means: `id`, or all of `fromId`, `toId` and `relation`, never both; BAD_USER_INPUT
 * naming the field otherwise. edgeTarget({ fromId: a, toId: b, relation: DERIVED_FROM }) → that tuple.
 */
export interface EdgeTargetInput {
  id?: string | null;
  fromId?: string | null;
  toId?: string | null;
  relation?: LineageRelation | null;
}

export function edgeTarget(input: EdgeTargetInput): EdgeTarget {
  const ends = (['fromId', 'toId', 'relation'] as const).filter((f) => input[f] !== undefined && input[f] !== null);
  if (input.id !== undefined && input.id !== null) {
    if (ends.length) throw badInput(ends[0], 'give either id, or fromId, toId and relation, not both');
    return { id: input.id.toLowerCase() };
  }
  if (ends.length === 0) throw badInput('id', 'give the edge’s id, or its fromId, toId and relation');
  for (const f of ['fromId', 'toId', 'relation'] as const) {
    if (!ends.includes(f)) throw badInput(f, 'is required when the edge is named by its ends (or give its id)');
  }
  return {
    fromId: (input.fromId as string).toLowerCase(),
    toId: (input.toId as string).toLowerCase(),
    relation: input.relation as LineageRelation,
  };
}

/** What registration knows of a version's inputs: its reproducibility tuple. */
export interface Tuple {
  codeRepo: string;
  codeCommit: string;
  datasetVersions: readonly string[];
  environmentImageDigest: string | null;
  environmentPackageLock: string | null;
  trainingRunId: string | null;
}

/**
 * The nodes a version's tuple names and the relation of each to the version. The migration's backfill
 * (`backfillLineage`) says the same in SQL.
 * provenanceOf({ codeRepo: 'https://github.com/acme/fraud', codeCommit: 'a1…', datasetVersions: ['s3://tx@v3'], … })
 *   → [{ node: CODE_COMMIT 'https://github.com/acme/fraud@a1…', relation: BUILT_FROM }, { node: DATASET_VERSION 's3://tx@v3', relation: TRAINED_ON }, …]
 */
export function provenanceOf(tuple: Tuple): Array<{ node: NodeSpec; relation: LineageRelation }> {
  const inputs: Array<{ node: NodeSpec; relation: LineageRelation }> = [
    {
      node: {
        kind: LineageNodeKind.CODE_COMMIT,
        naturalKey: `${tuple.codeRepo}@${tuple.codeCommit}`,
        name: `${tuple.codeRepo}@${tuple.codeCommit.slice(0, 12)}`,
        properties: { repo: tuple.codeRepo, commit: tuple.codeCommit },
      },
      relation: LineageRelation.BUILT_FROM,
    },
  ];
  for (const dataset of new Set(tuple.datasetVersions)) {
    inputs.push({
      node: { kind: LineageNodeKind.DATASET_VERSION, naturalKey: dataset, name: dataset, properties: {} },
      relation: LineageRelation.TRAINED_ON,
    });
  }
  if (tuple.environmentImageDigest) {
    const digest = tuple.environmentImageDigest;
    inputs.push({
      node: { kind: LineageNodeKind.ENVIRONMENT, naturalKey: digest, name: digest, properties: { imageDigest: digest } },
      relation: LineageRelation.TRAINED_IN,
    });
  } else if (tuple.environmentPackageLock) {
    const sha = createHash('sha256').update(tuple.environmentPackageLock, 'utf8').digest('hex');
    inputs.push({
      node: {
        kind: LineageNodeKind.ENVIRONMENT,
        naturalKey: `lock:sha256:${sha}`,
        name: `package lock ${sha.slice(0, 12)}`,
        properties: { packageLockSha256: sha },
      },
      relation: LineageRelation.TRAINED_IN,
    });
  }
  if (tuple.trainingRunId) {
    inputs.push({
      node: { kind: LineageNodeKind.TRAINING_RUN, naturalKey: tuple.trainingRunId, name: tuple.trainingRunId, properties: {} },
      relation: LineageRelation.PRODUCED_BY,
    });
  }
  return inputs;
}

/** An edge from input to output. */
export interface PathEdge<R = LineageRelation> {
  from: string;
  to: string;
  relation: R;
}

/** One step of a path: a node, and the relation of the edge that led to it (null for the first). */
export interface PathStep<R = LineageRelation> {
  id: string;
  relation: R | null;
}

/**
 * Every shortest path from `from` to `to`, at most `limit`, given each reached node's distance from `from` and some
 * edges (those of the walk's tree among them, so that every node reached has one edge from a node a step nearer).
 * A path is a sequence of edges: two edges between the same nodes with different relations make two paths.
 *
 * Linear in the edges, whatever their shape: each edge is looked at a fixed number of times (kept if it leads one step
 * further from `from`, between nodes that are reached and that `from` reaches along such edges), and the enumeration
 * only follows edges that end a path, stopping at `limit`: O(edges + limit × depth).
 *
 * shortestPaths('a', 'd', {a:0,b:1,c:1,d:2}, [a>b, a>c, b>d, c>d], 10) → [[a, b, d], [a, c, d]] for a diamond.
 */
export function shortestPaths<R>(
  from: string,
  to: string,
  distance: ReadonlyMap<string, number>,
  edges: Iterable<PathEdge<R>>,
  limit: number,
): Array<Array<PathStep<R>>> {
  const paths: Array<Array<PathStep<R>>> = [];
  if (!distance.has(to) || distance.get(from) !== 0 || limit < 1) return paths;
  // Nodes by number, so that an edge is checked and deduplicated with integer keys.
  const ids: string[] = [];
  const level: number[] = [];
  const index = new Map<string, number>();
  for (const [id, d] of distance) {
    index.set(id, ids.length);
    ids.push(id);
    level.push(d);
  }
  const n = ids.length;
  // The edges one level nearer `from`, into each node, once each (by its ends, then its relation).
  const into: Array<Array<{ from: number; relation: R }>> = Array.from({ length: n }, () => []);
  const seen = new Map<number, R[]>();
  for (const e of edges) {
    const t = index.get(e.to);
    const f = index.get(e.from);
    if (t === undefined || f === undefined || level[f] !== level[t] - 1) continue;
    const key = t * n + f;
    const relations = seen.get(key);
    if (relations?.includes(e.relation)) continue;
    if (relations) relations.push(e.relation);
    else seen.set(key, [e.relation]);
    into[t].push({ from: f, relation: e.relation });
  }
  // The nodes `from` reaches along those edges, level by level: each edge looked at once more, and only those from
  // such a node kept.
  const levels: number[][] = [];
  for (let i = 0; i < n; i += 1) (levels[level[i]] ??= []).push(i);
  const reaches = new Uint8Array(n);
  const start = index.get(from) as number;
  const end = index.get(to) as number;
  reaches[start] = 1;
  for (const nodes of levels) {
    for (const node of nodes ?? []) {
      if (node === start) continue;
      into[node] = into[node].filter((e) => reaches[e.from]);
      if (into[node].length) reaches[node] = 1;
    }
  }
  if (!reaches[end]) return paths;
  // Walked back from `to`: every edge followed ends in a path, so the work is the paths answered.
  const back: Array<{ node: number; relation: R | null }> = [{ node: end, relation: null }];
  const walk = (node: number): void => {
    if (node === start) {
      paths.push(back.map((step, i) => ({ id: ids[step.node], relation: i + 1 < back.length ? back[i + 1].relation : null })).reverse());
      return;
    }
    for (const e of into[node]) {
      if (paths.length >= limit) return;
      back.push({ node: e.from, relation: e.relation });
      walk(e.from);
      back.pop();
    }
  };
  walk(end);
  return paths;
}
