import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { ArtifactService } from '../artifacts';
import type { RetirementService, TransitionService } from '../lifecycle';
import { RetentionResolver } from './retention.resolver';
import { RetentionService } from './retention.service';

/**
 * What happens to versions and their artifacts as they age: retention policies and plans, applying them (the
 * artifacts queued for the artifacts module's worker), legal holds that stop retiring, moving, deleting and
 * restoring, and sweeping the artifact store of objects no version references.
 */
export const retentionModule = defineModule({
  name: 'retention',
  resolvers: [RetentionResolver],
  services: (
    db,
    {
      access,
      artifacts,
      transitions,
      retirement,
    }: { access: AccessService; artifacts: ArtifactService; transitions: TransitionService; retirement: RetirementService },
  ) => ({
    retention: new RetentionService(db, access, artifacts, transitions, retirement),
  }),
});
