import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { hasReadReplicas } from '../db/data-source';
import { isDatabaseUnavailable, unavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/pg-errors';
import { RecentWriters } from '../db/read-routing';
import { pendingMigrations } from '../db/readiness';
import { DomainError, ErrorCode } from '../common/errors';
import { validateStorable } from '../common/json';
import type { RequestContext, RequestMeta } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { jitExecutor } from '../graphql/executor';
import { checkInput, MAX_INPUT_DEPTH } from '../graphql/input-guard';
import { enforceLimits, type QueryLimits } from '../graphql/limits';
import type { Logger } from '../logger';
import { gaugesFor, operationLabeller, type Metrics } from './metrics';
import type { GraphQLApplication } from './application';
import { serveConsole } from './console';
import { attachSubscriptions } from './subscriptions';

export type { GraphQLApplication } from './application';

export interface ServerDeps {
  config: Config;
  db: DataSource;
  logger: Logger;
  metrics: Metrics;
  application: GraphQLApplication;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Start-up has finished (migrated, bootstrapped): from now on /readyz answers from the database. */
  ready(): void;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What express's body parser reports, in words that give nothing away. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'the body is not valid JSON',
  'entity.too.large': 'the body is larger than the limit of 10 MB',
  'charset.unsupported': 'the body must be UTF-8 JSON',
  'encoding.unsupported': 'the body has an unsupported content encoding',
  'request.aborted': 'the request was aborted',
};

function observe(metrics: Metrics, limits: QueryLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const meta = contextValue.request;
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          meta.operationName = operation?.name?.value ?? request.operationName ?? 'anonymous';
          if (!operation) return;
          meta.variables = checkInput(schema, document, operation, request.variables ?? {});
          enforceLimits(schema, document, operation, meta.variables, limits);
        },
        async willSendResponse({ response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
          meta.outcome = errors.length ? 'error' : 'ok';
          // The database could not serve part of it: the whole answer is a 503 the client retries, never a 200.
          if (errors.some((e) => e.extensions?.code === ErrorCode.UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
          }
        },
      };
    },
  };
}

/** Starts express + Apollo on one HTTP server: /graphql, /healthz, /readyz, /metrics, and the console at /ui. */
export async function startServer(
  deps: ServerDeps,
  listen: { port: number; host?: string; /** /readyz answers 503 until ready() is called. */ starting?: boolean },
): Promise<RunningServer> {
  const { config, db, logger, metrics, application } = deps;
  const operationLabel = operationLabeller();
  const app = express();
  const httpServer = http.createServer(app);
  /** Connections that have received bytes since their last response: requests in flight, parsed or not. */
  const receiving = new Set<Socket>();
  httpServer.on('connection', (socket: Socket) => {
    socket.on('data', () => receiving.add(socket));
    socket.once('close', () => receiving.delete(socket));
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.once('finish', () => receiving.delete(req.socket));
  });

  // Read-your-writes per token, when queries may read replicas: src/db/read-routing.ts.
  const writers = hasReadReplicas(db) ? new RecentWriters(config.readYourWritesSeconds * 1000) : undefined;
  const formatError = createErrorFormatter((err) => logger.error({ err }, 'internal error'));
  const apollo = new ApolloServer<RequestContext>({
    gateway: jitExecutor(application.schema, writers),
    logger,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM: it drains this server, then closes the database, in that order.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    formatError: (formatted, error) => {
      const result = formatError(formatted, error);
      metrics.errors.inc({ code: String(result.extensions?.code ?? 'UNKNOWN') });
      return result;
    },
    // Nothing sets cache hints, and the cache-control plugin would wrap every field resolver to look for them.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginCacheControlDisabled(), observe(metrics, config.limits)],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.use((req: Request, res: Response, next: NextFunction) => {
    // The server issues every request id itself; a client's own id is kept beside it, never in its place.
    const given = req.get('x-request-id');
    const meta: RequestMeta = { requestId: randomUUID(), clientRequestId: given && REQUEST_ID.test(given) ? given : undefined };
    res.locals.meta = meta;
    res.setHeader('x-request-id', meta.requestId);
    const started = process.hrtime.bigint();
    // Read the path now: routers mounted on a prefix rewrite req.url while they handle the request.
    const path = req.path;
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (path === '/graphql') {
        const operation = operationLabel(meta.operationName ?? 'unknown');
        metrics.requests.inc({ operation, status: meta.outcome ?? String(res.statusCode) });
        metrics.requestDuration.observe({ operation }, seconds);
      }
      logger.info(
        {
          requestId: meta.requestId,
          clientRequestId: meta.clientRequestId,
          method: req.method,
          path,
          status: res.statusCode,
          operation: meta.operationName,
          durationMs: Math.round(seconds * 1000 * 10) / 10,
        },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Start-up listens early, for probes, and migrates afterwards (under its lock): until it is done, /readyz
  // says so without touching the database; afterwards it only reads (one statement, which is the ping too).
  let ready = !listen.starting;
  app.get('/readyz', async (_req, res) => {
    if (!ready) {
      res.status(503).json({ status: 'starting' });
      return;
    }
    try {
      if ((await pendingMigrations(db)).length) {
        res.status(503).json({ status: 'migrations pending' });
        return;
      }
      res.json({ status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      res.setHeader('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      res.status(503).json({ status: 'database unreachable' });
    }
  });

  // The process and request series name no model and answer anyone (a scraper needs no token for them). The modules'
  // gauges name models: they are added for a scraper that sends a token, over the models that token may see.
  app.get('/metrics', async (req, res, next) => {
    try {
      const meta = res.locals.meta as RequestMeta;
      const authorization = req.get('authorization');
      let text = await metrics.registry.metrics();
      if (authorization !== undefined) {
        const principal = await application.authenticate(authorization);
        const caller = { ...principal, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null };
        text += await gaugesFor(application.gauges ?? [], caller, (err) => logger.warn({ err }, 'a gauge could not be computed'));
      }
      res.setHeader('content-type', metrics.registry.contentType);
      res.send(text);
    } catch (err) {
      if (!(err instanceof DomainError)) return next(err);
      res.status(401).json({ errors: [{ message: err.message, extensions: { code: err.code } }] });
    }
  });

  serveConsole(app, config.uiDir);

  app.use(
    '/graphql',
    express.json({ limit: '10mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<RequestContext> => {
        const meta = res.locals.meta as RequestMeta;
        try {
          const principal = await application.authenticate(req.get('authorization'));
          return application.context({ ...principal, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null }, meta);
        } catch (err) {
          if (isDatabaseUnavailable(err)) {
            const { message, code, details } = unavailable();
            const headers = new Map([['retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)]]);
            throw new GraphQLError(message, { extensions: { ...details, code, http: { status: 503, headers } } });
          }
          if (err instanceof DomainError) {
            throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
          }
          throw err;
        }
      },
    }),
  );

  // A route with a wildcard (`/artifacts/:versionId/*path`) after every other, so that a module's exact route beside it
  // (`/artifacts/:versionId/model.sig`) is found first, whichever module comes first.
  const routes = [...(application.routes ?? [])].sort((a, b) => Number(a.path.includes('*')) - Number(b.path.includes('*')));
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'put' | 'post';
    const body = route.json ? [express.json({ limit: '10mb' })] : [];
    app[method](route.path, ...body, async (req: Request, res: Response, next: NextFunction) => {
      const meta = res.locals.meta as RequestMeta;
      try {
        const principal = await application.authenticate(req.get('authorization'));
        const caller = { ...principal, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null };
        // The same guard as GraphQL variables get: what no column can store is refused here, not by PostgreSQL.
        if (route.json) validateStorable(req.body, 'body', MAX_INPUT_DEPTH);
        await route.handle(req as never, res, caller, new URL(req.originalUrl, 'http://localhost'));
        // An upload or another write: the token's next queries read the primary, as after a mutation.
        if (route.method !== 'GET') writers?.wrote(caller.tokenId);
      } catch (err) {
        // Anything else (a database that cannot serve included) is the last handler's, below.
        if (!(err instanceof DomainError) || res.headersSent) return next(err);
        const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, UNAVAILABLE: 503 }[err.code as string] ?? 400;
        if (err.code === ErrorCode.UNAVAILABLE)
          res.setHeader('retry-after', String(err.details.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS));
        // An upload refused before its body was all read (a full disk stops reading it): the rest of the body is
        // still on the connection, which cannot carry another request, and node resets it once the answer is sent.
        // Said here, the client opens a new connection for its next request instead of finding this one reset.
        if (!req.complete || req.readableLength > 0) res.setHeader('connection', 'close');
        res.status(status).json({ errors: [{ message: err.message, extensions: { ...err.details, code: err.code } }] });
      }
    });
  }

  // Everything else answers JSON too: an unknown path, and what the body parser refuses (malformed JSON,
  // a body over the limit, an unknown charset), never express's HTML page with a stack trace.
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use((err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (isDatabaseUnavailable(err) && !res.headersSent) {
      const { message, code, details } = unavailable();
      res.setHeader('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      res.status(503).json({ errors: [{ message, extensions: { ...details, code } }] });
      return;
    }
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'unhandled error');
    const message = status === 500 ? 'Internal server error' : (BODY_ERRORS[err.type ?? ''] ?? 'bad request');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  const subscriptions = attachSubscriptions(httpServer, application, config, logger);

  await new Promise<void>((resolve) => httpServer.listen(listen.port, listen.host ?? config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    ready: () => {
      ready = true;
    },
    close: async () => {
      // Sockets first: they close with 1001, and their clients reconnect to another instance and resume by cursor.
      await subscriptions.close();
      // A request whose bytes have arrived but that the server has not begun to parse (a busy moment: a few
      // large bodies at once) sits on a connection Node counts as idle, and closing the server would drop
      // it. So first every connection that has received bytes since its last response finishes (10 s at most).
      const deadline = Date.now() + 10_000;
      while (receiving.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await apollo.stop(); // drains in-flight requests, then closes the HTTP server
    },
  };
}
