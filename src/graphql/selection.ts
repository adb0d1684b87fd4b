import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Per field occurrence in an operation: every item of a list asks the same question. */
const memo = new WeakMap<readonly FieldNode[], readonly string[]>();

/**
 * The names of the fields a client selects on the nodes of a connection
 * (`edges { node { … } }`), through fragments and inline fragments, sorted: what a list needs
 * to read for this request. `versions(first: 5) { edges { node { id stage } } }` → ['id', 'stage'].
 */
export function nodeFields(info: GraphQLResolveInfo): readonly string[] {
  const known = memo.get(info.fieldNodes);
  if (known) return known;
  const result = fieldsAt(info, 'edges', 'node');
  memo.set(info.fieldNodes, result);
  return result;
}

const cursorMemo = new WeakMap<readonly FieldNode[], boolean>();

/** Whether a client selects any cursor of a connection: an edge's, or the page info's start or end. */
export function selectsCursors(info: GraphQLResolveInfo): boolean {
  let known = cursorMemo.get(info.fieldNodes);
  if (known === undefined) {
    known = selects(info, 'edges', 'cursor') || selects(info, 'pageInfo', 'startCursor') || selects(info, 'pageInfo', 'endCursor');
    cursorMemo.set(info.fieldNodes, known);
  }
  return known;
}

/**
 * The names of the fields a client selects at this path under the field being resolved, through fragments and
 * inline fragments, sorted. `lineage { nodes { node { id name } } }`: fieldsAt(info, 'nodes', 'node') → ['id', 'name'].
 */
export function fieldsAt(info: GraphQLResolveInfo, ...path: string[]): readonly string[] {
  const names = new Set<string>();
  const fieldsOf = (set: SelectionSetNode | undefined, visit: (field: FieldNode) => void): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) visit(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, visit);
      else fieldsOf(info.fragments[selection.name.value]?.selectionSet, visit);
    }
  };
  const walk = (set: SelectionSetNode | undefined, rest: readonly string[]): void =>
    fieldsOf(set, (field) => {
      if (rest.length === 0) names.add(field.name.value);
      else if (field.name.value === rest[0]) walk(field.selectionSet, rest.slice(1));
    });
  for (const field of info.fieldNodes) walk(field.selectionSet, path);
  return [...names].sort();
}

/**
 * Whether the client selects this path of fields under the field being resolved, through fragments and inline
 * fragments: what an answer needs to read. `lineage { edges { id from } }`: selects(info, 'edges', 'id') → true.
 */
export function selects(info: GraphQLResolveInfo, ...path: string[]): boolean {
  const within = (set: SelectionSetNode | undefined, rest: readonly string[]): boolean => {
    if (rest.length === 0) return true;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === rest[0] && within(selection.selectionSet, rest.slice(1))) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (within(selection.selectionSet, rest)) return true;
      } else if (within(info.fragments[selection.name.value]?.selectionSet, rest)) return true;
    }
    return false;
  };
  return info.fieldNodes.some((field) => within(field.selectionSet, path));
}
