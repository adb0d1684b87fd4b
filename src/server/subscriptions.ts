import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config';
import { isDatabaseUnavailable } from '../db/pg-errors';
import { DomainError, ErrorCode } from '../common/errors';
import type { Principal } from '../common/role';
import { visibilityKey } from '../common/visibility';
import type { RequestContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { checkInput } from '../graphql/input-guard';
import { enforceLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import type { GraphQLApplication } from './application';

/** How often open sockets' tokens are checked: a revoked token's streams end within this. */
const TOKEN_CHECK_MS = 2000;
/** Distinct operation texts kept parsed and validated (the oldest is dropped beyond). */
const MAX_DOCUMENTS = 1000;
/** Bytes a socket may hold unwritten before a send waits until its frame is written (see BatchingWebSocket). */
const EARLY_ACK_BYTES = 256 * 1024;
/** The instance cannot serve subscriptions yet (it is starting): the client retries later (RFC 6455 1013 Try Again Later). */
const TRY_AGAIN_LATER = 1013;
/** The token already holds as many sockets as it may (429, Too Many Requests, in the private range of close codes). */
const TOO_MANY_SOCKETS = 4429;

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
    const spliced = typeof data === 'string' ? withPreparedPayload(data) : undefined;
    if (spliced) [data, options] = [spliced, { ...options, binary: false }];
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

/**
 * Shared results serialised once (see executeOnce). graphql-ws serialises every `next` message itself, per
 * socket, payload included: with thousands of subscribers of the same operation, the same payload was turned
 * into JSON and then into UTF-8 once for each (in bursts, an eighth of the server's CPU). Now onNext gives
 * graphql-ws a stand-in payload, `{"@prepared":n}`, which it serialises into the message envelope in no time,
 * and the socket's send puts the prepared payload's bytes in its place: the frame is byte for byte what
 * graphql-ws would have sent. graphql-ws sends the message as soon as onNext returns (one await, a microtask
 * later), so a stand-in is looked up in the same turn of the event loop; each turn's are forgotten after it.
 */
const PREPARED_KEY = '@prepared';
const prepared = new WeakMap<ExecutionResult, { standIn: FormattedExecutionResult; envelopeEnd: string; bytes: Buffer }>();
/** This turn's prepared payloads, by the end they give a message: `"payload":{"@prepared":n}}`. */
const preparedThisTurn = new Map<string, Buffer>();
let preparedCount = 0;

/** The stand-in for a result without errors, whose payload is then serialised once however many sockets get it. */
function standInFor(result: ExecutionResult): FormattedExecutionResult {
  let entry = prepared.get(result);
  if (!entry) {
    const n = ++preparedCount;
    const standIn = { [PREPARED_KEY]: n } as FormattedExecutionResult; // not one: replaced in the socket's send
    // What graphql-ws would send as the payload: the result, errors omitted (there are none here).
    entry = { standIn, envelopeEnd: `"payload":${JSON.stringify(standIn)}}`, bytes: Buffer.from(JSON.stringify(result)) };
    prepared.set(result, entry);
  }
  if (preparedThisTurn.size === 0) setImmediate(() => preparedThisTurn.clear());
  preparedThisTurn.set(entry.envelopeEnd, entry.bytes);
  return entry.standIn;
}

/** The message's bytes with its stand-in replaced by the prepared payload; undefined for any other message. */
function withPreparedPayload(message: string): Buffer | undefined {
  if (preparedThisTurn.size === 0) return undefined;
  const at = message.lastIndexOf('"payload":{"' + PREPARED_KEY);
  if (at === -1) return undefined;
  const bytes = preparedThisTurn.get(message.slice(at));
  if (!bytes) return undefined;
  const head = '"payload":'.length + at;
  return Buffer.concat([Buffer.from(message.slice(0, head)), bytes, ENVELOPE_CLOSE]);
}
const ENVELOPE_CLOSE = Buffer.from('}');

type Extra = {
  socket: WebSocket;
  request: http.IncomingMessage;
  principal?: Principal;
  /** The release of every operation the socket holds (see Budget). */
  operations?: Set<() => void>;
} & Record<PropertyKey, unknown>;

export interface SubscriptionServer {
  /** Open sockets. */
  readonly size: number;
  /** Stops accepting, closes every socket with 1001 (going away): clients reconnect elsewhere and resume by cursor. */
  close(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's `/graphql`: authenticated in `connection_init` with the same API tokens
 * (a bad token closes with 4403, no init in time with 4408), origins checked on the upgrade when an
 * allow-list is set, frames over the limit refused, the input guard and query limits applied to every
 * operation as over HTTP, a fresh context (and loaders) per operation, and a revoked token's sockets closed
 * within seconds. Sockets and operations are bounded per socket and per token (see Budget); while the
 * instance starts and publishes no events yet, sockets are closed with 1013 (try again later).
 */
export function attachSubscriptions(
  httpServer: http.Server,
  application: GraphQLApplication,
  config: Pick<Config, 'limits' | 'events'>,
  logger: Logger,
): SubscriptionServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.events.maxFrameBytes, WebSocket: BatchingWebSocket });
  const report = createErrorFormatter((err) => logger.error({ err }, 'internal error in a subscription'));
  // As over HTTP: domain errors keep their code, anything else is an internal error. graphql-ws wraps what an
  // operation's stream throws (a subscriber that fell behind, say) in a GraphQLError without a path, which the
  // HTTP formatter would not unwrap: the domain error inside is taken as it is.
  const formatError = (error: GraphQLError) =>
    report(error.toJSON(), error.originalError instanceof DomainError && !error.path ? error.originalError : error);
  const budget = new Budget(config.events);

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
  /** Each accepted operation's release from the budget, by its context (made per operation in onSubscribe). */
  const releases = new WeakMap<object, () => void>();
  const releaseOf = (contextValue: unknown) => releases.get(contextValue as object) ?? (() => undefined);

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
      return [withCode(err as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
    }
    // With the codes HTTP answers (Apollo's): a client's mistake, not an internal error.
    const errors = validate(application.schema, document);
    if (errors.length) return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
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
        const { socket } = ctx.extra;
        // While the instance starts (it listens before it has migrated and started its event dispatcher), a
        // subscription could only fail: a code every client retries on says so, before anything is read.
        if (application.publishingEvents && !application.publishingEvents()) {
          socket.close(TRY_AGAIN_LATER, 'the server is starting: try again in a moment');
          return false; // graphql-ws's own close (4403) is ignored: the socket is closing already
        }
        const params = ctx.connectionParams ?? {};
        const given = params.authorization ?? params.Authorization ?? (params.token ? `Bearer ${String(params.token)}` : undefined);
        let principal: Principal;
        try {
          principal = await application.authenticate(typeof given === 'string' ? given : undefined);
        } catch (err) {
          // The token could not be looked up (the database restarts): a code every client retries on, not a refusal.
          if (isDatabaseUnavailable(err)) {
            socket.close(TRY_AGAIN_LATER, 'the database is unavailable: try again in a moment');
            return false;
          }
          return false; // graphql-ws closes with 4403 Forbidden
        }
        if (socket.readyState !== WebSocket.OPEN) return false; // gone while authenticating: nothing to count
        const operations = budget.openSocket(principal.tokenId, socket);
        if (!operations) {
          socket.close(TOO_MANY_SOCKETS, `this API token already has ${config.events.maxSocketsPerToken} sockets open`);
          return false;
        }
        ctx.extra.principal = principal;
        ctx.extra.operations = operations;
        principals.set(socket, principal);
        // The upgrade request (its headers and their strings, about 1 KB) is not needed once authenticated,
        // and graphql-ws would keep it for as long as the socket stays open.
        delete (ctx.extra as { request?: unknown }).request;
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const principal = ctx.extra.principal as Principal;
        const operations = ctx.extra.operations as Set<() => void>;
        // First, before any work: a socket sending thousands of subscribe messages gets thousands of cheap refusals.
        const refused = budget.refusal(principal.tokenId, operations);
        if (refused) return [refused];
        const document = documentOf(payload.query);
        if (!('kind' in document)) return document as GraphQLError[];
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return [new GraphQLError('no operation to run in the document', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        }
        const variables = payload.variables ?? {};
        try {
          // The same guard as over HTTP: what no field can store (NUL, lone surrogates), nesting, variables of the
          // wrong type (BAD_USER_INPUT: the execution's own errors would carry no code), the query limits.
          enforceLimits(
            application.schema,
            document,
            operation,
            checkInput(application.schema, document, operation, variables),
            config.limits,
          );
        } catch (err) {
          return [err as GraphQLError];
        }
        const caller = { ...principal, requestId: randomUUID(), clientRequestId: null };
        const request = { requestId: randomUUID(), operationName: operation.name?.value };
        const contextValue = lazyLoaders(() => application.context(caller, request));
        releases.set(contextValue, budget.hold(principal.tokenId, operations));
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
      // The operation's place in the budget is given back when its stream ends, however it ends (completed by
      // the client, failed, or returned by graphql-ws when the socket closes); at once when there is no stream.
      subscribe: async (args) => {
        const release = releaseOf(args.contextValue);
        let source;
        try {
          source = await createSourceEventStream(args);
        } catch (err) {
          release();
          throw err;
        }
        if (!isAsyncIterable(source)) {
          release();
          return source;
        }
        const { caller } = args.contextValue as RequestContext;
        const id = documentIds.get(args.document);
        // Who may see what (visibilityKey) is part of the key: the same event can execute to different results for
        // two tokens of one subject. Joined (a flat string), not concatenated: a concatenation is kept as its parts
        // while the subscription lives.
        const key =
          id === undefined
            ? null
            : [id, args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), visibilityKey(caller)].join('\n');
        return mapEvents(source, (event) => executeOnce(event, key, args), release);
      },
      // Queries and mutations sent over the socket hold their place while they run.
      execute: async (args) => {
        try {
          return await execute(args);
        } finally {
          releaseOf(args.contextValue)();
        }
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return standInFor(result);
        if (!result.errors.length) return;
        return { ...result, errors: result.errors.map(formatError) };
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

/**
 * graphql-js's mapAsyncIterator (internal to it): each source value mapped, return() and throw() passed on;
 * `ended` is called once the stream is over, however it ends (done, failed, returned).
 */
function mapEvents<T>(source: AsyncIterable<unknown>, map: (value: unknown) => T | Promise<T>, ended: () => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    try {
      await iterator.return?.();
    } catch {
      // keep the original error
    }
  };
  const mapped = async (result: IteratorResult<unknown>): Promise<IteratorResult<T>> => {
    if (result.done) {
      ended();
      return result;
    }
    try {
      return { value: await map(result.value), done: false };
    } catch (err) {
      ended();
      await close();
      throw err;
    }
  };
  /** What the source answers, with the end noted when it throws. */
  const step = async (advance: () => Promise<IteratorResult<unknown>>): Promise<IteratorResult<T>> => {
    let result;
    try {
      result = await advance();
    } catch (err) {
      ended();
      throw err;
    }
    return mapped(result);
  };
  const generator = {
    next: () => step(() => iterator.next()),
    return: async (): Promise<IteratorResult<T>> => {
      ended();
      return iterator.return ? step(() => (iterator.return as () => Promise<IteratorResult<unknown>>)()) : { value: undefined, done: true };
    },
    throw: async (err: unknown): Promise<IteratorResult<T>> => {
      if (iterator.throw) return step(() => (iterator.throw as (e: unknown) => Promise<IteratorResult<unknown>>)(err));
      ended();
      await close();
      throw err;
    },
    [Symbol.asyncIterator]: () => generator,
  };
  return generator as unknown as AsyncGenerator<T>;
}

/** The error with an `extensions.code`, as Apollo gives it over HTTP (graphql-js's own errors carry none). */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

type Limits = Pick<Config['events'], 'maxSubscriptionsPerSocket' | 'maxSubscriptionsPerToken' | 'maxSocketsPerToken'>;

/**
 * What each API token holds on this instance: its open sockets and its operations (subscriptions, and queries
 * or mutations over a socket while they run), each bounded by the settings. A subscription costs memory for as
 * long as it lives and a frame for every event it matches, so one client flooding a socket with subscribe
 * messages, or opening sockets without end, would cost the instance what every other client needs.
 *
 * An operation is counted from when it is accepted until its release, which runs once: when it ends, or when its
 * socket closes (which releases whatever the socket still held, and its place among the token's sockets). A
 * token's entries go when it holds nothing, so nothing of a closed socket stays behind.
 */
class Budget {
  /** Open sockets per token id. */
  private readonly sockets = new Map<string, number>();
  /** Live operations per token id, across its sockets. */
  private readonly operations = new Map<string, number>();
  /**
   * The refusals, made once: an error's stack trace costs tens of microseconds to capture and format, and a
   * flooding client is refused thousands of times a second. Nothing changes an error once made.
   */
  private readonly overSocket: GraphQLError;
  private readonly overToken: GraphQLError;

  constructor(private readonly limits: Limits) {
    const { maxSubscriptionsPerSocket: perSocket, maxSubscriptionsPerToken: perToken } = limits;
    this.overSocket = refusal(`a socket may hold at most ${perSocket} subscriptions at once: complete one, or open another socket`, {
      limit: 'subscriptionsPerSocket',
      max: perSocket,
    });
    this.overToken = refusal(
      `an API token may hold at most ${perToken} subscriptions at once on this server, across its sockets: complete one first`,
      { limit: 'subscriptionsPerToken', max: perToken },
    );
  }

  /** A place for a new socket of the token: the set of its operations' releases, or null when it has no place. */
  openSocket(tokenId: string, socket: WebSocket): Set<() => void> | null {
    if ((this.sockets.get(tokenId) ?? 0) >= this.limits.maxSocketsPerToken) return null;
    add(this.sockets, tokenId, 1);
    const held = new Set<() => void>();
    socket.once('close', () => {
      add(this.sockets, tokenId, -1);
      for (const release of held) release();
    });
    return held;
  }

  /** Why one more operation on this socket is refused (RATE_LIMITED), or null when it has room. */
  refusal(tokenId: string, held: Set<() => void>): GraphQLError | null {
    if (held.size >= this.limits.maxSubscriptionsPerSocket) return this.overSocket;
    if ((this.operations.get(tokenId) ?? 0) >= this.limits.maxSubscriptionsPerToken) return this.overToken;
    return null;
  }

  /** Counts an accepted operation; answers its release (idempotent). */
  hold(tokenId: string, held: Set<() => void>): () => void {
    const release = () => {
      if (!held.delete(release)) return;
      add(this.operations, tokenId, -1);
    };
    held.add(release);
    add(this.operations, tokenId, 1);
    return release;
  }
}

/** A RATE_LIMITED domain error, as graphql-ws's onSubscribe answers errors. */
function refusal(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { originalError: new DomainError(ErrorCode.RATE_LIMITED, message, details) });
}

/** Adds `delta` to a count, dropping the entry at zero. */
function add(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

function originRefused(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return false;
  return !origin || !allowed.includes(origin);
}
