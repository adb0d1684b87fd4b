import { lowerCase, mapLoader } from '../../../graphql/loaders';
import type { DriftService } from './drift.service';

export function createDriftLoaders(drift: DriftService) {
  return {
    referencesOfVersion: mapLoader((ids) => drift.referencesOf(ids), lowerCase),
  };
}

export type DriftLoaders = ReturnType<typeof createDriftLoaders>;
