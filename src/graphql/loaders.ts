import DataLoader from 'dataloader';
import { canonicalJson } from '../modules/audit/audit.hash';

type Batch<V> = (keys: readonly string[]) => Promise<Map<string, V>>;

/** A per-request loader over a batch function that answers a map; missing keys load as null. */
export function mapLoader<V>(batch: Batch<V>): DataLoader<string, V | null> {
  return new DataLoader(async (keys) => {
    const found = await batch(keys);
    return keys.map((key) => found.get(key) ?? null);
  });
}

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
