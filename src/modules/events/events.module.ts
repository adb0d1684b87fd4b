import { defineModule } from '../../common/module';

/** Lifecycle events: every committed audit event, pushed to subscribers live and after a cursor. */
export const eventsModule = defineModule({
  name: 'events',
});
