/**
 * OpenLineage in: RunEvents shaped as the OpenLineage spec's own examples, posted where its HTTP transport
 * posts them (POST /api/v1/lineage with a bearer token), mapped to nodes and edges.
 */
import { randomUUID } from 'node:crypto';
import { AuditEventsDocument, LineageDocument, LineageNodeDocument } from '../generated/graphql';
import { Role } from '../../src/common/role';
import { modelName, SHA } from '../support/fixtures';
import { caller, readyRegistration } from '../support/lifecycle';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let pipeline: string;
const admin = caller('admin', Role.ADMIN);

beforeAll(async () => {
  t = await startTestServer();
  pipeline = await t.tokenFor(Role.CONTRIBUTOR, 'airflow');
});
afterAll(() => t.close());

const PRODUCER = 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client';

/** The spec's START example. */
const start = (runId: string, job = 'my-job') => ({
  eventType: 'START',
  eventTime: '2020-12-28T19:52:00.001+10:00',
  run: { runId },
  job: { namespace: 'my-namespace', name: job },
  inputs: [{ namespace: 'my-namespace', name: 'my-input' }],
  producer: PRODUCER,
});

/** The spec's COMPLETE example: an output with a schema facet. */
const complete = (runId: string, job = 'my-job') => ({
  eventType: 'COMPLETE',
  eventTime: '2020-12-28T20:52:00.001+10:00',
  run: { runId },
  job: { namespace: 'my-namespace', name: job },
  outputs: [
    {
      namespace: 'my-namespace',
      name: 'my-output',
      facets: {
        schema: {
          _producer: PRODUCER,
          _schemaURL: 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.json#/definitions/SchemaDatasetFacet',
          fields: [
            { name: 'a', type: 'VARCHAR' },
            { name: 'b', type: 'VARCHAR' },
          ],
        },
      },
    },
  ],
  producer: PRODUCER,
});

async function post(body: unknown, token: string | null = pipeline, raw = false) {
  const res = await fetch(`${t.baseUrl}/api/v1/lineage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { errors?: Array<{ message: string; extensions: Record<string, unknown> }> },
  };
}

async function nodeId(kind: string, naturalKey: string): Promise<string> {
  const [row] = await t.database.db.query('SELECT id FROM lineage_nodes WHERE kind = $1 AND natural_key = $2', [kind, naturalKey]);
  return row?.id;
}

test('START then COMPLETE: the job, the run, its input and its output, linked', async () => {
  const runId = randomUUID();
  const first = await post(start(runId));
  expect(first).toEqual({ status: 201, body: { runId, nodes: 3, edgesAdded: 2, linkedVersions: [] } });
  const second = await post(complete(runId));
  expect(second).toEqual({ status: 201, body: { runId, nodes: 3, edgesAdded: 1, linkedVersions: [] } });

  const input = await nodeId('DATASET', 'my-namespace/my-input');
  const graph = ok(await t.request(LineageDocument, { nodeId: input, direction: 'DOWNSTREAM', maxDepth: 2 })).lineage;
  expect(graph.nodes.map((n) => [n.depth, n.node.kind, n.node.name])).toEqual([
    [0, 'DATASET', 'my-namespace/my-input'],
    [1, 'TRAINING_RUN', `my-job ${runId}`],
    [2, 'DATASET', 'my-namespace/my-output'],
  ]);
  const run = await nodeId('TRAINING_RUN', runId);
  expect(graph.edges).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ from: input, to: run, relation: 'CONSUMED_BY' }),
      expect.objectContaining({ from: run, to: await nodeId('DATASET', 'my-namespace/my-output'), relation: 'PRODUCED_BY' }),
    ]),
  );
  const upstream = ok(await t.request(LineageDocument, { nodeId: run, direction: 'UPSTREAM', maxDepth: 1 })).lineage;
  expect(upstream.nodes.map((n) => n.node.kind).sort()).toEqual(['DATASET', 'JOB', 'TRAINING_RUN']);

  // Facets are kept as node properties; the run remembers its latest state.
  const output = ok(await t.request(LineageNodeDocument, { id: await nodeId('DATASET', 'my-namespace/my-output') })).lineageNode;
  expect(output).toMatchObject({
    properties: { namespace: 'my-namespace', name: 'my-output', schema: { fields: [{ name: 'a' }, { name: 'b' }] } },
  });
  const runNode = ok(await t.request(LineageNodeDocument, { id: run })).lineageNode;
  expect(runNode).toMatchObject({
    properties: { eventType: 'COMPLETE', producer: PRODUCER, job: { namespace: 'my-namespace', name: 'my-job' } },
  });

  const events = ok(
    await t.request(AuditEventsDocument, { first: 2, filter: { action: 'lineage.openlineage_event', subjectId: run } }),
  ).auditEvents;
  expect(events.totalCount).toBe(2);
  expect(events.edges.map((e) => e.node.actor)).toEqual(['airflow', 'airflow']);
});

test('an output that is a registered artifact is linked to its version; a dataset version meets provenance', async () => {
  const model = await t.services.models.create(admin, { name: modelName('ol'), owner: 'ml' });
  const artifactUri = `s3://models/ol-${randomUUID()}/model.onnx`;
  const { version } = await t.services.versions.register(
    admin,
    readyRegistration(model.id, {
      datasetVersions: ['s3://datasets/transactions@v3'],
      artifact: { format: 'ONNX' as never, uri: artifactUri, sha256: SHA('e'), sizeBytes: 4096 },
    }),
  );
  const runId = randomUUID();
  const res = await post({
    eventType: 'COMPLETE',
    eventTime: new Date().toISOString(),
    run: { runId, facets: { acme_cost: { _producer: PRODUCER, _schemaURL: 'https://acme.example/cost.json', dollars: 12.5 } } },
    job: { namespace: 'training', name: 'fraud.train' },
    inputs: [
      {
        namespace: 's3://datasets',
        name: 'transactions',
        facets: { version: { _producer: PRODUCER, _schemaURL: 'x', datasetVersion: 'v3' } },
      },
    ],
    outputs: [{ namespace: artifactUri.slice(0, artifactUri.indexOf('/', 5)), name: artifactUri.slice(artifactUri.indexOf('/', 5) + 1) }],
    producer: PRODUCER,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  });
  expect(res).toMatchObject({ status: 201, body: { linkedVersions: [version.id] } });
  expect(await nodeId('DATASET', artifactUri)).toBeUndefined(); // the version is the output, not a dataset

  const run = await nodeId('TRAINING_RUN', runId);
  const graph = ok(await t.request(LineageDocument, { nodeId: version.id, direction: 'UPSTREAM', maxDepth: 2 })).lineage;
  expect(graph.edges).toEqual(expect.arrayContaining([expect.objectContaining({ from: run, to: version.id, relation: 'PRODUCED_BY' })]));
  // The input named with a version facet is the very dataset version the registration named.
  const dataset = await nodeId('DATASET_VERSION', 's3://datasets/transactions@v3');
  expect(graph.edges).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ from: dataset, to: version.id, relation: 'TRAINED_ON' }),
      expect.objectContaining({ from: dataset, to: run, relation: 'CONSUMED_BY' }),
    ]),
  );
  // An unknown facet is kept as it came.
  expect(ok(await t.request(LineageNodeDocument, { id: run })).lineageNode).toMatchObject({
    properties: { acme_cost: { dollars: 12.5 } },
  });
});

/** An event to spoil, field by field. */
interface Spoilable {
  [field: string]: unknown;
  run: Record<string, unknown> | string;
  job: Record<string, unknown>;
  inputs: Array<Record<string, unknown>> | Record<string, unknown>;
}

describe('refusals', () => {
  const valid = () => start(randomUUID(), 'refused-job');

  test.each<[string, (e: Spoilable) => unknown, string]>([
    ['no run id', (e: Spoilable) => delete (e.run as Record<string, unknown>).runId, 'run.runId'],
    ['a run id that is no UUID', (e: Spoilable) => ((e.run as Record<string, unknown>).runId = 'run-1'), 'run.runId'],
    ['no job name', (e: Spoilable) => delete e.job.name, 'job.name'],
    ['no eventTime', (e: Spoilable) => delete e.eventTime, 'eventTime'],
    ['a bad eventTime', (e: Spoilable) => (e.eventTime = 'yesterday'), 'eventTime'],
    ['no producer', (e: Spoilable) => delete e.producer, 'producer'],
    ['an unknown eventType', (e: Spoilable) => (e.eventType = 'DONE'), 'eventType'],
    ['an input without a name', (e: Spoilable) => (e.inputs as Array<Record<string, unknown>>).push({ namespace: 'n' }), 'inputs[1].name'],
    ['inputs that are no array', (e: Spoilable) => (e.inputs = { namespace: 'n' }), 'inputs'],
    [
      'a facet that is no object',
      (e: Spoilable) => ((e.inputs as Array<Record<string, unknown>>)[0].facets = { schema: 'x' }),
      'inputs[0].facets.schema',
    ],
    ['a run that is no object', (e: Spoilable) => (e.run = 'r'), 'run'],
  ])('%s: 400 naming the JSON path, nothing written', async (_what, spoil, field) => {
    const event = valid() as unknown as Spoilable;
    spoil(event);
    const before = await count();
    const res = await post(event);
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(res.body.errors![0].message).toContain(field);
    expect(await count()).toBe(before);
  });

  test('malformed JSON, no token, too low a role', async () => {
    const malformed = await post('{"run": ', pipeline, true);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors![0].extensions.code).toBe('BAD_REQUEST');
    expect((await post(valid(), null)).status).toBe(401);
    const viewer = await t.tokenFor(Role.VIEWER, 'ol-viewer');
    expect((await post(valid(), viewer)).status).toBe(403);
  });

  async function count(): Promise<number> {
    const [row] = await t.database.db.query('SELECT (SELECT count(*) FROM lineage_nodes) + (SELECT count(*) FROM lineage_edges) AS n');
    return Number(row.n);
  }
});
