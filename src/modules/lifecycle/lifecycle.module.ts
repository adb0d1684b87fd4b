import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import { createLifecycleLoaders } from './lifecycle.loaders';
import { RetirementService } from './retirement.service';
import { StageTransitionEntity } from './stage.entity';
import { TransitionModelFields, TransitionResolver } from './transition.resolver';
import { TransitionService } from './transition.service';

/** The stage machine and the moves through it: gates, promotion, rollback, stage history, readiness, retiring a model. */
export const lifecycleModule = defineModule({
  name: 'lifecycle',
  entities: [StageTransitionEntity],
  resolvers: [TransitionResolver, TransitionModelFields],
  services: (db, { access }: { access: AccessService }) => ({
    transitions: new TransitionService(db, access),
    retirement: new RetirementService(db, access),
  }),
  loaders: ({ transitions }) => createLifecycleLoaders(transitions),
});
