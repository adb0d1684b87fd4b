import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily, mapLoader } from '../../graphql/loaders';
import type { GovernanceService } from './governance.service';

export function createGovernanceLoaders(governance: GovernanceService) {
  return {
    baselinesOfModel: loaderFamily((ids, page: PageArgs) => governance.baselinesByModels(ids, page), (page) => emptyPage(page.after)),
    effectivePolicy: mapLoader((ids) => governance.effectivePoliciesByIds(ids)),
    latestValidation: mapLoader((ids) => governance.latestReportsByVersions(ids)),
    checksOfReport: mapLoader((ids) => governance.checksByReports(ids)),
    approvalsOfVersion: loaderFamily((ids, page: PageArgs) => governance.approvalsByVersions(ids, page), (page) => emptyPage(page.after)),
  };
}
