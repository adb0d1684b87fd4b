import type { EntityManager } from 'typeorm';

/**
 * Work that a module above adds to a write of a module below, inside the same transaction: the lower
 * module runs the hooks and does not know whose they are (lineage records a version's provenance as it
 * is registered, so the version and its lineage are written together or not at all).
 */
export class TransactionHooks<Args extends unknown[]> {
  private readonly hooks: Array<(m: EntityManager, ...args: Args) => Promise<void>> = [];

  add(hook: (m: EntityManager, ...args: Args) => Promise<void>): void {
    this.hooks.push(hook);
  }

  async run(m: EntityManager, ...args: Args): Promise<void> {
    for (const hook of this.hooks) await hook(m, ...args);
  }
}
