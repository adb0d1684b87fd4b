import { DateTimeISOResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ArtifactStatus } from '../versions';

@InputType()
export class VerifyArtifactInput {
  @Field(() => UUIDResolver)
  versionId: string;
}

@ObjectType({ description: 'One stored file read again and compared with its recorded sha256 and size' })
export class ArtifactFileVerification {
  @Field()
  path: string;

  @Field()
  verified: boolean;

  @Field(() => String, { nullable: true, description: 'The sha256 of the stored bytes (null when there are none)' })
  sha256: string | null;

  @Field(() => SafeIntResolver, { nullable: true })
  sizeBytes: number | null;

  @Field()
  detail: string;
}

@ObjectType({ description: 'The stored bytes read again, file by file, and compared with the recorded sha256s and sizes' })
export class ArtifactVerification {
  @Field(() => ID)
  versionId: string;

  @Field()
  verified: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The sha256 of the stored bytes (a folder's: their OMS root digest); null when a file has none",
  })
  sha256: string | null;

  @Field(() => SafeIntResolver, { nullable: true })
  sizeBytes: number | null;

  @Field()
  detail: string;

  @Field(() => ArtifactStatus, { description: 'READY when verified, FAILED otherwise' })
  status: ArtifactStatus;

  @Field(() => DateTimeISOResolver)
  checkedAt: Date;

  @Field(() => Int, { description: 'How many files the artifact has (each one read again, but those never uploaded)' })
  filesChecked: number;

  @Field(() => Int)
  filesFailed: number;

  @Field(() => [ArtifactFileVerification], {
    description: "The files that did not match, in path order (at most 500; every file's verdict is also on Artifact.files)",
  })
  failures: ArtifactFileVerification[];
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
