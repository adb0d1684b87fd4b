// The composition root: the one place that knows every module. It takes the list in
// src/modules/index.ts and wires it into the layers below, which never import a module themselves.
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Authorization } from './common/authorization';
import type { Caller } from './common/caller';
import type { BackgroundJob, ModuleDefinition, ReferenceResolver } from './common/module';
import type { Settings } from './common/settings';
import { createDataSource, type DataSourceOptions } from './db/data-source';
import type { RequestContext, RequestMeta } from './graphql/context';
import { buildModelgraphSchema } from './graphql/schema';
import { modules } from './modules';
import type { GraphQLApplication } from './server/app';

type AnyModule = (typeof modules)[number];
// `any` where a position is not asked about: a module's own types sit in both co- and contravariant places.
// A module without services contributes nothing (not `unknown`, which would swallow the whole union).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ServicesOf<M> = M extends ModuleDefinition<string, any, infer S, any> ? (unknown extends S ? object : S) : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LoadersOf<M> = M extends ModuleDefinition<string, any, any, infer L> ? L : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every module's services, side by side: `services.models`, `services.transitions`, … */
export type Services = Intersection<ServicesOf<AnyModule>>;
/** Loaders grouped per module, so two modules cannot overwrite each other's: `loaders.versions.byId`. */
export type Loaders = { [M in AnyModule as M['name']]: LoadersOf<M> };
export type Context = RequestContext<Services, Loaders>;

const names = modules.map((m) => m.name);
if (new Set(names).size !== names.length) throw new Error(`module names must be unique: ${names.join(', ')}`);

/** Every module's entities: what the data source maps. */
export const entities = modules.flatMap((m) => m.entities ?? []);

/** The data source over the modules' entities and the migrations. */
export function createModelgraphDataSource(options: Omit<DataSourceOptions, 'entities'>): DataSource {
  return createDataSource({ ...options, entities });
}

/**
 * Built once per application, in module order: each factory receives the services of the modules before it, and
 * `authorization`: the access module's one authorization point, which modules listed before it (API tokens, the
 * audit trail) reach through this forwarder, answered by the access module once it is built.
 */
export function createServices(db: DataSource, settings: Settings = {}): Services {
  const built: Record<string, unknown> = {};
  const point = (): Authorization => {
    if (!built.access) throw new Error('the access module answers authorization questions only once it is built');
    return built.access as Authorization;
  };
  const authorization: Authorization = {
    authorizeRegistry: (caller, action) => point().authorizeRegistry(caller, action),
    visibleModels: (caller, column, params) => point().visibleModels(caller, column, params),
    seesEverything: (caller) => point().seesEverything(caller),
  };
  for (const module of modules) Object.assign(built, module.services?.(db, { ...built, authorization } as never, settings));
  return built as Services;
}

/** Fresh for every request and every subscription operation: loaders cache per request only, never across callers. */
export function createLoaders(services: Services, caller: Caller): Loaders {
  return Object.fromEntries(modules.map((m) => [m.name, m.loaders?.(services as never, caller) ?? {}])) as Loaders;
}

/** The subgraph schema from every module's resolvers and federation reference resolvers. */
export function buildSchema(): Promise<GraphQLSchema> {
  const references: Record<string, ReferenceResolver> = {};
  for (const module of modules) Object.assign(references, module.references);
  return buildModelgraphSchema({ resolvers: modules.flatMap((m) => m.resolvers ?? []), references });
}

export interface Modelgraph {
  services: Services;
  /** What the HTTP server serves. */
  application: GraphQLApplication<Context>;
  /** Every module's background loops: the caller starts them once it serves, and stops them on shutdown. */
  jobs: BackgroundJob[];
}

/** The whole application over one data source: services, schema, routes, and how a request gets its context. */
export async function createModelgraph(db: DataSource, settings: Settings = {}): Promise<Modelgraph> {
  const services = createServices(db, settings);
  return {
    services,
    application: {
      schema: await buildSchema(),
      routes: modules.flatMap((m) => m.routes?.(services as never, services) ?? []),
      gauges: modules.flatMap((m) => m.gauges?.(services as never) ?? []),
      authenticate: (authorization) => services.tokens.authenticate(authorization),
      activeTokens: (tokenIds) => services.tokens.activeAmong(tokenIds),
      publishingEvents: () => services.eventDispatcher.publishing,
      context: (caller: Caller, request: RequestMeta): Context => ({ caller, services, loaders: createLoaders(services, caller), request }),
    },
    jobs: modules.flatMap((m) => m.jobs?.(services as never) ?? []),
  };
}
