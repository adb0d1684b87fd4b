import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ProductionMetricKind } from '../monitoring.types';

const CanaryVerdict = { PROMOTE: 'PROMOTE', ROLLBACK: 'ROLLBACK', INCONCLUSIVE: 'INCONCLUSIVE' } as const;
registerEnumType(CanaryVerdict, { name: 'CanaryVerdict' });
const CanaryMetricVerdict = { PASS: 'PASS', FAIL: 'FAIL', INCONCLUSIVE: 'INCONCLUSIVE', INSUFFICIENT_DATA: 'INSUFFICIENT_DATA' } as const;
registerEnumType(CanaryMetricVerdict, { name: 'CanaryMetricVerdict' });
const CanaryTest = { TWO_PROPORTION_Z: 'TWO_PROPORTION_Z', RELATIVE_THRESHOLD: 'RELATIVE_THRESHOLD' } as const;
registerEnumType(CanaryTest, { name: 'CanaryTest' });

// ---- inputs ----

@InputType()
export class CanaryRuleInput {
  @Field(() => Float, { description: 'Relative degradation that fails a metric (default 0.005: 0.5 %)' })
  maxDegradation: number;

  @Field(() => Int, { description: 'Observations each side needs for a verdict (default 1000)' })
  minObservations: number;

  @Field(() => Float, { description: 'Significance of the two-proportion test (default 0.05)' })
  alpha: number;
}

// ---- outputs ----

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
