import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { RequestContext } from '../../graphql/context';
import { ArtifactFileEntity } from './manifest.entity';
import { ModelVersionEntity } from './version.entity';
import { createVersionLoaders, type VersionLoaders } from './version.loaders';
import { ArtifactFields, ModelVersionResolver, VersionModelFields } from './version.resolver';
import { ModelVersionService } from './version.service';

/** Model versions: registration with the reproducibility tuple and the artifact's metadata (its manifest of files). */
export const versionsModule = defineModule({
  name: 'versions',
  entities: [ModelVersionEntity, ArtifactFileEntity],
  resolvers: [ModelVersionResolver, ArtifactFields, VersionModelFields],
  services: (db, { access }: { access: AccessService }) => ({ versions: new ModelVersionService(db, access) }),
  loaders: ({ versions }, caller) => createVersionLoaders(versions, caller),
  references: {
    ModelVersion: (ref: { id: string }, ctx: RequestContext<unknown, { versions: VersionLoaders }>) =>
      ctx.loaders.versions.byId.load(ref.id),
  },
});
