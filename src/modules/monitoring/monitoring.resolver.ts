import { UUIDResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { PageArgs, toConnection } from '../../graphql/connection';
import type { RequestContext } from '../../graphql/context';
import type { DeploymentLoaders } from '../deployments/deployment.loaders';
import { Deployment } from '../deployments/deployment.types';
import type { ModelLoaders } from '../models/model.loaders';
import { RegisteredModel } from '../models/model.types';
import type { RegisteredModelEntity } from '../models/registered-model.entity';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import type { VersionLoaders } from '../versions/model-version.loaders';
import { ModelVersion } from '../versions/model-version.types';
import type { AlertEvent as AlertEventData, AlertService } from './alert.service';
import type { CanaryAnalysis as CanaryAnalysisData, CanaryService } from './canary.service';
import type { DriftThresholds as DriftThresholdsData } from './drift.rules';
import type { AlertEntity, ProductionReportEntity } from './monitoring.entities';
import type { MonitoringLoaders } from './monitoring.loaders';
import type { MonitoringSettings } from './monitoring.store';
import {
  AcknowledgeAlertInput,
  Alert,
  AlertConnection,
  AlertEvent,
  AlertFilter,
  AlertPayload,
  CanaryAnalysis,
  DriftAlertFilter,
  DriftToRetrain,
  ModelObjectives,
  ObjectiveStatus,
  ProductionReport,
  ProductionReportPayload,
  ReferenceDistribution,
  ReportFeatureDistributionInput,
  ReportProductionMetricsInput,
  ResolveAlertInput,
  RetrainGap,
  SetModelObjectivesInput,
  SetReferenceDistributionInput,
  SetReferenceDistributionPayload,
} from './monitoring.types';
import type { ObjectiveService } from './objective.service';
import type { FeatureResult, MetricResult, ReportOutcome, ReportService } from './report.service';

type Ctx = RequestContext<
  { reports: ReportService; objectives: ObjectiveService; canaries: CanaryService; alerts: AlertService },
  { models: ModelLoaders; versions: VersionLoaders; deployments: DeploymentLoaders; monitoring: MonitoringLoaders }
>;
type Data<Args> = SubscribeResolverData<unknown, Args, Ctx>;

@Resolver()
export class MonitoringResolver {
  @Mutation(() => SetReferenceDistributionPayload, {
    description: 'What production is compared with, per feature (usually from the validation set)',
  })
  async setReferenceDistribution(@Ctx() ctx: Ctx, @Arg('input', () => SetReferenceDistributionInput) input: SetReferenceDistributionInput) {
    return { references: await ctx.services.reports.setReference(ctx.caller, input) };
  }

  @Mutation(() => ProductionReportPayload, { description: 'Feature distributions of one window, evaluated for drift as they arrive' })
  async reportFeatureDistribution(
    @Ctx() ctx: Ctx,
    @Arg('input', () => ReportFeatureDistributionInput) input: ReportFeatureDistributionInput,
  ) {
    return reportPayload(await ctx.services.reports.reportFeatures(ctx.caller, input));
  }

  @Mutation(() => ProductionReportPayload, {
    description: 'Production metrics of one window: kept in the version’s history (source PRODUCTION) and evaluated',
  })
  async reportProductionMetrics(@Ctx() ctx: Ctx, @Arg('input', () => ReportProductionMetricsInput) input: ReportProductionMetricsInput) {
    return reportPayload(await ctx.services.reports.reportMetrics(ctx.caller, input));
  }

  @Mutation(() => ModelObjectives, { description: 'Objectives with error budgets, and the model’s drift, quality and canary thresholds' })
  async setModelObjectives(@Ctx() ctx: Ctx, @Arg('input', () => SetModelObjectivesInput) input: SetModelObjectivesInput) {
    return objectivesOf(input.modelId, await ctx.services.objectives.set(ctx.caller, input));
  }

  @Query(() => ModelObjectives)
  async modelObjectives(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return objectivesOf(modelId, await ctx.services.objectives.settings(ctx.caller, modelId));
  }

  @Query(() => [ObjectiveStatus], { description: 'Per objective: the current value, the error budget left and the burn rate' })
  objectiveStatus(@Ctx() ctx: Ctx, @Arg('modelId', () => UUIDResolver) modelId: string) {
    return ctx.services.objectives.status(ctx.caller, modelId);
  }

  @Query(() => CanaryAnalysis, { description: 'A CANARY, SHADOW or AB_TEST deployment against production over the same windows' })
  async canaryAnalysis(@Ctx() ctx: Ctx, @Arg('deploymentId', () => UUIDResolver) deploymentId: string) {
    return canaryOf(await ctx.services.canaries.analysis(ctx.caller, deploymentId));
  }

  @Query(() => AlertConnection, { description: 'Newest first' })
  async alerts(@Ctx() ctx: Ctx, @Arg('filter', () => AlertFilter, { nullable: true }) filter: AlertFilter | null, @Args() page: PageArgs) {
    const f = filter ?? {};
    return toConnection(await ctx.services.alerts.list(ctx.caller, f, page), () => ctx.services.alerts.count(ctx.caller, f));
  }

  @Query(() => Alert, { nullable: true })
  alert(@Ctx() ctx: Ctx, @Arg('id', () => UUIDResolver) id: string) {
    return ctx.loaders.monitoring.alertById.load(id);
  }

  @Mutation(() => AlertPayload, { description: 'Someone is on it: the alert stays open and keeps deduplicating' })
  async acknowledgeAlert(@Ctx() ctx: Ctx, @Arg('input', () => AcknowledgeAlertInput) input: AcknowledgeAlertInput) {
    return { alert: await ctx.services.alerts.acknowledge(ctx.caller, input) };
  }

  @Mutation(() => AlertPayload, { description: 'Closed: the next breach raises a new alert' })
  async resolveAlert(@Ctx() ctx: Ctx, @Arg('input', () => ResolveAlertInput) input: ResolveAlertInput) {
    return { alert: await ctx.services.alerts.resolve(ctx.caller, input) };
  }

  @Subscription(() => AlertEvent, {
    description: 'Alerts as they are raised or escalate (every kind, drift first among them); with `after`, first those since that cursor',
    subscribe: ({ args, context }: Data<{ filter?: DriftAlertFilter | null; after?: string | null }>) =>
      context.services.alerts.driftAlerts(context.caller, args.filter ?? {}, args.after ?? null),
  })
  driftAlerts(
    @Root() event: AlertEventData,
    @Arg('filter', () => DriftAlertFilter, { nullable: true }) _filter?: DriftAlertFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): AlertEventData {
    return event;
  }
}

@Resolver(() => Alert)
export class AlertFields {
  @FieldResolver(() => RegisteredModel)
  model(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.models.byId.load(alert.modelId);
  }

  @FieldResolver(() => ModelVersion)
  version(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.versions.byId.load(alert.versionId);
  }

  @FieldResolver(() => Deployment, { nullable: true })
  deployment(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return alert.deploymentId ? ctx.loaders.deployments.byId.load(alert.deploymentId) : null;
  }

  @FieldResolver(() => RetrainGap, {
    nullable: true,
    description: 'Drift alerts: the next version of the model to reach PRODUCTION after it',
  })
  retrainedBy(@Root() alert: AlertEntity, @Ctx() ctx: Ctx) {
    return ctx.loaders.monitoring.retrainGap.load(alert.id);
  }
}

@Resolver(() => ModelVersion)
export class MonitoringVersionFields {
  @FieldResolver(() => [ReferenceDistribution], { description: 'What production is compared with, by feature' })
  async referenceDistributions(@Root() version: ModelVersionEntity, @Ctx() ctx: Ctx) {
    return (await ctx.loaders.monitoring.referencesOfVersion.load(version.id)) ?? [];
  }
}

@Resolver(() => RegisteredModel)
export class MonitoringModelFields {
  @FieldResolver(() => DriftToRetrain, { description: 'How long drift alerts waited for a newer version to reach PRODUCTION' })
  async driftToRetrain(@Root() model: RegisteredModelEntity, @Ctx() ctx: Ctx) {
    return (
      (await ctx.loaders.monitoring.driftToRetrain.load(model.id)) ?? {
        driftAlerts: 0,
        retrained: 0,
        medianGapSeconds: null,
        maxGapSeconds: null,
        waitingSince: null,
      }
    );
  }
}

function reportPayload({ report, replayed }: ReportOutcome): { report: ProductionReport; replayed: boolean } {
  return { report: reportOf(report), replayed };
}

function reportOf(r: ProductionReportEntity): ProductionReport {
  const evaluation = r.evaluation as { features?: FeatureResult[]; metrics?: MetricResult[]; driftRate?: number | null };
  return {
    ...r,
    driftRate: evaluation.driftRate ?? null,
    metrics: (evaluation.metrics ?? []).map((x) => ({ ...x })),
    features: (evaluation.features ?? []).map((f) => {
      const s = 'statistics' in f ? f.statistics : {};
      const o = 'observations' in f ? f.observations : null;
      return {
        feature: f.feature,
        status: f.status,
        severity: f.severity,
        reason: f.reason ?? null,
        psi: s.psi ?? null,
        ksStatistic: s.ks?.d ?? null,
        ksPValue: s.ks?.pValue ?? null,
        chiSquare: s.chiSquare?.statistic ?? null,
        chiSquareDf: s.chiSquare?.df ?? null,
        chiSquarePValue: s.chiSquare?.pValue ?? null,
        referenceObservations: o?.reference ?? null,
        productionObservations: o?.production ?? null,
      };
    }),
  };
}

function objectivesOf(modelId: string, s: MonitoringSettings): ModelObjectives {
  const d: DriftThresholdsData = s.drift;
  return {
    modelId,
    objectives: s.objectives,
    driftThresholds: {
      psiWarning: d.psi.warning,
      psiCritical: d.psi.critical,
      pValueWarning: d.pValue.warning,
      pValueCritical: d.pValue.critical,
      minObservations: d.minObservations,
    },
    qualityTolerance: s.quality,
    canaryRule: s.canary,
    revision: s.stored?.revision ?? 0,
  };
}

function canaryOf(a: CanaryAnalysisData): CanaryAnalysis {
  return {
    ...a,
    metrics: a.metrics.map((x) => ({
      ...x,
      canaryValue: x.canary.value,
      canaryObservations: x.canary.observations,
      baselineValue: x.baseline.value,
      baselineObservations: x.baseline.observations,
    })),
  };
}
