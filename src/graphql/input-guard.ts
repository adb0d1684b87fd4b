import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { badInput, DomainError } from '../common/errors';
import { isStorable, validateStorable } from '../common/json';

/** How deep a variable's value may nest (a JSON object inside a list inside an input, …). */
export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses, before anything runs, what no field of the registry can store: strings with NUL or unpaired
 * surrogates anywhere in the variables (keys of JSON objects included) or in the document's literals, and
 * values nested deeper than MAX_INPUT_DEPTH (validateStorable). A GraphQLError with HTTP status 400, as
 * Apollo's request pipeline needs it.
 */
export function checkInput(document: DocumentNode, variables: Record<string, unknown>): void {
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
}
