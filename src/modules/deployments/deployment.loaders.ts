import type { PageArgs } from '../../db/pagination';
import { lowerCase, mapLoader, pageLoaders } from '../../graphql/loaders';
import type { DeploymentService } from './deployment.service';

export function createDeploymentLoaders(deployments: DeploymentService) {
  return {
    byId: mapLoader((ids) => deployments.byIds(ids), lowerCase),
    ofVersion: pageLoaders((ids, page: PageArgs) => deployments.byVersions(ids, page)),
    activeOfModel: pageLoaders((ids, page: PageArgs) => deployments.activeByModels(ids, page)),
  };
}

export type DeploymentLoaders = ReturnType<typeof createDeploymentLoaders>;
