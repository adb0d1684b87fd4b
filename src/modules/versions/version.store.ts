import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/errors';
import { hydrate, readById, type RowLock } from '../../db/hydrate';
import { RegisteredModelEntity } from '../models';
import { ModelVersionEntity } from './version.entity';

/** Reads one version, or throws NOT_FOUND; `lock` is a row-locking clause such as 'FOR UPDATE'. */
export function readVersion(m: EntityManager, id: string, lock: RowLock = ''): Promise<ModelVersionEntity> {
  return readById(m, ModelVersionEntity, id, 'model version', lock);
}

/**
 * Locks and reads the model a version belongs to, in one statement: the first step of anything that
 * changes a version, since the lock order everywhere is the model first, then its versions.
 */
export async function lockModelOfVersion(m: EntityManager, versionId: string): Promise<RegisteredModelEntity> {
  const [row] = await m.query(
    'SELECT r.* FROM registered_models r WHERE r.id = (SELECT model_id FROM model_versions WHERE id = $1) FOR UPDATE',
    [versionId],
  );
  if (!row) throw notFound('model version', versionId);
  return hydrate(m, RegisteredModelEntity, row);
}
