import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received<T> {
  /** Every result received so far, in order. */
  items: T[];
  /** Errors the server sent for the operation. */
  errors: unknown[];
  /** Resolves once at least `n` items arrived (fails after `ms`). */
  waitFor(n: number, ms?: number): Promise<T[]>;
  /** Ends the subscription and closes the socket. */
  close(): Promise<void>;
  client: Client;
  /** The close event of the socket, once it closed. */
  closed: Promise<{ code: number; reason: string }>;
  completed: Promise<void>;
}

/**
 * A graphql-ws client subscribed to one operation over a real websocket, collecting what it receives;
 * `field` picks the subscription's field from each result.
 */
export function subscribe<T>(
  baseUrl: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  field?: string,
): Received<T> {
  let closedResolve: (e: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedResolve = resolve));
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => closedResolve(event as { code: number; reason: string }) },
  });
  const items: T[] = [];
  const errors: unknown[] = [];
  let completedResolve: () => void = () => undefined;
  const completed = new Promise<void>((resolve) => (completedResolve = resolve));
  client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) items.push(field ? result.data[field] : (result.data as unknown as T));
      },
      error: (err) => {
        // Operation errors come as a list of GraphQL errors; a socket problem as one error or close event.
        if (Array.isArray(err)) errors.push(...err);
        else errors.push(err);
        completedResolve();
      },
      complete: () => completedResolve(),
    },
  );
  return {
    items,
    errors,
    client,
    closed,
    completed,
    waitFor: async (n, ms = 10_000) => {
      const deadline = Date.now() + ms;
      while (items.length < n) {
        if (Date.now() > deadline) throw new Error(`received ${items.length} of ${n} in ${ms} ms; errors: ${JSON.stringify(errors)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return items;
    },
    close: async () => {
      await client.dispose();
    },
  };
}

/** A message the server sent over graphql-transport-ws. */
export interface Frame {
  id?: string;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload?: any;
}

export interface RawSocket {
  ws: WebSocket;
  /** Every message the server sent, in order. */
  frames: Frame[];
  /** Acknowledged (connection_ack), or closed instead (with the close code). */
  opened: Promise<{ acknowledged: true } | { acknowledged: false; code: number; reason: string }>;
  closed: Promise<{ code: number; reason: string }>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** Ends the operation `id` (graphql-ws `complete` from the client). */
  complete(id: string): void;
  /** The frames of one type (`next`, `error`, `complete`), optionally of one operation. */
  of(type: string, id?: string): Frame[];
  /** Waits until `check` holds (fails after `ms`). */
  until(check: () => boolean, ms?: number, what?: string): Promise<void>;
  close(): Promise<{ code: number; reason: string }>;
}

/**
 * A websocket speaking graphql-transport-ws by hand, authenticated with `token`: for what a well-behaved client
 * never does (thousands of subscribe messages at once) and for reading every frame the server answers.
 */
export function openSocket(baseUrl: string, token: string): RawSocket {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const frames: Frame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<{ acknowledged: true } | { acknowledged: false; code: number; reason: string }>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      frames.push(frame);
      if (frame.type === 'connection_ack') resolve({ acknowledged: true });
    });
    void closed.then((close) => resolve({ acknowledged: false, ...close }));
  });
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
  ws.on('error', () => undefined); // a refused connection shows as its close
  const of = (type: string, id?: string) => frames.filter((f) => f.type === type && (id === undefined || f.id === id));
  return {
    ws,
    frames,
    opened,
    closed,
    of,
    subscribe: (id, query, variables = {}) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    complete: (id) => ws.send(JSON.stringify({ id, type: 'complete' })),
    until: async (check, ms = 10_000, what = 'a condition') => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline)
          throw new Error(`timed out after ${ms} ms waiting for ${what}; last frames: ${JSON.stringify(frames.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      if (ws.readyState !== WebSocket.CLOSED) ws.close();
      return closed;
    },
  };
}
