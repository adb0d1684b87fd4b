import { lowerCase, mapLoader } from '../../graphql/loaders';
import type { ModelService } from './model.service';

export function createModelLoaders(models: ModelService) {
  return {
    byId: mapLoader((ids) => models.byIds(ids), lowerCase),
    byName: mapLoader((names) => models.byNames(names)),
  };
}

export type ModelLoaders = ReturnType<typeof createModelLoaders>;
