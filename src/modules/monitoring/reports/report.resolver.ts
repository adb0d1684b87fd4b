import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../graphql/context';
import type { ProductionReportEntity } from './report.entity';
import { MAX_REPORTS_PER_BATCH } from './report.rules';
import type { FeatureResult, MetricResult, ReportOutcome, ReportService } from './report.service';
import { ProductionReport, ProductionReportPayload, ReportFeatureDistributionInput, ReportProductionMetricsInput } from './report.types';

type Ctx = RequestContext<{ reports: ReportService }>;

@Resolver()
export class ReportResolver {
  @Mutation(() => ProductionReportPayload, { description: 'Feature distributions of one window, evaluated for drift as they arrive' })
  async reportFeatureDistribution(
    @Ctx() ctx: Ctx,
    @Arg('input', () => ReportFeatureDistributionInput) input: ReportFeatureDistributionInput,
  ) {
    return reportPayload(await ctx.services.reports.reportFeatures(ctx.caller, input));
  }

  @Mutation(() => [ProductionReportPayload], {
    description:
      `Feature distributions of up to ${MAX_REPORTS_PER_BATCH} windows or deployments (50,000 bins, quantiles and categories in all), ` +
      'in one transaction: each evaluated, replayed or refused as reportFeatureDistribution does it, and all stored or none ' +
      '(a refused report names its field inputs[i]…); the payloads in the order given',
  })
  async reportFeatureDistributions(
    @Ctx() ctx: Ctx,
    @Arg('inputs', () => [ReportFeatureDistributionInput]) inputs: ReportFeatureDistributionInput[],
  ) {
    return (await ctx.services.reports.reportFeaturesBatch(ctx.caller, inputs)).map(reportPayload);
  }

  @Mutation(() => ProductionReportPayload, {
    description: 'Production metrics of one window: kept in the version’s history (source PRODUCTION) and evaluated',
  })
  async reportProductionMetrics(@Ctx() ctx: Ctx, @Arg('input', () => ReportProductionMetricsInput) input: ReportProductionMetricsInput) {
    return reportPayload(await ctx.services.reports.reportMetrics(ctx.caller, input));
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
