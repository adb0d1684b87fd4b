import { UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Comparator } from '../../governance';
import { CanaryRule, CanaryRuleInput } from '../canary/canary.types';
import { DriftThresholds, DriftThresholdsInput, QualityTolerance, ThresholdPairInput } from '../drift/drift.types';

const ObjectiveState = { NO_DATA: 'NO_DATA', MET: 'MET', AT_RISK: 'AT_RISK', BREACHED: 'BREACHED' } as const;
registerEnumType(ObjectiveState, {
  name: 'ObjectiveState',
  description: 'AT_RISK: the budget burns faster than it lasts; BREACHED: it is spent',
});

// ---- inputs ----

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

// ---- outputs ----

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
