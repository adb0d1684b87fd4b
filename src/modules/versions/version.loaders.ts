import type { Caller } from '../../common/caller';
import { connectionLoader, lowerCase, mapLoader } from '../../graphql/loaders';
import type { ArtifactFileEntity } from './manifest.entity';
import type { ModelVersionEntity } from './version.entity';
import type { ModelVersionService, VersionFilter } from './version.service';

export function createVersionLoaders(versions: ModelVersionService, caller: Caller) {
  return {
    /**
     * Whole rows, with the reproducibility tuple; every other loader reads summaries. Only versions of
     * models the caller can see: the others load as null.
     */
    byId: mapLoader((ids) => versions.byIds(caller, ids), lowerCase),
    /** What a lineage graph shows of a version when a client asks for no more than its id, kind and name. */
    labelById: mapLoader((ids) => versions.labelsByIds(caller, ids), lowerCase),
    latestOfModel: mapLoader((modelIds) => versions.latestByModels(modelIds)),
    productionOfModel: mapLoader((modelIds) => versions.productionByModels(modelIds)),
    /** Keys: `${modelId}/${versionNumber}`. */
    byNumber: mapLoader((keys) => versions.byModelAndNumber(keys)),
    ofModel: connectionLoader<VersionFilter, ModelVersionEntity>({
      pages: (modelIds, filter, page, fields) => versions.pagesByModels(modelIds, filter, page, fields),
      counts: (modelIds, filter) => versions.countsByModels(modelIds, filter),
    }),
    /** The files of a version's artifact (Artifact.files). */
    filesOf: connectionLoader<Record<string, never>, ArtifactFileEntity>({
      pages: (versionIds, _filter, page, fields) => versions.filePagesByVersions(versionIds, page, fields),
      counts: (versionIds) => versions.fileCountsByVersions(versionIds),
    }),
  };
}

export type VersionLoaders = ReturnType<typeof createVersionLoaders>;
