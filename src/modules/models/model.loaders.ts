import type { Caller } from '../../common/caller';
import { lowerCase, mapLoader } from '../../graphql/loaders';
import type { ModelService } from './model.service';

/** For one caller: a model it cannot see loads as null, wherever the request reaches it from. */
export function createModelLoaders(models: ModelService, caller: Caller) {
  return {
    byId: mapLoader((ids) => models.byIds(caller, ids), lowerCase),
    byName: mapLoader((names) => models.byNames(caller, names)),
  };
}

export type ModelLoaders = ReturnType<typeof createModelLoaders>;
