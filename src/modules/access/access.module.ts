import { defineModule } from '../../common/module';
import { GrantEntity, ProtectedAliasEntity, TeamEntity, TeamMemberEntity } from './access.entity';
import { createAccessLoaders } from './access.loaders';
import { AccessResolver } from './access.resolver';
import { AccessService } from './access.service';

/** Teams, grants per model, protected aliases, and the authorization point every module below calls. */
export const accessModule = defineModule({
  name: 'access',
  entities: [TeamEntity, TeamMemberEntity, GrantEntity, ProtectedAliasEntity],
  resolvers: [AccessResolver],
  services: (db, _below, settings) => ({ access: new AccessService(db, settings) }),
  loaders: ({ access }, caller) => createAccessLoaders(access, caller),
});
