import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { notFound } from '../../common/errors';
import { hydrate, hydrateByKey, hydratePages } from '../../db/hydrate';
import { projection } from '../../db/projection';
import { keysetCounts, keysetPages, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import type { AccessService } from '../access';
import { appendAudit } from '../audit';
import { lockModel } from '../models';
import type { Stage } from '../versions';
import { assertAliasTarget, validateAliasName } from './alias.rules';
import { ModelAliasEntity, ModelAliasHistoryEntity } from './alias.entity';

export interface SetAliasInput {
  modelId: string;
  alias: string;
  versionId: string;
}

/**
 * Named pointers to versions (champion, challenger, …) and their history; each move is audited. Moving
 * or deleting one needs SET_ALIAS on the model, or MOVE_PROTECTED_ALIAS when a protection rule covers it.
 */
export class AliasService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** Points an alias at a version of the same model; a move is recorded in the alias history. */
  async set(caller: Caller, input: SetAliasInput): Promise<ModelAliasEntity> {
    validateAliasName(input.alias);
    return this.db.transaction(async (m) => {
      await this.access.authorizeAlias(m, caller, input.modelId, input.alias);
      // Locking the model serialises alias moves per model, so history rows never interleave.
      await lockModel(m, input.modelId);
      const [version] = (await m.query('SELECT model_id AS "modelId", stage FROM model_versions WHERE id = $1', [
        input.versionId,
      ])) as Array<{
        modelId: string;
        stage: Stage;
      }>;
      assertAliasTarget(version ?? null, input.modelId);
      const [current] = await m.query('SELECT * FROM model_aliases WHERE model_id = $1 AND name = $2', [input.modelId, input.alias]);
      const before = current ? hydrate(m, ModelAliasEntity, current) : null;
      if (before && before.versionId === input.versionId) return before; // already there: no change, no event
      const [after] = await writeReturning(
        m,
        ModelAliasEntity,
        `INSERT INTO model_aliases (model_id, name, version_id, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (model_id, name) DO UPDATE
           SET version_id = EXCLUDED.version_id, updated_by = EXCLUDED.updated_by, updated_at = now(),
               revision = model_aliases.revision + 1
         RETURNING *`,
        [input.modelId, input.alias, input.versionId, caller.subject],
      );
      await recordMove(m, caller, input.modelId, input.alias, before?.versionId ?? null, input.versionId);
      await appendAudit(m, caller, {
        action: 'alias.set',
        subjectType: 'ModelAlias',
        subjectId: after.id,
        modelId: input.modelId,
        payload: { alias: input.alias, before, after },
      });
      return after;
    });
  }

  /** Removes an alias; answers with the alias as it was. */
  async delete(caller: Caller, input: { modelId: string; alias: string }): Promise<ModelAliasEntity> {
    validateAliasName(input.alias);
    return this.db.transaction(async (m) => {
      await this.access.authorizeAlias(m, caller, input.modelId, input.alias);
      await lockModel(m, input.modelId);
      const [before] = await writeReturning(
        m,
        ModelAliasEntity,
        'DELETE FROM model_aliases WHERE model_id = $1 AND name = $2 RETURNING *',
        [input.modelId, input.alias],
      );
      if (!before) throw notFound('alias', `"${input.alias}"`);
      await recordMove(m, caller, input.modelId, input.alias, before.versionId, null);
      await appendAudit(m, caller, {
        action: 'alias.deleted',
        subjectType: 'ModelAlias',
        subjectId: before.id,
        modelId: input.modelId,
        payload: { alias: input.alias, before, after: null },
      });
      return before;
    });
  }

  // ---- reads (batched: each takes many keys and costs one statement) ----

  /** Aliases of many models (RegisteredModel.aliases) or held by many versions (ModelVersion.aliases). */
  async pages(
    parents: readonly string[],
    of: AliasParent,
    page: PageArgs,
    fields?: readonly string[],
  ): Promise<Map<string, Page<ModelAliasEntity>>> {
    const list = { ...aliasList(parents, of), columns: fields && projection(this.db.manager, ModelAliasEntity, fields) };
    return hydratePages(this.db.manager, ModelAliasEntity, await keysetPages(this.db.manager, list, page));
  }

  counts(parents: readonly string[], of: AliasParent): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, aliasList(parents, of));
  }

  /** Keys are `${modelId}/${alias}`. */
  async byName(keys: readonly string[]): Promise<Map<string, ModelAliasEntity>> {
    const pairs = keys.map((k) => k.split('/'));
    const rows = await this.db.query(
      `SELECT a.* FROM model_aliases a JOIN unnest($1::uuid[], $2::text[]) AS k(model_id, name)
         ON a.model_id = k.model_id AND a.name = k.name`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    return hydrateByKey(this.db.manager, ModelAliasEntity, rows, (r) => `${r.model_id}/${r.name}`);
  }

  /**
   * Where each alias pointed at a moment, from its history (null: it did not exist then).
   * Keys are `${modelId}/${alias}`, all asked at the same `at`.
   */
  async targetsAt(keys: readonly string[], at: Date): Promise<Map<string, string | null>> {
    const pairs = keys.map((k) => k.split('/'));
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (h.model_id, h.alias) h.model_id, h.alias, h.version_id
       FROM model_alias_history h JOIN unnest($1::uuid[], $2::text[]) AS k(model_id, name)
         ON h.model_id = k.model_id AND h.alias = k.name
       WHERE h.changed_at <= $3
       ORDER BY h.model_id, h.alias, h.changed_at DESC, h.id DESC`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1]), at],
    )) as Array<{ model_id: string; alias: string; version_id: string | null }>;
    return new Map(rows.map((r) => [`${r.model_id}/${r.alias}`, r.version_id]));
  }

  /** History of one alias of many models (RegisteredModel.aliasHistory); keys are model ids. */
  async historyPages(modelIds: readonly string[], alias: string, page: PageArgs): Promise<Map<string, Page<ModelAliasHistoryEntity>>> {
    return hydratePages(this.db.manager, ModelAliasHistoryEntity, await keysetPages(this.db.manager, historyList(modelIds, alias), page));
  }

  historyCounts(modelIds: readonly string[], alias: string): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, historyList(modelIds, alias));
  }
}

export type AliasParent = 'model' | 'version';

function aliasList(parents: readonly string[], of: AliasParent): ListQuery {
  return { from: 'model_aliases', parent: { column: `x.${of}_id`, keys: parents }, order: ['x.name', 'x.id'], direction: 'ASC' };
}

function historyList(modelIds: readonly string[], alias: string): ListQuery {
  const params = new SqlParams();
  return {
    from: 'model_alias_history',
    where: [`x.alias = ${params.p(alias)}`],
    params,
    parent: { column: 'x.model_id', keys: modelIds },
    order: ['x.changed_at', 'x.id'],
    direction: 'DESC',
  };
}

/** One history row per move: where the alias pointed before and after (null after: deleted). */
async function recordMove(
  m: EntityManager,
  caller: Caller,
  modelId: string,
  alias: string,
  previousVersionId: string | null,
  versionId: string | null,
): Promise<void> {
  await m.query(`INSERT INTO model_alias_history (model_id, alias, version_id, previous_version_id, actor) VALUES ($1, $2, $3, $4, $5)`, [
    modelId,
    alias,
    versionId,
    previousVersionId,
    caller.subject,
  ]);
}
