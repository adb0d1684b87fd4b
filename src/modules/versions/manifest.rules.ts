import { createHash } from 'node:crypto';
import { badInput } from '../../common/errors';
import { ArtifactStatus } from './version.enums';

/**
 * A version's artifact is a manifest of files (a model folder: an MLflow model's `MLmodel`, `conda.yaml` and
 * `model.pkl`; a Hugging Face model's config, shards and tokenizer), each with its size and sha256. A single-file
 * artifact is a folder of one, whose file is named SINGLE_FILE_PATH. These are the manifest's rules: the paths as
 * OpenSSF Model Signing (OMS v1.0, section 6.1.2) canonicalises them, the bounds, the root digest (section 6.5.1)
 * and the version's status from its files'. Pure: unit-tested in test/unit/manifest.rules.test.ts.
 */

/** At most this many files in one artifact. */
export const MAX_FILES = 10_000;
/** A path is at most this many bytes of UTF-8, once normalised. */
export const MAX_PATH_BYTES = 1024;
/** A segment of a path (a file or folder name) is at most this many bytes of UTF-8, as most filesystems allow. */
export const MAX_SEGMENT_BYTES = 255;
/** The file of a single-file artifact (registered without a manifest, or by reference): its object's name since ever. */
export const SINGLE_FILE_PATH = 'artifact';
/** Paths at the folder's root that are not the model's files: `model.sig`, the OMS signature bundle. */
export const RESERVED_PATHS: readonly string[] = ['model.sig'];

/** A file as a manifest declares it: its size, and its sha256 unless the upload declares it (X-Artifact-Sha256). */
export interface ManifestFileInput {
  path: string;
  sizeBytes: number;
  sha256?: string | null;
}

/** A file of a manifest once checked: its path normalised. */
export interface ManifestFile {
  path: string;
  sizeBytes: number;
  sha256: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** C0 controls (NUL among them), DEL and C1 controls: never part of a file name a reader can check. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional controls make what a reviewer reads differ from what is stored ("Trojan Source"). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A file's path as the registry keeps it, or BAD_USER_INPUT naming `field`. As OMS canonicalises (6.1.2): `/`
 * separates, a leading `./`, interior `.` segments and repeated `/` collapse (`./a//b/./c` is `a/b/c`), and
 * comparison is byte-exact (case-sensitive, no Unicode normalisation). Refused: an empty path, an absolute one
 * (leading `/`), one that names a folder (trailing `/` or `.`), a `..` segment, a backslash (a Windows separator
 * whose meaning would depend on the client), NUL and control characters, bidirectional controls, text that is not
 * valid UTF-8 (an unpaired surrogate), a segment over 255 bytes or a path over 1,024, and `model.sig` at the root.
 * normalisePath('./weights//model.onnx', 'path') → 'weights/model.onnx'
 */
export function normalisePath(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw === '') throw badInput(field, 'must name a file: it is empty');
  if (LONE_SURROGATE.test(raw)) throw badInput(field, 'must be valid UTF-8: it has an unpaired surrogate');
  if (CONTROL.test(raw)) throw badInput(field, 'must not contain NUL or control characters (U+0000–U+001F, U+007F–U+009F)');
  if (BIDI_CONTROLS.test(raw)) throw badInput(field, 'must not contain bidirectional control characters');
  if (raw.includes('\\')) throw badInput(field, 'must separate folders with /, not \\');
  if (raw.startsWith('/')) throw badInput(field, 'must be relative to the folder: no leading /');
  const segments = raw.split('/');
  const last = segments[segments.length - 1];
  if (last === '' || last === '.') throw badInput(field, 'must name a file, not a folder: no trailing / or /.');
  if (segments.includes('..')) throw badInput(field, 'must not contain .. segments');
  const kept = segments.filter((s) => s !== '' && s !== '.');
  for (const segment of kept) {
    if (utf8Bytes(segment) > MAX_SEGMENT_BYTES) throw badInput(field, `each folder or file name is at most ${MAX_SEGMENT_BYTES} bytes`);
  }
  const path = kept.join('/');
  if (utf8Bytes(path) > MAX_PATH_BYTES) throw badInput(field, `must be at most ${MAX_PATH_BYTES} bytes of UTF-8`);
  if (RESERVED_PATHS.includes(path))
    throw badInput(field, `${path} at the folder's root is reserved for the model's signature bundle (OMS), not a file of the model`);
  return path;
}

/**
 * The manifest of a registration, checked and normalised, in the order given; BAD_USER_INPUT naming the field
 * (`artifact.files`, `artifact.files[3].path`, …) at the first mistake. Between one and MAX_FILES files; each path
 * valid (normalisePath) and given once after normalisation; no path both a file and a folder of another (`a` and
 * `a/b`: no folder can hold both); sizes whole numbers of bytes; sha256s, when declared, 64 lowercase hex digits.
 */
export function validateManifest(files: readonly ManifestFileInput[], field = 'artifact.files'): ManifestFile[] {
  if (!Array.isArray(files) || files.length === 0) throw badInput(field, 'list at least one file');
  if (files.length > MAX_FILES) throw badInput(field, `an artifact has at most ${MAX_FILES.toLocaleString('en-US')} files`);
  const seen = new Map<string, number>();
  let total = 0;
  const checked = files.map((file, i) => {
    const at = `${field}[${i}]`;
    const path = normalisePath(file.path, `${at}.path`);
    const first = seen.get(path);
    if (first !== undefined) throw badInput(`${at}.path`, `names ${path} again (${field}[${first}].path, once normalised)`);
    seen.set(path, i);
    if (!Number.isSafeInteger(file.sizeBytes) || file.sizeBytes < 0) throw badInput(`${at}.sizeBytes`, 'must be a non-negative integer');
    total += file.sizeBytes;
    if (!Number.isSafeInteger(total)) throw badInput(`${at}.sizeBytes`, 'the files add up to more bytes than can be counted exactly');
    const sha256 = file.sha256 ?? null;
    if (sha256 !== null && !SHA256.test(sha256)) throw badInput(`${at}.sha256`, 'must be a sha256 digest: 64 lowercase hex characters');
    return { path, sizeBytes: file.sizeBytes, sha256 };
  });
  checked.forEach(({ path }, i) => {
    for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
      const folder = seen.get(path.slice(0, cut));
      if (folder !== undefined)
        throw badInput(`${field}[${i}].path`, `is inside ${path.slice(0, cut)}/, which ${field}[${folder}].path names as a file`);
    }
  });
  return checked;
}

/** Paths in code point order (the order of their UTF-8 bytes, PostgreSQL's COLLATE "C"): OMS sorts resources so. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The OMS root digest of a manifest (section 6.5.1, the statement's subject digest): sha256 over the raw bytes of
 * every file's sha256, concatenated in the order of their paths (code point order). A folder's sha256 is this.
 */
export function rootDigest(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  const sorted = files.map((f) => ({ key: Buffer.from(f.path, 'utf8'), sha256: f.sha256 })).sort((a, b) => Buffer.compare(a.key, b.key));
  const hash = createHash('sha256');
  for (const f of sorted) hash.update(Buffer.from(f.sha256, 'hex'));
  return hash.digest('hex');
}

/**
 * The status of an artifact from its files': FAILED when one failed, PENDING_UPLOAD while one has yet to arrive,
 * READY when every file is; COLD only when every file is (a move in progress leaves it READY), DELETED likewise.
 */
export function manifestStatus(counts: Partial<Record<ArtifactStatus, number>>): ArtifactStatus {
  for (const status of [ArtifactStatus.FAILED, ArtifactStatus.PENDING_UPLOAD, ArtifactStatus.READY, ArtifactStatus.COLD]) {
    if ((counts[status] ?? 0) > 0) return status;
  }
  return (counts[ArtifactStatus.DELETED] ?? 0) > 0 ? ArtifactStatus.DELETED : ArtifactStatus.PENDING_UPLOAD;
}
