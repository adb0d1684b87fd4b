import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { Comparator } from './governance.enums';

@ObjectType()
export class ValidationCheck {
  @Field({ description: 'BASELINE or POLICY' })
  origin: string;

  @Field()
  metric: string;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => Float, { nullable: true })
  candidateValue: number | null;

  @Field(() => Float, { nullable: true })
  baselineValue: number | null;

  @Field(() => Float)
  tolerance: number;

  @Field()
  passed: boolean;

  @Field()
  detail: string;
}

@ObjectType()
export class ValidationReport {
  @Field(() => ID)
  id: string;

  @Field()
  passed: boolean;

  @Field()
  summary: string;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@InputType()
export class ValidateModelVersionInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType()
export class ValidateModelVersionPayload {
  @Field(() => ValidationReport)
  report: ValidationReport;
}
