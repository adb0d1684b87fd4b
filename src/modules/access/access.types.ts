import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { Action, Level } from './access.rules';

registerEnumType(Level, { name: 'AccessLevel', description: 'Ranked: VIEW < CONTRIBUTE < APPROVE < MANAGE' });
registerEnumType(Action, {
  name: 'AccessRight',
  description: 'A separate right on a model; docs/teams-and-access.md tables the level each needs',
});

@ObjectType({ description: 'Subjects (people, automations) that grants can name together' })
export class Team {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  description: string;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType()
export class TeamConnection extends Connection(Team) {}

@ObjectType({ description: 'A level on one model, or on all models, for a subject or a team' })
export class Grant {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true, description: 'The subject it is for (or teamId)' })
  subject: string | null;

  @Field(() => ID, { nullable: true, description: 'The team it is for (or subject)' })
  teamId: string | null;

  @Field(() => ID, { nullable: true, description: 'The model, by id; null: all models' })
  modelId: string | null;

  @Field(() => Level)
  level: Level;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType({ description: 'Aliases matching the pattern need APPROVE to move or delete' })
export class ProtectedAlias {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { nullable: true, description: 'The model; null: all models' })
  modelId: string | null;

  @Field({ description: 'An alias name, * for any run of characters: champion, prod-* (at most 8 *, none side by side)' })
  pattern: string;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;
}

@ObjectType({ description: 'Who has access to a model, and which of its aliases are protected' })
export class ModelAccess {
  @Field(() => ID)
  modelId: string;

  @Field(() => [Grant], { description: "The model's own grants and those on all models" })
  grants: Grant[];

  @Field(() => [ProtectedAlias])
  protectedAliases: ProtectedAlias[];
}

@ObjectType({ description: 'What the caller may do on a model' })
export class MyAccess {
  @Field(() => ID)
  modelId: string;

  @Field(() => Level)
  level: Level;

  @Field(() => [Action])
  rights: Action[];
}

@InputType()
export class CreateTeamInput {
  @Field({ description: 'A slug, e.g. payments' })
  name: string;

  @Field(() => String, { nullable: true })
  description?: string;
}

@InputType()
export class TeamMemberInput {
  @Field(() => UUIDResolver)
  teamId: string;

  @Field({ description: 'The subject of the member’s tokens' })
  subject: string;
}

@ObjectType()
export class TeamPayload {
  @Field(() => Team)
  team: Team;
}

@InputType()
export class GrantAccessInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'The model (or allModels)' })
  modelId?: string;

  @Field(() => Boolean, { nullable: true, description: 'True: on all models (ADMIN only)' })
  allModels?: boolean;

  @Field(() => String, { nullable: true, description: 'A subject (or teamId)' })
  subject?: string;

  @Field(() => UUIDResolver, { nullable: true, description: 'A team (or subject)' })
  teamId?: string;

  @Field(() => Level)
  level: Level;
}

@InputType()
export class RevokeAccessInput {
  @Field(() => UUIDResolver)
  grantId: string;
}

@ObjectType()
export class GrantPayload {
  @Field(() => Grant)
  grant: Grant;
}

@InputType()
export class ProtectAliasInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'The model (or allModels)' })
  modelId?: string;

  @Field(() => Boolean, { nullable: true, description: 'True: on all models (ADMIN only)' })
  allModels?: boolean;

  @Field({ description: 'An alias name, * for any run of characters: champion, prod-* (at most 8 *, none side by side)' })
  pattern: string;
}

@ObjectType()
export class ProtectedAliasPayload {
  @Field(() => ProtectedAlias)
  protectedAlias: ProtectedAlias;
}
