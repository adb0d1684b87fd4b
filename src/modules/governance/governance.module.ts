import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import { ApprovalResolver, ApprovalVersionFields } from './approval.resolver';
import { ApprovalService } from './approval.service';
import { ApprovalEntity, ApproverKeyEntity } from './approval.entity';
import { BaselineEntity, PolicyEntity } from './policy.entity';
import { ValidationCheckEntity, ValidationReportEntity } from './validation.entity';
import { createGovernanceLoaders } from './governance.loaders';
import { PolicyModelFields, PolicyResolver } from './policy.resolver';
import { PolicyService } from './policy.service';
import { ValidationResolver, ValidationVersionFields } from './validation.resolver';
import { ValidationService } from './validation.service';

/** What the lifecycle gates read: policies and baselines, validation reports, signed approvals. */
export const governanceModule = defineModule({
  name: 'governance',
  entities: [BaselineEntity, PolicyEntity, ValidationReportEntity, ValidationCheckEntity, ApproverKeyEntity, ApprovalEntity],
  resolvers: [PolicyResolver, PolicyModelFields, ValidationResolver, ValidationVersionFields, ApprovalResolver, ApprovalVersionFields],
  services: (db, { access }: { access: AccessService }) => ({
    policy: new PolicyService(db, access),
    validation: new ValidationService(db, access),
    approvals: new ApprovalService(db, access),
  }),
  loaders: (services) => createGovernanceLoaders(services),
});
