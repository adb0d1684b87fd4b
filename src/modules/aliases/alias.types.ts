import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection';

@ObjectType({ description: 'A named pointer (champion, challenger, …) to one version of a model' })
export class ModelAlias {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  updatedBy: string;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => Int)
  revision: number;
}

@ObjectType({ description: 'One move of an alias; version is null when the alias was deleted' })
export class AliasHistoryEntry {
  @Field(() => ID)
  id: string;

  @Field()
  alias: string;

  @Field()
  actor: string;

  @Field(() => DateTimeISOResolver)
  changedAt: Date;
}

@ObjectType()
export class ModelAliasConnection extends Connection(ModelAlias) {}

@ObjectType()
export class AliasHistoryEntryConnection extends Connection(AliasHistoryEntry) {}

@InputType()
export class SetModelAliasInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field({ description: 'e.g. champion' })
  alias: string;

  @Field(() => UUIDResolver)
  versionId: string;
}

@InputType()
export class DeleteModelAliasInput {
  @Field(() => UUIDResolver)
  modelId: string;

  @Field()
  alias: string;
}

@ObjectType()
export class ModelAliasPayload {
  @Field(() => ModelAlias)
  alias: ModelAlias;
}
