import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { buildClientSchema, getIntrospectionQuery, getNamedType, isObjectType, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { modelName, registration } from '../support/fixtures';
import { expectClientErrors, hostileString } from '../support/hostile';
import { ok, startTestServer, type TestServer } from '../support/server';

/**
 * What hostile-input.e2e.test.ts does for GraphQL arguments, for everything else a client sends: the routes beside
 * /graphql (OpenLineage in, artifact upload and download, the audit export) driven with hostile bodies, headers and
 * parameters, and cursors forged to look like the registry's own (the right shape, with values no column can hold).
 * Whatever arrives, the answer is a 2xx or 4xx, JSON where there is a body to read, with a documented code.
 */

const RUNS = Number(process.env.HOSTILE_RUNS ?? 6) * 10;
const SEED = Number(process.env.HOSTILE_SEED ?? 42);

let t: TestServer;
let schema: GraphQLSchema;
let versionId: string;

beforeAll(async () => {
  t = await startTestServer();
  schema = buildClientSchema(ok(await t.post({ query: getIntrospectionQuery() })) as unknown as IntrospectionQuery);
  const model = ok(
    await t.post({ query: `mutation { createModel(input: { name: "${modelName('routes')}", owner: "o" }) { model { id } } }` }),
  ).createModel as { model: { id: string } };
  const registered = ok(
    await t.post({
      query: 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }',
      variables: { input: { ...registration(), modelId: model.model.id, artifact: { format: 'ONNX' } } },
    }),
  ).registerModelVersion as { version: { id: string } };
  versionId = registered.version.id;
});
afterAll(() => t.close());

/** What fetch can put in a header: visible ASCII. */
const headerString = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
  fc.constantFrom('bytes=0-', 'bytes=-0', 'bytes=5-3', 'bytes=99999999999999999999-', 'bytes=0-1,2-3', 'bytes=-', '0'.repeat(64)),
);
const hostileValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

/** Every byte of the string's UTF-8 percent-encoded (encodeURIComponent refuses unpaired surrogates). */
const percentEncoded = (text: string) => [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

async function clientError(what: string, res: Response): Promise<void> {
  const text = await res.text();
  const context = `${what} → ${res.status} ${text.slice(0, 400)}`;
  if (res.status >= 500) throw new Error(`5xx: ${context}`);
  // Bodies that are not JSON are the routes' own answers (bytes of an artifact, lines of the export), or Node's HTTP
  // parser refusing a request line or headers too long for it (431, with no body).
  if (!res.headers.get('content-type')?.startsWith('application/json')) {
    if (res.status >= 400 && text !== '') throw new Error(`an error that is not JSON: ${context}`);
    return;
  }
  expectClientErrors(context, text, (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> }).errors ?? []);
}

/** Mostly a value that passes, now and then a hostile one: so that a hostile value reaches past the other checks. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileString });
const name = mostly(fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/));
const facets = fc.dictionary(
  mostly(fc.constantFrom('schema', 'owner', 'quality')),
  fc.dictionary(name, mostly(fc.jsonValue({ maxDepth: 2 })), { maxKeys: 3 }),
  {
    maxKeys: 2,
  },
);

/** A RunEvent as OpenLineage emits it, with hostile values where strings, keys and shapes go. */
const runEvent = fc.record({
  eventType: mostly(fc.constantFrom('START', 'COMPLETE', 'FAIL', 'RUNNING')),
  eventTime: mostly(fc.constant('2026-12-06T10:00:00Z')),
  run: fc.record({ runId: mostly(fc.uuid()), facets }),
  job: fc.record({ namespace: name, name, facets }),
  inputs: fc.array(fc.record({ namespace: name, name, facets }), { maxLength: 3 }),
  outputs: fc.array(fc.record({ namespace: name, name, facets }), { maxLength: 3 }),
  producer: mostly(fc.constant('https://example.com/producer')),
});

const post = (body: string) =>
  fetch(`${t.baseUrl}/api/v1/lineage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
    body,
  });

test('OpenLineage RunEvents the reproduction sent: a lone surrogate in job.name, a NUL in a facet key', async () => {
  const event = { eventType: 'START', eventTime: '2026-12-06T10:00:00Z', run: { runId: randomUUID() }, producer: 'p' };
  // JSON.stringify writes a lone surrogate as the escape \ud800, which the server's parser turns back into one.
  const surrogate = await post(JSON.stringify({ ...event, job: { namespace: 'airflow', name: '\ud800' } }));
  expect(surrogate.status).toBe(400);
  expect(await surrogate.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'body.job.name' } }] });
  const nul = await post(
    JSON.stringify({
      ...event,
      job: { namespace: 'airflow', name: 'j' },
      inputs: [{ namespace: 'n', name: 'd', facets: { 'a\u0000': {} } }],
    }),
  );
  expect(nul.status).toBe(400);
  expect(await nul.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
});

test('POST /api/v1/lineage: hostile RunEvents are client errors', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: runEvent }, { weight: 1, arbitrary: hostileValue }), async (event) => {
      const body = JSON.stringify(event);
      await clientError(`POST /api/v1/lineage ${body.slice(0, 300)}`, await post(body));
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}, 120_000);

test('PUT and GET /artifacts/<id>: hostile ids, headers and bodies are client errors', async () => {
  const id = fc.oneof(
    fc.constant(() => versionId),
    fc.uuid().map((u) => () => u),
    fc.stringMatching(/^[\x21-\x7e]{1,40}$/).map((s) => () => s),
  );
  await fc.assert(
    fc.asyncProperty(
      id,
      fc.constantFrom('PUT', 'GET'),
      fc.dictionary(fc.constantFrom('x-artifact-sha256', 'range', 'if-range', 'content-type'), headerString, { maxKeys: 3 }),
      fc.uint8Array({ maxLength: 200 }),
      async (which, method, headers, body) => {
        const path = `/artifacts/${encodeURIComponent(which())}`;
        const res = await fetch(`${t.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${t.adminToken}`, ...headers },
          body: method === 'PUT' ? body : undefined,
        });
        await clientError(`${method} ${path} ${JSON.stringify(headers)}`, res);
      },
    ),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}, 120_000);

test('PUT and GET /artifacts/<id>/<path>: hostile file paths, headers and bodies are client errors', async () => {
  const model = ok(
    await t.post({ query: `mutation { createModel(input: { name: "${modelName('folder-routes')}", owner: "o" }) { model { id } } }` }),
  ).createModel as { model: { id: string } };
  const folder = ok(
    await t.post({
      query: 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }',
      variables: {
        input: {
          ...registration(),
          modelId: model.model.id,
          artifact: {
            format: 'OTHER',
            files: [
              { path: 'MLmodel', sizeBytes: 3 },
              { path: 'data/model.pkl', sizeBytes: 5 },
            ],
          },
        },
      },
    }),
  ).registerModelVersion as { version: { id: string } };
  const segment = fc.oneof(
    fc.constantFrom('MLmodel', 'data', 'model.pkl', 'model.sig', '..', '.', '', '%00', '%2F', '%5C', '%ff', '%C0%AF', '%E2%80%AE'),
    hostileString.map(percentEncoded),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(segment, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('PUT', 'GET'),
      fc.dictionary(fc.constantFrom('x-artifact-sha256', 'range', 'content-type'), headerString, { maxKeys: 2 }),
      fc.uint8Array({ maxLength: 50 }),
      async (segments, method, headers, body) => {
        const path = `/artifacts/${folder.version.id}/${segments.join('/')}`;
        const res = await fetch(`${t.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${t.adminToken}`, ...headers },
          body: method === 'PUT' ? body : undefined,
        });
        await clientError(`${method} ${path} ${JSON.stringify(headers)}`, res);
      },
    ),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}, 120_000);

test('GET /audit/export: hostile positions are client errors', async () => {
  await fc.assert(
    fc.asyncProperty(hostileString, async (after) => {
      const res = await fetch(`${t.baseUrl}/audit/export?after=${percentEncoded(after)}`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      await clientError(`GET /audit/export?after=${after.slice(0, 50)}`, res);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}, 120_000);

describe('forged cursors', () => {
  /** A cursor of the registry's own shape (base64url of a JSON array of strings) around values no column can hold. */
  const forged = fc
    .array(fc.oneof(hostileString, fc.uuid(), fc.constantFrom('x', '1', '2026-13-45', '-1e999', 'NaN', 'infinity')), {
      minLength: 1,
      maxLength: 4,
    })
    .map((values) => Buffer.from(JSON.stringify(values)).toString('base64url'));

  test('the reproduction: models(after: base64(\'["x","1"]\')) is BAD_USER_INPUT on after', async () => {
    const res = await t.post({
      query: 'query($after: String) { models(after: $after) { totalCount } }',
      variables: { after: btoa('["x","1"]') },
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  test('every root list with a cursor, and a nested one, answers forged cursors with client errors', async () => {
    const lists = Object.values(schema.getQueryType()?.getFields() ?? {}).filter(
      (f) => f.args.some((a) => a.name === 'after') && f.args.every((a) => a.name === 'after' || !a.type.toString().endsWith('!')),
    );
    expect(lists.length).toBeGreaterThan(3);
    const queries = lists.map((f) => {
      const type = getNamedType(f.type);
      const selection = isObjectType(type) && type.getFields().totalCount ? '{ totalCount }' : '{ __typename }';
      return `query($after: String) { ${f.name}(after: $after) ${selection} }`;
    });
    queries.push('query($after: String) { models(first: 1) { edges { node { versions(after: $after) { totalCount } } } } }');
    for (const query of queries) {
      await fc.assert(
        fc.asyncProperty(forged, async (after) => {
          const res = await fetch(`${t.baseUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
            body: JSON.stringify({ query, variables: { after } }),
          });
          await clientError(`${query} after=${after.slice(0, 80)}`, res);
        }),
        { numRuns: RUNS / 2, seed: SEED, endOnFailure: true },
      );
    }
  }, 240_000);
});
