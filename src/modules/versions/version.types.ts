import { DateTimeISOResolver, GraphQLJSONObject, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { LineageNode } from '../../graphql/lineage-node';
import { ArtifactFormat, ArtifactStatus, Stage } from './version.enums';

registerEnumType(ArtifactFormat, { name: 'ArtifactFormat' });
registerEnumType(ArtifactStatus, { name: 'ArtifactStatus' });

@ObjectType()
export class CodeRef {
  @Field()
  repo: string;

  @Field({ description: 'Full commit sha' })
  commit: string;
}

@ObjectType()
export class Environment {
  @Field(() => String, { nullable: true, description: 'Container image digest (…@sha256:…)' })
  imageDigest: string | null;

  @Field(() => String, { nullable: true, description: 'Package lock contents or its digest' })
  packageLock: string | null;
}

@ObjectType({ description: 'Everything needed to reproduce the version; immutable once the artifact is READY' })
export class Reproducibility {
  @Field(() => CodeRef)
  code: CodeRef;

  @Field(() => [String])
  datasetVersions: string[];

  @Field(() => GraphQLJSONObject)
  hyperparameters: Record<string, unknown>;

  @Field(() => Environment)
  environment: Environment;

  @Field(() => String, { nullable: true, description: 'Decimal string: seeds are often 64-bit' })
  randomSeed: string | null;

  @Field(() => String, { nullable: true })
  trainingRunId: string | null;
}

@ObjectType()
export class Artifact {
  @Field(() => ArtifactFormat)
  format: ArtifactFormat;

  @Field({ description: 'Assigned by the registry: models/<model id>/<version>/' })
  storagePath: string;

  @Field(() => String, { nullable: true, description: 'Where a referenced artifact lives' })
  sourceUri: string | null;

  @Field(() => SafeIntResolver, { nullable: true })
  sizeBytes: number | null;

  @Field(() => String, { nullable: true })
  sha256: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Input/output signature' })
  signature: Record<string, unknown> | null;

  @Field(() => ArtifactStatus)
  status: ArtifactStatus;

  @Field(() => String, { nullable: true, description: 'Why the upload or the last verification failed' })
  failureReason: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the stored bytes last matched the digest' })
  verifiedAt: Date | null;
}

@ObjectType({ description: 'One trained version of a registered model; a node of the lineage graph', implements: LineageNode })
@Directive('@key(fields: "id")')
export class ModelVersion {
  @Field(() => ID)
  id: string;

  @Field(() => Int, { description: 'Monotonic per model from 1, never reused' })
  version: number;

  @Field(() => String, { nullable: true, description: 'e.g. a semver, unique per model' })
  label: string | null;

  @Field()
  description: string;

  @Field(() => Stage)
  stage: Stage;

  @Field()
  createdBy: string;

  @Field(() => DateTimeISOResolver)
  createdAt: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt: Date;

  @Field(() => Int)
  revision: number;
}

@ObjectType()
export class ModelVersionConnection extends Connection(ModelVersion) {}

@InputType()
export class ModelVersionFilter {
  @Field(() => Stage, { nullable: true })
  stage?: Stage;

  @Field(() => ArtifactStatus, { nullable: true })
  artifactStatus?: ArtifactStatus;

  @Field(() => String, { nullable: true })
  label?: string;
}

@InputType()
export class CodeRefInput {
  @Field()
  repo: string;

  @Field()
  commit: string;
}

@InputType()
export class EnvironmentInput {
  @Field(() => String, { nullable: true })
  imageDigest?: string;

  @Field(() => String, { nullable: true })
  packageLock?: string;
}

@InputType()
export class ArtifactInput {
  @Field(() => ArtifactFormat)
  format: ArtifactFormat;

  @Field(() => String, {
    nullable: true,
    description: 'An existing artifact, registered by reference: then sha256 and sizeBytes are required',
  })
  uri?: string;

  @Field(() => String, { nullable: true })
  sha256?: string;

  @Field(() => SafeIntResolver, { nullable: true })
  sizeBytes?: number;

  @Field(() => GraphQLJSONObject, { nullable: true })
  signature?: Record<string, unknown>;
}

@InputType()
export class RegisterModelVersionInput {
  @Field(() => UUIDResolver, { nullable: true, description: 'The model, by id or by name (one of the two)' })
  modelId?: string;

  @Field(() => String, { nullable: true })
  modelName?: string;

  @Field(() => String, { nullable: true })
  label?: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => CodeRefInput)
  code: CodeRefInput;

  @Field(() => [String])
  datasetVersions: string[];

  @Field(() => GraphQLJSONObject, { nullable: true })
  hyperparameters?: Record<string, unknown>;

  @Field(() => EnvironmentInput)
  environment: EnvironmentInput;

  @Field(() => String, { nullable: true })
  randomSeed?: string;

  @Field(() => String, { nullable: true })
  trainingRunId?: string;

  @Field(() => ArtifactInput)
  artifact: ArtifactInput;

  @Field(() => String, { nullable: true, description: 'A retry with the same key and input returns the first result' })
  idempotencyKey?: string;
}

@ObjectType()
export class RegisterModelVersionPayload {
  @Field(() => ModelVersion)
  version: ModelVersion;

  @Field(() => Int)
  versionNumber: number;

  @Field()
  storagePath: string;

  @Field({ description: 'True when this answer replays an earlier call with the same idempotencyKey' })
  replayed: boolean;
}
