import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import { EventDispatcher } from './event.dispatcher';
import { EventResolver } from './event.resolver';
import { EventService } from './event.service';
import { PostgresSignal, RedisSignal } from './event.signal';

/**
 * Lifecycle events: every committed audit event, pushed to subscribers live and replayed after a cursor.
 * Instances learn of new events by PostgreSQL LISTEN/NOTIFY, or Redis pub/sub with REDIS_URL.
 */
export const eventsModule = defineModule({
  name: 'events',
  resolvers: [EventResolver],
  services: (db, { access }: { access: AccessService }, settings) => {
    const redis = settings.events?.redisUrl;
    const signal = redis
      ? new RedisSignal(db, redis, settings.events?.redisChannel ?? 'modelgraph:events', settings.notices)
      : new PostgresSignal(db);
    const dispatcher = new EventDispatcher(db, access, signal);
    return { events: new EventService(db, access, dispatcher), eventDispatcher: dispatcher };
  },
  jobs: ({ eventDispatcher }) => [eventDispatcher],
});
