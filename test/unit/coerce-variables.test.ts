import 'reflect-metadata';
import fc from 'fast-check';
import {
  buildSchema as buildSdlSchema,
  getVariableValues,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  parse,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { buildSchema } from '../../src/composition';
import { coerceVariables } from '../../src/graphql/coerce-variables';
import { checkInput } from '../../src/graphql/input-guard';
import * as generated from '../generated/graphql';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema();
});

const operationOf = (document: DocumentNode) =>
  document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;

/** Every typed operation of the repository that takes variables. */
const operations = Object.entries(generated)
  .filter(([name, value]) => name.endsWith('Document') && typeof value === 'object' && (value as DocumentNode).kind === Kind.DOCUMENT)
  .map(([name, document]) => ({ name, operation: operationOf(document as DocumentNode) }))
  .filter(({ operation }) => operation?.variableDefinitions?.length);

const scalarValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 0.5, -0, 1e300),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * Values for a variable of `type`: mostly of the right shape, with what graphql-js refuses or handles on its own
 * mixed in (nulls, wrong scalars, unknown keys, missing fields, a single value for a list, an object for a list).
 */
function valuesOf(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant(null);
  if (isNonNullType(type))
    return fc.oneof({ weight: 30, arbitrary: valuesOf(type.ofType, depth) }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) {
    const item = valuesOf(type.ofType, depth + 1);
    return fc.oneof(
      { weight: 20, arbitrary: fc.array(item, { maxLength: 4 }) },
      { weight: 1, arbitrary: item },
      { weight: 1, arbitrary: scalarValues },
    );
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of fields) record[field.name] = valuesOf(field.type, depth + 1);
    const object = fc.record(record, {
      requiredKeys: fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name),
    });
    return fc.oneof(
      { weight: 30, arbitrary: object },
      { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
      { weight: 1, arbitrary: object.map((o) => ({ ...o, notAField: 1 })) },
      { weight: 1, arbitrary: scalarValues },
    );
  }
  if (isEnumType(type))
    return fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) },
      { weight: 1, arbitrary: scalarValues },
    );
  if (isScalarType(type)) {
    const own: Record<string, fc.Arbitrary<unknown>> = {
      Float: fc.double({ noNaN: true, noDefaultInfinity: true }),
      Int: fc.integer(),
      String: fc.string({ maxLength: 12 }),
      ID: fc.string({ maxLength: 12 }),
      Boolean: fc.boolean(),
      UUID: fc.uuid(),
      DateTimeISO: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      JSONObject: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      SafeInt: fc.maxSafeInteger(),
    };
    return fc.oneof({ weight: 20, arbitrary: own[type.name] ?? scalarValues }, { weight: 1, arbitrary: scalarValues });
  }
  return scalarValues;
}

/**
 * Generated variables for each operation: where coerceVariables answers, graphql-js accepts them and answers the
 * same (deeply, prototypes included). Answers the share of values coerceVariables answered.
 */
function compare(on: GraphQLSchema, cases: Array<{ name: string; operation: OperationDefinitionNode }>, numRuns: number): number {
  let coerced = 0;
  let runs = 0;
  for (const { name, operation } of cases) {
    const definitions = operation.variableDefinitions ?? [];
    const variables = fc.record(
      Object.fromEntries(definitions.map((d) => [d.variable.name.value, valuesOf(typeFromAST(on, d.type) as GraphQLInputType)])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(variables, (inputs) => {
        runs++;
        const fast = coerceVariables(on, definitions, inputs);
        if (fast === undefined) return;
        coerced++;
        const slow = getVariableValues(on, definitions, inputs);
        expect({ name, errors: slow.errors }).toEqual({ name, errors: undefined });
        expect(fast).toStrictEqual(slow.coerced);
      }),
      { numRuns },
    );
  }
  return coerced / runs;
}

describe('coerceVariables', () => {
  test('answers exactly what graphql-js answers, or leaves it to graphql-js: every operation of the repository, generated values', () => {
    expect(operations.length).toBeGreaterThan(50);
    // Most generated values are valid: the fast path is taken for them (the comparison is not vacuous).
    expect(compare(schema, operations, 100)).toBeGreaterThan(0.2);
  });

  test('the same on what the repository does not use yet: defaults of variables and fields, oneOf inputs, lists of lists', () => {
    const sdl = buildSdlSchema(`
      enum Kind { A B }
      input Inner { x: Float! = 1.5, tags: [String!] = ["a"], kind: Kind = B, values: [Float!], nested: Inner }
      input One @oneOf { a: Int, b: String }
      type Query { f(i: Inner, l: [[Float!]], o: One, n: [Inner!]!, k: Kind, s: String!): Int }`);
    const operation = operationOf(
      parse(`query($i: Inner = { x: 2 }, $l: [[Float!]] = [[1]], $n: [Inner!], $k: Kind = A, $s: String! = "x", $f: [Float]) {
        f(i: $i, l: $l, n: $n, k: $k, s: $s)
      }`),
    );
    // Deeper values hold more scalars, each sometimes wrong: fewer are valid, but still a few hundred of 3,000.
    expect(compare(sdl, [{ name: 'handwritten', operation }], 3000)).toBeGreaterThan(0.04);
    // A oneOf input is always left to graphql-js.
    const oneOf = operationOf(parse(`query($o: One) { f(o: $o, n: [], s: "") }`));
    compare(sdl, [{ name: 'oneOf', operation: oneOf }], 200);
    expect(coerceVariables(sdl, oneOf.variableDefinitions ?? [], { o: { a: 1 } })).toBeUndefined();
  });

  const REPORTS = parse(
    `mutation($inputs: [ReportFeatureDistributionInput!]!) { reportFeatureDistributions(inputs: $inputs) { replayed } }`,
  );
  const report = (counts: unknown[]) => ({
    deploymentId: '6f1c1e1e-3b7a-4c55-9d6e-4f5d8a1e2b3c',
    window: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-01T01:00:00.000Z' },
    features: [{ name: 'age', histogram: { binEdges: [0, 1, 2, 3], counts } }],
  });

  test('a batch of drift reports takes the fast path, numbers unchanged and lists copied', () => {
    const definitions = operationOf(REPORTS).variableDefinitions ?? [];
    const counts = [1, 2.5, -0, 1e-300];
    const inputs = { inputs: [report(counts), report([3, 4, 5])] };
    const fast = coerceVariables(schema, definitions, inputs) as {
      inputs: Array<{ features: Array<{ histogram: { counts: number[] } }> }>;
    };
    expect(fast).toStrictEqual(getVariableValues(schema, definitions, inputs).coerced);
    expect(fast.inputs[0].features[0].histogram.counts).toEqual(counts);
    expect(fast.inputs[0].features[0].histogram.counts).not.toBe(counts);
  });

  test.each([
    ['a string among the numbers', [1, '2', 3], 'Float cannot represent non numeric value: "2"'],
    [
      'NaN among the numbers (not JSON, but a caller in the process may pass it)',
      [1, NaN],
      'Float cannot represent non numeric value: NaN',
    ],
    ['Infinity among the numbers', [Infinity, 1], 'Float cannot represent non numeric value: Infinity'],
    ['a boolean among the numbers', [1, true, 3], 'Float cannot represent non numeric value: true'],
    ['a null among the numbers', [1, null, 3], 'Expected non-nullable type "Float!" not to be null.'],
  ])('%s: left to graphql-js, whose error the client gets', (_what, counts, message) => {
    const operation = operationOf(REPORTS);
    expect(coerceVariables(schema, operation.variableDefinitions ?? [], { inputs: [report(counts)] })).toBeUndefined();
    let error: unknown;
    try {
      checkInput(schema, REPORTS, operation, { inputs: [report(counts)] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toContain(message);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
  });
});
