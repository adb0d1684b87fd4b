import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, SortDirection } from '../../graphql/connection';
import { Stage } from '../../common/stage';
import { ModelStatus, RiskTier } from './model.enums';

registerEnumType(RiskTier, { name: 'RiskTier', description: 'Decides which policy gates apply to the model' });
registerEnumType(ModelStatus, { name: 'ModelStatus' });
// Registered here, the first module to name it; the versions module owns its meaning.
registerEnumType(Stage, { name: 'Stage', description: 'Lifecycle stage of a model version' });

export enum ModelOrderField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ModelOrderField, { name: 'ModelOrderField' });

@ObjectType()
export class Tag {
  @Field()
  key: string;

  @Field()
  value: string;
}

@InputType()
export class TagInput {
  @Field()
  key: string;

  @Field()
  value: string;
}

@ObjectType({ description: 'A model under management: its versions, aliases and lifecycle live below it' })
@Directive('@key(fields: "id")')
@Directive('@key(fields: "name")')
export class RegisteredModel {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Unique slug, e.g. fraud-detector' })
  name: string;

  @Field()
  description: string;

  @Field({ description: 'Owning team' })
  owner: string;

  @Field(() => RiskTier)
  riskTier: RiskTier;

  @Field(() => ModelStatus)
  status: ModelStatus;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => Int, { description: 'Increases on every change; pass it back as expectedRevision' })
  revision: number;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the model was retired (then it is read-only)' })
  retiredAt: Date | null;

  @Field(() => String, { nullable: true })
  retiredBy: string | null;

  @Field(() => String, { nullable: true })
  retirementReason: string | null;
}

@ObjectType()
export class RegisteredModelConnection extends Connection(RegisteredModel) {}

@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Part of the name, case-insensitive' })
  nameContains?: string;

  @Field(() => [TagInput], { nullable: true, description: 'Models carrying all of these tags' })
  tags?: TagInput[];

  @Field(() => RiskTier, { nullable: true })
  riskTier?: RiskTier;

  @Field(() => ModelStatus, { nullable: true })
  status?: ModelStatus;

  @Field(() => String, { nullable: true })
  owner?: string;

  @Field(() => Stage, { nullable: true, description: 'Models with a version in this stage' })
  stage?: Stage;
}

@InputType()
export class ModelOrder {
  @Field(() => ModelOrderField, { defaultValue: ModelOrderField.CREATED_AT })
  field: ModelOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction: SortDirection;
}

@InputType()
export class CreateModelInput {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field()
  owner: string;

  @Field(() => RiskTier, { nullable: true, description: 'Default MEDIUM' })
  riskTier?: RiskTier;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[];
}

@InputType()
export class UpdateModelInput {
  @Field(() => UUIDResolver)
  id: string;

  @Field(() => Int, { description: 'The revision you read: a stale one is refused with CONFLICT' })
  expectedRevision: number;

  @Field(() => String, { nullable: true, description: 'A new name (needs MANAGE): grants and history stay with the model' })
  name?: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => String, { nullable: true })
  owner?: string;

  @Field(() => RiskTier, { nullable: true })
  riskTier?: RiskTier;
}

@InputType()
export class SetModelTagsInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field(() => [TagInput], { description: 'Tags to add or overwrite' })
  tags: TagInput[];

  @Field(() => [String], { nullable: true, description: 'Tag keys to remove' })
  removeKeys?: string[];
}

@ObjectType()
export class ModelPayload {
  @Field(() => RegisteredModel)
  model: RegisteredModel;
}
