import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/errors';
import { hydrate } from '../../db/hydrate';
import { RegisteredModelEntity } from './registered-model.entity';

/** Reads one model, or throws NOT_FOUND; `lock` is a row-locking clause such as 'FOR UPDATE'. */
export async function readModel(m: EntityManager, id: string, lock: '' | 'FOR UPDATE' = ''): Promise<RegisteredModelEntity> {
  const [row] = await m.query(`SELECT * FROM registered_models WHERE id = $1 ${lock}`, [id]);
  if (!row) throw notFound('model', id);
  return hydrate(m, RegisteredModelEntity, row);
}

/**
 * Reads a model and locks its row until the transaction ends: the per-model serialisation point.
 * Lock order everywhere: the model first, then its versions.
 */
export function lockModel(m: EntityManager, id: string): Promise<RegisteredModelEntity> {
  return readModel(m, id, 'FOR UPDATE');
}
