import type { Authorization } from '../../common/authorization';
import { defineModule } from '../../common/module';
import { ApiTokenEntity } from './token.entity';
import { TokenResolver } from './token.resolver';
import { TokenService } from './token.service';

/** API tokens: who is calling, with which role. */
export const tokensModule = defineModule({
  name: 'tokens',
  entities: [ApiTokenEntity],
  resolvers: [TokenResolver],
  services: (db, { authorization }: { authorization: Authorization }) => ({ tokens: new TokenService(db, authorization) }),
});
