import os from 'node:os';
import path from 'node:path';
import { defineModule } from '../../common/module';
import type { ArtifactSettings } from '../../common/settings';
import type { AccessService } from '../access';
import type { TransitionService } from '../lifecycle';
import type { ModelVersionService } from '../versions';
import type { ArtifactStore } from './artifact-store';
import { FilesystemArtifactStore } from './artifact-store.filesystem';
import { S3ArtifactStore } from './artifact-store.s3';
import { ArtifactResolver } from './artifact.resolver';
import { artifactRoutes } from './artifact.routes';
import { ArtifactHolds, ArtifactService } from './artifact.service';
import { checkKeys, checkReference } from './artifact.store';
import { ArtifactWorker } from './artifact.worker';
import { ArtifactScanEntity } from './scan/scan.entity';
import { createScanLoaders } from './scan/scan.loaders';
import { ArtifactScanFields, FileScanFields, ScanResolver } from './scan/scan.resolver';
import { SCAN_TAP, ScanService } from './scan/scan.service';

/** The largest artifact when none is configured: 100 GiB. */
const DEFAULT_MAX_BYTES = 100 * 1024 ** 3;

/** The artifact store of the settings: the filesystem (the default) or an S3-compatible bucket. */
export function createArtifactStore(settings: ArtifactSettings | undefined): ArtifactStore {
  if (settings?.store === 's3' && settings.s3) return new S3ArtifactStore(settings.s3);
  // Without settings (tools, tests that build services alone) a folder under the system's temporary folder.
  return new FilesystemArtifactStore(settings?.directory ?? path.join(os.tmpdir(), 'modelgraph-artifacts'));
}

/**
 * Artifacts in the registry's own store (the filesystem or S3), file by file (a model folder, or a single file as a
 * folder of one): streamed uploads checked against their digest and handed to the taps added (the scanner's),
 * downloads, verification, the rule for references into the store, and the artifact jobs (the `artifact_jobs`
 * queue: cold storage and deletion, worked by a background job on every instance) and restoring from cold storage.
 * Retention, above, decides what is queued and adds its legal holds to `artifacts.holds`.
 *
 * Scanning (scan/): every uploaded file goes through the scanner as it streams in (the `scan` tap), its report stored
 * as the file is recorded (`artifact_scans`), `artifact.scanned` once the last file is in, rescanArtifact, and the
 * SCANNED gate added to lifecycle's transitions.
 *
 * Sub-folders, in dependency order: scan.
 */
export const artifactsModule = defineModule({
  name: 'artifacts',
  entities: [ArtifactScanEntity],
  resolvers: [ArtifactResolver, FileScanFields, ArtifactScanFields, ScanResolver],
  services: (
    db,
    { access, versions, transitions }: { access: AccessService; versions: ModelVersionService; transitions: TransitionService },
    settings,
  ) => {
    const store = createArtifactStore(settings.artifacts);
    const holds = new ArtifactHolds();
    // Which objects a version may reference depends on the store, which is this module's: the rule is checked here,
    // in the registering transaction.
    versions.registered.add((m, _caller, version) => checkReference(m, store, version));
    // A folder's files must have keys the store can keep (S3: 1,024 bytes).
    versions.registered.add(async (_m, _caller, version, _model, manifest) => checkKeys(store, version, manifest));
    const artifacts = new ArtifactService(db, access, store, settings.artifacts?.maxBytes ?? DEFAULT_MAX_BYTES, holds);
    const scans = new ScanService(db, access, store);
    artifacts.taps.add(SCAN_TAP, (file) => scans.tap(file));
    artifacts.fileUploaded.add((m, caller, file, outcomes) => scans.recordUpload(m, caller, file, outcomes));
    transitions.addGate(scans.gate);
    return { artifacts, scans, artifactWorker: new ArtifactWorker(db, store, holds) };
  },
  loaders: ({ scans }) => createScanLoaders(scans),
  routes: ({ artifacts }) => artifactRoutes(artifacts),
  jobs: ({ artifactWorker }) => [artifactWorker],
});
