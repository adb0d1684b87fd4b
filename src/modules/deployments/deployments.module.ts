import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { RequestContext } from '../../graphql/context';
import { DeploymentEntity } from './deployment.entity';
import { createDeploymentLoaders, type DeploymentLoaders } from './deployment.loaders';
import { DeploymentModelFields, DeploymentResolver, DeploymentVersionFields } from './deployment.resolver';
import { DeploymentService } from './deployment.service';

/** Where versions run: environment, endpoint, strategy, traffic and status. */
export const deploymentsModule = defineModule({
  name: 'deployments',
  entities: [DeploymentEntity],
  resolvers: [DeploymentResolver, DeploymentVersionFields, DeploymentModelFields],
  services: (db, { access }: { access: AccessService }) => ({ deployments: new DeploymentService(db, access) }),
  loaders: ({ deployments }, caller) => createDeploymentLoaders(deployments, caller),
  references: {
    Deployment: (ref: { id: string }, ctx: RequestContext<unknown, { deployments: DeploymentLoaders }>) =>
      ctx.loaders.deployments.byId.load(ref.id),
  },
});
