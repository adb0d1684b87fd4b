import type { PageArgs } from '../../db/pagination';
import { loaderFamily, mapLoader, pageLoaders } from '../../graphql/loaders';
import type { AliasService } from './alias.service';

export function createAliasLoaders(aliases: AliasService) {
  return {
    /** Keys: `${modelId}/${alias}`. */
    byName: mapLoader((keys) => aliases.byName(keys)),
    /** Keys: `${modelId}/${alias}`; the version id the alias pointed at, at the given time. */
    targetAt: loaderFamily(
      (keys, at: Date) => aliases.targetsAt(keys, at),
      () => null,
    ),
    ofModel: pageLoaders((ids, page: PageArgs) => aliases.byModels(ids, page)),
    ofVersion: pageLoaders((ids, page: PageArgs) => aliases.byVersions(ids, page)),
    history: pageLoaders((ids, args: { alias: string; page: PageArgs }) => aliases.history(ids, args.alias, args.page)),
  };
}

export type AliasLoaders = ReturnType<typeof createAliasLoaders>;
