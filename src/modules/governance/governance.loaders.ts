import DataLoader from 'dataloader';
import { connectionLoader, mapLoader } from '../../graphql/loaders';
import type { RegisteredModelEntity } from '../models';
import type { ApprovalService } from './approval.service';
import type { ApprovalEntity } from './approval.entity';
import type { BaselineEntity } from './policy.entity';
import type { PolicyService } from './policy.service';
import type { EffectivePolicy } from './policy.store';
import type { ValidationService } from './validation.service';

export function createGovernanceLoaders(services: { policy: PolicyService; validation: ValidationService; approvals: ApprovalService }) {
  const { policy, validation, approvals } = services;
  return {
    baselinesOfModel: connectionLoader<null, BaselineEntity>({
      pages: (ids, _, page) => policy.baselinePages(ids, page),
      counts: (ids) => policy.baselineCounts(ids),
    }),
    /** Keyed by the model itself (the field's root), so the model is not read again. */
    effectivePolicy: new DataLoader<RegisteredModelEntity, EffectivePolicy, string>(
      async (models) => {
        const policies = await policy.effectivePoliciesOf(models);
        return models.map((model) => policies.get(model.id) as EffectivePolicy);
      },
      { cacheKeyFn: (model) => model.id },
    ),
    latestValidation: mapLoader((ids) => validation.latestReportsByVersions(ids)),
    checksOfReport: mapLoader((ids) => validation.checksByReports(ids)),
    approvalsOfVersion: connectionLoader<null, ApprovalEntity>({
      pages: (ids, _, page) => approvals.approvalPages(ids, page),
      counts: (ids) => approvals.approvalCounts(ids),
    }),
  };
}

export type GovernanceLoaders = ReturnType<typeof createGovernanceLoaders>;
