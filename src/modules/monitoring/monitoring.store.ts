import type { EntityManager } from 'typeorm';
import { hydrate } from '../../db/hydrate';
import { ModelMonitoringEntity } from './monitoring.entity';

/** A model's monitoring settings as stored: null until they are first written (each reader applies its defaults). */
export async function readStoredSettings(m: EntityManager, modelId: string): Promise<ModelMonitoringEntity | null> {
  const [row] = await m.query('SELECT * FROM model_monitoring WHERE model_id = $1', [modelId]);
  return row ? hydrate(m, ModelMonitoringEntity, row) : null;
}
