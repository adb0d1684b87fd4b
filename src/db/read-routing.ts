import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where reads go when read replicas are configured (MODELGRAPH_READ_DATABASE_URL). Nothing reads a replica unless
 * it runs inside `onReplica(…)`: the GraphQL executor wraps a query operation in it, and only when its token has
 * not written lately. Mutations, subscriptions, REST routes, start-up and background jobs never do, and neither
 * does a transaction begun inside the scope (see RoutedDataSource): they all read the primary.
 */
const replicaScope = new AsyncLocalStorage<true>();

export function onReplica<T>(work: () => T): T {
  return replicaScope.run(true, work);
}

export function readingFromReplica(): boolean {
  return replicaScope.getStore() === true;
}

/** At most this many tokens are remembered as recent writers; the oldest mark goes first (it is the first to expire). */
const MAX_WRITERS = 100_000;

/**
 * Read-your-writes per token: after a token writes (a mutation, an upload), its queries read the primary for
 * `windowMs`, so a pipeline that registers a version and then asks for it sees it, however far the replica lags
 * within that window. Per instance: a write through one instance is not known to another (docs/operations.md).
 */
export class RecentWriters {
  /** Token id → when its window ends. Map order is the order of the marks, oldest first. */
  private readonly until = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  wrote(tokenId: string): void {
    this.until.delete(tokenId);
    this.until.set(tokenId, this.now() + this.windowMs);
    if (this.until.size > MAX_WRITERS) this.until.delete(this.until.keys().next().value as string);
  }

  /** Whether the token wrote within the window: then its reads go to the primary. */
  wroteLately(tokenId: string): boolean {
    const end = this.until.get(tokenId);
    if (end === undefined) return false;
    if (end > this.now()) return true;
    this.until.delete(tokenId);
    return false;
  }
}
