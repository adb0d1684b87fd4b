import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily, lowerCase, mapLoader } from '../../graphql/loaders';
import type { ModelVersionService, VersionFilter } from './model-version.service';

export function createVersionLoaders(versions: ModelVersionService) {
  return {
    versionById: mapLoader((ids) => versions.byIds(ids), lowerCase),
    latestVersionOfModel: mapLoader((modelIds) => versions.latestByModels(modelIds)),
    /** Keys: `${modelId}/${versionNumber}`. */
    versionByNumber: mapLoader((keys) => versions.byModelAndNumber(keys)),
    versionsOfModel: loaderFamily(
      (modelIds, args: { filter: VersionFilter; page: PageArgs }) => versions.byModels(modelIds, args.filter, args.page),
      (args) => emptyPage(args.page.after),
    ),
  };
}
