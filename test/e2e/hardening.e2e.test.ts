import { Role } from '../../src/common/role';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import { modelName, registration } from '../support/fixtures';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** What every answer to a client mistake must be: a 4xx (or a 200 with errors), JSON, a known code, no internals. */
function expectClientError(res: { status: number; text: string }, code?: string) {
  expect(res.status).toBeGreaterThanOrEqual(200);
  expect(res.status).toBeLessThan(500);
  expect(res.text).not.toMatch(/<html|<pre|at [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d+|\.js:\d+/i);
  const body = JSON.parse(res.text) as { errors?: Array<{ extensions?: { code?: string } }> };
  expect(body.errors?.length).toBeGreaterThan(0);
  const codes = (body.errors ?? []).map((e) => e.extensions?.code);
  expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
  if (code) expect(codes[0]).toBe(code);
}

async function raw(body: string, headers: Record<string, string> = {}, token: string | null = t.adminToken) {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('client mistakes are 4xx with a code, never 5xx', () => {
  test('a query over the depth, cost or alias limit is HTTP 400 BAD_USER_INPUT', async () => {
    const deep =
      '{ model(name: "x") { versions { edges { node { model { versions { edges { node { model { versions { edges { node { id } } } } } } } } } } } } }';
    const res = await raw(JSON.stringify({ query: deep }));
    expect(res.status).toBe(400);
    expectClientError(res, 'BAD_USER_INPUT');
    const costly = await raw(
      JSON.stringify({
        query:
          '{ models(first: 500) { edges { node { versions(first: 500) { edges { node { aliases(first: 500) { totalCount } } } } } } } }',
      }),
    );
    expect(costly.status).toBe(400);
    expectClientError(costly, 'BAD_USER_INPUT');
    const aliases = await raw(
      JSON.stringify({ query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { subject }`).join(' ')} }` }),
    );
    expect(aliases.status).toBe(400);
    expectClientError(aliases, 'BAD_USER_INPUT');
  });

  test.each([
    ['a missing variable', { query: 'query($id: UUID!) { modelVersion(id: $id) { id } }' }],
    ['a variable of the wrong type', { query: 'query($id: UUID!) { modelVersion(id: $id) { id } }', variables: { id: 42 } }],
    ['a malformed UUID', { query: 'query($id: UUID!) { modelVersion(id: $id) { id } }', variables: { id: 'not-a-uuid' } }],
    [
      'an unknown enum value',
      {
        query: 'query($s: Stage!) { models { edges { node { versions(filter: { stage: $s }) { totalCount } } } } }',
        variables: { s: 'NOPE' },
      },
    ],
  ])('%s is HTTP 400 BAD_USER_INPUT', async (_what, body) => {
    const res = await raw(JSON.stringify(body));
    expect(res.status).toBe(400);
    expectClientError(res, 'BAD_USER_INPUT');
  });

  test.each([
    ['malformed JSON', '{"query": "{ viewer { subject } }"', {}, 400],
    [
      'a body over the size limit',
      JSON.stringify({ query: '{ viewer { subject } }', variables: { x: 'x'.repeat(11 * 2 ** 20) } }),
      {},
      413,
    ],
    [
      'an unsupported charset',
      JSON.stringify({ query: '{ viewer { subject } }' }),
      { 'content-type': 'application/json; charset=latin-9' },
      415,
    ],
  ])('%s is a JSON error with no stack or path, with or without a token', async (_what, body, headers, status) => {
    for (const token of [t.adminToken, null]) {
      const res = await raw(body, headers as Record<string, string>, token);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expectClientError(res, 'BAD_REQUEST');
    }
  });

  test('an unknown path is a JSON 404', async () => {
    const res = await fetch(`${t.baseUrl}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  test.each([
    ['a model name filter', '{ models(filter: { nameContains: "a\\u0000b" }) { totalCount } }'],
    ['model(name)', '{ model(name: "x\\u0000") { id } }'],
    ['an owner filter', '{ models(filter: { owner: "\\u0000" }) { totalCount } }'],
    ['a tag filter', '{ models(filter: { tags: [{ key: "k", value: "\\u0000" }] }) { totalCount } }'],
    ['an audit filter', '{ auditEvents(filter: { action: "a\\u0000" }) { totalCount } }'],
  ])('a NUL byte in %s is BAD_USER_INPUT', async (_what, query) => {
    expectClientError(await raw(JSON.stringify({ query })), 'BAD_USER_INPUT');
  });

  test('a lone surrogate escaped in a literal is refused by the parser, as a client error', async () => {
    const res = await raw(JSON.stringify({ query: '{ model(name: "\\ud800") { id } }' }));
    expect(res.status).toBe(400);
    expectClientError(res, 'GRAPHQL_PARSE_FAILED');
  });

  test('NUL bytes and lone surrogates in variables, JSON values and idempotency keys are BAD_USER_INPUT, and nothing is written', async () => {
    const model = ok(
      await t.post({ query: `mutation { createModel(input: { name: "${modelName('nul')}", owner: "x" }) { model { id name } } }` }),
    ).createModel as { model: { id: string; name: string } };
    const register = 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }';
    for (const input of [
      registration({ modelName: model.model.name, hyperparameters: { 'k\u0000': 1 } }),
      registration({ modelName: model.model.name, hyperparameters: { k: 'v\u0000' } }),
      registration({ modelName: model.model.name, hyperparameters: { k: '\udc00' } }),
      registration({ modelName: model.model.name, idempotencyKey: 'key\u0000' }),
    ]) {
      expectClientError(await raw(JSON.stringify({ query: register, variables: { input } })), 'BAD_USER_INPUT');
    }
    const metrics = 'mutation($input: LogMetricsInput!) { logMetrics(input: $input) { count } }';
    expectClientError(
      await raw(
        JSON.stringify({
          query: metrics,
          variables: { input: { versionId: model.model.id, metrics: [{ name: 'a\u0000', value: 1, source: 'TEST' }] } },
        }),
      ),
      'BAD_USER_INPUT',
    );
    const alias = `mutation { setModelAlias(input: { modelId: "${model.model.id}", alias: "a\\u0000", versionId: "${model.model.id}" }) { alias { name } } }`;
    expectClientError(await raw(JSON.stringify({ query: alias })), 'BAD_USER_INPUT');
    const versions = await t.database.db.query('SELECT count(*)::int AS n FROM model_versions WHERE model_id = $1', [model.model.id]);
    expect(versions[0].n).toBe(0);
  });

  test.each([
    ['an unknown __typename', [{ __typename: 'Nothing', id: '00000000-0000-4000-8000-000000000000' }]],
    ['a numeric id', [{ __typename: 'ModelVersion', id: 42 }]],
    ['a missing key', [{ __typename: 'RegisteredModel' }]],
    ['not an object', ['ModelVersion']],
  ])('_entities with %s is BAD_USER_INPUT', async (_what, representations) => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    expectClientError(await raw(JSON.stringify({ query, variables: { r: representations } })), 'BAD_USER_INPUT');
  });
});

describe('what is stored or audited is bounded', () => {
  const register = 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }';
  let name: string;
  beforeAll(async () => {
    name = modelName('bounds');
    ok(await t.post({ query: `mutation { createModel(input: { name: "${name}", owner: "x" }) { model { id } } }` }));
  });

  test.each([
    [
      '200,000 hyperparameters',
      () => registration({ hyperparameters: Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`p${i}`, i])) }),
      'hyperparameters',
    ],
    [
      '100,000 dataset versions',
      () => registration({ datasetVersions: Array.from({ length: 100_000 }, (_, i) => `s3://d@v${i}`) }),
      'datasetVersions',
    ],
    [
      'hyperparameters nested 20 deep',
      () => registration({ hyperparameters: JSON.parse(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`) }),
      'hyperparameters',
    ],
    [
      'an artifact signature of 100 KB',
      () => registration({ artifact: { format: 'ONNX', signature: { s: 'x'.repeat(100_000) } } }),
      'artifact.signature',
    ],
  ])('%s are refused naming the field, and nothing is written', async (_what, input, field) => {
    const before = await t.database.db.query('SELECT count(*)::int AS n FROM audit_events');
    const res = await raw(JSON.stringify({ query: register, variables: { input: { ...input(), modelName: name } } }));
    expectClientError(res, 'BAD_USER_INPUT');
    expect(JSON.parse(res.text).errors[0].extensions.field).toBe(field);
    expect((await t.database.db.query('SELECT count(*)::int AS n FROM audit_events'))[0].n).toBe(before[0].n);
  });

  test('JSON nested 5,000 levels deep is BAD_USER_INPUT, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const body = `{"query":${JSON.stringify(register)},"variables":{"input":${JSON.stringify({ ...registration(), modelName: name }).replace('"hyperparameters":{"learning_rate":0.05,"max_depth":6}', `"hyperparameters":${deep}`)}}}`;
    expectClientError(await raw(body), 'BAD_USER_INPUT');
  });

  test('a package lock is kept whole with the version, and by its digest in the audit trail', async () => {
    const lock = 'left-pad==1.3.0\n'.repeat(20_000);
    const res = ok(
      await t.post({ query: register, variables: { input: { ...registration({ environment: { packageLock: lock } }), modelName: name } } }),
    );
    const id = (res.registerModelVersion as { version: { id: string } }).version.id;
    const [stored] = await t.database.db.query('SELECT environment_package_lock FROM model_versions WHERE id = $1', [id]);
    expect(stored.environment_package_lock).toBe(lock);
    const [event] = await t.database.db.query(`SELECT payload FROM audit_events WHERE subject_id = $1 AND action = 'version.registered'`, [
      id,
    ]);
    expect(event.payload.after.environmentPackageLock).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), length: lock.length });
  });
});

test('metric labels are bounded: unknown operation names share one label', async () => {
  for (let i = 0; i < 300; i += 1) await raw(JSON.stringify({ query: `query Op${i} { viewer { subject } }` }));
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const operations = new Set([...text.matchAll(/modelgraph_graphql_requests_total\{operation="([^"]*)"/g)].map((m) => m[1]));
  expect(operations.size).toBeLessThanOrEqual(101);
  expect(operations).toContain('other');
});

describe('the registry keeps an administrator', () => {
  test('revoking the last active ADMIN token is refused; with a second one it is allowed', async () => {
    // A server of its own: this test revokes the harness's admin token.
    const t = await startTestServer();
    try {
      await lastAdmin(t);
    } finally {
      await t.close();
    }
  });
});

async function lastAdmin(t: TestServer): Promise<void> {
  {
    const revoke = `mutation($id: UUID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }`;
    const active = async () =>
      (await t.services.tokens.list(SYSTEM_CALLER, { first: 500 })).rows.filter((r) => r.role === Role.ADMIN && !r.revokedAt);
    const mine = (await active()).find((a) => a.subject === 'admin');
    for (const other of (await active()).filter((a) => a.id !== mine?.id)) ok(await t.post({ query: revoke, variables: { id: other.id } }));
    expect(await active()).toHaveLength(1);

    const refused = await t.post({ query: revoke, variables: { id: mine?.id } });
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors?.[0].message).toMatch(/last active ADMIN/);
    expect(await active()).toHaveLength(1);

    const second = await t.tokenFor(Role.ADMIN, 'second-admin');
    ok(await t.post({ query: revoke, variables: { id: mine?.id } }, second));
    expect((await active()).map((a) => a.subject)).toEqual(['second-admin']);
  }
}

describe('request ids, no-op changes, identifiers', () => {
  test("the server issues its own request id; a client's is kept apart, in the audit event too", async () => {
    const name = modelName('traced');
    const res = await raw(JSON.stringify({ query: `mutation { createModel(input: { name: "${name}", owner: "x" }) { model { id } } }` }), {
      'x-request-id': 'trace-abc-123',
    });
    const issued = res.headers.get('x-request-id');
    expect(issued).toMatch(/^[0-9a-f-]{36}$/);
    const [event] = await t.database.db.query(
      `SELECT request_id, client_request_id FROM audit_events WHERE action = 'model.created' AND payload->'after'->>'name' = $1`,
      [name],
    );
    expect(event).toEqual({ request_id: issued, client_request_id: 'trace-abc-123' });
    expect((await t.services.audit.verifyChain()).ok).toBe(true);
  });

  test('a change that changes nothing writes nothing: no revision, no audit event', async () => {
    const model = ok(
      await t.post({
        query: `mutation { createModel(input: { name: "${modelName('noop')}", owner: "x", tags: [{ key: "a", value: "1" }] }) { model { id } } }`,
      }),
    ).createModel as { model: { id: string } };
    const events = async () =>
      (await t.database.db.query('SELECT count(*)::int AS n FROM audit_events WHERE model_id = $1', [model.model.id]))[0].n;
    const before = await events();
    const tags = ok(
      await t.post({
        query: `mutation { setModelTags(input: { modelId: "${model.model.id}", tags: [{ key: "a", value: "1" }], removeKeys: ["zz"] }) { model { revision } } }`,
      }),
    ).setModelTags as { model: { revision: number } };
    expect(tags.model.revision).toBe(1);
    const update = ok(
      await t.post({
        query: `mutation { updateModel(input: { id: "${model.model.id}", expectedRevision: 1, owner: "x" }) { model { revision } } }`,
      }),
    ).updateModel as { model: { revision: number } };
    expect(update.model.revision).toBe(1);
    expect(await events()).toBe(before);
  });

  test.each([
    ['an owner', (x: string) => `mutation { createModel(input: { name: "${modelName('bidi')}", owner: "${x}" }) { model { id } } }`],
    ['a token subject', (x: string) => `mutation { createApiToken(input: { subject: "${x}", role: VIEWER }) { token } }`],
    [
      'a tag value',
      (x: string) =>
        `mutation { createModel(input: { name: "${modelName('bidi')}", owner: "o", tags: [{ key: "k", value: "${x}" }] }) { model { id } } }`,
    ],
  ])('bidirectional control characters in %s are BAD_USER_INPUT', async (_what, mutation) => {
    for (const control of ['\u202e', '\u2066', '\u200f']) {
      expectClientError(await raw(JSON.stringify({ query: mutation(`admin${control}nimda`) })), 'BAD_USER_INPUT');
    }
  });
});
