export {
  ModelgraphClient,
  METRICS_PER_CALL,
  type ClientOptions,
  type MetricPoint,
  type UploadProgress,
  type UploadedFile,
  type Version,
} from './client';
export { ModelgraphError, EXIT, exitCodeOf, type ErrorCode, type GateReport } from './errors';
export { manifestOf, rootDigest, sha256File, type Manifest, type ManifestFile } from './files';
export { signModelFolder, signChallenge, approverPublicKey, readPrivateKey, type SignedFolder } from './signing';
export { waitFor, type WaitTarget, type WaitOptions } from './wait';
export type { StreamOptions } from './events';
export type * from './generated/graphql';
