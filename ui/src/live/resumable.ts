import { createClient, type Client } from 'graphql-ws';
import { getToken } from '../api';

export type LinkStatus = 'connecting' | 'live' | 'reconnecting';

/** One websocket for the page, authenticated with the pasted token; it does not retry on its own. */
export function liveClient(onStatus: (status: LinkStatus) => void): Client {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  return createClient({
    url,
    lazy: true,
    retryAttempts: 0,
    keepAlive: 15_000,
    connectionParams: () => ({ authorization: `Bearer ${getToken() ?? ''}` }),
    on: {
      connected: () => onStatus('live'),
      closed: () => onStatus('reconnecting'),
    },
  });
}

/**
 * A subscription that survives a dropped socket: when the stream breaks, it subscribes again after a pause,
 * with the cursor of the last event it received, so the server replays what was missed and nothing is
 * seen twice. Answers a function that ends it.
 */
export function resumableSubscription<T>(
  client: Client,
  query: string,
  variables: (after: string | undefined) => Record<string, unknown>,
  firstCursor: string | undefined,
  cursorOf: (event: T) => string,
  onEvent: (event: T) => void,
  onError: (message: string) => void,
): () => void {
  let after = firstCursor;
  let stopped = false;
  let unsubscribe = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pause = 500;
  const start = () => {
    if (stopped) return;
    unsubscribe = client.subscribe<T>(
      { query, variables: variables(after) },
      {
        next: (result) => {
          pause = 500;
          if (result.errors?.length) return onError(result.errors[0].message);
          for (const event of Object.values(result.data ?? {}) as T[]) {
            after = cursorOf(event);
            onEvent(event);
          }
        },
        error: (err) => {
          const refused = Array.isArray(err) ? err[0]?.message : undefined;
          if (refused) onError(refused);
          retry();
        },
        complete: () => retry(),
      },
    );
  };
  const retry = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(start, pause);
    pause = Math.min(pause * 2, 10_000);
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}

/** The cursor of an audit sequence number: where "from now on" starts, so a drop before the first event loses nothing. */
export function cursorAt(seq: number): string {
  return btoa(`event:${seq}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
