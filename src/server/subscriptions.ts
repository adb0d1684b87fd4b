import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, parse, validate, getOperationAST, type ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { Principal } from '../common/role';
import type { RequestContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { enforceLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import type { GraphQLApplication } from './app';

/** How often open sockets' tokens are checked: a revoked token's streams end within this. */
const TOKEN_CHECK_MS = 2000;

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
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.events.maxFrameBytes });
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
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const principal = ctx.extra.principal as Principal;
        let document;
        try {
          document = parse(payload.query, { maxTokens: config.limits.maxTokens });
        } catch (err) {
          return [err as GraphQLError];
        }
        const errors = validate(application.schema, document);
        if (errors.length) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('no operation to run in the document')];
        try {
          enforceLimits(application.schema, document, operation, payload.variables ?? {}, config.limits);
        } catch (err) {
          return [err as GraphQLError];
        }
        const contextValue: RequestContext = application.context(
          { ...principal, requestId: randomUUID(), clientRequestId: null },
          { requestId: randomUUID(), operationName: operation.name?.value },
        );
        return {
          schema: application.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        } satisfies ExecutionArgs;
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

function originRefused(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return false;
  return !origin || !allowed.includes(origin);
}
