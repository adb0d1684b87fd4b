import {
  GraphQLFloat,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  typeFromAST,
  valueFromAST,
  type GraphQLInputField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

/** Not coerced here: graphql-js decides (and explains what is wrong). */
const UNSURE = Symbol('unsure');

/**
 * graphql-js's coercion of variables (getVariableValues), for the values it accepts, with lists of floats
 * checked in one loop. A drift report is about 550 numbers, a batch of 50 reports 27,500, and graphql-js
 * coerces each number on its own (a recursive call, type checks and a path entry for each): 13% of the
 * server's CPU per report. Answers the coerced variables, exactly as graphql-js would, or undefined
 * wherever it is unsure — a value graphql-js would refuse, a oneOf input, an iterable that is not an array,
 * a key that is not a field — for the caller to run graphql-js itself, which then gives its answer and
 * its error messages unchanged. test/unit/coerce-variables.test.ts compares both on generated values.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const coerced: Record<string, unknown> = Object.create(null);
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!isInputType(type)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(inputs, name)) {
      if (definition.defaultValue) coerced[name] = valueFromAST(definition.defaultValue, type);
      else if (isNonNullType(type)) return undefined;
      continue;
    }
    const value = coerce(inputs[name], type);
    if (value === UNSURE) return undefined;
    coerced[name] = value;
  }
  return { ...coerced }; // as graphql-js: built without a prototype, answered as a plain object
}

function coerce(value: unknown, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return value == null ? UNSURE : coerce(value, type.ofType);
  if (value == null) return null;
  if (isListType(type)) {
    const item: GraphQLInputType = type.ofType;
    if (!Array.isArray(value)) return typeof value === 'object' ? UNSURE : wrap(coerce(value, item));
    if (isNonNullType(item) && item.ofType === GraphQLFloat) return finiteNumbers(value);
    const list = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const coercedItem = coerce(value[i], item);
      if (coercedItem === UNSURE) return UNSURE;
      list[i] = coercedItem;
    }
    return list;
  }
  if (isInputObjectType(type)) return typeof value === 'object' && !Array.isArray(value) ? inputObject(value as object, type) : UNSURE;
  if (isLeafType(type)) {
    try {
      const parsed = type.parseValue(value);
      return parsed === undefined ? UNSURE : parsed;
    } catch {
      return UNSURE;
    }
  }
  return UNSURE;
}

/** A list of one (GraphQL's input coercion accepts a single value for a list). */
const wrap = (item: unknown) => (item === UNSURE ? UNSURE : [item]);

/** `[Float!]`: what GraphQLFloat.parseValue accepts is a finite number, which it answers unchanged. */
function finiteNumbers(values: unknown[]): unknown {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return UNSURE;
  }
  return values.slice();
}

/** Each type's fields, listed once (graphql-js lists them per value). */
const fieldLists = new WeakMap<GraphQLInputObjectType, GraphQLInputField[]>();

function inputObject(value: object, type: GraphQLInputObjectType): unknown {
  if (type.isOneOf) return UNSURE;
  const definitions = type.getFields();
  let fields = fieldLists.get(type);
  if (!fields) fieldLists.set(type, (fields = Object.values(definitions)));
  const source = value as Record<string, unknown>;
  const coerced: Record<string, unknown> = {};
  for (const field of fields) {
    const fieldValue = source[field.name];
    if (fieldValue === undefined) {
      if (field.defaultValue !== undefined) coerced[field.name] = field.defaultValue;
      else if (isNonNullType(field.type)) return UNSURE;
      continue;
    }
    const coercedField = coerce(fieldValue, field.type);
    if (coercedField === UNSURE) return UNSURE;
    coerced[field.name] = coercedField;
  }
  for (const key of Object.keys(source)) if (!Object.prototype.hasOwnProperty.call(definitions, key)) return UNSURE;
  return coerced;
}
