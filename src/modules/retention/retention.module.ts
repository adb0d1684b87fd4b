import os from 'node:os';
import path from 'node:path';
import { defineModule } from '../../common/module';
import type { AccessService } from '../access/access.service';
import type { ArtifactStore } from './artifact-store';
import { FilesystemArtifactStore } from './artifact-store.filesystem';
import { S3ArtifactStore } from './artifact-store.s3';
import { checkReference } from './artifact.references';
import { ArtifactResolver } from './artifact.resolver';
import { artifactRoutes } from './artifact.routes';
import { ArtifactService } from './artifact.service';
import { ArtifactWorker } from './artifact.worker';
import { RetentionResolver } from './retention.resolver';
import { RetentionService } from './retention.service';
import type { RetirementService } from '../lifecycle/retirement.service';
import type { TransitionService } from '../lifecycle/transition.service';
import type { ArtifactSettings } from '../../common/settings';
import type { ModelVersionService } from '../versions/model-version.service';

/** The largest artifact when none is configured: 100 GiB. */
const DEFAULT_MAX_BYTES = 100 * 1024 ** 3;

/** The artifact store of the settings: the filesystem (the default) or an S3-compatible bucket. */
export function createArtifactStore(settings: ArtifactSettings | undefined): ArtifactStore {
  if (settings?.store === 's3' && settings.s3) return new S3ArtifactStore(settings.s3);
  // Without settings (tools, tests that build services alone) a folder under the system's temporary folder.
  return new FilesystemArtifactStore(settings?.directory ?? path.join(os.tmpdir(), 'modelgraph-artifacts'));
}

/**
 * Artifacts in the registry's own store (streamed uploads checked against their digest, downloads, verification)
 * and what happens to them as versions age: retention policies and plans, legal holds, the cold-storage and
 * deletion queue worked by a background job, restoring, sweeping.
 */
export const retentionModule = defineModule({
  name: 'retention',
  resolvers: [ArtifactResolver, RetentionResolver],
  services: (
    db,
    {
      access,
      versions,
      transitions,
      retirement,
    }: { access: AccessService; versions: ModelVersionService; transitions: TransitionService; retirement: RetirementService },
    settings,
  ) => {
    const store = createArtifactStore(settings.artifacts);
    // Which objects a version may reference depends on the store, which is this module's: the rule is checked here,
    // in the registering transaction.
    versions.registered.add((m, _caller, version) => checkReference(m, store, version));
    return {
      artifacts: new ArtifactService(db, access, store, settings.artifacts?.maxBytes ?? DEFAULT_MAX_BYTES),
      retention: new RetentionService(db, access, store, transitions, retirement),
      artifactWorker: new ArtifactWorker(db, store),
    };
  },
  routes: ({ artifacts }) => artifactRoutes(artifacts),
  jobs: ({ artifactWorker }) => [artifactWorker],
});
