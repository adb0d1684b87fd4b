import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { onReplica, type RecentWriters } from '../db/read-routing';
import type { RequestContext } from './context';

/** How many compiled operations are kept; the least recently used one goes first. */
const MAX_COMPILED = 1000;

/**
 * Runs operations with graphql-jit instead of graphql-js's interpreter: each distinct operation is
 * compiled once into a JavaScript function specialised for its selection, which skips the per-field
 * work of the interpreter (resolve info, argument coercion, type checks). Apollo Server still parses,
 * validates, applies the limits and formats errors: it accepts an executor through its gateway
 * interface, which is what this is.
 *
 * With read replicas (`writers`), a query operation reads a replica unless its token wrote within the window, and
 * a mutation marks its token as a writer once it has run: read-your-writes per token.
 */
export function jitExecutor(schema: GraphQLSchema, writers?: RecentWriters): GatewayInterface {
  const compiled = new Map<string, CompiledQuery>();
  const executor: GatewayExecutor = async (request) => {
    const key = `${request.queryHash}\n${request.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key); // re-inserted below: Map order is recency
    } else {
      const result = compileQuery(schema, request.document, request.operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      query = result;
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    }
    compiled.set(key, query);
    // Coerced by graphql-js in checkInput, which every request passes before it runs: graphql-jit leaves out the
    // defaults of non-null input fields (`strategy: DeploymentStrategy! = DIRECT`), which the specification fills in.
    const { request: meta, caller } = request.context as RequestContext;
    const coerced = meta.variables;
    if (!coerced) throw new Error('the operation reached the executor without its variables checked (checkInput)');
    const run = () => query.query(undefined, request.context, coerced);
    if (!writers) return withGraphQLErrors(await run());
    const { tokenId } = caller;
    const { operation } = request.operation;
    const result = await (operation === 'query' && !writers.wroteLately(tokenId) ? onReplica(run) : run());
    if (operation === 'mutation') writers.wrote(tokenId);
    return withGraphQLErrors(result);
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/**
 * graphql-jit's errors are GraphQLError look-alikes without `extensions`; Apollo Server's error
 * formatting needs the real thing. Same message, path, locations and original error.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => {
    const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? e, extensions: e.extensions });
    Object.assign(error, { locations: e.locations });
    return error;
  });
  return { ...result, errors };
}
