import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { writeReturning } from '../../db/write';
import { appendAudit } from '../audit';
import { ModelVersionEntity, type Stage } from '../versions';

/** Writes a version's new stage, its audit event and its stage-history row; answers with the row as written. */
export async function setStage(
  m: EntityManager,
  caller: Caller,
  version: ModelVersionEntity,
  to: Stage,
  reason: string,
  /** Recorded in the event besides the move: the version a promotion replaced, or the one that replaced this. */
  more: Record<string, unknown> = {},
): Promise<ModelVersionEntity> {
  const [moved] = await writeReturning(
    m,
    ModelVersionEntity,
    `UPDATE model_versions SET stage = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
    [version.id, to],
  );
  const event = await appendAudit(m, caller, {
    action: 'version.stage_changed',
    subjectType: 'ModelVersion',
    subjectId: version.id,
    modelId: version.modelId,
    payload: { version: version.version, fromStage: version.stage, toStage: to, reason, ...more },
  });
  await m.query(
    `INSERT INTO stage_transitions (version_id, model_id, from_stage, to_stage, reason, actor, audit_seq, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [version.id, version.modelId, version.stage, to, reason, caller.subject, event.seq, event.occurredAt],
  );
  return moved;
}
