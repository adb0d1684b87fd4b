import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { ModelVersion } from '../versions';
import { MetricSource } from './metric.enums';

registerEnumType(MetricSource, { name: 'MetricSource' });

@ObjectType({ description: 'One measured value of a version' })
export class MetricPoint {
  @Field()
  name: string;

  @Field(() => Float)
  value: number;

  @Field(() => Int)
  step: number;

  @Field(() => MetricSource)
  source: MetricSource;

  @Field({ description: '"" for the whole population; otherwise a dataset or segment' })
  slice: string;

  @Field(() => DateTimeISOResolver)
  recordedAt: Date;
}

@ObjectType()
export class MetricPointConnection extends Connection(MetricPoint) {}

@InputType()
export class MetricPointInput {
  @Field()
  name: string;

  @Field(() => Float)
  value: number;

  @Field(() => Int, { nullable: true, description: 'Default 0' })
  step?: number;

  @Field(() => MetricSource)
  source: MetricSource;

  @Field(() => String, { nullable: true })
  slice?: string;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Default: now' })
  recordedAt?: Date;
}

@InputType()
export class LogMetricsInput {
  @Field(() => UUIDResolver)
  versionId: string;

  @Field(() => [MetricPointInput], { description: 'Up to 10,000 points; one bad point refuses the whole batch' })
  metrics: MetricPointInput[];
}

@ObjectType()
export class LogMetricsPayload {
  @Field(() => ModelVersion)
  version: ModelVersion;

  @Field(() => Int)
  count: number;
}
