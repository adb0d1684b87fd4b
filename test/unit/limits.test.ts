import {
  buildSchema,
  GraphQLError,
  type GraphQLObjectType,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { aliasCount, enforceLimits, operationCost, selectionDepth, type QueryLimits } from '../../src/graphql/limits';

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) throw new Error('no operation in document');
  return op;
}

/** Depth of the first operation in `source`. */
function depthOf(source: string): number {
  const document = parse(source);
  return selectionDepth(operationOf(document).selectionSet, fragmentsOf(document));
}

describe('selectionDepth', () => {
  it('is 0 for no selection set', () => {
    expect(selectionDepth(undefined, new Map())).toBe(0);
  });

  it.each([
    ['{ a }', 1],
    ['{ a b c }', 1],
    ['{ a { b } }', 2],
    ['{ a { b { c { d } } } }', 4],
    ['{ a { b } c { d { e } } }', 3],
  ])('counts nested fields: %s → %i', (source, depth) => {
    expect(depthOf(source)).toBe(depth);
  });

  it('follows fragment spreads', () => {
    expect(depthOf('{ a { ...F } } fragment F on X { b { c } }')).toBe(3);
    expect(depthOf('{ a { ...F } } fragment F on X { b { ...G } } fragment G on X { c { d } }')).toBe(4);
  });

  it('follows inline fragments without counting them as a level', () => {
    expect(depthOf('{ a { ... on X { b { c } } } }')).toBe(3);
    expect(depthOf('{ ... { a } }')).toBe(1);
  });

  it('ignores a spread of an unknown fragment', () => {
    expect(depthOf('{ a { ...Missing } }')).toBe(1);
  });

  it('terminates on a fragment that spreads itself', () => {
    expect(depthOf('{ x { ...A } } fragment A on X { a { ...A } }')).toBe(2);
  });

  it('terminates on a cycle between two fragments, counting each fragment once per path', () => {
    expect(depthOf('{ ...A } fragment A on Q { a { ...B } } fragment B on Q { b { ...A } }')).toBe(2);
  });

  it('counts the same fragment again on a separate path', () => {
    expect(depthOf('{ x { ...F } y { z { ...F } } } fragment F on X { f { g } }')).toBe(4);
  });

  it('does not count __typename or introspection fields', () => {
    expect(depthOf('{ __typename }')).toBe(0);
    expect(depthOf('{ a { __typename b { __typename } } }')).toBe(2);
    expect(depthOf('{ __schema { types { fields { type { name } } } } }')).toBe(0);
    expect(depthOf('{ a { __type(name: "X") { fields { name } } } }')).toBe(1);
  });
});

describe('aliasCount', () => {
  it('is 0 without aliases', () => {
    expect(aliasCount(parse('{ a { b } }'))).toBe(0);
  });

  it('counts aliased fields at every depth', () => {
    expect(aliasCount(parse('{ one: a { x: b { c } y: b } two: a }'))).toBe(4);
  });

  it('counts aliases inside inline fragments and fragment definitions', () => {
    expect(aliasCount(parse('{ ... on Q { x: a } ...F } fragment F on Q { y: a { z: b } }'))).toBe(3);
  });

  it('counts each fragment definition once, however often it is spread', () => {
    expect(aliasCount(parse('{ p { ...F } q { ...F } } fragment F on Q { y: a }'))).toBe(1);
  });

  it('terminates on a fragment cycle', () => {
    expect(aliasCount(parse('{ ...A } fragment A on X { a: b { ...A } }'))).toBe(1);
  });

  it('counts the aliases of every operation in the document', () => {
    expect(aliasCount(parse('query One { x: a } query Two { y: a z: a }'))).toBe(3);
  });
});

describe('enforceLimits', () => {
  const schema = buildSchema(`
    type Query { items(first: Int): [Item!]! item: Item }
    type Item { id: ID! children(first: Int): [Item!]! }
  `);
  const limits: QueryLimits = { maxDepth: 5, maxAliases: 3, maxCost: 10_000 };

  function run(source: string, variables: Record<string, unknown> = {}, custom: QueryLimits = limits): void {
    const document = parse(source);
    enforceLimits(schema, document, operationOf(document), variables, custom);
  }

  function refusal(source: string, variables: Record<string, unknown> = {}, custom: QueryLimits = limits): GraphQLError {
    try {
      run(source, variables, custom);
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
      return error as GraphQLError;
    }
    throw new Error(`expected ${source} to be refused`);
  }

  const nested = (levels: number): string =>
    `{ items(first: 1) ${'{ children(first: 1) '.repeat(levels - 2)}{ id }${' }'.repeat(levels - 2)} }`;

  it('lets a small query through', () => {
    expect(() => run('{ items(first: 10) { id children(first: 5) { id } } }')).not.toThrow();
  });

  it('allows a query exactly at the depth limit', () => {
    expect(() => run(nested(5))).not.toThrow();
  });

  it('refuses a query deeper than the limit', () => {
    const error = refusal(nested(6));
    expect(error.extensions.limit).toBe('depth');
    expect(error.message).toMatch(/depth 6 exceeds the limit of 5/);
  });

  it('counts depth through fragments', () => {
    const source = `{ items(first: 1) { ...A } }
      fragment A on Item { children(first: 1) { children(first: 1) { ...B } } }
      fragment B on Item { children(first: 1) { children(first: 1) { id } } }`;
    expect(refusal(source).extensions.limit).toBe('depth');
  });

  it('allows exactly the alias limit', () => {
    expect(() => run('{ a: item { id } b: item { id } c: item { id } }')).not.toThrow();
  });

  it('refuses too many aliases', () => {
    const error = refusal('{ a: item { id } b: item { id } c: item { x: id } }');
    expect(error.extensions.limit).toBe('aliases');
    expect(error.message).toMatch(/4 aliases; the limit is 3/);
  });

  it('refuses a query whose page sizes multiply past the cost limit', () => {
    const error = refusal('{ items(first: 500) { children(first: 500) { id } } }');
    expect(error.extensions.limit).toBe('cost');
    // id = 1; children = 1 + 500 × 1; items = 1 + 500 × 501.
    expect(error.message).toMatch(/cost 250501 exceeds the limit of 10000/);
  });

  it('uses the page size the variables give', () => {
    const source = 'query Q($n: Int) { items(first: $n) { children(first: $n) { id } } }';
    expect(() => run(source, { n: 10 })).not.toThrow();
    expect(refusal(source, { n: 500 }).extensions.limit).toBe('cost');
  });

  it('charges the default page size of 50 when first is not given', () => {
    // items = 1 + 50 × (children = 1 + 50 × 1) = 2551
    expect(() => run('{ items { children { id } } }', {}, { ...limits, maxCost: 2551 })).not.toThrow();
    expect(refusal('{ items { children { id } } }', {}, { ...limits, maxCost: 2550 }).extensions.limit).toBe('cost');
  });

  it('checks depth before aliases and cost', () => {
    const source = `{ a: items(first: 500) { b: children(first: 500) { c: children(first: 500) { d: children(first: 500) { e: children(first: 500) { id } } } } } }`;
    expect(refusal(source).extensions.limit).toBe('depth');
  });
});

describe('a field that declares its own cost', () => {
  // A graph whose `edges` may hold up to 4 items per node asked for, declared as type-graphql's `complexity` option
  // does it (schema.ts carries it over to the subgraph's schema).
  const schema = buildSchema(`
    type Query { graph(first: Int): Graph! }
    type Graph { nodes: [Node!]! edges: [Edge!]! truncated: Boolean! }
    type Node { id: ID! }
    type Edge { from: ID! to: ID! }
  `);
  const edges = (schema.getType('Graph') as GraphQLObjectType).getFields().edges;
  Object.assign(edges, { extensions: { complexity: ({ childComplexity }: { childComplexity: number }) => 1 + 4 * childComplexity } });

  function cost(source: string): number {
    const document = parse(source);
    try {
      enforceLimits(schema, document, operationOf(document), {}, { maxDepth: 10, maxAliases: 10, maxCost: 0 });
    } catch (error) {
      return Number(/cost (\d+) exceeds/.exec((error as Error).message)?.[1]);
    }
    throw new Error('expected a refusal');
  }

  it('is multiplied by the page size of the list above it', () => {
    // nodes = 1 + 1; edges = 1 + 4 × (1 + 1); graph = 1 + 100 × (2 + 9).
    expect(cost('{ graph(first: 100) { nodes { id } edges { from to } } }')).toBe(1 + 100 * (2 + 9));
    // Without edges, only nodes count.
    expect(cost('{ graph(first: 100) { nodes { id } } }')).toBe(1 + 100 * 2);
  });
});

describe('selectionDepth on fragments that spread each other many times', () => {
  test('is linear: 40 levels of doubled spreads finish at once', () => {
    let src = '{ item { ...F0 } }\n';
    for (let i = 0; i < 40; i += 1) src += `fragment F${i} on Item { ...F${i + 1} ...F${i + 1} }\n`;
    src += 'fragment F40 on Item { id }';
    const doc = parse(src);
    const operation = doc.definitions[0] as OperationDefinitionNode;
    const fragments = new Map(
      doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    // 2^40 paths if followed naively; the answer is still just item → id.
    expect(selectionDepth(operation.selectionSet, fragments)).toBe(2);
  });
});

describe('operationCost', () => {
  const schema = buildSchema(`
    type Query { items(first: Int): [Item!]! things: [Thing!]! }
    interface Thing { id: ID! }
    type Item implements Thing { id: ID! name: String! children(first: Int): [Item!]! }
    type Tool implements Thing { id: ID! }
  `);
  const cost = (source: string, variables: Record<string, unknown> = {}): number => {
    const document = parse(source);
    return operationCost(schema, document, operationOf(document), variables);
  };

  it('charges each field 1 plus what it selects, times the page for a paged list', () => {
    expect(cost('{ items(first: 10) { id name } }')).toBe(1 + 10 * 2);
    expect(cost('query($n: Int) { items(first: $n) { id children(first: 3) { id } } }', { n: 4 })).toBe(1 + 4 * (1 + (1 + 3 * 1)));
  });

  it('adds fragments to the types they apply to and charges an abstract selection its costliest type', () => {
    // Item: id + name + children(first: 2) { id } = 1 + 1 + 3; Tool: id = 1. `things` = 1 + the larger.
    expect(cost('{ things { id ... on Item { name children(first: 2) { id } } } }')).toBe(1 + 5);
    expect(cost('fragment F on Item { name } { things { ...F ...F } }')).toBe(1 + 2);
  });

  it('charges nothing for what @skip or @include leaves out, as the variables say', () => {
    const source = 'query($big: Boolean!) { items(first: 10) { id } more: items(first: 100) @include(if: $big) { id } }';
    expect(cost(source, { big: false })).toBe(11);
    expect(cost(source, { big: true })).toBe(11 + 101);
    expect(cost('{ items(first: 100) @skip(if: true) { id } }')).toBe(0);
  });

  it('refuses a document with more selections than it will walk', () => {
    const wide = `{ items(first: 1) { ${Array.from({ length: 10_001 }, () => 'id').join(' ')} } }`;
    expect(() => cost(wide)).toThrow(/maximum allowed number of nodes/);
  });
});
