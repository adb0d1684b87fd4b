import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { RequestContext } from '../../graphql/context';
import { createModelLoaders, type ModelLoaders } from './model.loaders';
import { ModelResolver } from './model.resolver';
import { ModelService } from './model.service';
import { RegisteredModelEntity } from './model.entity';

/** Registered models: names, owners, risk tiers, tags. */
export const modelsModule = defineModule({
  name: 'models',
  entities: [RegisteredModelEntity],
  resolvers: [ModelResolver],
  services: (db, { access }: { access: AccessService }) => ({ models: new ModelService(db, access) }),
  loaders: ({ models }, caller) => createModelLoaders(models, caller),
  references: {
    RegisteredModel: (ref: { id?: string; name?: string }, ctx: RequestContext<unknown, { models: ModelLoaders }>) =>
      ref.id ? ctx.loaders.models.byId.load(ref.id) : ref.name ? ctx.loaders.models.byName.load(ref.name) : null,
  },
});
