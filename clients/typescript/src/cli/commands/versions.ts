import { ModelgraphClient } from '../../client';
import { manifestOf } from '../../files';
import type { ArtifactFormat } from '../../generated/graphql';
import { type Command, integer, list, oneOf, optional, UsageError } from '../command';
import { reproducibilityOf } from '../reproducibility';

const FORMATS: readonly ArtifactFormat[] = ['ONNX', 'PICKLE', 'JOBLIB', 'TORCH', 'SAFETENSORS', 'TF_SAVEDMODEL', 'OTHER'];

export const versionsRegister: Command = {
  name: 'versions register',
  summary: 'register a version with its reproducibility tuple (read from git and the CI environment) and its artifact manifest',
  usage: [
    '--model <name> --format <FORMAT> (--artifact <file|folder> | --uri <uri> --sha256 <hex> --size <bytes>)',
    '    [--commit <sha>] [--repo <url>] [--dataset <uri>]... [--image-digest <ref@sha256:…>] [--package-lock <file>]',
    '    [--param <key>=<value>]...',
    '    [--label <text>] [--description <text>] [--seed <n>] [--run-id <id>] [--idempotency-key <key>]',
    'The commit and repo default to the CI variables (GITHUB_SHA and GITHUB_REPOSITORY, CI_COMMIT_SHA and CI_PROJECT_URL),',
    'else to git (`git rev-parse HEAD`, remote origin); the image digest to MODELGRAPH_IMAGE_DIGEST; the run id and',
    "the idempotency key to the CI run's id (GITHUB_RUN_ID, CI_PIPELINE_ID), so a retried job does not register twice.",
    'The environment is the image digest, the lock file (sent as its sha256), or both: one is required.',
    '--artifact hashes every file (streamed) for the manifest; `modelgraph upload` then sends the bytes.',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    format: { type: 'string' },
    artifact: { type: 'string' },
    uri: { type: 'string' },
    sha256: { type: 'string' },
    size: { type: 'string' },
    commit: { type: 'string' },
    repo: { type: 'string' },
    dataset: { type: 'string', multiple: true },
    'image-digest': { type: 'string' },
    'package-lock': { type: 'string' },
    param: { type: 'string', multiple: true },
    label: { type: 'string' },
    description: { type: 'string' },
    seed: { type: 'string' },
    'run-id': { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  async run({ values }, { client }) {
    const model = optional(values, 'model');
    if (!model) throw new UsageError('--model is required');
    const format = oneOf(optional(values, 'format') ?? '', FORMATS, '--format');
    const tuple = reproducibilityOf(values, process.env);
    const artifactPath = optional(values, 'artifact');
    let artifact;
    if (artifactPath) artifact = ModelgraphClient.artifactOf(await manifestOf(artifactPath), format);
    else {
      const uri = optional(values, 'uri');
      if (!uri)
        throw new UsageError('give --artifact <file|folder> to upload, or --uri with --sha256 and --size for bytes stored elsewhere');
      artifact = { format, uri, sha256: optional(values, 'sha256'), sizeBytes: integer(values, 'size') };
    }
    const registered = await client.registerVersion({
      modelName: model,
      code: tuple.code,
      datasetVersions: list(values, 'dataset'),
      environment: tuple.environment,
      hyperparameters: tuple.hyperparameters,
      randomSeed: optional(values, 'seed'),
      trainingRunId: tuple.trainingRunId,
      label: optional(values, 'label'),
      description: optional(values, 'description'),
      artifact,
      idempotencyKey: optional(values, 'idempotency-key') ?? (tuple.runKey ? `register:${model}:${tuple.runKey}` : undefined),
    });
    const v = registered.version;
    return {
      json: { ...v, replayed: registered.replayed },
      text: `${registered.replayed ? 'already registered' : 'registered'}: version ${v.version} of ${v.model.name} (${v.id}), ${v.stage}, artifact ${v.artifact.status}`,
    };
  },
};
