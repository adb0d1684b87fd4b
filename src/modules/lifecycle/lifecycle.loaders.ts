import type { PageArgs } from '../../db/pagination';
import { loaderFamily, pageLoaders } from '../../graphql/loaders';
import type { TransitionService } from './transition.service';

export function createLifecycleLoaders(transitions: TransitionService) {
  return {
    stageHistory: pageLoaders((ids, page: PageArgs) => transitions.historyByVersions(ids, page)),
    /** The id of the version each model had in PRODUCTION at the given time. */
    productionVersionAt: loaderFamily(
      (ids, at: Date) => transitions.productionVersionsAt(ids, at),
      () => null,
    ),
  };
}

export type LifecycleLoaders = ReturnType<typeof createLifecycleLoaders>;
