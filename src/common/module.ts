import type { DataSource } from 'typeorm';
import type { Caller } from './caller';
import type { GaugeSource } from './gauge';
import type { HttpRoute } from './http-route';
import type { Settings } from './settings';

/** A class: an entity, a resolver. */
export type Class = new (...args: never[]) => unknown;

/** How `_entities` finds one federation entity of a type from its key fields (through the request's loaders). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReferenceResolver = (reference: any, context: any) => unknown;

/**
 * What a module under src/modules/ provides, declared once in its `<name>.module.ts`. The
 * composition root (src/composition.ts) takes the list in src/modules/index.ts and wires it:
 * entities into the data source, resolvers into the schema, services once per application,
 * loaders afresh for every request.
 */
export interface ModuleDefinition<Name extends string, Below, Services, Loaders> {
  /** The folder's name; also where its loaders live: `ctx.loaders.<name>.byId`. */
  name: Name;
  /** TypeORM entities for the tables it owns. */
  entities?: Class[];
  /** type-graphql resolver classes (its queries and mutations, and the fields it adds to other types). */
  resolvers?: Class[];
  /**
   * Its services, built once per application; `below` holds the services of the modules listed before it,
   * `settings` what start-up read (keys, files).
   */
  services?: (db: DataSource, below: Below, settings: Settings) => Services;
  /** Its DataLoaders, built afresh for every request and every subscription operation, for its caller. */
  loaders?: (services: Services, caller: Caller) => Loaders;
  /** HTTP endpoints beside /graphql; `all` holds every module's services (for interfaces from common/). */
  routes?: (services: Services, all: Record<string, unknown>) => HttpRoute[];
  /** Prometheus gauges it computes on each scrape of /metrics. */
  gauges?: (services: Services) => GaugeSource[];
  /** Its background loops, over its services. */
  jobs?: (services: Services) => BackgroundJob[];
  /** Federation: for each entity type it owns, how `_entities` resolves a reference. */
  references?: Record<string, ReferenceResolver>;
}

/**
 * A loop a module runs in the background on every instance (the event dispatcher, webhook deliveries):
 * started once the server serves, stopped on shutdown after it has drained.
 */
export interface BackgroundJob {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Identity, so that TypeScript infers a module's service and loader types from its declaration. */
export function defineModule<Name extends string, Below, Services, Loaders>(
  module: ModuleDefinition<Name, Below, Services, Loaders>,
): ModuleDefinition<Name, Below, Services, Loaders> {
  return module;
}
