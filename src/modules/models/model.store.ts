import type { EntityManager } from 'typeorm';
import { readById, type RowLock } from '../../db/hydrate';
import { RegisteredModelEntity } from './model.entity';

/** Reads one model, or throws NOT_FOUND; `lock` is a row-locking clause such as 'FOR UPDATE'. */
export function readModel(m: EntityManager, id: string, lock: RowLock = ''): Promise<RegisteredModelEntity> {
  return readById(m, RegisteredModelEntity, id, 'model', lock);
}

/**
 * Reads a model and locks its row until the transaction ends: the per-model serialisation point.
 * Lock order everywhere: the model first, then its versions.
 */
export function lockModel(m: EntityManager, id: string): Promise<RegisteredModelEntity> {
  return readModel(m, id, 'FOR UPDATE');
}
