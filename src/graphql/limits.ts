import {
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { GraphQLSchema } from 'graphql';
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

/** A list field costs its page size (`first`, or the default) times what each item costs. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  if (!field.args.some((a) => a.name === 'first')) return undefined;
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + Math.max(first, 1) * childComplexity;
};

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
  variables: Record<string, unknown>,
  limits: QueryLimits,
): void {
  enforceSchemaReading(document, limits);
  const depth = selectionDepth(operation.selectionSet, fragmentsOf(document));
  if (depth > limits.maxDepth) throw refuse(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`, 'depth');
  const aliases = aliasCount(document);
  if (aliases > limits.maxAliases) throw refuse(`query uses ${aliases} aliases; the limit is ${limits.maxAliases}`, 'aliases');
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      // A field may declare its own cost (type-graphql's `complexity`, carried over by schema.ts): a list whose length is
      // bounded by a multiple of its parent's page, such as a lineage graph's edges.
      estimators: [fieldExtensionsEstimator(), pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // Costing coerces the variables before execution would: their errors are the caller's input errors.
    if (err instanceof GraphQLError) throw refuse(err.message);
    throw err;
  }
  if (cost > limits.maxCost) throw refuse(`query cost ${cost} exceeds the limit of ${limits.maxCost}`, 'cost');
}
