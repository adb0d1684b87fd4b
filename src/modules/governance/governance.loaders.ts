import DataLoader from 'dataloader';
import { emptyPage, type PageArgs } from '../../db/pagination';
import { loaderFamily, mapLoader } from '../../graphql/loaders';
import type { RegisteredModelEntity } from '../models/registered-model.entity';
import type { EffectivePolicy, GovernanceService } from './governance.service';

export function createGovernanceLoaders(governance: GovernanceService) {
  return {
    baselinesOfModel: loaderFamily((ids, page: PageArgs) => governance.baselinesByModels(ids, page), (page) => emptyPage(page.after)),
    /** Keyed by the model itself (the field's root), so the model is not read again. */
    effectivePolicy: new DataLoader<RegisteredModelEntity, EffectivePolicy, string>(
      async (models) => {
        const policies = await governance.effectivePoliciesOf(models);
        return models.map((model) => policies.get(model.id) as EffectivePolicy);
      },
      { cacheKeyFn: (model) => model.id },
    ),
    latestValidation: mapLoader((ids) => governance.latestReportsByVersions(ids)),
    checksOfReport: mapLoader((ids) => governance.checksByReports(ids)),
    approvalsOfVersion: loaderFamily((ids, page: PageArgs) => governance.approvalsByVersions(ids, page), (page) => emptyPage(page.after)),
  };
}
