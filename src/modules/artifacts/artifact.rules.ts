import { badInput } from '../../common/errors';
import { RESERVED_PATHS, SINGLE_FILE_PATH } from '../versions/manifest.rules';
import { ArtifactLayout } from '../versions/version.enums';
import type { ArtifactStore, ByteRange } from './artifact-store';

const DAY_MS = 24 * 3600 * 1000;

/**
 * The object of one file of a version's upload: its path under the storage path the registry assigned the version
 * (models/<model id>/<n>/): models/<id>/<n>/MLmodel, models/<id>/<n>/weights/shard-1.safetensors.
 */
export function fileKey(storagePath: string, path: string): string {
  return `${storagePath}${path}`;
}

/** The object of a single-file artifact, as it has always been named: models/<id>/<n>/artifact. */
export function artifactKey(storagePath: string): string {
  return fileKey(storagePath, SINGLE_FILE_PATH);
}

/**
 * Whether a key is one that the folder of a version reserves beside its files (`model.sig`, the signature bundle),
 * hot or cold: never a file of the artifact, never swept as a leftover.
 */
export function isReservedKey(key: string): boolean {
  const match = /^(?:cold\/)?models\/[^/]+\/\d+\/([^/]+)$/.exec(key);
  return match !== null && RESERVED_PATHS.includes(match[1]);
}

/**
 * Why a store that keeps keys of at most `maxKeyBytes` bytes (S3: 1,024, less its prefix) could not keep a file of
 * this key, hot or cold; null when it can.
 */
export function keyRefusal(key: string, maxKeyBytes: number | undefined): string | null {
  if (maxKeyBytes === undefined) return null;
  const bytes = Buffer.byteLength(coldKey(key), 'utf8');
  return bytes > maxKeyBytes
    ? `is too long for the artifact store, which keeps keys of at most ${maxKeyBytes} bytes: this file's would be ${bytes} (${coldKey(key)})`
    : null;
}

/**
 * `Content-Disposition` for a download named `name`: an ASCII fallback (anything else becomes `_`) and the name
 * itself in RFC 5987 form, so that no header carries bytes HTTP does not allow.
 */
export function attachment(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, '_') || 'file';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The cold copy of an object: the same key under the cold prefix. */
export function coldKey(key: string, coldPrefix = 'cold/'): string {
  return `${coldPrefix}${key}`;
}

/** Backoff of the artifact worker: 1 min, 2, 4 … at most a day. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), DAY_MS);
}

/**
 * Why a version of model `modelId` registered by reference may not name `key` of the registry's own store; null
 * when it may. The rule: an object of its own model, under `models/<its model id>/`, but not inside a version's
 * folder `models/<its model id>/<number>/` (uploads are written there: a later upload would overwrite it), nor in
 * cold storage. Everything the registry serves, moves or deletes for a version is then its model's own, and with
 * one version per object (checked at registration) retention never touches another version's bytes.
 */
export function referenceRefusal(key: string, modelId: string): string | null {
  const rule =
    `an artifact registered by reference into the registry's store must name an object of its own model: ` +
    `a key under models/${modelId}/, outside the version folders models/${modelId}/<number>/ (uploads go there) and outside cold storage`;
  const segments = key.split('/');
  // Keys are compared as written: `..`, `.` or an empty segment could name one object in two ways.
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return `${rule}; ${key} has an empty, "." or ".." segment`;
  if (key.startsWith(coldKey(''))) return `${rule}; ${key} is in cold storage`;
  if (segments.length < 3 || segments[0] !== 'models' || segments[1] !== modelId) return `${rule}; ${key} is not under models/${modelId}/`;
  if (/^\d+$/.test(segments[2])) return `${rule}; ${key} is inside the folder of version ${segments[2]}`;
  return null;
}

/**
 * What places a version's artifact: its model, the folder of its upload, the URI it was registered by, and whether
 * it is one file or a folder.
 */
export interface ArtifactPlace {
  id: string;
  modelId: string;
  artifactSourceUri: string | null;
  artifactStoragePath: string;
  artifactLayout: ArtifactLayout;
}

/**
 * The key of one file of a version's artifact in the registry's store when the registry may serve and verify it:
 * its upload (the file `path` of the version's folder; a single file's is `artifact`), or a reference to an object
 * of its own model (referenceRefusal; a reference is always a single file). null for a reference outside the store
 * — and for one into it that breaks the rule, as a row written before the rule may: such a row is answered as if it
 * pointed elsewhere, and the object it names is never read for it.
 */
export function storeKeyOf(store: ArtifactStore, version: ArtifactPlace, path: string = SINGLE_FILE_PATH): string | null {
  if (!version.artifactSourceUri) return fileKey(version.artifactStoragePath, path);
  const key = store.keyOf(version.artifactSourceUri);
  return key !== null && referenceRefusal(key, version.modelId) === null ? key : null;
}

/**
 * What an artifact job names as the version's artifact: a folder's storage path (models/<id>/<n>/, every file
 * under it), or a single file's key (storeKeyOf). null when the registry may not touch it.
 */
export function rootKeyOf(store: ArtifactStore, version: ArtifactPlace): string | null {
  return version.artifactLayout === ArtifactLayout.FOLDER ? version.artifactStoragePath : storeKeyOf(store, version);
}

/**
 * One range of a `Range: bytes=…` header against an object of `size` bytes: `bytes=0-99`, `bytes=100-`,
 * `bytes=-500` (the last 500). null for no header; 'UNSATISFIABLE' for a range past the end (HTTP 416).
 * Several ranges in one header are refused: artifacts are fetched whole or resumed, never multipart.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'UNSATISFIABLE' {
  if (header === undefined || header === '') return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === ''))
    throw badInput('range', 'must be one range: bytes=<start>-<end>, bytes=<start>- or bytes=-<length>');
  if (match[1] === '') {
    const length = Number(match[2]);
    if (length === 0 || size === 0) return 'UNSATISFIABLE';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || (match[2] !== '' && Number(match[2]) < start)) return 'UNSATISFIABLE';
  return { start, end };
}

/** A sha256 as an upload may declare it in `X-Artifact-Sha256`: 64 hex digits, any case. */
export function declaredSha256(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  if (!/^[0-9a-fA-F]{64}$/.test(header.trim())) throw badInput('x-artifact-sha256', 'must be the sha256 of the artifact: 64 hex digits');
  return header.trim().toLowerCase();
}

/** Content-Length as a byte count, when the client sent one. */
export function declaredLength(header: string | undefined): number | null {
  if (header === undefined || header === '') return null;
  if (!/^\d{1,16}$/.test(header)) throw badInput('content-length', 'must be a byte count');
  return Number(header);
}

/** How long a client is asked to wait before uploading again to a store that could not take a file (Retry-After). */
export const STORE_RETRY_AFTER_SECONDS = 60;

const STORE_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on its device',
  EDQUOT: 'over its disk quota',
  EROFS: 'its file system is read-only',
  EIO: 'an input/output error',
  ECONNREFUSED: 'it refused the connection',
  ECONNRESET: 'it dropped the connection',
  ETIMEDOUT: 'it did not answer in time',
  ENOTFOUND: 'its address does not resolve',
  EAI_AGAIN: 'its address does not resolve',
};

/**
 * Why the store could not take a write that was not the upload's fault — a full or read-only disk, an S3 endpoint
 * that is down or answering 5xx — or null when the error is something else (the client went away, the meter refused).
 */
export function storeUnavailability(err: unknown): string | null {
  const e = err as { code?: string; name?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e?.code && STORE_ERRORS[e.code]) return STORE_ERRORS[e.code];
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return `it answered HTTP ${status}${e.name ? ` (${e.name})` : ''}`;
  if (e?.name === 'SlowDown' || e?.name === 'ServiceUnavailable') return `it answered ${e.name}`;
  return e?.cause && e.cause !== err ? storeUnavailability(e.cause) : null;
}
