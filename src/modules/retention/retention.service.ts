import type { DataSource, EntityManager } from 'typeorm';
import { RegistryAction } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { badInput, conflict, notFound } from '../../common/errors';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { Action, type AccessService } from '../access';
import {
  type ArtifactStore,
  coldKey,
  isReservedKey,
  referencedKeys,
  rootKeyOf,
  type ArtifactService,
  queueArtifactJob,
} from '../artifacts';
import { appendAudit } from '../audit';
import { setStage, type RetirementService, type TransitionService } from '../lifecycle';
import { RiskTier, readModel } from '../models';
import { type ArtifactLayout, Stage, readVersion } from '../versions';
import { planRetention, validatePolicy, type PlanEntry, type RetentionPolicy, type VersionFacts } from './retention.rules';

export interface SetPolicyInput extends RetentionPolicy {
  /** One of: a model, a risk tier, or neither (the global policy). */
  modelId?: string | null;
  riskTier?: RiskTier | null;
}

export interface StoredPolicy extends RetentionPolicy {
  scope: 'GLOBAL' | 'RISK_TIER' | 'MODEL';
  modelId: string | null;
  riskTier: RiskTier | null;
}

export interface LegalHold {
  id: string;
  modelId: string;
  versionId: string | null;
  reason: string;
  reference: string;
  placedBy: string;
  placedAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
  releaseReason: string | null;
}

export interface RetentionOutcome {
  plan: PlanEntry[];
  policy: StoredPolicy | null;
  retired: number;
  queued: number;
}

const HOLD_COLUMNS = `id, model_id AS "modelId", version_id AS "versionId", reason, reference, placed_by AS "placedBy", placed_at AS "placedAt",
  released_by AS "releasedBy", released_at AS "releasedAt", release_reason AS "releaseReason"`;
const POLICY_COLUMNS = `scope, model_id AS "modelId", risk_tier AS "riskTier", max_age_days AS "maxAgeDays", keep_at_least AS "keepAtLeast",
  artifact_action AS "artifactAction"`;

/** The open hold on a version or its model, as "reason (reference)"; null when none. */
async function holdOn(m: EntityManager, modelId: string, versionId: string | null): Promise<string | null> {
  const [hold] = await m.query(
    `SELECT reason, reference FROM legal_holds WHERE model_id = $1 AND released_at IS NULL AND (version_id IS NULL OR version_id = $2)
     ORDER BY placed_at LIMIT 1`,
    [modelId, versionId],
  );
  return hold ? `${hold.reason} (${hold.reference})` : null;
}

/**
 * Retention: policies, the plan (a dry run that says why each version stays), applying it (ARCHIVED → RETIRED,
 * the artifact queued for the artifact worker's cold storage or deletion), legal holds that stop all of it
 * (retiring, moving, deleting, restoring), and sweeping the artifact store of objects no version references.
 */
export class RetentionService {
  private readonly store: ArtifactStore;

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    artifacts: ArtifactService,
    transitions: TransitionService,
    retirement: RetirementService,
  ) {
    this.store = artifacts.store;
    // Under legal hold no artifact moves: the worker postpones its jobs, restoreArtifact is refused.
    artifacts.holds.add((m, modelId, versionId) => holdOn(m, modelId, versionId));
    // Under legal hold nothing retires: not a version moved to RETIRED by hand, not the whole model.
    transitions.moving.add(async (m, version, to) => {
      if (to !== Stage.RETIRED) return;
      const hold = await holdOn(m, version.modelId, version.id);
      if (hold) throw conflict(`version ${version.version} is under legal hold: ${hold}`, { field: 'toStage' });
    });
    retirement.retiring.add(async (m, model) => {
      // A hold on the model or on any of its versions: the model-wide one first.
      const [hold] = await m.query(
        `SELECT reason, reference, version_id FROM legal_holds WHERE model_id = $1 AND released_at IS NULL ORDER BY version_id NULLS FIRST, placed_at LIMIT 1`,
        [model.id],
      );
      if (hold)
        throw conflict(
          `model "${model.name}" is under legal hold${hold.version_id ? ' (on a version)' : ''}: ${hold.reason} (${hold.reference})`,
        );
    });
  }

  /** setRetentionPolicy: per model (MANAGE), per risk tier or global (ADMIN). */
  async setPolicy(caller: Caller, input: SetPolicyInput): Promise<StoredPolicy> {
    validatePolicy(input);
    if (input.modelId && input.riskTier) throw badInput('riskTier', 'give a model or a risk tier, not both');
    const scope = input.modelId ? 'MODEL' : input.riskTier ? 'RISK_TIER' : 'GLOBAL';
    return this.db.transaction(async (m) => {
      if (input.modelId) await this.access.authorize(m, caller, Action.EDIT_POLICY, input.modelId);
      else this.access.authorizeRegistry(caller, RegistryAction.GOVERN_ALL_MODELS);
      const [before] = await m.query(
        `SELECT ${POLICY_COLUMNS} FROM retention_policies WHERE scope = $1 AND COALESCE(model_id::text, risk_tier, '') = $2`,
        [scope, input.modelId ?? input.riskTier ?? ''],
      );
      const [after] = await m.query(
        `INSERT INTO retention_policies (scope, model_id, risk_tier, max_age_days, keep_at_least, artifact_action, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (scope, COALESCE(model_id::text, risk_tier, '')) DO UPDATE SET max_age_days = EXCLUDED.max_age_days,
           keep_at_least = EXCLUDED.keep_at_least, artifact_action = EXCLUDED.artifact_action, updated_by = EXCLUDED.updated_by,
           updated_at = now(), revision = retention_policies.revision + 1
         RETURNING ${POLICY_COLUMNS}`,
        [scope, input.modelId ?? null, input.riskTier ?? null, input.maxAgeDays, input.keepAtLeast, input.artifactAction, caller.subject],
      );
      await appendAudit(m, caller, {
        action: 'retention.policy_set',
        subjectType: 'RetentionPolicy',
        subjectId: input.modelId ?? input.riskTier ?? 'GLOBAL',
        modelId: input.modelId ?? null,
        payload: { before: before ?? null, after },
      });
      return after;
    });
  }

  /** retentionPlan(modelId): what applyRetention would do now, and why every other version is kept. Changes nothing. */
  async plan(caller: Caller, modelId: string): Promise<RetentionOutcome> {
    await this.access.authorize(this.db.manager, caller, Action.VIEW, modelId);
    const { plan, policy } = await this.planFor(this.db.manager, modelId);
    return { plan, policy, retired: 0, queued: 0 };
  }

  /**
   * applyRetention(modelId), ADMIN: the plan, carried out under the model's lock: each version to retire moves
   * ARCHIVED → RETIRED (stage history and audit as any move) and its artifact is queued for cold storage or
   * deletion, which the artifact worker carries out. Metadata stays forever.
   */
  async apply(caller: Caller, modelId: string): Promise<RetentionOutcome> {
    this.access.authorizeRegistry(caller, RegistryAction.APPLY_RETENTION);
    return this.db.transaction(async (m) => {
      await this.access.authorize(m, caller, Action.RETIRE, modelId);
      await m.query('SELECT id FROM registered_models WHERE id = $1 FOR UPDATE', [modelId]);
      const { plan, policy, keys } = await this.planFor(m, modelId);
      let queued = 0;
      const retiring = plan.filter((e) => e.action === 'RETIRE');
      for (const entry of retiring) {
        const version = await readVersion(m, entry.versionId, 'FOR UPDATE');
        await setStage(m, caller, version, Stage.RETIRED, `retention: ${entry.reason}`, {
          retention: { policy, artifactAction: entry.artifactAction },
        });
        if (!entry.artifactAction) continue;
        const key = keys.get(version.id);
        if (!key) continue;
        await queueArtifactJob(m, caller, {
          versionId: version.id,
          version: version.version,
          modelId,
          action: entry.artifactAction === 'COLD_STORAGE' ? 'MOVE_TO_COLD' : 'DELETE',
          key,
          reason: entry.reason,
        });
        queued += 1;
      }
      return { plan, policy, retired: retiring.length, queued };
    });
  }

  /** setLegalHold({ modelId | versionId, reason, reference }), ADMIN: from now on nothing of it retires, moves or is deleted. */
  async setHold(
    caller: Caller,
    input: { modelId?: string | null; versionId?: string | null; reason: string; reference: string },
  ): Promise<LegalHold> {
    this.access.authorizeRegistry(caller, RegistryAction.LEGAL_HOLD);
    validateText(input.reason, 'reason', { required: true, max: 2000 });
    validateText(input.reference, 'reference', { required: true, max: 500, identifier: true });
    if (Boolean(input.modelId) === Boolean(input.versionId)) throw badInput('modelId', 'give exactly one of modelId and versionId');
    return this.db.transaction(async (m) => {
      const modelId = input.versionId ? (await readVersion(m, input.versionId)).modelId : (input.modelId as string);
      await readModel(m, modelId);
      const [hold] = await m.query(
        `INSERT INTO legal_holds (model_id, version_id, reason, reference, placed_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${HOLD_COLUMNS}`,
        [modelId, input.versionId ?? null, input.reason.trim(), input.reference.trim(), caller.subject],
      );
      await appendAudit(m, caller, {
        action: 'legal_hold.placed',
        subjectType: 'LegalHold',
        subjectId: hold.id,
        modelId,
        payload: { hold },
      });
      return hold;
    });
  }

  /** releaseLegalHold({ id, reason }), ADMIN. */
  async releaseHold(caller: Caller, input: { id: string; reason: string }): Promise<LegalHold> {
    this.access.authorizeRegistry(caller, RegistryAction.LEGAL_HOLD);
    validateText(input.reason, 'reason', { required: true, max: 2000 });
    if (!isUuid(input.id)) throw notFound('legal hold', input.id);
    return this.db.transaction(async (m) => {
      const [rows] = await m.query(
        `UPDATE legal_holds SET released_by = $2, released_at = now(), release_reason = $3 WHERE id = $1 AND released_at IS NULL RETURNING ${HOLD_COLUMNS}`,
        [input.id, caller.subject, input.reason.trim()],
      );
      const hold = rows[0] as LegalHold | undefined;
      if (!hold) {
        const [exists] = await m.query('SELECT 1 FROM legal_holds WHERE id = $1', [input.id]);
        throw exists ? conflict('the legal hold was already released') : notFound('legal hold', input.id);
      }
      await appendAudit(m, caller, {
        action: 'legal_hold.released',
        subjectType: 'LegalHold',
        subjectId: hold.id,
        modelId: hold.modelId,
        payload: { hold },
      });
      return hold;
    });
  }

  /** The holds of a model (open first), for anyone who may see it. */
  async holds(caller: Caller, modelId: string): Promise<LegalHold[]> {
    await this.access.authorize(this.db.manager, caller, Action.VIEW, modelId);
    return this.db.query(`SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE model_id = $1 ORDER BY released_at IS NOT NULL, placed_at DESC`, [
      modelId,
    ]);
  }

  /**
   * sweepArtifacts, ADMIN: objects in the store that no version references (an upload's leftovers, a copy a crash
   * left behind), removed when older than the grace period unless `dryRun`.
   */
  async sweep(
    caller: Caller,
    input: { graceHours: number; dryRun: boolean },
  ): Promise<Array<{ key: string; size: number; modified: Date; removed: boolean }>> {
    this.access.authorizeRegistry(caller, RegistryAction.SWEEP_ARTIFACTS);
    if (!Number.isInteger(input.graceHours) || input.graceHours < 0 || input.graceHours > 8760)
      throw badInput('graceHours', 'must be a whole number from 0 to 8,760');
    // Every file a version holds, hot or cold, and what a version's folder reserves beside its files (model.sig).
    const referenced = await referencedKeys(this.db.manager, this.store);
    const cutoff = Date.now() - input.graceHours * 3600 * 1000;
    const found: Array<{ key: string; size: number; modified: Date; removed: boolean }> = [];
    for (const prefix of ['models/', coldKey('models/')]) {
      for await (const object of this.store.list(prefix)) {
        if (referenced.has(object.key) || isReservedKey(object.key)) continue;
        const removable = object.modified.getTime() <= cutoff;
        if (removable && !input.dryRun) await this.store.remove(object.key);
        found.push({ key: object.key, size: object.size, modified: object.modified, removed: removable && !input.dryRun });
      }
    }
    if (found.some((f) => f.removed)) {
      await this.db.transaction((m) =>
        appendAudit(m, caller, {
          action: 'artifact.swept',
          subjectType: 'ArtifactStore',
          subjectId: this.store.description,
          payload: { removed: found.filter((f) => f.removed).map((f) => ({ key: f.key, size: f.size })) },
        }),
      );
    }
    return found;
  }

  /**
   * The plan, and the key in the store of each version's artifact that retention may move or delete: its upload (a
   * folder's storage path, every file under it; a single file's object), or its reference to an object of its model that no other version names (rows from before the reference rule
   * may break it; their objects are left where they are).
   */
  private async planFor(
    m: EntityManager,
    modelId: string,
  ): Promise<{ plan: PlanEntry[]; policy: StoredPolicy | null; keys: Map<string, string> }> {
    const model = await readModel(m, modelId);
    const [policy] = (await m.query(
      `SELECT ${POLICY_COLUMNS} FROM retention_policies
       WHERE model_id = $1 OR risk_tier = $2 OR scope = 'GLOBAL'
       ORDER BY CASE scope WHEN 'MODEL' THEN 0 WHEN 'RISK_TIER' THEN 1 ELSE 2 END LIMIT 1`,
      [modelId, model.riskTier],
    )) as StoredPolicy[];
    const rows = (await m.query(
      `SELECT v.id, v.version, v.stage, v.artifact_status, v.artifact_source_uri, v.artifact_storage_path, v.artifact_layout,
         (SELECT max(st.changed_at) FROM stage_transitions st WHERE st.version_id = v.id AND st.to_stage = 'ARCHIVED') AS archived_at,
         ARRAY(SELECT a.name FROM model_aliases a WHERE a.version_id = v.id ORDER BY a.name) AS aliases,
         (SELECT count(*)::int FROM deployments d WHERE d.version_id = v.id AND d.status = 'ACTIVE') AS active_deployments,
         (SELECT h.reason || ' (' || h.reference || ')' FROM legal_holds h WHERE h.model_id = v.model_id AND h.released_at IS NULL
            AND (h.version_id IS NULL OR h.version_id = v.id) ORDER BY h.placed_at LIMIT 1) AS legal_hold
       FROM model_versions v WHERE v.model_id = $1`,
      [modelId],
    )) as Array<Record<string, unknown>>;
    const named = rows.map((r) => ({
      id: r.id as string,
      key: rootKeyOf(this.store, {
        id: r.id as string,
        modelId,
        artifactSourceUri: r.artifact_source_uri as string | null,
        artifactStoragePath: r.artifact_storage_path as string,
        artifactLayout: r.artifact_layout as ArtifactLayout,
      }),
    }));
    const uses = new Map<string, number>();
    for (const { key } of named) if (key) uses.set(key, (uses.get(key) ?? 0) + 1);
    const keys = new Map<string, string>();
    for (const { id, key } of named) if (key && uses.get(key) === 1) keys.set(id, key);
    const downstream = await protectedDownstream(
      m,
      rows.filter((r) => r.stage === 'ARCHIVED').map((r) => r.id as string),
    );
    const facts: VersionFacts[] = rows.map((r) => ({
      id: r.id as string,
      version: r.version as number,
      stage: r.stage as string,
      archivedAt: (r.archived_at as Date | null) ?? null,
      aliases: r.aliases as string[],
      activeDeployments: r.active_deployments as number,
      protectedDownstream: downstream.get(r.id as string) ?? [],
      legalHold: (r.legal_hold as string | null) ?? null,
      artifactInStore: r.artifact_status === 'READY' && keys.has(r.id as string),
    }));
    return { plan: planRetention(facts, policy ?? null, new Date()), policy: policy ?? null, keys };
  }
}

/**
 * For each of `versionIds`, the protected versions (in STAGING or PRODUCTION, holding an alias, with an ACTIVE
 * deployment) and ACTIVE deployments downstream of it in lineage, within 20 steps (cycles in bad data end there).
 */
async function protectedDownstream(m: EntityManager, versionIds: string[]): Promise<Map<string, string[]>> {
  if (!versionIds.length) return new Map();
  const rows = (await m.query(
    `WITH RECURSIVE walk(start, node, depth) AS (
       SELECT id, id, 0 FROM unnest($1::uuid[]) AS id
       UNION
       SELECT w.start, e.to_id, w.depth + 1 FROM walk w JOIN lineage_edges e ON e.from_id = w.node AND e.removed_at IS NULL WHERE w.depth < 20
     )
     SELECT DISTINCT w.start, COALESCE(r.name || '@' || v.version || ' (' || v.stage || ')', 'deployment ' || d.environment || ' (ACTIVE)') AS what
     FROM walk w
     LEFT JOIN model_versions v ON v.id = w.node AND w.node <> w.start
     LEFT JOIN registered_models r ON r.id = v.model_id
     LEFT JOIN deployments d ON d.id = w.node AND d.status = 'ACTIVE'
     WHERE d.id IS NOT NULL OR (v.id IS NOT NULL AND (v.stage IN ('STAGING', 'PRODUCTION')
       OR EXISTS (SELECT 1 FROM model_aliases a WHERE a.version_id = v.id)
       OR EXISTS (SELECT 1 FROM deployments dd WHERE dd.version_id = v.id AND dd.status = 'ACTIVE')))
     ORDER BY 2`,
    [versionIds],
  )) as Array<{ start: string; what: string }>;
  const byVersion = new Map<string, string[]>();
  for (const r of rows) byVersion.set(r.start, [...(byVersion.get(r.start) ?? []), r.what]);
  return byVersion;
}
