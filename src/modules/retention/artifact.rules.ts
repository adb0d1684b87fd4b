import { badInput } from '../../common/errors';
import type { ByteRange } from './artifact-store';

/** The object of a version's artifact, under the storage path the registry assigned it (models/<id>/<n>/). */
export function artifactKey(storagePath: string): string {
  return `${storagePath}artifact`;
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
