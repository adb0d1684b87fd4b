import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpRoute } from '../../common/http-route';
import type { ArtifactService } from './artifact.service';
import { ArtifactLayout } from '../versions';
import { attachment, declaredLength, declaredSha256, parseRange } from './artifact.rules';

const one = (header: string | string[] | undefined): string | undefined => (Array.isArray(header) ? header[0] : header);

type Request = Parameters<HttpRoute['handle']>[0];

/** The file a request names after /artifacts/<versionId>/ (express hands the path's segments over decoded), or null. */
const pathOf = (request: Request): string | null => {
  const segments = (request.params as unknown as { path?: string[] | string }).path;
  if (segments === undefined) return null;
  return Array.isArray(segments) ? segments.join('/') : segments;
};

/**
 * PUT /artifacts/<versionId>/<path>: one file of the version's artifact as the request body (any length, streamed),
 * with its sha256 in `X-Artifact-Sha256` when the registration did not declare it. PUT /artifacts/<versionId>: the
 * artifact's only file (a single-file artifact, as always). CONTRIBUTE on the model (checked by the service, so a
 * grant counts as much as the token's role). GET /artifacts/<versionId>[/<path>]: the bytes back (VIEW), with the
 * file's digest in `X-Artifact-Sha256`, `Digest` and `ETag`, and `Range: bytes=…` answered 206.
 */
export function artifactRoutes(artifacts: ArtifactService): HttpRoute[] {
  const upload: HttpRoute['handle'] = async (request, response, caller) => {
    const declared = {
      sha256: declaredSha256(one(request.headers['x-artifact-sha256'])),
      sizeBytes: declaredLength(one(request.headers['content-length'])),
    };
    const path = pathOf(request);
    const { version, file } = await artifacts.upload(caller, request.params.versionId, request, declared, path);
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        path === null
          ? {
              versionId: version.id,
              status: version.artifactStatus,
              sha256: version.artifactSha256,
              sizeBytes: Number(version.artifactSizeBytes),
              storagePath: version.artifactStoragePath,
            }
          : {
              versionId: version.id,
              path: file.path,
              status: file.status,
              sha256: file.sha256,
              sizeBytes: Number(file.sizeBytes),
              artifact: {
                status: version.artifactStatus,
                sha256: version.artifactSha256,
                sizeBytes: version.artifactSizeBytes === null ? null : Number(version.artifactSizeBytes),
              },
            },
      ),
    );
  };
  const download: HttpRoute['handle'] = async (request, response, caller) => {
    const out = await artifacts.download(
      caller,
      request.params.versionId,
      (size) => parseRange(one(request.headers.range), size),
      pathOf(request),
    );
    const sha256 = out.file.sha256 as string;
    const headers = {
      'accept-ranges': 'bytes',
      etag: `"${sha256}"`,
      'x-artifact-sha256': sha256,
      digest: `sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`,
    };
    if (out.unsatisfiable) {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${out.size}`, 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errors: [{ message: `the artifact has ${out.size} bytes`, extensions: { code: 'BAD_USER_INPUT', field: 'range' } }],
        }),
      );
      return;
    }
    const { range } = out;
    const name =
      out.version.artifactLayout === ArtifactLayout.FOLDER
        ? (out.file.path.split('/').pop() as string)
        : `model-${out.version.version}.${out.version.artifactFormat.toLowerCase()}`;
    response.writeHead(range ? 206 : 200, {
      ...headers,
      'content-type': 'application/octet-stream',
      'content-disposition': attachment(name),
      'content-length': String(out.length),
      ...(range ? { 'content-range': `bytes ${range.start}-${range.start + out.length - 1}/${out.size}` } : {}),
    });
    // Never more bytes than announced: the excess would be read as the next response on a kept-alive connection.
    await pipeline(out.body, new ExactLength(out.length), response);
  };
  return [
    { method: 'PUT', path: '/artifacts/:versionId', handle: upload },
    { method: 'GET', path: '/artifacts/:versionId', handle: download },
    { method: 'PUT', path: '/artifacts/:versionId/*path', handle: upload },
    { method: 'GET', path: '/artifacts/:versionId/*path', handle: download },
  ];
}

/**
 * Passes exactly `length` bytes on, for a body whose Content-Length is already announced. A source that brings
 * more fails before the excess is written (on a kept-alive connection it would be read as the start of the next
 * response), and one that ends short fails too: either way the response is broken off, never completed wrong.
 */
export class ExactLength extends Transform {
  private passed = 0;

  constructor(private readonly length: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.passed + chunk.length > this.length) {
      callback(new Error(`the object grew while it was read: more than the ${this.length} bytes announced`));
      return;
    }
    this.passed += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.passed === this.length ? null : new Error(`the object shrank while it was read: ${this.passed} of ${this.length} bytes`));
  }
}
