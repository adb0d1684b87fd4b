/**
 * A model on disk, as the registry takes it: one file, or a folder of files (a model folder), each with its size and
 * sha256. Hashing streams the file in chunks, so a 10 GB weight file costs a buffer, not 10 GB of memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ModelgraphError } from './errors';

export interface ManifestFile {
  /** Relative to the folder, `/`-separated; the file's own name for a single file. */
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface Manifest {
  /** A folder's files, in code point order (the registry's and OpenSSF Model Signing's order). */
  files: ManifestFile[];
  /** True for a folder (even of one file), false for a single file. */
  folder: boolean;
}

/**
 * Never part of a model folder: version control (as OpenSSF Model Signing ignores it by default) and `model.sig`,
 * the signature the registry keeps beside the files.
 */
export const IGNORED = new Set(['.git', '.gitignore', '.gitattributes', '.github', 'model.sig']);

/** The registry's path order: that of the paths' UTF-8 bytes. */
export const comparePaths = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export async function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

/** The files of a folder (recursively) or the one file at `target`, without hashing them. */
export async function listFiles(
  target: string,
): Promise<{ folder: boolean; files: Array<{ path: string; absolute: string; sizeBytes: number }> }> {
  const stat = await lstat(target).catch(() => null);
  if (!stat) throw new ModelgraphError('BAD_USER_INPUT', `${target}: no such file or folder`, { field: 'path' });
  if (stat.isFile()) return { folder: false, files: [{ path: path.basename(target), absolute: target, sizeBytes: stat.size }] };
  if (!stat.isDirectory()) throw new ModelgraphError('BAD_USER_INPUT', `${target}: neither a file nor a folder`, { field: 'path' });
  const files: Array<{ path: string; absolute: string; sizeBytes: number }> = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (prefix === '' && IGNORED.has(entry.name)) continue;
      const relative = prefix + entry.name;
      const absolute = path.join(dir, entry.name);
      // A symbolic link could point anywhere; OpenSSF Model Signing refuses them by default, and so does the client.
      if (entry.isSymbolicLink())
        throw new ModelgraphError('BAD_USER_INPUT', `${relative}: a symbolic link; copy the file into the folder instead`, {
          field: 'path',
        });
      if (entry.isDirectory()) await walk(absolute, `${relative}/`);
      else if (entry.isFile()) files.push({ path: relative, absolute, sizeBytes: (await lstat(absolute)).size });
    }
  };
  await walk(target, '');
  if (files.length === 0) throw new ModelgraphError('BAD_USER_INPUT', `${target}: the folder has no files`, { field: 'path' });
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { folder: true, files };
}

/** Every file's path, size and sha256. `onBytes` is told of each chunk hashed (for progress). */
export async function manifestOf(target: string, onBytes?: (n: number) => void): Promise<Manifest> {
  const listed = await listFiles(target);
  const files: ManifestFile[] = [];
  for (const f of listed.files) files.push({ path: f.path, sizeBytes: f.sizeBytes, sha256: await sha256File(f.absolute, onBytes) });
  return { folder: listed.folder, files };
}

/** A folder's sha256 as the registry and OpenSSF Model Signing compute it: over the files' raw digests, in path order. */
export function rootDigest(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => comparePaths(a.path, b.path))) hash.update(Buffer.from(f.sha256, 'hex'));
  return hash.digest('hex');
}
