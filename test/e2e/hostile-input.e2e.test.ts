import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { modelName, registration } from '../support/fixtures';
import { ok, startTestServer, type TestServer } from '../support/server';
import { expectClientErrors, hostileString } from '../support/hostile';
import { healthzDuring, STALL_BOUND_MS } from '../support/stall';
import { openSocket } from '../support/subscriber';

/**
 * Every argument of every query and mutation, found by introspection (so operations that later issues add
 * are covered without editing this file), driven with hostile values: control characters, NUL, unpaired
 * surrogates, bidirectional overrides, huge and deep values, wrong types, unknown and real ids. Whatever
 * the input, the answer is a 2xx or 4xx, JSON, with codes the API documents, and never an internal error.
 */

const RUNS_PER_OPERATION = Number(process.env.HOSTILE_RUNS ?? 6);

let t: TestServer;
let schema: GraphQLSchema;
const realIds: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const introspection = ok(await t.post({ query: getIntrospectionQuery() })) as unknown as IntrospectionQuery;
  schema = buildClientSchema(introspection);
  // Real ids too, so that hostile values reach past "not found".
  const model = ok(
    await t.post({ query: `mutation { createModel(input: { name: "${modelName('hostile')}", owner: "o" }) { model { id } } }` }),
  ).createModel as { model: { id: string } };
  const version = ok(
    await t.post({
      query: 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { id } } }',
      variables: { input: { ...registration(), modelId: model.model.id } },
    }),
  ).registerModelVersion as { version: { id: string } };
  realIds.push(model.model.id, version.version.id);
});
afterAll(() => t.close());

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.1),
);

/** JSON nested `depth` deep. */
const deep = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { k: value };
  return value;
};

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 20 }),
  fc.integer({ min: 20, max: 1500 }).map(deep),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);

const wrongType = fc.oneof(fc.constant(null), fc.boolean(), hostileNumber, hostileString, fc.constant([]), fc.constant({}), anyJson);

function scalarValue(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'String':
      return hostileString;
    case 'ID':
    case 'UUID':
      return fc.oneof(
        fc.uuid(),
        fc.constantFrom(...realIds),
        fc.constantFrom(...realIds).map((id) => id.toUpperCase()),
        hostileString,
      );
    case 'Int':
    case 'SafeInt':
    case 'Float':
      return hostileNumber;
    case 'Boolean':
      return fc.boolean();
    case 'DateTimeISO':
      return fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999Z', '1970-01-01'),
        hostileString,
      );
    default:
      return anyJson; // JSONObject, _Any and any scalar a later issue adds
  }
}

/** A value for an input type: mostly of the right shape, with hostile contents; sometimes of the wrong shape. */
function valueOf(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const right = ((): fc.Arbitrary<unknown> => {
    if (isNonNullType(type)) return valueOf(type.ofType, depth);
    if (isListType(type)) return fc.array(valueOf(type.ofType, depth + 1), { maxLength: depth > 2 ? 2 : 6 });
    if (isScalarType(type)) return scalarValue(type.name);
    if (isEnumType(type)) return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), hostileString);
    if (isInputObjectType(type) && depth < 4) {
      const fields = Object.values(type.getFields());
      return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueOf(f.type, depth + 1)])), {
        requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
      });
    }
    return fc.constant({});
  })();
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrongType });
}

type OperationKind = 'query' | 'mutation' | 'subscription';

function operation(kind: OperationKind, field: GraphQLField<unknown, unknown>): string {
  const variables = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `${kind}${variables ? `(${variables})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
}

function fieldsOf(kind: OperationKind): Array<GraphQLField<unknown, unknown>> {
  const root = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }[kind];
  return Object.values(root?.getFields() ?? {}).filter((f) => f.args.length > 0 && f.name !== '_service');
}

async function answerIsAClientError(query: string, variables: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const context = `${query} ${JSON.stringify(variables).slice(0, 300)} → ${res.status} ${text.slice(0, 500)}`;
  if (res.status >= 500) throw new Error(`5xx: ${context}`);
  expectClientErrors(context, text, (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> }).errors ?? []);
}

describe.each(['query', 'mutation'] as const)('every %s argument, driven with hostile values', (kind) => {
  test('answers a 2xx or 4xx with a documented code, never an internal error', async () => {
    const fields = fieldsOf(kind);
    expect(fields.length).toBeGreaterThan(kind === 'query' ? 3 : 20);
    for (const field of fields) {
      const query = operation(kind, field);
      const variables = fc.record(Object.fromEntries(field.args.map((a) => [a.name, valueOf(a.type)])));
      await fc.assert(
        fc.asyncProperty(variables, (vars) => answerIsAClientError(query, vars)),
        { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.HOSTILE_SEED ?? 42), endOnFailure: true },
      );
    }
  }, 240_000);
});

// ---- the same over graphql-ws: the websocket transport applies the same guard, limits and error codes ----

/**
 * Sends one operation over graphql-ws, on a socket of its own, and answers what came back: its errors, or
 * `closed` with the code when the server closed the socket instead (1009: a frame over MODELGRAPH_MAX_FRAME_BYTES,
 * the websocket's 413). A subscription that was accepted sends nothing until an event: quiet for `quietMs` is that.
 */
async function overWs(
  query: string,
  variables: Record<string, unknown>,
  quietMs = 10_000,
): Promise<{
  errors: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }>;
  /** An error or a completion came (a live subscription sends neither). */
  answered: boolean;
  closed?: number;
  text: string;
}> {
  const socket = openSocket(t.baseUrl, t.adminToken);
  try {
    const opened = await socket.opened;
    if (!opened.acknowledged) throw new Error(`the socket was not acknowledged: closed with ${opened.code} ${opened.reason}`);
    socket.subscribe('1', query, variables);
    const answered = () => socket.frames.some((f) => f.id === '1' && (f.type === 'error' || f.type === 'complete'));
    const closed = await Promise.race([
      socket.until(answered, quietMs).then(
        () => undefined,
        () => undefined,
      ),
      socket.closed.then((c) => c.code),
    ]);
    const mine = socket.frames.filter((f) => f.id === '1');
    const errors = mine.flatMap((f) => (f.type === 'error' ? f.payload : f.type === 'next' ? (f.payload.errors ?? []) : []));
    return { errors, answered: answered(), closed, text: JSON.stringify(mine) };
  } finally {
    await socket.close();
  }
}

async function answerOverWsIsAClientError(kind: OperationKind, query: string, variables: Record<string, unknown>): Promise<void> {
  const answer = await overWs(query, variables, kind === 'subscription' ? 300 : 10_000);
  const context = `over graphql-ws: ${query} ${JSON.stringify(variables).slice(0, 300)}`;
  if (answer.closed !== undefined && answer.closed !== 1009) throw new Error(`the socket closed with ${answer.closed}: ${context}`);
  if (kind !== 'subscription' && !answer.answered && answer.closed === undefined) throw new Error(`no answer in 10 s: ${context}`);
  expectClientErrors(context, answer.text, answer.errors);
}

describe('over graphql-ws', () => {
  test('what HTTP refuses as a client error, the websocket refuses with the same code', async () => {
    const upsert = 'mutation($input: UpsertLineageNodesInput!) { upsertLineageNodes(input: $input) { created } }';
    const nul = { input: { nodes: [{ kind: 'DATASET', naturalKey: 'ds://hostile', properties: { 'a\u0000b': 1 } }] } };
    const http = await t.post({ query: upsert, variables: nul });
    expect(http.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await overWs(upsert, nul)).errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);

    const lone = { input: { nodes: [{ kind: 'DATASET', naturalKey: '\ud800' }] } };
    expect((await overWs(upsert, lone)).errors[0].extensions?.code).toBe('BAD_USER_INPUT');

    const nope = await overWs('subscription { nope }', {});
    expect(nope.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "nope" on type "Subscription".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    expect((await overWs('subscription { lifecycleEvents { cursor }', {})).errors[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    // A variable of the wrong type, in a subscription and in a query.
    const events = 'subscription($after: String) { lifecycleEvents(after: $after) { cursor } }';
    expect((await overWs(events, { after: { not: 'a string' } }, 300)).errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    const models = 'query($first: Int) { models(first: $first) { totalCount } }';
    expect((await overWs(models, { first: 'ten' })).errors[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  /** Every subscription, and queries and mutations that take free text, JSON and ids. */
  const REPRESENTATIVE: Record<OperationKind, string[] | null> = {
    subscription: null,
    query: ['models', 'model', 'lineage', 'alerts', 'auditEvents'],
    mutation: ['upsertLineageNodes', 'createModel', 'registerModelVersion', 'setModelTags', 'logMetrics', 'reportFeatureDistribution'],
  };

  test.each(['subscription', 'query', 'mutation'] as const)(
    'every %s of a representative set, driven with hostile values: client errors only',
    async (kind) => {
      const wanted = REPRESENTATIVE[kind];
      const fields = fieldsOf(kind).filter((f) => !wanted || wanted.includes(f.name));
      expect(fields.length).toBeGreaterThanOrEqual(wanted ? wanted.length - 1 : 3);
      for (const field of fields) {
        const query = operation(kind, field);
        const variables = fc.record(Object.fromEntries(field.args.map((a) => [a.name, valueOf(a.type)])));
        await fc.assert(
          fc.asyncProperty(variables, (vars) => answerOverWsIsAClientError(kind, query, vars)),
          { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.HOSTILE_SEED ?? 42), endOnFailure: true },
        );
      }
    },
    240_000,
  );
});

describe('variables of the wrong shape cost one mistake, not one per key', () => {
  // graphql-js reports every unknown field of an input object, each message quoting the whole object: 20,000 unknown
  // keys made 20,000 quotes of 20,000 keys, and the event loop stood still for over a minute (the property test above
  // found it). The first mistake is answered, and /healthz keeps answering meanwhile.
  const upsert = 'mutation($input: UpsertLineageNodesInput!) { upsertLineageNodes(input: $input) { created } }';
  const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
  const variables = { input: { nodes: [keys] } };

  test('over HTTP', async () => {
    const attack = await healthzDuring(t.baseUrl, 'a variable of 20,000 unknown keys, over HTTP', () =>
      t.post({ query: upsert, variables }),
    );
    expect(attack.result.status).toBe(400);
    expect(attack.result.errors).toHaveLength(1);
    expect(attack.result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
  });

  test('over graphql-ws', async () => {
    const attack = await healthzDuring(t.baseUrl, 'a variable of 20,000 unknown keys, over graphql-ws', () => overWs(upsert, variables));
    expect(attack.result.errors).toHaveLength(1);
    expect(attack.result.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(attack.worstMs).toBeLessThan(STALL_BOUND_MS);
  });
});
