import { defineModule } from '../../common/module';
import type { AccessService } from '../access/access.service';
import type { EventDispatcher } from '../events/event.dispatcher';
import { AlertService } from './alert.service';
import { CanaryService } from './canary.service';
import { AlertEntity, ModelMonitoringEntity, ProductionReportEntity, ReferenceDistributionEntity } from './monitoring.entities';
import { monitoringGauges } from './monitoring.gauges';
import { createMonitoringLoaders } from './monitoring.loaders';
import { AlertFields, MonitoringModelFields, MonitoringResolver, MonitoringVersionFields } from './monitoring.resolver';
import { ObjectiveService } from './objective.service';
import { ReportService } from './report.service';

/**
 * Production monitoring: reference distributions, feature and metric reports evaluated as they arrive (drift,
 * model quality, objectives, canary verdicts), alerts with their recommendations as lifecycle events.
 */
export const monitoringModule = defineModule({
  name: 'monitoring',
  entities: [ReferenceDistributionEntity, ModelMonitoringEntity, ProductionReportEntity, AlertEntity],
  resolvers: [MonitoringResolver, AlertFields, MonitoringVersionFields, MonitoringModelFields],
  services: (db, { access, eventDispatcher }: { access: AccessService; eventDispatcher: EventDispatcher }) => ({
    reports: new ReportService(db, access),
    objectives: new ObjectiveService(db, access),
    canaries: new CanaryService(db, access),
    alerts: new AlertService(db, access, eventDispatcher),
  }),
  loaders: ({ alerts, reports }, caller) => createMonitoringLoaders(alerts, reports, caller),
  gauges: ({ alerts, objectives }) => monitoringGauges(alerts, objectives),
});
