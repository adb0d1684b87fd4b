import type { PageArgs } from '../../db/pagination';
import { lowerCase, mapLoader, pageLoaders } from '../../graphql/loaders';
import type { ModelVersionService, VersionFilter } from './model-version.service';

export function createVersionLoaders(versions: ModelVersionService) {
  return {
    byId: mapLoader((ids) => versions.byIds(ids), lowerCase),
    latestOfModel: mapLoader((modelIds) => versions.latestByModels(modelIds)),
    /** Keys: `${modelId}/${versionNumber}`. */
    byNumber: mapLoader((keys) => versions.byModelAndNumber(keys)),
    ofModel: pageLoaders((modelIds, args: { filter: VersionFilter; page: PageArgs }) =>
      versions.byModels(modelIds, args.filter, args.page),
    ),
  };
}

export type VersionLoaders = ReturnType<typeof createVersionLoaders>;
