import DataLoader from 'dataloader';
import { canonicalJson } from '../common/canonical-json';
import { emptyPage, type Page, type PageArgs } from '../db/pagination';

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
 * is answered by one batched statement.
 */
export function loaderFamily<A, V>(batch: (keys: readonly string[], args: A) => Promise<Map<string, V>>, missing: (args: A) => V) {
  const loaders = new Map<string, DataLoader<string, V>>();
  return (args: A): DataLoader<string, V> => {
    const id = canonicalJson(args);
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

/**
 * A loaderFamily for a connection field: one batched page per parent, and an empty page for a
 * parent with no rows. `args` must carry the page arguments as `page`, or be them.
 */
export function pageLoaders<A extends PageArgs | { page: PageArgs }, R>(
  batch: (keys: readonly string[], args: A) => Promise<Map<string, Page<R>>>,
) {
  return loaderFamily(batch, (args: A) => emptyPage<R>('page' in args ? args.page.after : args.after));
}
