import { badInput } from '../../common/errors';
import { STORED_JSON, validateJson } from '../../common/json';
import { LineageNodeKind } from '../../common/lineage';
import { validateText } from '../../common/text';
import { LineageRelation, type NodeSpec } from './lineage.rules';

/** The event types of the OpenLineage spec. */
const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Datasets per side of one event: far more than any real job reads or writes. */
const MAX_DATASETS = 1000;

export interface NodeKey {
  kind: LineageNodeKind;
  naturalKey: string;
}

/** What one RunEvent says, as lineage: the job, the run, the datasets, and the edges between them. */
export interface OpenLineageGraph {
  eventType: string | null;
  runId: string;
  job: NodeKey;
  nodes: NodeSpec[];
  edges: Array<{ from: NodeKey; to: NodeKey; relation: LineageRelation }>;
  /** The outputs by URI: one that is a registered version's artifact becomes that version instead of a dataset. */
  outputs: Array<{ node: NodeKey; uri: string }>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function object(value: unknown, path: string, required = true): Json | null {
  if (value === undefined || value === null) {
    if (required) throw badInput(path, 'is required');
    return null;
  }
  if (!isObject(value)) throw badInput(path, 'must be an object');
  return value;
}

function text(value: unknown, path: string, max = 2000): string {
  if (typeof value !== 'string') throw badInput(path, value === undefined ? 'is required' : 'must be a string');
  validateText(value, path, { required: true, max, identifier: true });
  return value;
}

/** Facets are kept as they come, each under its own name, bounded like any stored JSON. */
function facets(value: unknown, path: string): Json {
  const found = object(value, path, false) ?? {};
  for (const [name, facet] of Object.entries(found)) {
    if (!isObject(facet)) throw badInput(`${path}.${name}`, 'must be an object (a facet)');
  }
  validateJson(found, path, STORED_JSON);
  return found;
}

/**
 * The dataset's URI, by the OpenLineage naming convention: namespace (a scheme and authority, e.g.
 * `s3://bucket`, `postgres://db:5432`) then name (`path/file`, `db.schema.table`).
 */
export function datasetUri(namespace: string, name: string): string {
  if (namespace.endsWith('/') || name.startsWith('/')) return `${namespace}${name}`;
  return `${namespace}/${name}`;
}

/**
 * Checks a RunEvent as the OpenLineage spec defines it (run.runId, job.namespace and name, eventTime,
 * producer; datasets with namespace and name; facets are objects) and maps it: the job is a JOB node,
 * the run a TRAINING_RUN node (key: its runId), each dataset a DATASET node (a DATASET_VERSION, keyed
 * `<uri>@<version>`, when its `version` facet names one). Edges: job → run (RUN_OF), input → run
 * (CONSUMED_BY), run → output (PRODUCED_BY). A problem is BAD_USER_INPUT naming its JSON path.
 */
export function mapRunEvent(body: unknown): OpenLineageGraph {
  const event = object(body, 'event') as Json;
  const eventType = event.eventType === undefined || event.eventType === null ? null : text(event.eventType, 'eventType', 20);
  if (eventType !== null && !EVENT_TYPES.includes(eventType)) throw badInput('eventType', `must be one of ${EVENT_TYPES.join(', ')}`);
  const eventTime = text(event.eventTime, 'eventTime', 64);
  if (Number.isNaN(Date.parse(eventTime))) throw badInput('eventTime', 'must be an ISO 8601 date-time');
  const producer = text(event.producer, 'producer');
  if (event.schemaURL !== undefined) text(event.schemaURL, 'schemaURL');

  const run = object(event.run, 'run') as Json;
  const runId = text(run.runId, 'run.runId', 64);
  if (!UUID.test(runId)) throw badInput('run.runId', 'must be a UUID');
  const job = object(event.job, 'job') as Json;
  const jobNamespace = text(job.namespace, 'job.namespace');
  const jobName = text(job.name, 'job.name');

  const jobKey: NodeKey = { kind: LineageNodeKind.JOB, naturalKey: `${jobNamespace}/${jobName}` };
  const runKey: NodeKey = { kind: LineageNodeKind.TRAINING_RUN, naturalKey: runId.toLowerCase() };
  const nodes: NodeSpec[] = [
    { ...jobKey, name: jobName, properties: { namespace: jobNamespace, name: jobName, ...facets(job.facets, 'job.facets') } },
    {
      ...runKey,
      name: `${jobName} ${runId.toLowerCase()}`,
      properties: { job: { namespace: jobNamespace, name: jobName }, eventType, eventTime, producer, ...facets(run.facets, 'run.facets') },
    },
  ];
  const edges: OpenLineageGraph['edges'] = [{ from: jobKey, to: runKey, relation: LineageRelation.RUN_OF }];
  const outputs: OpenLineageGraph['outputs'] = [];

  for (const side of ['inputs', 'outputs'] as const) {
    const list = event[side] ?? [];
    if (!Array.isArray(list)) throw badInput(side, 'must be an array');
    if (list.length > MAX_DATASETS) throw badInput(side, `has ${list.length} datasets; at most ${MAX_DATASETS}`);
    list.forEach((item, i) => {
      const path = `${side}[${i}]`;
      const dataset = object(item, path) as Json;
      const namespace = text(dataset.namespace, `${path}.namespace`);
      const name = text(dataset.name, `${path}.name`);
      const own = side === 'inputs' ? 'inputFacets' : 'outputFacets';
      const properties: Json = { namespace, name, ...facets(dataset.facets, `${path}.facets`), ...facets(dataset[own], `${path}.${own}`) };
      const uri = datasetUri(namespace, name);
      const version = (properties.version as Json | undefined)?.datasetVersion;
      const key: NodeKey =
        typeof version === 'string' && version
          ? { kind: LineageNodeKind.DATASET_VERSION, naturalKey: `${uri}@${version}` }
          : { kind: LineageNodeKind.DATASET, naturalKey: uri };
      nodes.push({ ...key, name: key.naturalKey, properties });
      if (side === 'inputs') edges.push({ from: key, to: runKey, relation: LineageRelation.CONSUMED_BY });
      else {
        edges.push({ from: runKey, to: key, relation: LineageRelation.PRODUCED_BY });
        outputs.push({ node: key, uri });
      }
    });
  }
  return { eventType, runId: runKey.naturalKey, job: jobKey, nodes, edges, outputs };
}
