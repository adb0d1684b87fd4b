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
