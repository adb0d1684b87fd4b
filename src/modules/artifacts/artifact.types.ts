import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ArtifactStatus } from '../versions';

@InputType()
export class VerifyArtifactInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType({ description: 'The stored bytes read again and compared with the recorded sha256 and size' })
export class ArtifactVerification {
  @Field(() => ID)
  versionId: string;

  @Field()
  verified: boolean;

  @Field(() => String, { nullable: true, description: 'The sha256 of the stored bytes (null when there are none)' })
  sha256: string | null;

  @Field(() => SafeIntResolver, { nullable: true })
  sizeBytes: number | null;

  @Field()
  detail: string;

  @Field(() => ArtifactStatus, { description: 'READY when verified, FAILED otherwise' })
  status: ArtifactStatus;

  @Field(() => DateTimeISOResolver)
  checkedAt: Date;
}

@InputType()
export class RestoreArtifactInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType()
export class RestoredArtifact {
  @Field(() => ID)
  versionId: string;

  @Field(() => ArtifactStatus)
  status: ArtifactStatus;
}
