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

/**
 * Every shortest path from `from` to `to`, at most `limit`, given each reached node's distance from `from`
 * and the edges into it: walked back from `to`, one step nearer each time.
 * shortestPaths('a', 'd', {a:0,b:1,c:1,d:2}, into, 10) → [['a','b','d'], ['a','c','d']] for a diamond.
 */
export function shortestPaths(
  from: string,
  to: string,
  distance: ReadonlyMap<string, number>,
  into: ReadonlyMap<string, readonly string[]>,
  limit: number,
): string[][] {
  const paths: string[][] = [];
  if (!distance.has(to)) return paths;
  const back = (node: string, suffix: string[]): void => {
    if (paths.length >= limit) return;
    if (node === from) {
      paths.push([node, ...suffix]);
      return;
    }
    const d = distance.get(node) as number;
    for (const previous of into.get(node) ?? []) {
      if (distance.get(previous) === d - 1) back(previous, [node, ...suffix]);
    }
  };
  back(to, []);
  return paths;
}
