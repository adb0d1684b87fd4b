import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { ArtifactStore, ByteRange, StoredBytes, StoredObject } from './artifact-store';

export interface S3StoreOptions {
  bucket: string;
  /** Prepended to every key: several registries (or hot and cold) can share a bucket. */
  prefix: string;
  region: string;
  /** MinIO, s3rver, any S3-compatible endpoint; AWS when absent. */
  endpoint?: string;
  /** Path-style addressing (http://host/bucket/key), which MinIO and s3rver need. */
  forcePathStyle: boolean;
  /** Static credentials; the AWS default chain (environment, profile, instance role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Objects larger than one part go up as a multipart upload of parts this size, a few at a time. */
export const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/**
 * Artifacts in an S3-compatible bucket. Writes stream through a multipart upload (memory: a few parts, not the
 * object), and the object appears only when the upload completes.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly description: string;
  readonly maxKeyBytes: number;
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.description = `s3://${options.bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    // S3 keys are at most 1,024 bytes of UTF-8, the prefix included.
    this.maxKeyBytes = 1024 - Buffer.byteLength(options.prefix, 'utf8');
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
    });
  }

  async write(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.full(key), Body: body },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async read(key: string, range?: ByteRange): Promise<StoredBytes | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.full(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // One GET answers one version of the object: its length, and the whole object's in Content-Range.
      const size = Number(out.ContentLength ?? 0);
      const total = out.ContentRange ? Number(/\/(\d+)$/.exec(out.ContentRange)?.[1] ?? NaN) : size;
      if (!Number.isSafeInteger(total)) throw new Error(`${this.description} answered an unreadable Content-Range: ${out.ContentRange}`);
      return { body: out.Body as Readable, size, total };
    } catch (err) {
      if (missing(err)) return null;
      if (unsatisfiable(err)) {
        // A range past the end of the object: nothing to read, and how long the object is.
        const stat = await this.stat(key);
        return stat && { body: Readable.from([]), size: 0, total: stat.size };
      }
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.full(key) }));
      return { key, size: Number(out.ContentLength ?? 0), modified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.full(key) }));
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.full(prefix), ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.options.prefix.length), size: Number(o.Size ?? 0), modified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  keyOf(uri: string): string | null {
    const at = `s3://${this.options.bucket}/${this.options.prefix}`;
    return uri.startsWith(at) && uri.length > at.length ? uri.slice(at.length) : null;
  }

  uriOf(key: string): string {
    return `s3://${this.options.bucket}/${this.full(key)}`;
  }

  /** Stops the client's sockets (tests, shutdown). */
  close(): void {
    this.client.destroy();
  }

  private full(key: string): string {
    return `${this.options.prefix}${key}`;
  }
}

function missing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err instanceof NoSuchKey ||
    err instanceof NotFound ||
    e.name === 'NoSuchKey' ||
    e.name === 'NotFound' ||
    e.$metadata?.httpStatusCode === 404
  );
}

function unsatisfiable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'InvalidRange' || e.$metadata?.httpStatusCode === 416;
}
