import { parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { fieldsAt, nodeFields, selects, selectsCursors } from '../../src/graphql/selection';

/** The resolve info of the operation's first field, as an executor hands it to that field's resolver. */
function infoOf(source: string): GraphQLResolveInfo {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments } as unknown as GraphQLResolveInfo;
}

describe('selects', () => {
  it('finds a path of fields under the field resolved', () => {
    expect(selects(infoOf('{ graph { edges { id from } } }'), 'edges', 'id')).toBe(true);
    expect(selects(infoOf('{ graph { edges { from } nodes } }'), 'edges', 'id')).toBe(false);
    expect(selects(infoOf('{ graph { nodes id } }'), 'edges', 'id')).toBe(false);
  });

  it('looks through fragments and inline fragments', () => {
    expect(selects(infoOf('{ graph { ...G } } fragment G on Graph { edges { ... on Edge { id } } }'), 'edges', 'id')).toBe(true);
    expect(selects(infoOf('{ graph { ... { edges { ...E } } } } fragment E on Edge { id }'), 'edges', 'id')).toBe(true);
    expect(selects(infoOf('{ graph { ...G } } fragment G on Graph { edges { from } }'), 'edges', 'id')).toBe(false);
  });
});

describe('fieldsAt', () => {
  it('names the fields selected at a path, through fragments and inline fragments, sorted', () => {
    const info = infoOf('{ graph { nodes { node { name ...N ... on V { stage } } } edges { id } } } fragment N on Node { id kind }');
    expect(fieldsAt(info, 'nodes', 'node')).toEqual(['id', 'kind', 'name', 'stage']);
    expect(fieldsAt(info, 'edges')).toEqual(['id']);
    expect(fieldsAt(info, 'missing', 'node')).toEqual([]);
  });

  it('is what nodeFields reads of a connection', () => {
    expect(nodeFields(infoOf('{ versions { edges { node { stage id } } totalCount } }'))).toEqual(['id', 'stage']);
  });
});

describe('selectsCursors', () => {
  it.each([
    ['{ versions { edges { cursor node { id } } } }', true],
    ['{ versions { pageInfo { endCursor } edges { node { id } } } }', true],
    ['{ versions { pageInfo { startCursor } } }', true],
    ['{ versions { ...C } } fragment C on C { edges { ... on E { cursor } } }', true],
    ['{ versions { edges { node { id cursor } } pageInfo { hasNextPage } totalCount } }', false],
  ])('%s → %s', (source, expected) => {
    expect(selectsCursors(infoOf(source))).toBe(expected);
  });
});
