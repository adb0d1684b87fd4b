import type { Caller } from '../../common/caller';
import { lowerCase, mapLoader } from '../../graphql/loaders';
import type { AlertService } from './alert.service';
import type { ReportService } from './report.service';

export function createMonitoringLoaders(alerts: AlertService, reports: ReportService, caller: Caller) {
  return {
    alertById: mapLoader((ids) => alerts.byIds(caller, ids), lowerCase),
    retrainGap: mapLoader((ids) => alerts.retrainGaps(ids), lowerCase),
    driftToRetrain: mapLoader((ids) => alerts.driftToRetrain(ids), lowerCase),
    referencesOfVersion: mapLoader((ids) => reports.referencesOf(ids), lowerCase),
  };
}

export type MonitoringLoaders = ReturnType<typeof createMonitoringLoaders>;
