import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily, lowerCase, mapLoader } from '../../graphql/loaders';
import type { DeploymentService } from './deployment.service';

export function createDeploymentLoaders(deployments: DeploymentService) {
  return {
    deploymentById: mapLoader((ids) => deployments.byIds(ids), lowerCase),
    deploymentsOfVersion: loaderFamily((ids, page: PageArgs) => deployments.byVersions(ids, page), (page) => emptyPage(page.after)),
    activeDeploymentsOfModel: loaderFamily((ids, page: PageArgs) => deployments.activeByModels(ids, page), (page) => emptyPage(page.after)),
  };
}
