import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { writeReturning } from '../../db/write';
import { appendAudits } from '../audit';
import { ModelVersionEntity, type Stage } from '../versions';

export interface StageMove {
  version: ModelVersionEntity;
  to: Stage;
  reason: string;
  /** Recorded in the event besides the move: the version a promotion replaced, or the one that replaced this. */
  more?: Record<string, unknown>;
}

/** Writes a version's new stage, its audit event and its stage-history row; answers with the row as written. */
export async function setStage(
  m: EntityManager,
  caller: Caller,
  version: ModelVersionEntity,
  to: Stage,
  reason: string,
  more: Record<string, unknown> = {},
): Promise<ModelVersionEntity> {
  const [moved] = await setStages(m, caller, [{ version, to, reason, more }]);
  return moved;
}

/**
 * Several moves of one change (a promotion and the archiving it causes), in order: every row is updated
 * first, then their events are appended together and their history rows written in one statement. The
 * audit chain's lock is taken by the append and held to the commit, so nothing else waits behind it.
 */
export async function setStages(m: EntityManager, caller: Caller, moves: StageMove[]): Promise<ModelVersionEntity[]> {
  const moved: ModelVersionEntity[] = [];
  for (const { version, to } of moves) {
    const [row] = await writeReturning(
      m,
      ModelVersionEntity,
      `UPDATE model_versions SET stage = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [version.id, to],
    );
    moved.push(row);
  }
  const events = await appendAudits(
    m,
    caller,
    moves.map(({ version, to, reason, more }) => ({
      action: 'version.stage_changed',
      subjectType: 'ModelVersion',
      subjectId: version.id,
      modelId: version.modelId,
      payload: { version: version.version, fromStage: version.stage, toStage: to, reason, ...more },
    })),
  );
  await m.query(
    `INSERT INTO stage_transitions (version_id, model_id, from_stage, to_stage, reason, actor, audit_seq, changed_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[])`,
    [
      moves.map((x) => x.version.id),
      moves.map((x) => x.version.modelId),
      moves.map((x) => x.version.stage),
      moves.map((x) => x.to),
      moves.map((x) => x.reason),
      moves.map(() => caller.subject),
      events.map((e) => e.seq),
      events.map((e) => e.occurredAt),
    ],
  );
  return moved;
}
