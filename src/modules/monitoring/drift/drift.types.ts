import { DateTimeISOResolver, GraphQLJSONObject, UUIDResolver } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';

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
export class QualityTolerance {
  @Field(() => Float)
  warning: number;

  @Field(() => Float)
  critical: number;
}
