import { defineModule } from '../../common/module';
import { IdempotencyKeyEntity } from './idempotency.entity';

/** Idempotency keys of retried mutations; other modules call runIdempotent inside their transactions. */
export const idempotencyModule = defineModule({
  name: 'idempotency',
  entities: [IdempotencyKeyEntity],
});
