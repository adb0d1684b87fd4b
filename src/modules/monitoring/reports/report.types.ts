import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AlertSeverity } from '../alerts/alert.enums';
import { FeatureDistributionInput } from '../drift/drift.types';
import { ProductionMetricKind } from '../monitoring.types';

const DriftSeverity = { NONE: 'NONE', WARNING: 'WARNING', CRITICAL: 'CRITICAL' } as const;
registerEnumType(DriftSeverity, { name: 'DriftSeverity' });
const FeatureDriftStatus = { OK: 'OK', INSUFFICIENT_DATA: 'INSUFFICIENT_DATA', NO_REFERENCE: 'NO_REFERENCE' } as const;
registerEnumType(FeatureDriftStatus, {
  name: 'FeatureDriftStatus',
  description: 'INSUFFICIENT_DATA and NO_REFERENCE give no verdict, never an alert',
});
const MetricComparisonStatus = {
  COMPARED: 'COMPARED',
  NO_BASELINE: 'NO_BASELINE',
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
  NOT_COMPARED: 'NOT_COMPARED',
} as const;
registerEnumType(MetricComparisonStatus, { name: 'ProductionMetricStatus' });

// ---- inputs ----

@InputType()
export class ReportWindowInput {
  @Field(() => DateTimeISOResolver)
  start: Date;

  @Field(() => DateTimeISOResolver, { description: 'At most 31 days after start, not in the future' })
  end: Date;
}

@InputType()
export class ReportFeatureDistributionInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'Exactly one of versionId and deploymentId' })
  versionId?: string | null;

  @Field(() => UUIDResolver, { nullable: true })
  deploymentId?: string | null;

  @Field(() => ReportWindowInput, { description: 'A window is reported once: the same values again replay, others are a CONFLICT' })
  window: ReportWindowInput;

  @Field(() => [FeatureDistributionInput], { description: 'Up to 500 features, 50,000 bins, quantiles and categories in all' })
  features: FeatureDistributionInput[];
}

@InputType()
export class ProductionMetricInput {
  @Field({ description: 'Free name: latency_p99_ms, error_rate, ctr, accuracy…' })
  name: string;

  @Field(() => ProductionMetricKind)
  kind: ProductionMetricKind;

  @Field(() => Float)
  value: number;

  @Field(() => Float, { nullable: true, description: 'Requests, impressions or labelled examples behind the value' })
  observations?: number | null;
}

@InputType()
export class ReportProductionMetricsInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'Exactly one of versionId and deploymentId' })
  versionId?: string | null;

  @Field(() => UUIDResolver, { nullable: true })
  deploymentId?: string | null;

  @Field(() => ReportWindowInput)
  window: ReportWindowInput;

  @Field(() => [ProductionMetricInput], { description: 'Up to 200, names unique' })
  metrics: ProductionMetricInput[];
}

// ---- outputs ----

@ObjectType()
export class FeatureDriftResult {
  @Field()
  feature: string;

  @Field(() => FeatureDriftStatus)
  status: string;

  @Field(() => DriftSeverity, { nullable: true, description: 'null when there is no verdict' })
  severity: string | null;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => Float, { nullable: true, description: 'Population stability index' })
  psi: number | null;

  @Field(() => Float, { nullable: true, description: 'Two-sample Kolmogorov–Smirnov statistic (numeric features)' })
  ksStatistic: number | null;

  @Field(() => Float, { nullable: true })
  ksPValue: number | null;

  @Field(() => Float, { nullable: true, description: 'Chi-square statistic (categorical features)' })
  chiSquare: number | null;

  @Field(() => Int, { nullable: true })
  chiSquareDf: number | null;

  @Field(() => Float, { nullable: true })
  chiSquarePValue: number | null;

  @Field(() => Float, { nullable: true })
  referenceObservations: number | null;

  @Field(() => Float, { nullable: true })
  productionObservations: number | null;
}

@ObjectType()
export class ProductionMetricResult {
  @Field()
  name: string;

  @Field(() => ProductionMetricKind)
  kind: ProductionMetricKind;

  @Field(() => Float)
  value: number;

  @Field(() => Float, { nullable: true })
  observations: number | null;

  @Field(() => Float, { nullable: true, description: 'The version’s VALIDATION value (model-quality metrics)' })
  baseline: number | null;

  @Field(() => Float, { nullable: true, description: 'Relative change in the worse direction: positive is worse' })
  worseBy: number | null;

  @Field(() => MetricComparisonStatus)
  status: string;

  @Field(() => AlertSeverity, { nullable: true })
  severity: AlertSeverity | null;
}

@ObjectType({ description: 'A report production sent for one window, and what the registry concluded from it' })
export class ProductionReport {
  @Field(() => ID)
  id: string;

  @Field({ description: 'FEATURES or METRICS' })
  kind: string;

  @Field(() => ID)
  versionId: string;

  @Field(() => ID, { nullable: true })
  deploymentId: string | null;

  @Field(() => DateTimeISOResolver)
  windowStart: Date;

  @Field(() => DateTimeISOResolver)
  windowEnd: Date;

  @Field()
  reportedBy: string;

  @Field(() => DateTimeISOResolver)
  reportedAt: Date;

  @Field(() => Float, { nullable: true, description: 'Share of the evaluated features that drifted (feature reports)' })
  driftRate: number | null;

  @Field(() => [FeatureDriftResult], { description: 'Feature reports: each feature’s drift' })
  features: FeatureDriftResult[];

  @Field(() => [ProductionMetricResult], { description: 'Metric reports: each metric, compared where it has a baseline' })
  metrics: ProductionMetricResult[];
}

@ObjectType()
export class ProductionReportPayload {
  @Field(() => ProductionReport)
  report: ProductionReport;

  @Field({ description: 'True when this window was already reported with the same values: the first outcome' })
  replayed: boolean;
}
