import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import { createAliasLoaders } from './alias.loaders';
import { AliasHistoryResolver, AliasModelFields, AliasVersionFields, ModelAliasResolver } from './alias.resolver';
import { AliasService } from './alias.service';
import { ModelAliasEntity, ModelAliasHistoryEntity } from './alias.entity';

/** Aliases (champion, challenger, …): named pointers to versions, with the history of every move. */
export const aliasesModule = defineModule({
  name: 'aliases',
  entities: [ModelAliasEntity, ModelAliasHistoryEntity],
  resolvers: [ModelAliasResolver, AliasHistoryResolver, AliasModelFields, AliasVersionFields],
  services: (db, { access }: { access: AccessService }) => ({ aliases: new AliasService(db, access) }),
  loaders: ({ aliases }) => createAliasLoaders(aliases),
});
