import type { EntityManager } from 'typeorm';
import type { Role } from '../../common/role';
import type { Decision } from './governance.enums';

export interface RecordedDecision {
  approver: string;
  approverRole: Role;
  decision: Decision;
}

/** Every decision recorded on a version for a target stage: what the APPROVALS gate counts. */
export async function decisionsOn(m: EntityManager, versionId: string, targetStage: string): Promise<RecordedDecision[]> {
  return m.query('SELECT approver, approver_role AS "approverRole", decision FROM approvals WHERE version_id = $1 AND target_stage = $2', [
    versionId,
    targetStage,
  ]);
}
