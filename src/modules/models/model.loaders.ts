import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily, lowerCase, mapLoader } from '../../graphql/loaders';
import type { ModelService } from './model.service';

export function createModelLoaders(models: ModelService) {
  return {
    modelById: mapLoader((ids) => models.byIds(ids), lowerCase),
    modelByName: mapLoader((names) => models.byNames(names)),
    /** Keys: `${modelId}/${alias}`. */
    aliasByName: mapLoader((keys) => models.aliasesByName(keys)),
    /** Keys: `${modelId}/${alias}`; the version id the alias pointed at, at the given time. */
    aliasTargetAt: loaderFamily((keys, at: Date) => models.aliasTargetsAt(keys, at), () => null),
    aliasesOfModel: loaderFamily((ids, page: PageArgs) => models.aliasesByModels(ids, page), (page) => emptyPage(page.after)),
    aliasesOfVersion: loaderFamily((ids, page: PageArgs) => models.aliasesByVersions(ids, page), (page) => emptyPage(page.after)),
    aliasHistory: loaderFamily(
      (ids, args: { alias: string; page: PageArgs }) => models.aliasHistory(ids, args.alias, args.page),
      (args) => emptyPage(args.page.after),
    ),
  };
}
