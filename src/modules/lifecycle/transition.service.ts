import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { validateText } from '../../common/text';
import { hydrate, hydratePages } from '../../db/hydrate';
import { keysetCounts, keysetPages, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { isUniqueViolation } from '../../db/pg-errors';
import { Action, mayDo, RIGHTS, type Level, type AccessService } from '../access';
import { decisionsOn, isGated, effectivePolicy, latestVerdict, type Policy } from '../governance';
import { runIdempotent } from '../idempotency';
import { lockModel, readModel, type RegisteredModelEntity } from '../models';
import { ModelVersionEntity, ArtifactStatus, Stage, lockModelOfVersion, readVersion } from '../versions';
import { evaluateGates, type GateReport, type GateResult } from './gate.rules';
import { actionForMove, ALLOWED_MOVES, assertMove, isRollback } from './stage.rules';
import { setStages, type StageMove } from './stage.store';
import { StageTransitionEntity } from './stage.entity';
import { TransactionHooks } from '../../common/hooks';

export interface TransitionInput {
  versionId: string;
  toStage: Stage;
  expectedStage: Stage;
  reason?: string | null;
  idempotencyKey?: string | null;
}

export interface RollbackInput {
  modelId: string;
  reason?: string | null;
  idempotencyKey?: string | null;
}

interface Moved {
  version: ModelVersionEntity;
  /** The version that left PRODUCTION to make room, if any. */
  archived: ModelVersionEntity | null;
}

export interface TransitionResult extends Moved {
  replayed: boolean;
}

export interface Readiness extends GateReport {
  versionId: string;
  currentStage: Stage;
  /** Whether currentStage → targetStage is a lifecycle move at all. */
  moveAllowed: boolean;
  /** Whether the caller's level on the model lets it make this move, and why. */
  permitted: boolean;
  permission: string;
}

/** What a gate of a module above lifecycle is given: read through `m`, inside the move's transaction when there is one. */
export interface GateFacts {
  model: RegisteredModelEntity;
  version: ModelVersionEntity;
  targetStage: Stage;
  policy: Policy;
}

/**
 * A gate a module above adds (SIGNED from trust, SCANNED from artifacts): the results it reports for a move, none
 * when it does not apply. Registered at composition with `transitions.addGate`.
 */
export type GateCheck = (m: EntityManager, facts: GateFacts) => Promise<GateResult[]>;

/** GATE_FAILED, carrying the whole gate report so the caller sees every reason at once. */
export function gateFailed(report: GateReport): DomainError {
  const failed = report.gates.filter((g) => !g.passed);
  return new DomainError(
    ErrorCode.GATE_FAILED,
    `gates failed for ${report.targetStage}: ${failed.map((g) => `${g.gate} (${g.detail})`).join('; ')}`,
    {
      targetStage: report.targetStage,
      gates: report.gates,
    },
  );
}

/**
 * Moves versions through the lifecycle. Each move is one transaction that locks the model row
 * (so promotions of one model are serialised), checks the expected stage, the move, the role and
 * the gates, archives the previous production version when promoting, and writes an audit event
 * and a stage-history row per version moved.
 */
export class TransitionService {
  /** Run before a version moves, with the model and the version locked: a module above may refuse the move (a legal hold). */
  readonly moving = new TransactionHooks<[ModelVersionEntity, Stage]>();
  private readonly gateChecks: GateCheck[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** Adds a gate every gated move (and promotionReadiness) evaluates after the gates of this module. */
  addGate(check: GateCheck): void {
    this.gateChecks.push(check);
  }

  /**
   * transitionModelVersion({ versionId, toStage: PRODUCTION, expectedStage: STAGING, reason: 'beats champion' }).
   * Authorized for the move asked (from `expectedStage`) before any state is looked at: a caller without
   * the right learns nothing of the version's stage.
   */
  async transition(caller: Caller, input: TransitionInput): Promise<TransitionResult> {
    validateText(input.reason, 'reason', { max: 2000 });
    const { idempotencyKey, ...request } = input;
    const authorize = async (m: EntityManager) => {
      const [version] = await m.query('SELECT model_id FROM model_versions WHERE id = $1', [input.versionId]);
      if (!version) throw notFound('model version', input.versionId);
      await this.access.authorize(
        m,
        caller,
        actionForMove(input.expectedStage, input.toStage),
        version.model_id,
        notFound('model version', input.versionId),
      );
    };
    return this.idempotentMove(caller, 'transitionModelVersion', idempotencyKey, request, authorize, async (m) => {
      const model = await lockModelOfVersion(m, input.versionId); // lock order everywhere: model, then version
      const version = await readVersion(m, input.versionId, 'FOR UPDATE');
      return this.move(m, caller, model, version, input);
    });
  }

  /** Puts back the version that was last in production and archives the current one. */
  async rollback(caller: Caller, input: RollbackInput): Promise<TransitionResult> {
    validateText(input.reason, 'reason', { max: 2000 });
    const { idempotencyKey, ...request } = input;
    const authorize = (m: EntityManager) => this.access.authorize(m, caller, Action.ROLL_BACK, input.modelId);
    return this.idempotentMove(caller, 'rollbackModel', idempotencyKey, request, authorize, async (m) => {
      const model = await lockModel(m, input.modelId);
      const targetId = await lastInProduction(m, model.id);
      const target = targetId ? await readVersion(m, targetId, 'FOR UPDATE') : null;
      if (!target || target.stage !== Stage.ARCHIVED) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, 'nothing to roll back to: no archived version was in production before', {
          allowed: [],
        });
      }
      const rollback = { versionId: target.id, toStage: Stage.PRODUCTION, expectedStage: Stage.ARCHIVED };
      return this.move(
        m,
        caller,
        model,
        target,
        { ...rollback, reason: input.reason ? `rollback: ${input.reason}` : 'rollback' },
        targetId,
      );
    });
  }

  /** Every gate for moving a version to `targetStage`, evaluated now, and whether the caller may make the move; changes nothing. */
  async readiness(caller: Caller, versionId: string, targetStage: Stage): Promise<Readiness> {
    const m = this.db.manager;
    const version = await readVersion(m, versionId);
    const level = await this.access.authorize(m, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    const report = await this.gateReport(m, await readModel(m, version.modelId), version, targetStage);
    return {
      ...report,
      versionId,
      currentStage: version.stage,
      moveAllowed: ALLOWED_MOVES[version.stage].includes(targetStage),
      ...permission(level, actionForMove(version.stage, targetStage)),
    };
  }

  /**
   * One transaction around a move. A first run answers with the rows it wrote; only a retry with the
   * same idempotency key reads them back by id. The one-production index is the last word: should two
   * promotions ever slip past the model lock (they cannot today), the loser gets a CONFLICT, never an
   * internal error.
   */
  private async idempotentMove(
    caller: Caller,
    scope: string,
    key: string | null | undefined,
    request: object,
    authorize: (m: EntityManager) => Promise<unknown>,
    work: (m: EntityManager) => Promise<Moved>,
  ): Promise<TransitionResult> {
    try {
      return await this.db.transaction(async (m) => {
        await authorize(m); // before a replay too: a caller who lost the right does not get the stored answer
        const { result, replayed } = await runIdempotent(m, caller, scope, key, request, () => work(m), {
          save: (moved) => ({ versionId: moved.version.id, archivedId: moved.archived?.id ?? null }),
          load: async (stored) => ({
            version: await readVersion(m, stored.versionId),
            archived: stored.archivedId ? await readVersion(m, stored.archivedId) : null,
          }),
        });
        return { ...result, replayed };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'model_versions_one_production_idx'))
        throw conflict('another version was promoted at the same moment: reload and retry');
      throw err;
    }
  }

  /**
   * The move itself, with the model and the version already locked. `lastInProductionId`: the version
   * a rollback restores, when the caller has read it already.
   */
  private async move(
    m: EntityManager,
    caller: Caller,
    model: RegisteredModelEntity,
    version: ModelVersionEntity,
    input: TransitionInput,
    lastInProductionId?: string | null,
  ): Promise<Moved> {
    const from = version.stage;
    if (from !== input.expectedStage) {
      throw conflict(`version ${version.version} is ${from}, not ${input.expectedStage}: reload and retry`, {
        field: 'expectedStage',
        currentStage: from,
      });
    }
    const to = input.toStage;
    await this.moving.run(m, version, to);
    const rollback = isRollback(from, to);
    const last = rollback ? (lastInProductionId !== undefined ? lastInProductionId : await lastInProduction(m, model.id)) : null;
    assertMove(from, to, { wasLastInProduction: rollback && last === version.id });
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
      const report = await this.gateReport(m, model, version, to);
      if (!report.passed) throw gateFailed(report);
    }
    const moves: StageMove[] = [];
    if (to === Stage.PRODUCTION) {
      const [current] = await m.query(`SELECT * FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION' FOR UPDATE`, [model.id]);
      if (current) {
        const replacedBy = { versionId: version.id, version: version.version };
        moves.push({
          version: hydrate(m, ModelVersionEntity, current),
          to: Stage.ARCHIVED,
          reason: `replaced by version ${version.version}`,
          more: { replacedBy },
        });
      }
    }
    // The promotion's event names the version it replaced: a promotion is one event with both versions.
    const replaced = moves.length ? { replaced: { versionId: moves[0].version.id, version: moves[0].version.version } } : {};
    moves.push({ version, to, reason: input.reason ?? '', more: replaced });
    // One append for both moves: the archiving and the promotion hold the audit chain's lock once, to the commit.
    const written = await setStages(m, caller, moves);
    return { version: written[written.length - 1], archived: written.length > 1 ? written[0] : null };
  }

  /** The gates for a move, read through `m` (inside a transition's transaction, so they see its locks). */
  private async gateReport(
    m: EntityManager,
    model: RegisteredModelEntity,
    version: ModelVersionEntity,
    targetStage: Stage,
  ): Promise<GateReport> {
    const { policy } = await effectivePolicy(m, model);
    const report = evaluateGates({
      targetStage,
      artifactStatus: version.artifactStatus,
      registrant: version.createdBy,
      latestValidation: await latestVerdict(m, version.id),
      decisions: await decisionsOn(m, version.id, targetStage),
      policy,
      now: new Date(),
    });
    for (const check of this.gateChecks) report.gates.push(...(await check(m, { model, version, targetStage, policy })));
    return { ...report, passed: report.gates.every((g) => g.passed) };
  }

  // ---- reads (batched) ----

  async historyPages(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<StageTransitionEntity>>> {
    return hydratePages(this.db.manager, StageTransitionEntity, await keysetPages(this.db.manager, historyList(versionIds), page));
  }

  historyCounts(versionIds: readonly string[]): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, historyList(versionIds));
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

function permission(level: Level, action: Action): { permitted: boolean; permission: string } {
  return mayDo(level, action)
    ? { permitted: true, permission: `${action} needs ${RIGHTS[action]}; you have ${level}` }
    : { permitted: false, permission: `${action} needs ${RIGHTS[action]} on this model; you have ${level}` };
}

function historyList(versionIds: readonly string[]): ListQuery {
  return {
    from: 'stage_transitions',
    parent: { column: 'x.version_id', keys: versionIds },
    order: ['x.audit_seq', 'x.id'],
    direction: 'DESC',
  };
}

/** The version most recently moved out of PRODUCTION: the one a rollback restores. */
async function lastInProduction(m: EntityManager, modelId: string): Promise<string | null> {
  const [row] = await m.query(
    `SELECT version_id FROM stage_transitions WHERE model_id = $1 AND from_stage = 'PRODUCTION' ORDER BY audit_seq DESC LIMIT 1`,
    [modelId],
  );
  return row?.version_id ?? null;
}
