import { CreateModelDocument, ViewerDocument } from '../generated/graphql';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const get = (path: string) => fetch(`${t.baseUrl}${path}`);

test('/healthz answers while the process is up', async () => {
  const res = await get('/healthz');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

test('/readyz checks the database and its migrations', async () => {
  const res = await get('/readyz');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ready' });

  // Pretend the last migration was never applied (only the owner can): not ready until it is.
  const [last] = await t.database.asOwner('SELECT * FROM modelgraph_migrations ORDER BY id DESC LIMIT 1');
  await t.database.asOwner('DELETE FROM modelgraph_migrations WHERE id = $1', [last.id]);
  try {
    const pending = await get('/readyz');
    expect(pending.status).toBe(503);
    expect(await pending.json()).toEqual({ status: 'migrations pending' });
  } finally {
    await t.database.asOwner('INSERT INTO modelgraph_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
      last.id,
      last.timestamp,
      last.name,
    ]);
  }
});

test('/metrics counts requests per operation, errors per code and SQL statements', async () => {
  ok(await t.request(ViewerDocument));
  expect(errorCode(await t.request(CreateModelDocument, { input: { name: 'Not A Slug', owner: 'x' } }))).toBe('BAD_USER_INPUT');
  const res = await get('/metrics');
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  const text = await res.text();
  expect(text).toMatch(/modelgraph_graphql_requests_total\{operation="Viewer",status="ok"\} [1-9]/);
  expect(text).toMatch(/modelgraph_graphql_requests_total\{operation="CreateModel",status="error"\} [1-9]/);
  expect(text).toMatch(/modelgraph_graphql_request_duration_seconds_count\{operation="Viewer"\} [1-9]/);
  expect(text).toMatch(/modelgraph_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
  expect(text).toMatch(/modelgraph_db_queries_total [1-9]/);
});

test("every response carries a request id the server issued; a client's own id is recorded beside it, not in its place", async () => {
  const generated = await t.request(ViewerDocument);
  expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

  const res = await t.post(
    { query: 'mutation { createModel(input: { name: "traced-model", owner: "x" }) { model { id } } }' },
    t.adminToken,
    { 'x-request-id': 'trace-abc-123' },
  );
  const issued = res.headers.get('x-request-id');
  expect(issued).toMatch(/^[0-9a-f-]{36}$/);
  const [event] = await t.database.db.query(
    `SELECT request_id, client_request_id FROM audit_events WHERE action = 'model.created' ORDER BY seq DESC LIMIT 1`,
  );
  expect(event).toEqual({ request_id: issued, client_request_id: 'trace-abc-123' });

  const unsafe = await t.post({ query: '{ viewer { subject } }' }, t.adminToken, { 'x-request-id': 'bad id with spaces' });
  expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('CSRF prevention refuses simple cross-site GET requests', async () => {
  const res = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ viewer { subject } }')}`, {
    headers: { authorization: `Bearer ${t.adminToken}` },
  });
  expect(res.status).toBe(400);
  const preflighted = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ viewer { subject } }')}`, {
    headers: { authorization: `Bearer ${t.adminToken}`, 'apollo-require-preflight': 'true' },
  });
  expect(preflighted.status).toBe(200);
});

test('introspection is off in production', async () => {
  const prod = await startTestServer({ NODE_ENV: 'production' });
  try {
    const res = await prod.post({ query: '{ __schema { types { name } } }' });
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/introspection/i);
  } finally {
    await prod.close();
  }
});
