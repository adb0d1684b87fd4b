import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { hydrate, hydratePages } from '../../db/data-source';
import { keysetPages, SqlParams, type Page, type PageArgs } from '../../db/pagination';
import { isUniqueViolation } from '../../db/pg-errors';
import { appendAudit } from '../audit/audit.service';
import { hasRole } from '../auth/role';
import type { GateReport } from '../governance/gates';
import { isGated } from '../governance/gates';
import type { GovernanceService } from '../governance/governance.service';
import { runIdempotent } from '../idempotency/idempotency';
import { validateText } from '../models/model.rules';
import { lockModel } from '../models/model.service';
import { ModelVersionEntity } from './model-version.entity';
import { readVersion } from './model-version.service';
import { ArtifactStatus, Stage } from './model-version.enums';
import { assertMove, isRollback, roleForMove } from './stage-machine';
import { StageTransitionEntity } from './stage-transition.entity';

export interface TransitionInput {
  versionId: string;
  toStage: Stage;
  expectedStage: Stage;
  reason?: string | null;
  idempotencyKey?: string | null;
}

export interface TransitionResult {
  version: ModelVersionEntity;
  /** The version that left PRODUCTION to make room, if any. */
  archived: ModelVersionEntity | null;
  replayed: boolean;
}

/** GATE_FAILED, carrying the whole gate report so the caller sees every reason at once. */
export function gateFailed(report: GateReport): DomainError {
  const failed = report.gates.filter((g) => !g.passed);
  return new DomainError(ErrorCode.GATE_FAILED, `gates failed for ${report.targetStage}: ${failed.map((g) => `${g.gate} (${g.detail})`).join('; ')}`, {
    targetStage: report.targetStage,
    gates: report.gates,
  });
}

/**
 * Moves versions through the lifecycle. Each move is one transaction that locks the model row
 * (so promotions of one model are serialised), checks the expected stage, the move, the role and
 * the gates, archives the previous production version when promoting, and writes an audit event
 * and a stage-history row per version moved.
 */
export class TransitionService {
  constructor(
    private readonly db: DataSource,
    private readonly governance: GovernanceService,
  ) {}

  /** transitionModelVersion({ versionId, toStage: PRODUCTION, expectedStage: STAGING, reason: 'beats champion' }) */
  async transition(caller: Caller, input: TransitionInput): Promise<TransitionResult> {
    validateText(input.reason, 'reason', { max: 2000 });
    const { idempotencyKey, ...request } = input;
    return this.idempotentMove(caller, 'transitionModelVersion', idempotencyKey, request, (m) => this.move(m, caller, input));
  }

  /** Puts back the version that was last in production and archives the current one. */
  async rollback(caller: Caller, input: { modelId: string; reason?: string | null; idempotencyKey?: string | null }): Promise<TransitionResult> {
    validateText(input.reason, 'reason', { max: 2000 });
    const { idempotencyKey, ...request } = input;
    return this.idempotentMove(caller, 'rollbackModel', idempotencyKey, request, async (m) => {
      await lockModel(m, input.modelId);
      const targetId = await this.lastInProduction(m, input.modelId);
      const target = targetId ? await readVersion(m, targetId) : null;
      if (!target || target.stage !== Stage.ARCHIVED) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, 'nothing to roll back to: no archived version was in production before', {
          allowed: [],
        });
      }
      return this.move(m, caller, {
        versionId: target.id,
        toStage: Stage.PRODUCTION,
        expectedStage: Stage.ARCHIVED,
        reason: input.reason ? `rollback: ${input.reason}` : 'rollback',
      });
    });
  }

  /**
   * One transaction around a move, answered from the idempotency key on a retry. The
   * one-production index is the last word: should two promotions ever slip past the model lock
   * (they cannot today), the loser gets a CONFLICT, never an internal error.
   */
  private async idempotentMove(
    caller: Caller,
    scope: string,
    key: string | null | undefined,
    request: object,
    work: (m: EntityManager) => Promise<{ version: ModelVersionEntity; archived: ModelVersionEntity | null }>,
  ): Promise<TransitionResult> {
    try {
      return await this.db.transaction(async (m) => {
        const { result, replayed } = await runIdempotent(m, caller, scope, key, request, async () => {
          const moved = await work(m);
          return { versionId: moved.version.id, archivedId: moved.archived?.id ?? null };
        });
        const archived = result.archivedId ? await readVersion(m, result.archivedId) : null;
        return { version: await readVersion(m, result.versionId), archived, replayed };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'model_versions_one_production_idx')) throw conflict('another version was promoted at the same moment: reload and retry');
      throw err;
    }
  }

  private async move(m: EntityManager, caller: Caller, input: TransitionInput): Promise<{ version: ModelVersionEntity; archived: ModelVersionEntity | null }> {
    const [ref] = await m.query('SELECT model_id FROM model_versions WHERE id = $1', [input.versionId]);
    if (!ref) throw notFound('model version', input.versionId);
    await lockModel(m, ref.model_id); // lock order everywhere: model, then version
    const version = await readVersion(m, input.versionId, 'FOR UPDATE');
    const from = version.stage;
    if (from !== input.expectedStage) {
      throw conflict(`version ${version.version} is ${from}, not ${input.expectedStage}: reload and retry`, {
        field: 'expectedStage',
        currentStage: from,
      });
    }
    const to = input.toStage;
    const rollback = isRollback(from, to);
    assertMove(from, to, { wasLastInProduction: rollback && (await this.lastInProduction(m, version.modelId)) === version.id });
    const role = roleForMove(from, to);
    if (!hasRole(caller.role, role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `moving a version ${from} → ${to} needs the ${role} role`, { requiredRole: role });
    }
    if (rollback) {
      // A rollback restores what was already approved; it only needs the artifact to still be there.
      if (version.artifactStatus !== ArtifactStatus.READY) {
        throw gateFailed({
          targetStage: to,
          passed: false,
          gates: [{ gate: 'ARTIFACT_READY', passed: false, detail: `artifact is ${version.artifactStatus}; it must be READY` }],
        });
      }
    } else if (isGated(to)) {
      const report = await this.governance.gateReport(m, version, to);
      if (!report.passed) throw gateFailed(report);
    }
    let archived: ModelVersionEntity | null = null;
    if (to === Stage.PRODUCTION) {
      const [current] = await m.query(`SELECT * FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION' FOR UPDATE`, [version.modelId]);
      if (current) {
        archived = await this.setStage(m, caller, hydrate(m, ModelVersionEntity, current), Stage.ARCHIVED, `replaced by version ${version.version}`);
      }
    }
    return { version: await this.setStage(m, caller, version, to, input.reason ?? ''), archived };
  }

  private async setStage(m: EntityManager, caller: Caller, version: ModelVersionEntity, to: Stage, reason: string): Promise<ModelVersionEntity> {
    const [[row]] = await m.query(
      `UPDATE model_versions SET stage = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [version.id, to],
    );
    const event = await appendAudit(m, caller, {
      action: 'version.stage_changed',
      subjectType: 'ModelVersion',
      subjectId: version.id,
      modelId: version.modelId,
      payload: { version: version.version, fromStage: version.stage, toStage: to, reason },
    });
    await m.query(
      `INSERT INTO stage_transitions (version_id, model_id, from_stage, to_stage, reason, actor, audit_seq, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [version.id, version.modelId, version.stage, to, reason, caller.subject, event.seq, event.occurredAt],
    );
    return hydrate(m, ModelVersionEntity, row);
  }

  /** The version most recently moved out of PRODUCTION: the one a rollback restores. */
  private async lastInProduction(m: EntityManager, modelId: string): Promise<string | null> {
    const [row] = await m.query(
      `SELECT version_id FROM stage_transitions WHERE model_id = $1 AND from_stage = 'PRODUCTION' ORDER BY audit_seq DESC LIMIT 1`,
      [modelId],
    );
    return row?.version_id ?? null;
  }

  // ---- reads (batched) ----

  async historyByVersions(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<StageTransitionEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'stage_transitions',
      where: [`x.version_id = ANY(${params.p(versionIds)})`],
      params,
      order: ['x.audit_seq', 'x.id'],
      direction: 'DESC',
      partitionBy: 'x.version_id',
      ...page,
    });
    return hydratePages(this.db.manager, StageTransitionEntity, pages);
  }

  /**
   * Which version each model had in PRODUCTION at `at`, read from the audit trail: the latest
   * stage change into or out of PRODUCTION at or before that time.
   */
  async productionVersionsAt(modelIds: readonly string[], at: Date): Promise<Map<string, string | null>> {
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (model_id) model_id, subject_id, payload->>'toStage' AS to_stage
       FROM audit_events
       WHERE model_id = ANY($1) AND action = 'version.stage_changed' AND occurred_at <= $2
         AND (payload->>'toStage' = 'PRODUCTION' OR payload->>'fromStage' = 'PRODUCTION')
       ORDER BY model_id, seq DESC`,
      [modelIds, at],
    )) as Array<{ model_id: string; subject_id: string; to_stage: string }>;
    return new Map(rows.map((r) => [r.model_id, r.to_stage === 'PRODUCTION' ? r.subject_id : null]));
  }
}
