import DataLoader from 'dataloader';
import { emptyPage, type Page, type PageArgs } from '../db/pagination';
import type { GraphQLResolveInfo } from 'graphql';
import { toConnection, type ConnectionShape } from './connection';
import { nodeFields, selectsCursors } from './selection';

type Batch<V> = (keys: readonly string[]) => Promise<Map<string, V>>;

/**
 * A per-request loader over a batch function that answers a map; missing keys load as null.
 * `normalize` maps a key to the form the map uses (UUIDs come back from PostgreSQL in lower case).
 */
export function mapLoader<V>(batch: Batch<V>, normalize: (key: string) => string = (key) => key): DataLoader<string, V | null> {
  return new DataLoader(
    async (keys) => {
      const found = await batch(keys.map(normalize));
      return keys.map((key) => found.get(normalize(key)) ?? null);
    },
    { cacheKeyFn: normalize },
  );
}

export const lowerCase = (key: string): string => key.toLowerCase();

/**
 * Loaders for a relation field that takes arguments (filters, page size, cursor): one loader
 * per distinct argument set, so every parent asking the same field with the same arguments
 * is answered by one batched statement. Arguments are told apart by their JSON: resolvers build
 * them the same way for every parent, so equal arguments have equal JSON (a mismatch would only
 * cost a second statement, never a wrong answer).
 */
export function loaderFamily<A, V>(
  batch: (keys: readonly string[], args: A) => Promise<Map<string, V>>,
  missing: (args: A) => V,
  idOf: (args: A) => string = (args) => JSON.stringify(args),
) {
  const loaders = new Map<string, DataLoader<string, V>>();
  return (args: A): DataLoader<string, V> => {
    const id = idOf(args);
    let loader = loaders.get(id);
    if (!loader) {
      loader = new DataLoader(async (keys) => {
        const found = await batch(keys, args);
        return keys.map((key) => found.get(key) ?? missing(args));
      });
      loaders.set(id, loader);
    }
    return loader;
  };
}

/** Where one connection field's rows come from, for many parents at once. */
export interface ListSource<F, R> {
  /** `fields`: what the client selects on each row (see nodeFields), so a list can read only those columns. */
  pages(parents: readonly string[], filter: F, page: PageArgs, fields: readonly string[]): Promise<Map<string, Page<R>>>;
  counts(parents: readonly string[], filter: F): Promise<Map<string, number>>;
}

/**
 * The loaders behind one connection field: every parent asking the same page of the same filter
 * shares one statement, and totalCount, only when a client selects it, shares another.
 * connection(model.id, { stage: 'STAGING' }, { first: 5 }, info) → { edges, pageInfo, totalCount }
 */
export function connectionLoader<F, R>(source: ListSource<F, R>) {
  const pages = loaderFamily(
    (parents, args: { filter: F; page: PageArgs; fields: readonly string[] }) => source.pages(parents, args.filter, args.page, args.fields),
    (args) => emptyPage<R>(args.page.after),
    // Asked once per parent row: cheaper than JSON of the whole argument object.
    (args) => `${JSON.stringify(args.filter)}\n${args.page.first}\n${args.page.after}\n${args.page.cursors}\n${args.fields.join()}`,
  );
  const counts = loaderFamily(
    (parents, filter: F) => source.counts(parents, filter),
    () => 0,
  );
  return async <T = R>(
    parent: string,
    filter: F,
    page: PageArgs,
    info: GraphQLResolveInfo,
    map?: (row: R) => T,
  ): Promise<ConnectionShape<T>> =>
    toConnection(
      await pages({ filter, page: { first: page.first, after: page.after, cursors: selectsCursors(info) }, fields: nodeFields(info) }).load(
        parent,
      ),
      () => counts(filter).load(parent),
      map,
    );
}
