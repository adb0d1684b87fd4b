import { DateTimeISOResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { Role } from '../../common/role';

registerEnumType(Role, { name: 'Role', description: 'Ranked: each role may do all that the ones before it may' });

@ObjectType()
export class ApiToken {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Who the token stands for; recorded as the actor of what it does' })
  subject: string;

  @Field()
  description: string;

  @Field(() => Role)
  role: Role;

  @Field({ description: 'First characters of the secret, to tell tokens apart' })
  tokenPrefix: string;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  expiresAt: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType()
export class ApiTokenConnection extends Connection(ApiToken) {}

@ObjectType({ description: 'The caller, as its token identifies it' })
export class Viewer {
  @Field()
  subject: string;

  @Field(() => Role)
  role: Role;

  @Field(() => ID)
  tokenId: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field({ description: 'The person or automation the token is for, e.g. ci-pipeline or alice@example.com' })
  subject: string;

  @Field(() => Role)
  role: Role;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => DateTimeISOResolver, { nullable: true })
  expiresAt?: Date;
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => UUIDResolver)
  id: string;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => ApiToken)
  apiToken: ApiToken;

  @Field({ description: 'The secret: shown only in this answer, store it now' })
  token: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken)
  apiToken: ApiToken;
}
