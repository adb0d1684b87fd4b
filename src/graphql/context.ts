import type { Caller } from '../common/caller';

/** What one HTTP request carries from express into GraphQL and back out to the access log. */
export interface RequestMeta {
  /** Issued by the server for every request. */
  requestId: string;
  /** The client's own `x-request-id`, when it sent a well-formed one: kept beside the server's. */
  clientRequestId?: string;
  /** Set once the operation is resolved, for logs and metrics. */
  operationName?: string;
  /** The operation's variables as checkInput coerced them, for the executor. */
  variables?: Record<string, unknown>;
  outcome?: 'ok' | 'error';
}

/**
 * What every resolver receives: the caller, the application's services and loaders of its own.
 * A module's resolvers name the services and loader groups they use, e.g.
 * `RequestContext<{ versions: ModelVersionService }, { models: ModelLoaders; versions: VersionLoaders }>`;
 * the composition root's context has them all.
 */
export interface RequestContext<Services = unknown, Loaders = unknown> {
  caller: Caller;
  services: Services;
  /** Fresh for every request and subscription operation: they cache per request only, never across callers. */
  loaders: Loaders;
  request: RequestMeta;
}
