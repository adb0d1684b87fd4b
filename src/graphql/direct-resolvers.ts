import { GraphQLScalarType, type GraphQLResolveInfo } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { Class } from '../common/module';

type Resolve = (root: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown;
type Storage = ReturnType<typeof getMetadataStorage>;
/** What a query, a mutation and a field resolver have in common. */
type Metadata = Storage['queries'][number] | Storage['fieldResolvers'][number];
type Param = NonNullable<Metadata['params']>[number];

/** What a parameter reader answers when a value needs type-graphql's own conversion (an input object). */
const CONVERT = Symbol('convert');
type Reader = (root: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown;

/**
 * type-graphql calls each resolver through a pipeline built for class-validator: even with `validate: false`, every
 * argument passes through an async validation step, so each call costs several promises, and the parameters are
 * sorted again on every call. A catalog page calls `versions` and `aliases` 600 times a request, and that pipeline
 * was 9% of the server's CPU (bench:catalog, docs/benchmarks.md).
 *
 * For the resolvers of this schema (no middleware, no roles, no validation), this builds the same parameters
 * synchronously and calls the method directly. type-graphql turns input objects into instances of their classes:
 * a call that receives one (or a root that is not its declared class) goes through type-graphql's own resolver,
 * unchanged. Answers the `Type.field` names it replaced.
 * Resolver classes hold no state: the instance called here and the one type-graphql keeps are interchangeable.
 */
export function useDirectResolvers(resolvers: readonly Class[], resolverMap: Record<string, Record<string, unknown>>): string[] {
  const storage = getMetadataStorage();
  const typeName = (target: unknown) =>
    storage.objectTypes.find((t) => t.target === target)?.name ?? storage.interfaceTypes.find((t) => t.target === target)?.name;
  const replaced: string[] = [];
  const replace = (type: string | undefined, metadata: Metadata) => {
    const original = type ? resolverMap[type]?.[metadata.schemaName] : undefined;
    if (typeof original !== 'function' || !resolvers.includes(metadata.target as Class)) return;
    const resolve = direct(metadata, original as Resolve);
    if (!resolve) return;
    resolverMap[type as string][metadata.schemaName] = resolve;
    replaced.push(`${type}.${metadata.schemaName}`);
  };
  for (const query of storage.queries) replace('Query', query);
  for (const mutation of storage.mutations) replace('Mutation', mutation);
  for (const field of storage.fieldResolvers) {
    if (field.kind === 'external') replace(typeName(field.getObjectType?.()), field);
  }
  return replaced;
}

function direct(metadata: Metadata, original: Resolve): Resolve | null {
  if (metadata.middlewares?.length || metadata.roles) return null;
  const params = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index);
  const readers: Reader[] = [];
  for (const param of params) {
    const read = reader(param);
    if (!read) return null;
    readers.push(read);
  }
  const Target = metadata.target as new () => Record<string, (...values: unknown[]) => unknown>;
  const instance = new Target();
  const method = instance[metadata.methodName];
  return (root, args, context, info) => {
    const values: unknown[] = [];
    for (const read of readers) {
      const value = read(root, args, context, info);
      if (value === CONVERT) return original(root, args, context, info);
      values.push(value);
    }
    return method.apply(instance, values);
  };
}

/** A value type-graphql passes on as it is: absent, a scalar's value (a primitive or a Date). */
const plain = (value: unknown): boolean => value === null || value === undefined || typeof value !== 'object' || value instanceof Date;

function reader(param: Param): Reader | null {
  switch (param.kind) {
    case 'info':
      return (_root, _args, _context, info) => info;
    case 'context': {
      const property = param.propertyName;
      return property ? (_root, _args, context) => (context as Record<string, unknown>)[property] : (_root, _args, context) => context;
    }
    case 'root': {
      const { propertyName: property, getType } = param;
      return (root) => {
        const value = property ? (root as Record<string, unknown>)[property] : root;
        if (!getType || plain(value)) return value;
        const type = getType();
        return type instanceof GraphQLScalarType || (typeof type === 'function' && value instanceof type) ? value : CONVERT;
      };
    }
    case 'arg': {
      if (param.validateSettings !== undefined || param.validateFn) return null;
      const name = param.name;
      return (_root, args) => (plain(args[name]) ? args[name] : CONVERT);
    }
    case 'args': {
      if (param.validateSettings !== undefined || param.validateFn) return null;
      const ArgsClass = param.getType() as new () => Record<string, unknown>;
      // type-graphql builds `new ArgsClass()` and keeps the fields it sets: with a default among them, its path is kept.
      if (Object.values(new ArgsClass()).some((value) => value !== undefined)) return null;
      const names = argsFields(ArgsClass);
      return (_root, args) => {
        // An instance of the class holding the arguments given, and no other own keys: what type-graphql builds.
        const instance = Object.create(ArgsClass.prototype) as Record<string, unknown>;
        for (const name of names) {
          const value = args[name];
          if (value === undefined) continue;
          if (!plain(value)) return CONVERT;
          instance[name] = value;
        }
        return instance;
      };
    }
    default:
      return null;
  }
}

/** An @ArgsType class's field names, its superclasses' included. */
function argsFields(target: abstract new () => unknown): string[] {
  const names: string[] = [];
  for (let type = target; type.prototype !== undefined; type = Object.getPrototypeOf(type)) {
    const metadata = getMetadataStorage().argumentTypes.find((t) => t.target === type);
    for (const field of metadata?.fields ?? []) if (!names.includes(field.name)) names.push(field.name);
  }
  return names;
}
