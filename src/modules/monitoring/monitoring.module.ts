import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { EventDispatcher } from '../events';
// The resolvers first, in this order: type-graphql lists root fields in the order their resolvers are declared, and
// schema/schema.graphql keeps that order (mutations: drift, reports, objectives, alerts; queries: objectives, canary, alerts).
import { DriftResolver, DriftVersionFields } from './drift/drift.resolver';
import { ReportResolver } from './reports/report.resolver';
import { ObjectiveResolver } from './objectives/objective.resolver';
import { CanaryResolver } from './canary/canary.resolver';
import { AlertFields, AlertModelFields, AlertResolver } from './alerts/alert.resolver';
import { AlertEntity } from './alerts/alert.entity';
import { createAlertLoaders } from './alerts/alert.loaders';
import { AlertService } from './alerts/alert.service';
import { CanaryService } from './canary/canary.service';
import { ReferenceDistributionEntity } from './drift/drift.entity';
import { createDriftLoaders } from './drift/drift.loaders';
import { DriftService } from './drift/drift.service';
import { ModelMonitoringEntity } from './monitoring.entity';
import { monitoringGauges } from './monitoring.gauges';
import { ObjectiveService } from './objectives/objective.service';
import { ProductionReportEntity } from './reports/report.entity';
import { ReportService } from './reports/report.service';

/**
 * Production monitoring: reference distributions, feature and metric reports evaluated as they arrive (drift,
 * model quality, objectives, canary verdicts), alerts with their recommendations as lifecycle events.
 *
 * Sub-folders, in dependency order: alerts, drift, canary, objectives, reports.
 * Each imports only those before it (`npm run lint` checks), for these reasons:
 * - alerts/: raising with dedupe, acknowledging, resolving, recommendations, the driftAlerts subscription, the
 *   retrain gap. It knows nothing of what breached: whoever finds a breach hands it a Breach.
 * - drift/: reference distributions, drift statistics and model-quality tolerance (its severities are alert severities).
 * - canary/: a CANARY, SHADOW or AB_TEST deployment against production over the same windows, by the model's rule.
 * - objectives/: objectives with error budgets, and a model's monitoring settings with their defaults:
 *   setModelObjectives sets the drift thresholds, quality tolerance and canary rule too, so it sits above drift and canary.
 * - reports/: feature and metric reports, each evaluated as it arrives against all of the above (drift, quality,
 *   objectives, canary verdict), in its transaction, its breaches raised as alerts: so it comes last.
 * At the top, what they share: production metric kinds (monitoring.rules.ts, registered for GraphQL in
 * monitoring.types.ts) and a model's settings as stored (monitoring.entity.ts, monitoring.store.ts); and what composes
 * them: this file and the /metrics gauges (monitoring.gauges.ts: open alerts and objectives).
 */
export const monitoringModule = defineModule({
  name: 'monitoring',
  entities: [ReferenceDistributionEntity, ModelMonitoringEntity, ProductionReportEntity, AlertEntity],
  resolvers: [
    DriftResolver,
    ReportResolver,
    ObjectiveResolver,
    CanaryResolver,
    AlertResolver,
    AlertFields,
    DriftVersionFields,
    AlertModelFields,
  ],
  services: (db, { access, eventDispatcher }: { access: AccessService; eventDispatcher: EventDispatcher }) => ({
    drift: new DriftService(db, access),
    reports: new ReportService(db, access),
    objectives: new ObjectiveService(db, access),
    canaries: new CanaryService(db, access),
    alerts: new AlertService(db, access, eventDispatcher),
  }),
  loaders: ({ alerts, drift }, caller) => ({ ...createAlertLoaders(alerts, caller), ...createDriftLoaders(drift) }),
  gauges: ({ alerts, objectives }) => monitoringGauges(alerts, objectives),
});
