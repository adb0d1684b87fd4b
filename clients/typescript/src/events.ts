/**
 * Subscriptions as async iterators that survive a dropped connection: each item carries a cursor, and after a
 * disconnect the client subscribes again from the last cursor it handed out, so nothing is missed and nothing comes
 * twice (the server replays from a cursor with no gap). graphql-ws's own reconnection is off: it would resubscribe
 * with the first variables, from the first cursor.
 */
import { createClient, type Client } from 'graphql-ws/client';
import WebSocket from 'ws';
import { errorOf, ModelgraphError } from './errors';
import { sleep } from './http';

export interface StreamOptions {
  /** Stops the stream (the iterator ends quietly). */
  signal?: AbortSignal;
  /** Reconnections in a row before giving up (default: no limit); the backoff doubles up to 10 s. */
  maxReconnects?: number;
  /** Told of each reconnection, with the error that caused it. */
  onReconnect?: (error: ModelgraphError, attempt: number) => void;
}

/** A close code from the server, as the error a caller can act on. */
function closeError(event: { code?: number; reason?: string }): ModelgraphError {
  const reason = event.reason || `the connection closed (${event.code ?? 'no code'})`;
  if (event.code === 4401) return new ModelgraphError('UNAUTHENTICATED', reason);
  if (event.code === 4403) return new ModelgraphError('FORBIDDEN', reason);
  if (event.code === 4429) return new ModelgraphError('RATE_LIMITED', reason);
  return new ModelgraphError('NETWORK_ERROR', reason);
}

function errorOfSubscription(err: unknown): ModelgraphError {
  if (err instanceof ModelgraphError) return err;
  if (Array.isArray(err)) return errorOf({ errors: err });
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number')
    return closeError(err as { code: number; reason?: string });
  return new ModelgraphError('NETWORK_ERROR', (err as Error)?.message ?? String(err));
}

/**
 * Items of one subscription field, resumed from the last cursor across disconnects. Errors the server sends for the
 * operation (a bad argument, no right) end the stream with that error; a lost socket reconnects.
 */
export async function* resumableSubscription<T extends { cursor: string }>(
  wsUrl: string,
  token: string | undefined,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  options: StreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  let after = variables.after as string | undefined;
  let failures = 0;
  while (!options.signal?.aborted) {
    let client: Client | undefined;
    let closed: ModelgraphError | undefined;
    try {
      client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
        on: {
          closed: (event) => {
            closed = closeError(event as { code?: number; reason?: string });
          },
        },
      });
      const iterator = client.iterate<Record<string, T>>({ query, variables: { ...variables, after } });
      const stop = () => void iterator.return?.();
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const result of iterator) {
          if (result.errors?.length) throw errorOf({ errors: result.errors });
          const item = result.data?.[field];
          if (!item) continue;
          failures = 0;
          after = item.cursor;
          yield item;
        }
      } finally {
        options.signal?.removeEventListener('abort', stop);
      }
      // The server completed the operation (or we were stopped): nothing more will come.
      if (options.signal?.aborted || !closed) return;
      throw closed;
    } catch (err) {
      if (options.signal?.aborted) return;
      const error = errorOfSubscription(closed ?? err);
      if (!error.retryable) throw error;
      failures += 1;
      if (failures > (options.maxReconnects ?? Infinity)) throw error;
      options.onReconnect?.(error, failures);
      await sleep(Math.min(250 * 2 ** (failures - 1), 10_000), options.signal).catch(() => undefined);
    } finally {
      await client?.dispose();
    }
  }
}
