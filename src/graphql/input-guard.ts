import { getVariableValues, GraphQLError, Kind, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { badInput, DomainError } from '../common/errors';
import { isStorable, validateStorable } from '../common/json';
import { coerceVariables } from './coerce-variables';

/** How deep a variable's value may nest (a JSON object inside a list inside an input, …). */
export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses, before anything runs, what no field of the registry can store: strings with NUL or unpaired
 * surrogates anywhere in the variables (keys of JSON objects included) or in the document's literals, and
 * values nested deeper than MAX_INPUT_DEPTH (validateStorable); then variables that do not fit their declared
 * types, at the first mistake. graphql-js reports every mistake, and each of its messages quotes the whole value:
 * one input object with 20,000 unknown keys cost 20,000 quotes of 20,000 keys (34 s of one core, twice over, since
 * costing coerced the variables too). One mistake is enough to tell the client. A GraphQLError with HTTP status
 * 400, as Apollo's request pipeline needs it; every transport calls this first. Answers the variables coerced to
 * their declared types, which the executor then runs with (coercing a batch of drift reports' numbers costs as much
 * as the rest of its execution: once is enough).
 */
export function checkInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    for (const [name, value] of Object.entries(variables)) validateStorable(value, `$${name}`, MAX_INPUT_DEPTH);
    visit(document, {
      [Kind.STRING]: (node) => {
        if (!isStorable(node.value))
          throw badInput('a string in the query', 'contains a NUL character or an unpaired surrogate, which cannot be stored');
      },
    });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    throw new GraphQLError(err.message, { extensions: { ...err.details, code: err.code, http: { status: 400 } } });
  }
  const definitions = operation.variableDefinitions ?? [];
  const fast = coerceVariables(schema, definitions, variables);
  if (fast) return fast;
  const coerced = getVariableValues(schema, definitions, variables, { maxErrors: 1 });
  if (coerced.errors) {
    const [first] = coerced.errors;
    throw new GraphQLError(first.message, { nodes: first.nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  return coerced.coerced;
}
