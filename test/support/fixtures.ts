import type { RegisterModelVersionInput } from '../generated/graphql';

let counter = 0;

/** A unique, valid model name. */
export function modelName(prefix = 'model'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export const SHA = (c: string): string => c.repeat(64).slice(0, 64);

/** A complete, valid registration: override what a test is about. */
export function registration(overrides: Partial<RegisterModelVersionInput> = {}): RegisterModelVersionInput {
  return {
    code: { repo: 'https://github.com/acme/fraud', commit: 'a'.repeat(40) },
    datasetVersions: ['s3://datasets/transactions@v3'],
    hyperparameters: { learning_rate: 0.05, max_depth: 6 },
    environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA('b')}` },
    randomSeed: '18446744073709551615',
    trainingRunId: 'run-42',
    artifact: { format: 'ONNX' },
    ...overrides,
  };
}
