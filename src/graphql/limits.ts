import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../db/pagination';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Whether a document may read the schema by introspection (`__schema`, `__type`): off in production. */
  introspection?: boolean;
  /** Whether federation's `_service { sdl }` answers: off in production unless MODELGRAPH_FEDERATION_SDL=true. */
  serviceSdl?: boolean;
}

type Fragments = Map<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  const map: Fragments = new Map();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

/**
 * Depth of the deepest field path, following fragments. Each fragment's depth is computed once
 * (so fragments spreading each other many times cost linear, not exponential, work) and a
 * fragment met again on its own path counts as 0 (so cycles end; validation refuses them anyway).
 */
export function selectionDepth(set: SelectionSetNode | undefined, fragments: Fragments): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (selections: SelectionSetNode | undefined): number => {
    if (!selections) return 0;
    let max = 0;
    for (const sel of selections.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection meta-fields
        max = Math.max(max, 1 + depth(sel.selectionSet));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depth(sel.selectionSet));
      } else {
        max = Math.max(max, fragmentDepth(sel.name.value));
      }
    }
    return max;
  };
  const fragmentDepth = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    const result = depth(fragment.selectionSet);
    visiting.delete(name);
    memo.set(name, result);
    return result;
  };
  return depth(set);
}

/** Number of aliased fields in the document (a cheap way to multiply work, so it is capped). */
export function aliasCount(document: DocumentNode): number {
  let count = 0;
  const visit = (set: SelectionSetNode | undefined): void => {
    if (!set) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) count += 1;
        visit(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) visit(def.selectionSet);
  }
  return count;
}

/** At most this many selections are costed: a document past it is refused rather than walked on. */
const MAX_COSTED_SELECTIONS = 10_000;

type CostFunction = (args: { childComplexity: number; args: Record<string, unknown> }) => number;

/**
 * What one field costs, given what each of its items costs (`child`): its own `complexity` when it declares one
 * (type-graphql's option, carried over by schema.ts: a number added to its items' cost, or a function, such as a
 * lineage graph's edges bounded by a multiple of the page); for a paged list, 1 plus its page size (`first`, or the
 * default) times its items' cost; otherwise 1 plus its items' cost.
 */
function fieldCost(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, child: number): number {
  const declared = field.extensions.complexity as number | CostFunction | undefined;
  if (typeof declared === 'number') return child + declared;
  if (typeof declared === 'function') return declared({ childComplexity: child, args });
  if (field.args.some((a) => a.name === 'first')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + Math.max(first, 1) * child;
  }
  return 1 + child;
}

/**
 * What an operation costs, over the variables checkInput coerced: each field as fieldCost says, fragments added to
 * the types they apply to, and for a selection on an interface or union the costliest of its possible types.
 * Fields under a false `@include` or a true `@skip` cost nothing. (graphql-query-complexity's walk, which this
 * replaces, coerced the variables again: as much work as the execution's own for a batch of drift reports.)
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = fragmentsOf(document);
  /** The object types a selection on `type` may meet: itself, or an interface's or union's possible types. */
  const typeNames = (type: GraphQLCompositeType): string[] =>
    isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
  let selections = 0;
  const included = (node: SelectionNode): boolean =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  const cost = (set: SelectionSetNode, type: GraphQLCompositeType, active: Set<string>): number => {
    const possible = typeNames(type);
    const perType = new Map<string, number>(possible.map((name) => [name, 0]));
    const add = (amount: number, to: readonly string[]) => {
      for (const name of to) if (perType.has(name)) perType.set(name, (perType.get(name) as number) + amount);
    };
    for (const node of set.selections) {
      if ((selections += 1) >= MAX_COSTED_SELECTIONS) throw new GraphQLError('Query exceeds the maximum allowed number of nodes.');
      if (!included(node)) continue;
      if (node.kind === Kind.FIELD) {
        const field = fieldOf(type, node.name.value);
        if (!field) continue; // validation has refused unknown fields already
        const named = getNamedType(field.type);
        const child = node.selectionSet && isCompositeType(named) ? cost(node.selectionSet, named, active) : 0;
        add(fieldCost(field, getArgumentValues(field, node, variables), child), possible);
        continue;
      }
      const fragment = node.kind === Kind.FRAGMENT_SPREAD ? fragments.get(node.name.value) : node;
      if (!fragment || (node.kind === Kind.FRAGMENT_SPREAD && active.has(node.name.value))) continue;
      const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      if (!on || !isCompositeType(on)) continue;
      if (node.kind === Kind.FRAGMENT_SPREAD) active.add(node.name.value);
      const amount = cost(fragment.selectionSet, on, active);
      if (node.kind === Kind.FRAGMENT_SPREAD) active.delete(node.name.value);
      add(amount, typeNames(on));
    }
    return Math.max(0, ...perType.values());
  };
  const root = schema.getRootType(operation.operation);
  if (!root) throw refuse(`the schema has no ${operation.operation} type`);
  try {
    return cost(operation.selectionSet, root, new Set());
  } catch (err) {
    if (err instanceof GraphQLError) throw refuse(err.message);
    throw err;
  }
}

function fieldOf(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

/** A client mistake found before execution: HTTP 400 (Apollo answers errors raised here with 500 otherwise). */
function refuse(message: string, limit?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(limit ? { limit } : {}), http: { status: 400 } } });
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/**
 * Refuses a document that reads the schema where that is off: on every transport alike (Apollo's own switch covers
 * introspection over HTTP only, and never `_service`, which prints the whole SDL).
 */
function enforceSchemaReading(document: DocumentNode, limits: QueryLimits): void {
  if (limits.introspection !== false && limits.serviceSdl !== false) return;
  visit(document, {
    Field(node) {
      const name = node.name.value;
      if (limits.introspection === false && (name === '__schema' || name === '__type')) {
        throw forbidden('introspection is off in production (NODE_ENV=production): the schema is schema/schema.graphql in the repository');
      }
      if (limits.serviceSdl === false && name === '_service') {
        throw forbidden(
          '_service is off in production: compose the supergraph from schema/schema.graphql (rover supergraph compose), or set MODELGRAPH_FEDERATION_SDL=true for a gateway that composes by asking',
        );
      }
    },
  });
}

/**
 * Refuses an operation that is too deep, too costly or too aliased, or that reads the schema where that is off,
 * after validation and before any resolver runs.
 */
export function enforceLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  /** As checkInput answers them: coerced to their declared types. */
  variables: Record<string, unknown>,
  limits: QueryLimits,
): void {
  enforceSchemaReading(document, limits);
  const depth = selectionDepth(operation.selectionSet, fragmentsOf(document));
  if (depth > limits.maxDepth) throw refuse(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`, 'depth');
  const aliases = aliasCount(document);
  if (aliases > limits.maxAliases) throw refuse(`query uses ${aliases} aliases; the limit is ${limits.maxAliases}`, 'aliases');
  const cost = operationCost(schema, document, operation, variables);
  if (cost > limits.maxCost) throw refuse(`query cost ${cost} exceeds the limit of ${limits.maxCost}`, 'cost');
}
