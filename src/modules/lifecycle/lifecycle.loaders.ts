import { connectionLoader, loaderFamily } from '../../graphql/loaders';
import type { StageTransitionEntity } from './stage.entity';
import type { TransitionService } from './transition.service';

export function createLifecycleLoaders(transitions: TransitionService) {
  return {
    stageHistory: connectionLoader<null, StageTransitionEntity>({
      pages: (ids, _, page) => transitions.historyPages(ids, page),
      counts: (ids) => transitions.historyCounts(ids),
    }),
    /** The id of the version each model had in PRODUCTION at the given time. */
    productionVersionAt: loaderFamily(
      (ids, at: Date) => transitions.productionVersionsAt(ids, at),
      () => null,
    ),
  };
}

export type LifecycleLoaders = ReturnType<typeof createLifecycleLoaders>;
