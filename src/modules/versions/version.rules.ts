import { badInput } from '../../common/errors';
import { STORED_JSON, validateJson } from '../../common/json';
import { validateText } from '../../common/text';
import { SINGLE_FILE_PATH, validateManifest, type ManifestFileInput } from './manifest.rules';
import { ArtifactLayout, ArtifactStatus } from './version.enums';

const SHA256 = /^[0-9a-f]{64}$/;
const GIT_SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const IMAGE_DIGEST = /sha256:[0-9a-f]{64}$/;
const SEED = /^\d{1,20}$/;
const MAX_SEED = 2n ** 64n - 1n;

export interface ArtifactInputShape {
  uri?: string | null;
  sha256?: string | null;
  sizeBytes?: number | null;
  signature?: Record<string, unknown> | null;
  /** A folder: its files, each with its path, size and (unless its upload declares it) sha256. */
  files?: ManifestFileInput[] | null;
}

/** A file of an artifact as registered: a single file's size and digest may wait for its upload. */
export interface RegisteredFile {
  path: string;
  sizeBytes: number | null;
  sha256: string | null;
}

/** What a registration declares of its artifact's files, in the order given. */
export interface RegisteredManifest {
  layout: ArtifactLayout;
  files: RegisteredFile[];
}

/** How many dataset versions one registration may name. */
export const MAX_DATASET_VERSIONS = 100;
/** A package lock is kept whole (up to 1 MB) with the version; the audit trail records its digest. */
export const MAX_PACKAGE_LOCK = 1_000_000;

export interface RegistrationShape {
  label?: string | null;
  description?: string | null;
  code: { repo: string; commit: string };
  datasetVersions: string[];
  hyperparameters?: Record<string, unknown> | null;
  environment: { imageDigest?: string | null; packageLock?: string | null };
  randomSeed?: string | null;
  trainingRunId?: string | null;
  artifact: ArtifactInputShape;
}

export function validateSha256(value: string, field: string): void {
  if (!SHA256.test(value)) throw badInput(field, 'must be a sha256 digest: 64 lowercase hex characters');
}

/**
 * Checks the reproducibility tuple and artifact of a registration; throws BAD_USER_INPUT naming the field. Answers
 * the artifact's manifest: the folder's files normalised (manifest.rules.ts), or the one file of a single-file one.
 */
export function validateRegistration(input: RegistrationShape): RegisteredManifest {
  validateText(input.label, 'label', { max: 100, identifier: true });
  if (input.label !== undefined && input.label !== null && input.label.trim() === '') throw badInput('label', 'must not be empty');
  validateText(input.description, 'description');
  validateText(input.code.repo, 'code.repo', { required: true, max: 2000, identifier: true });
  if (!GIT_SHA.test(input.code.commit)) throw badInput('code.commit', 'must be a full git commit sha (40 or 64 lowercase hex characters)');
  if (input.datasetVersions.length === 0) throw badInput('datasetVersions', 'name at least one dataset version the model was trained on');
  if (input.datasetVersions.length > MAX_DATASET_VERSIONS) throw badInput('datasetVersions', `name at most ${MAX_DATASET_VERSIONS}`);
  input.datasetVersions.forEach((d, i) => validateText(d, `datasetVersions[${i}]`, { required: true, max: 2000, identifier: true }));
  if (input.hyperparameters !== undefined && input.hyperparameters !== null) {
    if (typeof input.hyperparameters !== 'object' || Array.isArray(input.hyperparameters)) {
      throw badInput('hyperparameters', 'must be a JSON object');
    }
    validateJson(input.hyperparameters, 'hyperparameters', STORED_JSON);
  }
  const env = input.environment;
  if (!env.imageDigest && !env.packageLock) {
    throw badInput('environment', 'give the container image digest, the package lock, or both');
  }
  if (env.imageDigest && !IMAGE_DIGEST.test(env.imageDigest)) {
    throw badInput('environment.imageDigest', 'must end in sha256:<64 lowercase hex characters>');
  }
  validateText(env.packageLock, 'environment.packageLock', { max: MAX_PACKAGE_LOCK });
  if (!env.imageDigest && !env.packageLock?.trim()) throw badInput('environment.packageLock', 'must not be blank');
  if (input.randomSeed !== undefined && input.randomSeed !== null) {
    if (!SEED.test(input.randomSeed) || BigInt(input.randomSeed) > MAX_SEED) {
      throw badInput('randomSeed', 'must be a non-negative integer below 2^64, as a decimal string');
    }
  }
  validateText(input.trainingRunId, 'trainingRunId', { max: 500, identifier: true });
  return validateArtifact(input.artifact);
}

function validateArtifact(artifact: ArtifactInputShape): RegisteredManifest {
  if (artifact.signature !== undefined && artifact.signature !== null) validateJson(artifact.signature, 'artifact.signature', STORED_JSON);
  if (artifact.files !== undefined && artifact.files !== null) {
    // A folder: its files say it all, each with its size and digest.
    if (artifact.uri !== undefined && artifact.uri !== null)
      throw badInput('artifact.uri', 'a folder (artifact.files) is uploaded file by file: it is not registered by reference');
    if (artifact.sha256 !== undefined && artifact.sha256 !== null)
      throw badInput(
        'artifact.sha256',
        `a folder's sha256 is computed from its files' (the OMS root digest): declare each in artifact.files`,
      );
    if (artifact.sizeBytes !== undefined && artifact.sizeBytes !== null)
      throw badInput('artifact.sizeBytes', `a folder's size is the total of its files': declare each in artifact.files`);
    return { layout: ArtifactLayout.FOLDER, files: validateManifest(artifact.files, 'artifact.files') };
  }
  if (artifact.sha256 !== undefined && artifact.sha256 !== null) validateSha256(artifact.sha256, 'artifact.sha256');
  if (artifact.sizeBytes !== undefined && artifact.sizeBytes !== null) {
    if (!Number.isSafeInteger(artifact.sizeBytes) || artifact.sizeBytes < 0) {
      throw badInput('artifact.sizeBytes', 'must be a non-negative integer');
    }
  }
  if (artifact.uri !== undefined && artifact.uri !== null) {
    validateText(artifact.uri, 'artifact.uri', { required: true, max: 2000, identifier: true });
    if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(artifact.uri))
      throw badInput('artifact.uri', 'must be an absolute URI (s3://…, https://…, file://…)');
    if (!artifact.sha256) throw badInput('artifact.sha256', 'is required when the artifact is registered by reference');
    if (artifact.sizeBytes === undefined || artifact.sizeBytes === null) {
      throw badInput('artifact.sizeBytes', 'is required when the artifact is registered by reference');
    }
  }
  // A single file (uploaded, or registered by reference): a folder of one, its file named `artifact`.
  return {
    layout: ArtifactLayout.FILE,
    files: [{ path: SINGLE_FILE_PATH, sizeBytes: artifact.sizeBytes ?? null, sha256: artifact.sha256 ?? null }],
  };
}

/**
 * An artifact registered by reference (URI, digest and size known) is READY at once; otherwise
 * the registry waits for an upload.
 */
export function initialArtifactStatus(artifact: ArtifactInputShape): ArtifactStatus {
  return artifact.uri ? ArtifactStatus.READY : ArtifactStatus.PENDING_UPLOAD;
}

/**
 * Where the registry keeps a version's artifact inside its store: under the model's id, not its name,
 * since a model can be renamed and its old name taken by a new model.
 */
export function storagePath(modelId: string, version: number): string {
  return `models/${modelId}/${version}/`;
}
