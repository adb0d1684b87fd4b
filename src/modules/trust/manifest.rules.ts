/**
 * The signed manifest against the stored files (spec §8.4, §8.5): every resource names a stored file and its digest is
 * the stored one; every stored file is signed, but for the exclusions (§6.2): `.git`, `.gitignore`, `.gitattributes`
 * and `.github` as top-level components, each of `serialization.ignore_paths` as an exact relative path (and the subtree
 * below it), and the signature file itself.
 *
 * The registry keeps one SHA-256 per file, so `files` with `sha256` is compared with what is stored, without reading
 * a byte. `shards` has one digest per byte range: it is checked against the stored sizes, then against the digests of
 * each range re-read from the store through the caller's `shardDigests`, and refused without one. `blake2b` and
 * `blake3` are refused: checking them would mean re-reading every byte of the model.
 */
import { parseShardName, type ResourceDescriptor, type Serialization } from './statement.rules';
import { compareCodePoints, quote, refuse } from './trust.rules';

/** A file of the model as the registry stores it. */
export interface StoredFile {
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** Reads a stored file again: the lowercase-hex SHA-256 of each `shardSize`-byte range, in order (the last may be shorter). */
export type ShardDigests = (path: string, shardSize: number) => Promise<ReadonlyArray<string>>;

/** Excluded by default, as top-level components of the model root (§6.2). */
export const DEFAULT_IGNORED = ['.git', '.gitignore', '.gitattributes', '.github'] as const;
/** The bundle's file name beside the model (§9). */
export const DEFAULT_SIGNATURE_PATH = 'model.sig';

export interface ManifestOptions {
  readonly signaturePath: string;
  /** The spec's `--ignore-unsigned-files`: stored files the manifest does not list are reported, not refused. */
  readonly ignoreUnsignedFiles: boolean;
  readonly shardDigests?: ShardDigests;
}

export interface ManifestResult {
  /** Stored files that are neither signed nor excluded (only when `ignoreUnsignedFiles`; otherwise they refuse). */
  readonly unsignedFiles: readonly string[];
}

const DEFAULTS = new Set<string>(DEFAULT_IGNORED);

/** Whether a stored path is outside the signing scope. Linear in the path's length times its depth. */
export function isExcluded(path: string, ignorePaths: ReadonlySet<string>, signaturePath: string): boolean {
  if (path === signaturePath) return true;
  const slash = path.indexOf('/');
  if (DEFAULTS.has(slash === -1 ? path : path.slice(0, slash))) return true;
  if (ignorePaths.has(path)) return true;
  for (let at = slash; at !== -1; at = path.indexOf('/', at + 1)) if (ignorePaths.has(path.slice(0, at))) return true;
  return false;
}

/** An ignore path as a stored path would spell it: without a leading `./` or trailing `/`. */
const normaliseIgnorePath = (p: string): string => p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

/** Before any cryptography: what this registry cannot check at all. */
export function checkSupported(serialization: Serialization, options: Pick<ManifestOptions, 'shardDigests'>): void {
  if (serialization.hashType !== 'sha256')
    refuse(
      'manifest',
      'predicate.serialization.hash_type',
      `hash_type ${serialization.hashType}: this registry keeps sha256 digests; re-sign with hash_type sha256`,
    );
  if (serialization.method === 'shards' && !options.shardDigests)
    refuse(
      'manifest',
      'predicate.serialization.method',
      'the bundle signs shards (one digest per byte range) and this registry keeps one sha256 per file: re-sign with method files, or verify where the stored bytes can be re-read',
    );
}

function problems(kind: string, first: string, count: number): string {
  return count > 1 ? `${first} (and ${count - 1} more ${kind})` : first;
}

/** Compares the manifest with the stored files, or refuses naming the first file (in name order) that differs. */
export async function compareManifest(
  resources: readonly ResourceDescriptor[],
  serialization: Serialization,
  files: ReadonlyArray<StoredFile>,
  options: ManifestOptions,
): Promise<ManifestResult> {
  checkSupported(serialization, options);
  const ignorePaths = new Set(serialization.ignorePaths.map(normaliseIgnorePath));
  const stored = new Map<string, StoredFile>();
  for (const f of files) stored.set(f.path, f);
  const signed =
    serialization.method === 'files'
      ? compareFiles(resources, stored)
      : await compareShards(resources, stored, serialization.shardSize!, options);
  const unsigned = [...stored.keys()]
    .filter((path) => !signed.has(path) && !isExcluded(path, ignorePaths, options.signaturePath))
    .filter((path) => serialization.method === 'files' || stored.get(path)!.sizeBytes > 0)
    .sort(compareCodePoints);
  if (unsigned.length > 0 && !options.ignoreUnsignedFiles)
    refuse('manifest', unsigned[0], problems('unsigned files', `${quote(unsigned[0])} is stored but not signed`, unsigned.length));
  return { unsignedFiles: options.ignoreUnsignedFiles ? unsigned : [] };
}

function compareFiles(resources: readonly ResourceDescriptor[], stored: ReadonlyMap<string, StoredFile>): Set<string> {
  const signed = new Set<string>();
  let missing: string | null = null;
  let missingCount = 0;
  let differs: string | null = null;
  let differsCount = 0;
  for (const r of resources) {
    signed.add(r.name);
    const file = stored.get(r.name);
    if (!file) {
      missing ??= r.name;
      missingCount += 1;
    } else if (file.sha256.toLowerCase() !== r.digest) {
      differs ??= r.name;
      differsCount += 1;
    }
  }
  if (differs !== null)
    refuse('manifest', differs, problems('files differ', `${quote(differs)} digest differs from the stored file's sha256`, differsCount));
  if (missing !== null)
    refuse('manifest', missing, problems('signed files are missing', `${quote(missing)} is signed but not stored`, missingCount));
  return signed;
}

async function compareShards(
  resources: readonly ResourceDescriptor[],
  stored: ReadonlyMap<string, StoredFile>,
  shardSize: number,
  options: ManifestOptions,
): Promise<Set<string>> {
  const byPath = new Map<string, Array<{ name: string; start: number; end: number; digest: string }>>();
  for (const r of resources) {
    const shard = parseShardName(r.name)!;
    const list = byPath.get(shard.path) ?? [];
    list.push({ name: r.name, start: shard.start, end: shard.end, digest: r.digest });
    byPath.set(shard.path, list);
  }
  const paths = [...byPath.keys()].sort(compareCodePoints);
  const missing = paths.filter((path) => !stored.has(path));
  if (missing.length > 0)
    refuse('manifest', missing[0], problems('signed files are missing', `${quote(missing[0])} is signed but not stored`, missing.length));
  for (const path of paths) {
    const shards = byPath.get(path)!.sort((a, b) => a.start - b.start);
    const size = stored.get(path)!.sizeBytes;
    const expected = Math.ceil(size / shardSize);
    const tiles =
      shards.length === expected && shards.every((s, i) => s.start === i * shardSize && s.end === Math.min((i + 1) * shardSize, size));
    if (!tiles)
      refuse(
        'manifest',
        path,
        `${quote(path)} is signed as ${shards.length} shards of ${shardSize} bytes up to byte ${shards[shards.length - 1].end}, but ${size} bytes are stored (${expected} shards)`,
      );
  }
  for (const path of paths) {
    const shards = byPath.get(path)!;
    const digests = await options.shardDigests!(path, shardSize);
    if (digests.length !== shards.length)
      throw new Error(`shardDigests(${path}) gave ${digests.length} digests for ${shards.length} shards`);
    const differs = shards.find((s, i) => digests[i].toLowerCase() !== s.digest);
    if (differs) refuse('manifest', differs.name, `${quote(differs.name)} digest differs from the stored bytes' sha256`);
  }
  return new Set(paths);
}
