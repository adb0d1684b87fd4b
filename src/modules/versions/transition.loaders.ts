import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily } from '../../graphql/loaders';
import type { TransitionService } from './transition.service';

export function createTransitionLoaders(transitions: TransitionService) {
  return {
    stageHistory: loaderFamily((ids, page: PageArgs) => transitions.historyByVersions(ids, page), (page) => emptyPage(page.after)),
    /** The id of the version each model had in PRODUCTION at the given time. */
    productionVersionAt: loaderFamily((ids, at: Date) => transitions.productionVersionsAt(ids, at), () => null),
  };
}
