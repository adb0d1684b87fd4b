import { connectionLoader, loaderFamily, mapLoader } from '../../graphql/loaders';
import type { ModelAliasEntity, ModelAliasHistoryEntity } from './alias.entity';
import type { AliasParent, AliasService } from './alias.service';

export function createAliasLoaders(aliases: AliasService) {
  const of = (parent: AliasParent) =>
    connectionLoader<null, ModelAliasEntity>({
      pages: (ids, _, page, fields) => aliases.pages(ids, parent, page, fields),
      counts: (ids) => aliases.counts(ids, parent),
    });
  return {
    /** Keys: `${modelId}/${alias}`. */
    byName: mapLoader((keys) => aliases.byName(keys)),
    /** Keys: `${modelId}/${alias}`; the version id the alias pointed at, at the given time. */
    targetAt: loaderFamily(
      (keys, at: Date) => aliases.targetsAt(keys, at),
      () => null,
    ),
    ofModel: of('model'),
    ofVersion: of('version'),
    /** Filter: the alias's name. */
    history: connectionLoader<string, ModelAliasHistoryEntity>({
      pages: (ids, alias, page) => aliases.historyPages(ids, alias, page),
      counts: (ids, alias) => aliases.historyCounts(ids, alias),
    }),
  };
}

export type AliasLoaders = ReturnType<typeof createAliasLoaders>;
