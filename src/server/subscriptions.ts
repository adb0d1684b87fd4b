import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  validate,
  getOperationAST,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Principal } from '../common/role';
import type { RequestContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { enforceLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import type { GraphQLApplication } from './application';

/** How often open sockets' tokens are checked: a revoked token's streams end within this. */
const TOKEN_CHECK_MS = 2000;
/** Distinct operation texts kept parsed and validated (the oldest is dropped beyond). */
const MAX_DOCUMENTS = 1000;
/** Bytes a socket may hold unwritten before a send waits until its frame is written (see BatchingWebSocket). */
const EARLY_ACK_BYTES = 256 * 1024;

/** Sockets corked by BatchingWebSocket, uncorked together once this turn of the event loop is done. */
const corked = new Set<Socket>();
const uncorkAll = () => {
  for (const socket of corked) socket.uncork();
  corked.clear();
};

/**
 * A websocket whose frames sent within one turn of the event loop leave in one write. A committed batch
 * of events reaches every subscriber in the same turn, and graphql-ws sends each event as a frame of its
 * own, waiting for each send to complete before the next: one write system call per frame (on a 2-core
 * machine 30-40 µs each, the largest part of a delivery, the loopback's TCP work included). Here the
 * socket is corked at its first frame and uncorked once the turn is done, and a send is reported done as
 * soon as its frame is queued: a subscriber several events behind gets them all in one write. A socket
 * with more than EARLY_ACK_BYTES unwritten (a slow reader) is reported done only once its frame is written,
 * so graphql-ws waits for it as before and the dispatcher's queue limit still applies. Order is unchanged.
 */
class BatchingWebSocket extends WebSocket {
  override send(data: unknown, options?: object | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    if (typeof options === 'function') [cb, options] = [options as (err?: Error) => void, {}];
    const socket = (this as unknown as { _socket: Socket | null })._socket;
    if (!socket || this.readyState !== WebSocket.OPEN) return super.send(data as Buffer, options ?? {}, cb);
    if (!corked.has(socket)) {
      if (corked.size === 0) setImmediate(uncorkAll);
      socket.cork();
      corked.add(socket);
    }
    if (!cb || socket.writableLength > EARLY_ACK_BYTES) return super.send(data as Buffer, options ?? {}, cb);
    // A failed write destroys the socket: graphql-ws learns of it from the close that follows.
    super.send(data as Buffer, options ?? {}, () => undefined);
    process.nextTick(cb);
  }
}

type Extra = { socket: WebSocket; request: http.IncomingMessage; principal?: Principal } & Record<PropertyKey, unknown>;

export interface SubscriptionServer {
  /** Open sockets. */
  readonly size: number;
  /** Stops accepting, closes every socket with 1001 (going away): clients reconnect elsewhere and resume by cursor. */
  close(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's `/graphql`: authenticated in `connection_init` with the same API tokens
 * (a bad token closes with 4403, no init in time with 4408), origins checked on the upgrade when an
 * allow-list is set, frames over the limit refused, the query limits applied to every operation, a fresh
 * context (and loaders) per operation, and a revoked token's sockets closed within seconds.
 */
export function attachSubscriptions(
  httpServer: http.Server,
  application: GraphQLApplication,
  config: Pick<Config, 'limits' | 'events'>,
  logger: Logger,
): SubscriptionServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.events.maxFrameBytes, WebSocket: BatchingWebSocket });
  const formatError = createErrorFormatter((err) => logger.error({ err }, 'internal error in a subscription'));

  const upgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const origin = request.headers.origin;
    const refused = path !== '/graphql' ? '404 Not Found' : originRefused(origin, config.events.allowedOrigins) ? '403 Forbidden' : null;
    if (refused) {
      socket.end(`HTTP/1.1 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  httpServer.on('upgrade', upgrade);

  /** Who each open socket authenticated as, for the token check below. */
  const principals = new WeakMap<WebSocket, Principal>();

  // Thousands of sockets subscribe with the same few operation texts. Each used to keep its own parsed
  // document (with every token and location: about 5 KB) for as long as it stayed open; now valid documents
  // are parsed and validated once and shared, and sharing one document object is also what lets one
  // execution per event serve every subscriber of the same operation (`executeOnce` below).
  const documents = new Map<string, DocumentNode>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let documentCount = 0;
  const documentOf = (query: string): DocumentNode | readonly GraphQLError[] => {
    const known = documents.get(query);
    if (known) return known;
    let document;
    try {
      document = parse(query, { maxTokens: config.limits.maxTokens });
    } catch (err) {
      return [err as GraphQLError];
    }
    const errors = validate(application.schema, document);
    if (errors.length) return errors;
    if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value as string);
    documents.set(query, document);
    documentCount += 1;
    documentIds.set(document, documentCount);
    return document;
  };

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: application.schema,
      connectionInitWaitTimeout: 3000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const given = params.authorization ?? params.Authorization ?? (params.token ? `Bearer ${String(params.token)}` : undefined);
        try {
          const principal = await application.authenticate(typeof given === 'string' ? given : undefined);
          ctx.extra.principal = principal;
          principals.set(ctx.extra.socket, principal);
          // The upgrade request (its headers and their strings, about 1 KB) is not needed once authenticated,
          // and graphql-ws would keep it for as long as the socket stays open.
          delete (ctx.extra as { request?: unknown }).request;
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const principal = ctx.extra.principal as Principal;
        const document = documentOf(payload.query);
        if (!('kind' in document)) return document as GraphQLError[];
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('no operation to run in the document')];
        try {
          enforceLimits(application.schema, document, operation, payload.variables ?? {}, config.limits);
        } catch (err) {
          return [err as GraphQLError];
        }
        const caller = { ...principal, requestId: randomUUID(), clientRequestId: null };
        const request = { requestId: randomUUID(), operationName: operation.name?.value };
        const contextValue = lazyLoaders(() => application.context(caller, request));
        return {
          schema: application.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        } satisfies ExecutionArgs;
      },
      // graphql-js's subscribe, but each event is executed once for all the subscribers that would get the same
      // result, instead of once per subscriber (see executeOnce).
      subscribe: async (args) => {
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return source;
        const { caller } = args.contextValue as RequestContext;
        const id = documentIds.get(args.document);
        // Joined (a flat string), not concatenated: a concatenation is kept as its parts while the subscription lives.
        const key =
          id === undefined
            ? null
            : [id, args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), caller.role, caller.subject].join('\n');
        return mapEvents(source, (event) => executeOnce(event, key, args));
      },
      // The same masking as over HTTP: domain errors keep their code, anything else is an internal error.
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
    },
    wss,
  );

  // A revoked or expired token's sockets close: one statement for every open socket.
  const check = setInterval(async () => {
    const open = [...wss.clients].map((ws) => ({ ws, principal: principals.get(ws) })).filter((s) => s.principal);
    if (!open.length) return;
    try {
      const active = await application.activeTokens([...new Set(open.map((s) => (s.principal as Principal).tokenId))]);
      for (const { ws, principal } of open) {
        if (!active.has((principal as Principal).tokenId)) ws.close(CloseCode.Forbidden, 'the API token was revoked');
      }
    } catch (err) {
      logger.warn({ err }, 'could not check the tokens of open sockets');
    }
  }, TOKEN_CHECK_MS);
  check.unref();
  return {
    get size() {
      return wss.clients.size;
    },
    close: async () => {
      clearInterval(check);
      httpServer.off('upgrade', upgrade);
      await server.dispose(); // closes every socket with 1001 Going Away, completing their subscriptions
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The operation's context, with its loaders made on first use. An event's fields are read off the event
 * itself, so a subscription's loaders are rarely if ever used, while a set of them (a DataLoader and its
 * closures for every relation of every module) is about 15 KB, kept for as long as the socket stays open.
 */
function lazyLoaders(make: () => RequestContext): RequestContext {
  const { caller, services, request } = make();
  let loaders: unknown;
  return {
    caller,
    services,
    request,
    get loaders() {
      return (loaders ??= make().loaders);
    },
  };
}

/**
 * Results of executing an event, per event and per sharing key. The dispatcher reads each event once and
 * hands the same object to every subscriber, and executing a subscription's selection over it (graphql-js:
 * variables coerced, fields collected, every resolver and middleware run, scalars serialised) was repeated
 * for each of thousands of subscribers, with the garbage it made: about half the server's CPU time per
 * delivery. Subscribers of the same document, operation and variables, authenticated as the same subject
 * with the same role, get the same result, so it is computed once, for the first of them, and shared (the
 * result is never changed: graphql-ws and onNext copy it). Entries go when the event is collected.
 */
const shared = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();

function executeOnce(event: unknown, key: string | null, args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult> {
  if (key === null || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
  let results = shared.get(event);
  if (!results) shared.set(event, (results = new Map()));
  let result = results.get(key);
  if (!result) results.set(key, (result = execute({ ...args, rootValue: event })));
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

/** graphql-js's mapAsyncIterator (internal to it): each source value mapped, return() and throw() passed on. */
function mapEvents<T>(source: AsyncIterable<unknown>, map: (value: unknown) => T | Promise<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    try {
      await iterator.return?.();
    } catch {
      // keep the original error
    }
  };
  const mapped = async (result: IteratorResult<unknown>): Promise<IteratorResult<T>> => {
    if (result.done) return result;
    try {
      return { value: await map(result.value), done: false };
    } catch (err) {
      await close();
      throw err;
    }
  };
  const generator = {
    next: async () => mapped(await iterator.next()),
    return: async (): Promise<IteratorResult<T>> => (iterator.return ? mapped(await iterator.return()) : { value: undefined, done: true }),
    throw: async (err: unknown): Promise<IteratorResult<T>> => {
      if (iterator.throw) return mapped(await iterator.throw(err));
      await close();
      throw err;
    },
    [Symbol.asyncIterator]: () => generator,
  };
  return generator as unknown as AsyncGenerator<T>;
}

function originRefused(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return false;
  return !origin || !allowed.includes(origin);
}
