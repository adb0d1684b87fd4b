import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactStore, ByteRange, StoredBytes, StoredObject } from './artifact-store';

/** Suffix of a file being written: never listed, never read as an artifact. */
const PARTIAL = '.partial-';

/**
 * Artifacts as files under one folder (the default, under the data folder). A write goes to a partial file
 * beside its target and is renamed into place once complete, so a reader never sees half an artifact.
 */
export class FilesystemArtifactStore implements ArtifactStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `folder ${root}`;
  }

  async write(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}${PARTIAL}${randomUUID()}`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
      await fs.rename(partial, target);
    } catch (err) {
      await fs.rm(partial, { force: true });
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<StoredBytes | null> {
    // Sizes from the open file, not from its path: a write renames a new file into place, and the bytes read must
    // be those of the file measured.
    const handle = await fs.open(this.pathOf(key), 'r').catch(() => null);
    if (!handle) return null;
    const stat = await handle.stat().catch(() => null);
    if (!stat?.isFile()) {
      await handle.close();
      return null;
    }
    // Never past the size measured, even if the file grows in place while it is read.
    const total = stat.size;
    const start = range?.start ?? 0;
    const size = Math.max(0, Math.min(range?.end ?? total - 1, total - 1) - start + 1);
    if (size === 0) {
      await handle.close();
      return { body: Readable.from([]), size, total };
    }
    return { body: handle.createReadStream({ start, end: start + size - 1 }), size, total };
  }

  async stat(key: string): Promise<StoredObject | null> {
    const stat = await fs.stat(this.pathOf(key)).catch(() => null);
    return stat?.isFile() ? { key, size: stat.size, modified: stat.mtime } : null;
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const start = this.pathOf(prefix.endsWith('/') ? prefix : path.posix.dirname(prefix) + '/');
    const walk = async function* (dir: string): AsyncIterable<string> {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(full);
        else if (entry.isFile() && !entry.name.includes(PARTIAL)) yield full;
      }
    };
    for await (const file of walk(start)) {
      const key = path.relative(this.root, file).split(path.sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const stat = await fs.stat(file).catch(() => null);
      if (stat) yield { key, size: stat.size, modified: stat.mtime };
    }
  }

  keyOf(uri: string): string | null {
    if (!uri.startsWith('file://')) return null;
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return null;
    }
    const relative = path.relative(this.root, file);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return null;
    return relative.split(path.sep).join('/');
  }

  uriOf(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  /** The file of a key; a key that would leave the folder (`..`, absolute) is refused. */
  private pathOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (file !== this.root && !file.startsWith(this.root + path.sep)) throw new Error(`artifact key outside the store: ${key}`);
    return file;
  }
}
