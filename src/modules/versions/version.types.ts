import { DateTimeISOResolver, GraphQLJSONObject, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import { LineageNode } from '../../graphql/lineage-node';
import { MAX_FILES } from './manifest.rules';
import { ArtifactFormat, ArtifactLayout, ArtifactStatus, Stage } from './version.enums';

registerEnumType(ArtifactFormat, { name: 'ArtifactFormat' });
registerEnumType(ArtifactStatus, { name: 'ArtifactStatus' });
registerEnumType(ArtifactLayout, {
  name: 'ArtifactLayout',
  description: 'One file, or a folder of files (a manifest); a single file is a folder of one, its file named `artifact`',
});

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

@ObjectType({ description: 'One file of an artifact: its path in the folder, size, sha256 and status' })
export class ArtifactFile {
  /** The version whose file this is (not a field: the artifacts module reads the file's scan report by it). */
  versionId: string;

  @Field({ description: 'Relative to the folder, `/`-separated, normalised as OMS canonicalises paths' })
  path: string;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Null only for a single file whose upload has yet to declare it' })
  sizeBytes: number | null;

  @Field(() => String, { nullable: true, description: 'Null until declared (at registration or by the upload)' })
  sha256: string | null;

  @Field(() => ArtifactStatus)
  status: ArtifactStatus;

  @Field(() => String, { nullable: true, description: 'Why the upload or the last verification of this file failed' })
  failureReason: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When its stored bytes last matched the digest' })
  verifiedAt: Date | null;
}

@ObjectType()
export class ArtifactFileConnection extends Connection(ArtifactFile) {}

@ObjectType()
export class Artifact {
  /** The version whose artifact this is (not a field: `files` pages through its rows). */
  versionId: string;

  @Field(() => ArtifactFormat)
  format: ArtifactFormat;

  @Field(() => ArtifactLayout)
  layout: ArtifactLayout;

  @Field({ description: 'Assigned by the registry: models/<model id>/<version>/' })
  storagePath: string;

  @Field(() => String, { nullable: true, description: 'Where a referenced artifact lives' })
  sourceUri: string | null;

  @Field(() => SafeIntResolver, { nullable: true, description: "A folder's: the total of its files" })
  sizeBytes: number | null;

  @Field(() => String, {
    nullable: true,
    description: "A folder's: the OMS root digest of its manifest (sha256 over its files' raw sha256s in path order), once all are known",
  })
  sha256: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Input/output signature' })
  signature: Record<string, unknown> | null;

  @Field(() => ArtifactStatus, { description: 'READY only when every file arrived and matched its digest' })
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

@InputType({ description: 'One file of a model folder: uploaded with PUT /artifacts/<versionId>/<path>' })
export class ArtifactFileInput {
  @Field({ description: 'Relative, `/`-separated; `./` and repeated `/` collapse; no `..`, at most 1,024 bytes; not `model.sig`' })
  path: string;

  @Field(() => SafeIntResolver)
  sizeBytes: number;

  @Field(() => String, { nullable: true, description: 'Its sha256; or the upload declares it in X-Artifact-Sha256' })
  sha256?: string;
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

  @Field(() => [ArtifactFileInput], {
    nullable: true,
    description: `A model folder, file by file (at most ${MAX_FILES.toLocaleString('en-US')}): then no uri, sha256 or sizeBytes`,
  })
  files?: ArtifactFileInput[];
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
