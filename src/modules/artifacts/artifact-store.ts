import type { Readable } from 'node:stream';

/** An object in an artifact store. */
export interface StoredObject {
  key: string;
  size: number;
  modified: Date;
}

/** What a read answers: the bytes, and how many there are. */
export interface StoredBytes {
  body: Readable;
  /** Bytes in `body`. */
  size: number;
  /** Bytes in the whole object. */
  total: number;
}

/** Bytes start..end, both included (as HTTP ranges count). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where artifacts live: the local filesystem or an S3-compatible store. Keys are relative paths such as
 * `models/<model id>/<version>/artifact` (a single file) or `models/<model id>/<version>/<path>` (a folder's files); cold storage is the same store under another prefix or bucket.
 * Writes are all or nothing: an object appears under its key only once all its bytes are in.
 */
export interface ArtifactStore {
  /** For logs and errors: where this is (a folder, an endpoint and a bucket). */
  readonly description: string;
  /** The longest key, in bytes of UTF-8, this store can keep, when it has a limit (S3: 1,024 with its prefix). */
  readonly maxKeyBytes?: number;
  /** Streams `body` into `key`, replacing what was there; never holds the whole body in memory. */
  write(key: string, body: Readable): Promise<void>;
  /**
   * The object's bytes, or the range of them (a range past its end reads nothing); null when there is no such
   * object. `size` counts the bytes of `body`, `total` the whole object's, both of the object as it is stored at
   * the moment `body` was opened: a reader frames its answer by them, never by what a record says.
   */
  read(key: string, range?: ByteRange): Promise<StoredBytes | null>;
  stat(key: string): Promise<StoredObject | null>;
  /** Removes the object; no error when it is already gone. */
  remove(key: string): Promise<void>;
  /** Every object under the prefix. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** The key of a URI that points into this store (file://… under its folder, s3://<its bucket>/…), or null. */
  keyOf(uri: string): string | null;
  /** The URI of a key, as keyOf reads it back. */
  uriOf(key: string): string;
}
