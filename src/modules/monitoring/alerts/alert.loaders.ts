import type { Caller } from '../../../common/caller';
import { lowerCase, mapLoader } from '../../../graphql/loaders';
import type { AlertService } from './alert.service';

export function createAlertLoaders(alerts: AlertService, caller: Caller) {
  return {
    alertById: mapLoader((ids) => alerts.byIds(caller, ids), lowerCase),
    retrainGap: mapLoader((ids) => alerts.retrainGaps(ids), lowerCase),
    driftToRetrain: mapLoader((ids) => alerts.driftToRetrain(ids), lowerCase),
  };
}

export type AlertLoaders = ReturnType<typeof createAlertLoaders>;
