import DataLoader from 'dataloader';
import { lowerCase, mapLoader } from '../../../graphql/loaders';
import type { ArtifactScanEntity } from './scan.entity';
import { scanKey } from './scan.store';
import type { ScanService } from './scan.service';

/** Per request: the reports of the files a query shows (one statement for all), and the versions' summaries (one more). */
export function createScanLoaders(scans: ScanService) {
  return {
    reportOf: new DataLoader<{ versionId: string; path: string }, ArtifactScanEntity | null, string>(
      async (files) => {
        const found = await scans.reportsOf(files);
        return files.map((f) => found.get(scanKey(f.versionId, f.path)) ?? null);
      },
      { cacheKeyFn: (f) => scanKey(f.versionId, f.path) },
    ),
    summaryOf: mapLoader((versionIds) => scans.summariesOf(versionIds), lowerCase),
  };
}

export type ScanLoaders = ReturnType<typeof createScanLoaders>;
