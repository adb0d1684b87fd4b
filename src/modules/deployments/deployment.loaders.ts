import type { Caller } from '../../common/caller';
import { connectionLoader, lowerCase, mapLoader } from '../../graphql/loaders';
import type { DeploymentEntity } from './deployment.entity';
import type { DeploymentParent, DeploymentService } from './deployment.service';

export function createDeploymentLoaders(deployments: DeploymentService, caller: Caller) {
  const of = (parent: DeploymentParent) =>
    connectionLoader<null, DeploymentEntity>({
      pages: (ids, _, page) => deployments.pages(ids, parent, page),
      counts: (ids) => deployments.counts(ids, parent),
    });
  return {
    byId: mapLoader((ids) => deployments.byIds(caller, ids), lowerCase),
    /** What a lineage graph shows of a deployment when a client asks for no more than its id, kind and name. */
    labelById: mapLoader((ids) => deployments.labelsByIds(caller, ids), lowerCase),
    ofVersion: of('version'),
    activeOfModel: of('activeOfModel'),
  };
}

export type DeploymentLoaders = ReturnType<typeof createDeploymentLoaders>;
