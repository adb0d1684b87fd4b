import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { Comparator } from '../governance/governance.enums';
import { AlertKind, AlertSeverity, AlertStatus, Recommendation } from './monitoring.enums';
import { ProductionMetricKind } from './production-metric.rules';

registerEnumType(AlertKind, { name: 'AlertKind' });
registerEnumType(AlertSeverity, { name: 'AlertSeverity' });
registerEnumType(AlertStatus, { name: 'AlertStatus' });
registerEnumType(Recommendation, { name: 'Recommendation', description: 'What automation is told to do about an alert' });
registerEnumType(ProductionMetricKind, {
  name: 'ProductionMetricKind',
  description: 'What a production metric measures: which way is worse, its range, and how a canary is tested on it',
});

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
const ObjectiveState = { NO_DATA: 'NO_DATA', MET: 'MET', AT_RISK: 'AT_RISK', BREACHED: 'BREACHED' } as const;
registerEnumType(ObjectiveState, {
  name: 'ObjectiveState',
  description: 'AT_RISK: the budget burns faster than it lasts; BREACHED: it is spent',
});
const CanaryVerdict = { PROMOTE: 'PROMOTE', ROLLBACK: 'ROLLBACK', INCONCLUSIVE: 'INCONCLUSIVE' } as const;
registerEnumType(CanaryVerdict, { name: 'CanaryVerdict' });
const CanaryMetricVerdict = { PASS: 'PASS', FAIL: 'FAIL', INCONCLUSIVE: 'INCONCLUSIVE', INSUFFICIENT_DATA: 'INSUFFICIENT_DATA' } as const;
registerEnumType(CanaryMetricVerdict, { name: 'CanaryMetricVerdict' });
const CanaryTest = { TWO_PROPORTION_Z: 'TWO_PROPORTION_Z', RELATIVE_THRESHOLD: 'RELATIVE_THRESHOLD' } as const;
registerEnumType(CanaryTest, { name: 'CanaryTest' });
const AlertChange = { RAISED: 'RAISED', ESCALATED: 'ESCALATED' } as const;
registerEnumType(AlertChange, { name: 'AlertChange' });

// ---- inputs ----

@InputType({ description: 'Observations in bins [binEdges[i], binEdges[i+1]): k whole counts on k + 1 increasing edges' })
export class HistogramInput {
  @Field(() => [Float])
  binEdges: number[];

  @Field(() => [Float])
  counts: number[];
}

@InputType()
export class QuantileInput {
  @Field(() => Float, { description: 'From 0 to 1' })
  q: number;

  @Field(() => Float)
  value: number;
}

@InputType({ description: 'A quantile sketch of `count` observations' })
export class QuantileSketchInput {
  @Field(() => [QuantileInput])
  quantiles: QuantileInput[];

  @Field(() => Float)
  count: number;
}

@InputType()
export class CategoryCountInput {
  @Field()
  category: string;

  @Field(() => Float)
  count: number;
}

@InputType({ description: 'One feature: exactly one of histogram, quantiles (numeric) or categories' })
export class FeatureDistributionInput {
  @Field()
  name: string;

  @Field(() => HistogramInput, { nullable: true })
  histogram?: HistogramInput | null;

  @Field(() => QuantileSketchInput, { nullable: true })
  quantiles?: QuantileSketchInput | null;

  @Field(() => [CategoryCountInput], { nullable: true })
  categories?: CategoryCountInput[] | null;
}

@InputType()
export class SetReferenceDistributionInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => [FeatureDistributionInput], { description: 'Up to 500; each replaces that feature’s reference' })
  features: FeatureDistributionInput[];
}

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

@InputType()
export class ObjectiveInput {
  @Field({ description: 'The production metric' })
  metric: string;

  @Field(() => Comparator, { description: 'LTE: the value must stay at or below target; GTE: at or above' })
  comparator: Comparator;

  @Field(() => Float)
  target: number;

  @Field(() => Float, { nullable: true, description: 'Share of reported time allowed to miss the target (default 0.01)' })
  budget?: number;

  @Field(() => Int, { nullable: true, description: 'Rolling window in days (default 28, at most 90)' })
  windowDays?: number;
}

@InputType()
export class ThresholdPairInput {
  @Field(() => Float)
  warning: number;

  @Field(() => Float)
  critical: number;
}

@InputType()
export class DriftThresholdsInput {
  @Field(() => ThresholdPairInput, { description: 'PSI at or above warns (default 0.1, critical 0.25)' })
  psi: ThresholdPairInput;

  @Field(() => ThresholdPairInput, { description: 'p-value below warns (default 0.05, critical 0.01)' })
  pValue: ThresholdPairInput;

  @Field(() => Int, { description: 'Fewer observations on either side: INSUFFICIENT_DATA (default 100)' })
  minObservations: number;
}

@InputType()
export class CanaryRuleInput {
  @Field(() => Float, { description: 'Relative degradation that fails a metric (default 0.005: 0.5 %)' })
  maxDegradation: number;

  @Field(() => Int, { description: 'Observations each side needs for a verdict (default 1000)' })
  minObservations: number;

  @Field(() => Float, { description: 'Significance of the two-proportion test (default 0.05)' })
  alpha: number;
}

@InputType()
export class SetModelObjectivesInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field(() => [ObjectiveInput], { description: 'The whole set (at most 50): objectives not listed are removed' })
  objectives: ObjectiveInput[];

  @Field(() => DriftThresholdsInput, { nullable: true, description: 'Absent: unchanged; null: the defaults' })
  driftThresholds?: DriftThresholdsInput | null;

  @Field(() => ThresholdPairInput, { nullable: true, description: 'Relative quality loss against validation (default 0.05, 0.1)' })
  qualityTolerance?: ThresholdPairInput | null;

  @Field(() => CanaryRuleInput, { nullable: true })
  canaryRule?: CanaryRuleInput | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class AlertFilter {
  @Field(() => [UUIDResolver], { nullable: true })
  modelIds?: string[] | null;

  @Field(() => [UUIDResolver], { nullable: true })
  versionIds?: string[] | null;

  @Field(() => [AlertKind], { nullable: true })
  kinds?: AlertKind[] | null;

  @Field(() => [AlertStatus], { nullable: true, description: 'Any when absent' })
  statuses?: AlertStatus[] | null;

  @Field(() => AlertSeverity, { nullable: true })
  minSeverity?: AlertSeverity | null;
}

@InputType()
export class DriftAlertFilter {
  @Field(() => [UUIDResolver], { nullable: true, description: 'Any model you can see when absent' })
  modelIds?: string[] | null;

  @Field(() => AlertSeverity, { nullable: true })
  minSeverity?: AlertSeverity | null;

  @Field(() => [AlertKind], { nullable: true })
  kinds?: AlertKind[] | null;
}

@InputType()
export class AcknowledgeAlertInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => String, { nullable: true })
  note?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class ResolveAlertInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => String, { nullable: true })
  resolution?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

// ---- outputs ----

@ObjectType()
export class ReferenceDistribution {
  @Field()
  feature: string;

  @Field({ description: 'NUMERIC (stored as a histogram) or CATEGORICAL' })
  kind: string;

  @Field(() => GraphQLJSONObject, { description: '{ binEdges, counts } or { categories }' })
  distribution: Record<string, unknown>;

  @Field(() => Float)
  observations: number;

  @Field()
  setBy: string;

  @Field(() => DateTimeISOResolver)
  setAt: Date;
}

@ObjectType()
export class SetReferenceDistributionPayload {
  @Field(() => [ReferenceDistribution])
  references: ReferenceDistribution[];
}

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

@ObjectType({ description: 'When the next version of the model reached PRODUCTION after this drift alert' })
export class RetrainGap {
  @Field(() => ID)
  versionId: string;

  @Field(() => Int)
  version: number;

  @Field(() => DateTimeISOResolver)
  reachedProductionAt: Date;

  @Field(() => Float)
  gapSeconds: number;
}

@ObjectType()
export class Alert {
  @Field(() => ID)
  id: string;

  @Field(() => AlertKind)
  kind: AlertKind;

  @Field(() => AlertSeverity)
  severity: AlertSeverity;

  @Field(() => AlertStatus)
  status: AlertStatus;

  @Field({ description: 'The feature or metric' })
  subject: string;

  @Field()
  summary: string;

  @Field(() => GraphQLJSONObject, { description: 'The statistics, values and thresholds behind it' })
  evidence: Record<string, unknown>;

  @Field(() => DateTimeISOResolver, { description: 'The latest window that breached' })
  windowStart: Date;

  @Field(() => DateTimeISOResolver)
  windowEnd: Date;

  @Field(() => Int, { description: 'Breaches counted while open' })
  occurrences: number;

  @Field(() => Recommendation, { nullable: true })
  recommendation: Recommendation | null;

  @Field(() => DateTimeISOResolver)
  raisedAt: Date;

  @Field(() => DateTimeISOResolver)
  lastSeenAt: Date;

  @Field(() => String, { nullable: true })
  acknowledgedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => String, { nullable: true })
  acknowledgeNote: string | null;

  @Field(() => String, { nullable: true })
  resolvedBy: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  resolvedAt: Date | null;

  @Field(() => String, { nullable: true })
  resolution: string | null;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class AlertConnection extends Connection(Alert) {}

@ObjectType()
export class AlertPayload {
  @Field(() => Alert)
  alert: Alert;
}

@ObjectType({ description: 'An alert raised or escalated, as it happened' })
export class AlertEvent {
  @Field({ description: 'Pass it back as `after` to resume right after this alert' })
  cursor: string;

  @Field(() => AlertChange)
  change: string;

  @Field(() => AlertSeverity, { nullable: true })
  previousSeverity: AlertSeverity | null;

  @Field(() => Alert)
  alert: Alert;
}

@ObjectType()
export class Objective {
  @Field()
  metric: string;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => Float)
  target: number;

  @Field(() => Float)
  budget: number;

  @Field(() => Int)
  windowDays: number;
}

@ObjectType()
export class DriftThresholds {
  @Field(() => Float)
  psiWarning: number;

  @Field(() => Float)
  psiCritical: number;

  @Field(() => Float)
  pValueWarning: number;

  @Field(() => Float)
  pValueCritical: number;

  @Field(() => Int)
  minObservations: number;
}

@ObjectType()
export class CanaryRule {
  @Field(() => Float)
  maxDegradation: number;

  @Field(() => Int)
  minObservations: number;

  @Field(() => Float)
  alpha: number;
}

@ObjectType()
export class QualityTolerance {
  @Field(() => Float)
  warning: number;

  @Field(() => Float)
  critical: number;
}

@ObjectType({ description: 'A model’s objectives and thresholds (the defaults where none were set)' })
export class ModelObjectives {
  @Field(() => ID)
  modelId: string;

  @Field(() => [Objective])
  objectives: Objective[];

  @Field(() => DriftThresholds)
  driftThresholds: DriftThresholds;

  @Field(() => QualityTolerance)
  qualityTolerance: QualityTolerance;

  @Field(() => CanaryRule)
  canaryRule: CanaryRule;

  @Field(() => Int, { description: '0 until first set' })
  revision: number;
}

@ObjectType()
export class ObjectiveStatus extends Objective {
  @Field(() => ObjectiveState)
  state: string;

  @Field(() => Float, { nullable: true, description: 'The latest reported value' })
  currentValue: number | null;

  @Field(() => Boolean, { nullable: true })
  currentMeets: boolean | null;

  @Field(() => Float, { nullable: true, description: '1: untouched; 0: spent; below 0: overspent' })
  budgetRemaining: number | null;

  @Field(() => Float, { nullable: true, description: 'Budget spending over the last hour: above 1 runs out before the window ends' })
  burnRate: number | null;

  @Field(() => Float, { description: 'Share of the window with reports' })
  coverage: number;
}

@ObjectType()
export class CanaryMetricComparison {
  @Field()
  name: string;

  @Field(() => ProductionMetricKind)
  kind: ProductionMetricKind;

  @Field(() => Float)
  canaryValue: number;

  @Field(() => Float)
  canaryObservations: number;

  @Field(() => Float)
  baselineValue: number;

  @Field(() => Float)
  baselineObservations: number;

  @Field(() => Float)
  delta: number;

  @Field(() => Float, { nullable: true })
  relativeDelta: number | null;

  @Field(() => CanaryTest)
  test: string;

  @Field(() => Float, { nullable: true })
  pValue: number | null;

  @Field(() => CanaryMetricVerdict)
  verdict: string;

  @Field()
  reason: string;
}

@ObjectType()
export class CanaryAnalysis {
  @Field(() => CanaryVerdict)
  verdict: string;

  @Field()
  reason: string;

  @Field(() => ID)
  deploymentId: string;

  @Field(() => ID, { nullable: true, description: 'The production deployment compared with' })
  baselineDeploymentId: string | null;

  @Field(() => Int, { description: 'Report windows both deployments reported' })
  windows: number;

  @Field(() => [CanaryMetricComparison])
  metrics: CanaryMetricComparison[];

  @Field(() => CanaryRule)
  rule: CanaryRule;
}

@ObjectType({ description: 'How long drift waited for a retrained version to reach PRODUCTION' })
export class DriftToRetrain {
  @Field(() => Int)
  driftAlerts: number;

  @Field(() => Int)
  retrained: number;

  @Field(() => Float, { nullable: true })
  medianGapSeconds: number | null;

  @Field(() => Float, { nullable: true })
  maxGapSeconds: number | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'The oldest drift alert no newer version has answered yet' })
  waitingSince: Date | null;
}
