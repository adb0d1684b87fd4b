import type { Caller } from '../../common/caller';
import { loaderFamily, lowerCase, mapLoader } from '../../graphql/loaders';
import type { GraphArgs, LineageService } from './lineage.service';
import type { Walk } from './lineage.walk';

export function createLineageLoaders(lineage: LineageService, caller: Caller) {
  return {
    /** Nodes the caller can see, by id (federation, lineageNode). */
    nodeById: mapLoader((ids) => lineage.nodesByIds(caller, ids), lowerCase),
    /** ModelVersion.upstream / downstream: every version of a page asking the same walk shares one statement. */
    walks: loaderFamily<GraphArgs, Walk>(
      async (ids, args) => lineage.graphs(caller, ids, args),
      () => ({ nodes: [], edges: [], truncated: false }),
    ),
  };
}

export type LineageLoaders = ReturnType<typeof createLineageLoaders>;
