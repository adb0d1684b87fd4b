/**
 * HTTP for the client: JSON requests with retries, and streamed PUTs of files. Node's own `http`/`https` for uploads,
 * so a file goes out as it is read, with its Content-Length, and progress is counted on the way.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { codeOfStatus, errorOf, ModelgraphError } from './errors';

export interface RetryOptions {
  /** Attempts after the first, on a network failure, a 502/503/504 or a 429 (default 3). */
  retries: number;
  /** The first backoff; it doubles each time, up to 10 s, or the server's Retry-After when it sent one. */
  delayMs: number;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Runs `attempt` again while it fails with a retryable error, with backoff; the last error is thrown. */
export async function withRetries<T>(options: RetryOptions, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ModelgraphError) || !err.retryable || n >= options.retries) throw err;
      const retryAfter = Number(err.extensions.retryAfterSeconds);
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : options.delayMs * 2 ** n;
      await sleep(Math.min(wait, 10_000));
    }
  }
}

/** The body of an answer as JSON, or a ModelgraphError saying what came instead. */
async function jsonOf(status: number, text: string, retryAfter: string | null): Promise<unknown> {
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // A proxy's own page (an HTML 502 from nginx while the server restarts): the status says what it is.
    if (status < 400) throw new ModelgraphError('BAD_RESPONSE', `HTTP ${status}: the answer is not JSON`, {}, status);
    const error = new ModelgraphError(codeOfStatus(status), `HTTP ${status} from the server or a proxy before it`, {}, status);
    if (retryAfter) error.extensions.retryAfterSeconds = Number(retryAfter);
    throw error;
  }
  if (status >= 400 && !(body as { data?: unknown })?.data) {
    const error = errorOf(body, status);
    if (retryAfter) error.extensions.retryAfterSeconds = Number(retryAfter);
    throw error;
  }
  return body;
}

export async function postJson(url: string, headers: Record<string, string>, body: unknown, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ModelgraphError('NETWORK_ERROR', `cannot reach ${url}: ${causeOf(err)}`);
  }
  return jsonOf(response.status, await response.text(), response.headers.get('retry-after'));
}

export async function getHeaders(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers }> {
  try {
    const response = await fetch(url, { headers: { ...headers, range: 'bytes=0-0' } });
    await response.body?.cancel();
    return { status: response.status, headers: response.headers };
  } catch (err) {
    throw new ModelgraphError('NETWORK_ERROR', `cannot reach ${url}: ${causeOf(err)}`);
  }
}

/** PUTs a file as it is read from disk; `onBytes` hears of every chunk sent. Answers the server's JSON. */
export function putFile(
  url: string,
  headers: Record<string, string>,
  file: string,
  sizeBytes: number,
  onBytes?: (n: number) => void,
): Promise<unknown> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(target, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(sizeBytes) },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        jsonOf(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), (response.headers['retry-after'] as string) ?? null).then(
          resolve,
          reject,
        ),
      );
      response.on('error', (err) => reject(new ModelgraphError('NETWORK_ERROR', `upload of ${file} broke: ${err.message}`)));
    });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    // A refusal may come before the body is all sent (the server stops reading): the answer, not the write error, wins.
    pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), counter, request).catch((err: Error) => {
      setTimeout(() => reject(new ModelgraphError('NETWORK_ERROR', `upload of ${file} broke: ${err.message}`)), 1000).unref();
    });
  });
}

const causeOf = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
};
