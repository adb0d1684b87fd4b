import { randomUUID } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import gql from 'graphql-tag';
import { CreateModelDocument, RegisterModelVersionDocument } from '../generated/graphql';
import { modelName, registration } from '../support/fixtures';
import { ok, startTestServer, type TestServer } from '../support/server';
import { subscribe } from '../support/subscriber';

/**
 * modelgraph as one subgraph of a real Apollo Federation 2 supergraph: its SDL is fetched over
 * HTTP, composed with a second (in-test) subgraph that extends ModelVersion, and served by an
 * @apollo/gateway that authenticates to modelgraph with a bearer token.
 */

// The gateway otherwise starts an OpenTelemetry exporter that reports to Apollo on a timer (and
// probes cloud metadata endpoints): nothing of that belongs in a test, and it would outlive it.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const MODELGRAPH = 'modelgraph';
const DASHBOARDS = 'dashboards';
const dashboardUrl = (id: string): string => `https://grafana.example/d/${id}`;

/** Keeps the libraries' logs out of the test output; failures show them. */
function quietLogger(lines: string[]) {
  const keep = (level: string) => (message?: unknown) => void lines.push(`${level}: ${String(message)}`);
  return { debug: () => undefined, info: () => undefined, warn: keep('warn'), error: keep('error') };
}

const logs: string[] = [];
let t: TestServer;
let dashboards: ApolloServer | undefined;
let gatewayServer: ApolloServer | undefined;
let gatewayUrl: string;
let subgraphSdl: string;
let model: { id: string; name: string };
let versionId: string;

async function viaGateway(query: string, variables?: Record<string, unknown>) {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };
  return { status: res.status, ...body };
}

const ENTITIES = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on RegisteredModel { id name owner }
    ... on ModelVersion { id version model { name } }
  }
}`;

beforeAll(async () => {
  t = await startTestServer();

  const name = modelName('federated');
  model = ok(await t.request(CreateModelDocument, { input: { name, owner: 'risk-ml' } })).createModel.model;
  const registered = ok(await t.request(RegisterModelVersionDocument, { input: registration({ modelName: name }) }));
  versionId = registered.registerModelVersion.version.id;

  const service = await t.post({ query: '{ _service { sdl } }' });
  subgraphSdl = (ok(service)._service as { sdl: string }).sdl;

  // A second team's subgraph: it knows only ModelVersion ids and adds a dashboard link to them.
  dashboards = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

        type Query {
          dashboards: [String!]!
        }

        type ModelVersion @key(fields: "id") {
          id: ID!
          monitoringDashboardUrl: String!
        }
      `,
      resolvers: {
        Query: { dashboards: () => [] },
        ModelVersion: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, monitoringDashboardUrl: dashboardUrl(ref.id) }),
        },
      },
    }),
    logger: quietLogger(logs),
  });
  const { url: dashboardsUrl } = await startStandaloneServer(dashboards, { listen: { port: 0, host: '127.0.0.1' } });

  const composed = composeServices([
    { name: MODELGRAPH, typeDefs: parse(subgraphSdl), url: `${t.baseUrl}/graphql` },
    { name: DASHBOARDS, typeDefs: parse(await dashboardsSdl(dashboardsUrl)), url: dashboardsUrl },
  ]);
  if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);

  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    logger: quietLogger(logs),
    buildService: ({ name: subgraph, url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          if (subgraph === MODELGRAPH) request.http?.headers.set('authorization', `Bearer ${t.adminToken}`);
        },
      }),
  });
  gatewayServer = new ApolloServer({ gateway, logger: quietLogger(logs) });
  ({ url: gatewayUrl } = await startStandaloneServer(gatewayServer, { listen: { port: 0, host: '127.0.0.1' } }));
});

/** The second subgraph's SDL, fetched the way composition tools fetch it. */
async function dashboardsSdl(url: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await res.json()) as { data: { _service: { sdl: string } } };
  return body.data._service.sdl;
}

afterAll(async () => {
  // The gateway first (it calls both subgraphs), then the subgraphs; each stop drains its HTTP server.
  await gatewayServer?.stop();
  await dashboards?.stop();
  await t?.close();
});

afterEach(() => {
  if (logs.length) console.warn(`gateway/subgraph logs:\n${logs.splice(0).join('\n')}`);
});

describe('the subgraph SDL over HTTP', () => {
  test('links Federation 2 and declares the entity keys', () => {
    expect(subgraphSdl).toMatch(/@link\(\s*url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.7"/);
    expect(subgraphSdl).toContain('@key(fields: "id")');
    expect(subgraphSdl).toContain('@key(fields: "name")');
    expect(subgraphSdl).toMatch(/type RegisteredModel\s+@key\(fields: "id"\)\s+@key\(fields: "name"\)/);
    expect(subgraphSdl).toMatch(/type ModelVersion implements LineageNode\s+@key\(fields: "id"\)/);
    expect(subgraphSdl).toMatch(/interface LineageNode\s+@key\(fields: "id"\)/);
    expect(subgraphSdl).toMatch(/type GenericLineageNode implements LineageNode\s+@key\(fields: "id"\)/);
  });

  test('needs a token like every other request', async () => {
    const res = await t.post({ query: '{ _service { sdl } }' }, null);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('in production (NODE_ENV=production)', () => {
  const sdlQuery = '{ _service { sdl } }';
  const introspection = '{ __schema { queryType { name } } }';

  test('the SDL and introspection are off, over HTTP and over websockets alike, whatever the token', async () => {
    const production = await startTestServer({ NODE_ENV: 'production' });
    try {
      const sdl = await production.post({ query: sdlQuery });
      expect(sdl.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect(sdl.errors?.[0].message).toMatch(/schema\/schema\.graphql/);
      expect(sdl.data?._service ?? null).toBeNull();
      expect((await production.post({ query: introspection })).errors?.length).toBeGreaterThan(0);
      for (const query of [sdlQuery, introspection]) {
        const overSocket = subscribe(production.baseUrl, production.adminToken, query);
        await overSocket.completed;
        expect(overSocket.items).toEqual([]);
        expect(overSocket.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
        await overSocket.close();
      }
    } finally {
      await production.close();
    }
  });

  test('MODELGRAPH_FEDERATION_SDL=true turns the SDL back on for a gateway that composes by asking (introspection stays off)', async () => {
    const production = await startTestServer({ NODE_ENV: 'production', MODELGRAPH_FEDERATION_SDL: 'true' });
    try {
      expect((ok(await production.post({ query: sdlQuery }))._service as { sdl: string }).sdl).toContain('type RegisteredModel');
      expect((await production.post({ query: introspection })).errors?.length).toBeGreaterThan(0);
    } finally {
      await production.close();
    }
  });
});

describe('through a gateway, composed with a second subgraph', () => {
  test('a query crosses both subgraphs', async () => {
    const res = await viaGateway(
      `query Crossing($name: String!) {
        model(name: $name) { id name latestVersion { id version monitoringDashboardUrl } }
      }`,
      { name: model.name },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      model: {
        id: model.id,
        name: model.name,
        latestVersion: { id: versionId, version: 1, monitoringDashboardUrl: dashboardUrl(versionId) },
      },
    });
    const latest = (res.data?.model as { latestVersion: { monitoringDashboardUrl: string } }).latestVersion;
    expect(latest.monitoringDashboardUrl).toContain(versionId);
  });

  test('a version fetched by id, with fields from both subgraphs', async () => {
    const res = await viaGateway(`query Version($id: UUID!) { modelVersion(id: $id) { version monitoringDashboardUrl model { name } } }`, {
      id: versionId,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      modelVersion: { version: 1, monitoringDashboardUrl: dashboardUrl(versionId), model: { name: model.name } },
    });
  });

  test('a model that does not exist is null, not an error', async () => {
    const res = await viaGateway(`{ model(name: "no-such-model") { name latestVersion { monitoringDashboardUrl } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ model: null });
  });
});

describe('_entities straight to the subgraph', () => {
  test('RegisteredModel by name and by id, ModelVersion by id', async () => {
    const res = await t.post({
      query: ENTITIES,
      variables: {
        representations: [
          { __typename: 'RegisteredModel', name: model.name },
          { __typename: 'RegisteredModel', id: model.id },
          { __typename: 'ModelVersion', id: versionId },
        ],
      },
    });
    expect(ok(res)._entities).toEqual([
      { __typename: 'RegisteredModel', id: model.id, name: model.name, owner: 'risk-ml' },
      { __typename: 'RegisteredModel', id: model.id, name: model.name, owner: 'risk-ml' },
      { __typename: 'ModelVersion', id: versionId, version: 1, model: { name: model.name } },
    ]);
  });

  test('unknown ids and names give null, in place', async () => {
    const res = await t.post({
      query: ENTITIES,
      variables: {
        representations: [
          { __typename: 'ModelVersion', id: randomUUID() },
          { __typename: 'RegisteredModel', id: randomUUID() },
          { __typename: 'RegisteredModel', name: 'no-such-model' },
          // Not a UUID at all: still "not found", never a database error.
          { __typename: 'ModelVersion', id: 'not-a-uuid' },
          { __typename: 'ModelVersion', id: versionId },
        ],
      },
    });
    expect(ok(res)._entities).toEqual([
      null,
      null,
      null,
      null,
      { __typename: 'ModelVersion', id: versionId, version: 1, model: { name: model.name } },
    ]);
  });

  test('lineage nodes: by the LineageNode interface (any node) and as GenericLineageNode', async () => {
    const [dataset] = await t.database.db.query(
      `SELECT n.id FROM lineage_nodes n JOIN lineage_edges e ON e.from_id = n.id WHERE e.to_id = $1 AND n.kind = 'DATASET_VERSION'`,
      [versionId],
    );
    const res = await t.post({
      query: `query($r: [_Any!]!) { _entities(representations: $r) {
        __typename
        ... on LineageNode { id kind name }
        ... on ModelVersion { version }
        ... on GenericLineageNode { naturalKey }
      } }`,
      variables: {
        r: [
          { __typename: 'LineageNode', id: versionId },
          { __typename: 'LineageNode', id: dataset.id },
          { __typename: 'GenericLineageNode', id: dataset.id },
          { __typename: 'GenericLineageNode', id: versionId },
        ],
      },
    });
    const dataNode = { __typename: 'GenericLineageNode', id: dataset.id, kind: 'DATASET_VERSION', name: 's3://datasets/transactions@v3' };
    expect(ok(res)._entities).toEqual([
      { __typename: 'ModelVersion', id: versionId, kind: 'MODEL_VERSION', name: `${model.name}@1`, version: 1 },
      { ...dataNode, naturalKey: 's3://datasets/transactions@v3' },
      { ...dataNode, naturalKey: 's3://datasets/transactions@v3' },
      null, // a version is not a GenericLineageNode
    ]);
  });

  test('needs a token', async () => {
    const res = await t.post({ query: ENTITIES, variables: { representations: [{ __typename: 'ModelVersion', id: versionId }] } }, null);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data ?? null).toBeNull();
  });
});
