import type { GraphQLSchema } from 'graphql';
import type { Caller } from '../common/caller';
import type { GaugeSource } from '../common/gauge';
import type { HttpRoute } from '../common/http-route';
import type { Principal } from '../common/role';
import type { RequestContext, RequestMeta } from '../graphql/context';

/** What the server serves, handed to it by the composition root (src/composition.ts). */
export interface GraphQLApplication<C extends RequestContext = RequestContext> {
  schema: GraphQLSchema;
  /** Resolves `Authorization: Bearer <token>` to a principal, or throws UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** A fresh context for one operation: the caller, the services and new loaders. */
  context(caller: Caller, request: RequestMeta): C;
  /** The modules' endpoints beside /graphql. */
  routes?: HttpRoute[];
  /** The modules' gauges, computed on each scrape of /metrics. */
  gauges?: GaugeSource[];
  /** Which of these tokens are still valid (open subscriptions of the others are closed). */
  activeTokens(tokenIds: string[]): Promise<Set<string>>;
  /**
   * Whether events are published on this instance yet (its dispatcher started): until then, while it starts,
   * websockets are refused with 1013 (try again later). Absent: always.
   */
  publishingEvents?(): boolean;
}
