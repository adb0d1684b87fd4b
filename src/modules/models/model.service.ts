import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict, notFound } from '../../common/errors';
import { hydrate, hydrateByKey, hydratePage, hydratePages } from '../../db/data-source';
import { isUniqueViolation } from '../../db/pg-errors';
import { isUuid } from '../../common/uuid';
import { emptyPage, keysetPages, SqlParams, type Page, type PageArgs } from '../../db/pagination';
import { appendAudit } from '../audit/audit.service';
import { Stage } from '../versions/model-version.enums';
import { ModelAliasEntity, ModelAliasHistoryEntity } from './model-alias.entity';
import { ModelStatus, RiskTier } from './model.enums';
import { mergeTags, validateAliasName, validateModelName, validateText, type TagPair } from './model.rules';
import { RegisteredModelEntity } from './registered-model.entity';

export interface CreateModelInput {
  name: string;
  description?: string | null;
  owner: string;
  riskTier?: RiskTier | null;
  tags?: TagPair[] | null;
}

export interface UpdateModelInput {
  id: string;
  expectedRevision: number;
  description?: string | null;
  owner?: string | null;
  riskTier?: RiskTier | null;
}

export interface SetTagsInput {
  modelId: string;
  tags: TagPair[];
  removeKeys?: string[] | null;
}

export interface ModelFilter {
  nameContains?: string | null;
  tags?: TagPair[] | null;
  riskTier?: RiskTier | null;
  status?: ModelStatus | null;
  owner?: string | null;
}

export type ModelOrderField = 'NAME' | 'CREATED_AT' | 'UPDATED_AT';
export interface ModelOrder {
  field: ModelOrderField;
  direction: 'ASC' | 'DESC';
}

const ORDER_COLUMN: Record<ModelOrderField, string> = { NAME: 'x.name', CREATED_AT: 'x.created_at', UPDATED_AT: 'x.updated_at' };
const ALIAS_UNAVAILABLE_STAGES = [Stage.RETIRED, Stage.REJECTED];

/** Registered models, their tags and aliases. Every change is one transaction with its audit event. */
export class ModelService {
  constructor(private readonly db: DataSource) {}

  /** createModel({ name: 'fraud-detector', owner: 'risk-ml' }) — a slug name, unique registry-wide. */
  async create(caller: Caller, input: CreateModelInput): Promise<RegisteredModelEntity> {
    validateModelName(input.name);
    validateText(input.owner, 'owner', { required: true, max: 200 });
    validateText(input.description, 'description');
    const tags = mergeTags({}, input.tags ?? []);
    return this.db.transaction(async (m) => {
      let row: Record<string, unknown>;
      try {
        [row] = await m.query(
          `INSERT INTO registered_models (name, description, owner, tags, risk_tier, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [input.name, input.description ?? '', input.owner, JSON.stringify(tags), input.riskTier ?? RiskTier.MEDIUM, caller.subject],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`a model named "${input.name}" already exists`, { field: 'name' });
        throw err;
      }
      const model = hydrate(m, RegisteredModelEntity, row);
      await appendAudit(m, caller, {
        action: 'model.created',
        subjectType: 'RegisteredModel',
        subjectId: model.id,
        modelId: model.id,
        payload: { before: null, after: model },
      });
      return model;
    });
  }

  /** Optimistic concurrency: the write applies only if the row is still at `expectedRevision`. */
  async update(caller: Caller, input: UpdateModelInput): Promise<RegisteredModelEntity> {
    validateText(input.owner, 'owner', { max: 200 });
    if (input.owner !== undefined && input.owner !== null && input.owner.trim() === '') throw badInput('owner', 'must not be empty');
    validateText(input.description, 'description');
    return this.db.transaction(async (m) => {
      const before = await lockModel(m, input.id);
      const result = (await m.query(
        `UPDATE registered_models
         SET description = COALESCE($3, description), owner = COALESCE($4, owner), risk_tier = COALESCE($5, risk_tier),
             revision = revision + 1, updated_at = now()
         WHERE id = $1 AND revision = $2 RETURNING *`,
        [input.id, input.expectedRevision, input.description ?? null, input.owner ?? null, input.riskTier ?? null],
      )) as [Array<Record<string, unknown>>, number];
      const [rows, count] = result;
      if (count !== 1) throw staleRevision(before.revision, input.expectedRevision);
      const after = hydrate(m, RegisteredModelEntity, rows[0]);
      await appendAudit(m, caller, {
        action: 'model.updated',
        subjectType: 'RegisteredModel',
        subjectId: after.id,
        modelId: after.id,
        payload: { before, after },
      });
      return after;
    });
  }

  async setTags(caller: Caller, input: SetTagsInput): Promise<RegisteredModelEntity> {
    return this.db.transaction(async (m) => {
      const before = await lockModel(m, input.modelId);
      const tags = mergeTags(before.tags, input.tags, input.removeKeys ?? []);
      const [[row]] = (await m.query(
        `UPDATE registered_models SET tags = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
        [input.modelId, JSON.stringify(tags)],
      )) as [Array<Record<string, unknown>>, number];
      const after = hydrate(m, RegisteredModelEntity, row);
      await appendAudit(m, caller, {
        action: 'model.tags_set',
        subjectType: 'RegisteredModel',
        subjectId: after.id,
        modelId: after.id,
        payload: { before: { tags: before.tags }, after: { tags: after.tags } },
      });
      return after;
    });
  }

  /** Points an alias at a version of the same model; a move is recorded in the alias history. */
  async setAlias(caller: Caller, input: { modelId: string; alias: string; versionId: string }): Promise<ModelAliasEntity> {
    validateAliasName(input.alias);
    return this.db.transaction(async (m) => {
      // Locking the model serialises alias moves per model, so history rows never interleave.
      await lockModel(m, input.modelId);
      const [version] = (await m.query('SELECT id, model_id, stage FROM model_versions WHERE id = $1', [input.versionId])) as Array<{
        id: string;
        model_id: string;
        stage: Stage;
      }>;
      if (!version || version.model_id !== input.modelId) throw badInput('versionId', 'is not a version of this model');
      if (ALIAS_UNAVAILABLE_STAGES.includes(version.stage)) {
        throw badInput('versionId', `a ${version.stage} version cannot hold an alias`);
      }
      const [current] = await m.query('SELECT * FROM model_aliases WHERE model_id = $1 AND name = $2', [input.modelId, input.alias]);
      const before = current ? hydrate(m, ModelAliasEntity, current) : null;
      if (before && before.versionId === input.versionId) return before; // already there: no change, no event
      const [row] = await m.query(
        `INSERT INTO model_aliases (model_id, name, version_id, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (model_id, name) DO UPDATE
           SET version_id = EXCLUDED.version_id, updated_by = EXCLUDED.updated_by, updated_at = now(),
               revision = model_aliases.revision + 1
         RETURNING *`,
        [input.modelId, input.alias, input.versionId, caller.subject],
      );
      const after = hydrate(m, ModelAliasEntity, row);
      await this.recordAliasMove(m, caller, input.modelId, input.alias, before?.versionId ?? null, input.versionId);
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

  async deleteAlias(caller: Caller, input: { modelId: string; alias: string }): Promise<ModelAliasEntity> {
    validateAliasName(input.alias);
    return this.db.transaction(async (m) => {
      await lockModel(m, input.modelId);
      const [[row]] = (await m.query('DELETE FROM model_aliases WHERE model_id = $1 AND name = $2 RETURNING *', [
        input.modelId,
        input.alias,
      ])) as [Array<Record<string, unknown>>, number];
      if (!row) throw notFound('alias', `"${input.alias}"`);
      const before = hydrate(m, ModelAliasEntity, row);
      await this.recordAliasMove(m, caller, input.modelId, input.alias, before.versionId, null);
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

  async byIds(ids: readonly string[]): Promise<Map<string, RegisteredModelEntity>> {
    const rows = await this.db.query('SELECT * FROM registered_models WHERE id = ANY($1)', [ids.filter(isUuid)]);
    return hydrateByKey(this.db.manager, RegisteredModelEntity, rows, (r) => String(r.id));
  }

  async byNames(names: readonly string[]): Promise<Map<string, RegisteredModelEntity>> {
    const rows = await this.db.query('SELECT * FROM registered_models WHERE name = ANY($1)', [names]);
    return hydrateByKey(this.db.manager, RegisteredModelEntity, rows, (r) => String(r.name));
  }

  async list(filter: ModelFilter, order: ModelOrder, page: PageArgs): Promise<Page<RegisteredModelEntity>> {
    const params = new SqlParams();
    const where: string[] = [];
    if (filter.nameContains) where.push(`x.name LIKE ${params.p(`%${escapeLike(filter.nameContains.toLowerCase())}%`)}`);
    if (filter.tags?.length) {
      const wanted = Object.fromEntries(filter.tags.map((t) => [t.key, t.value]));
      where.push(`x.tags @> ${params.p(JSON.stringify(wanted))}::jsonb`);
    }
    if (filter.riskTier) where.push(`x.risk_tier = ${params.p(filter.riskTier)}`);
    if (filter.status) where.push(`x.status = ${params.p(filter.status)}`);
    if (filter.owner) where.push(`x.owner = ${params.p(filter.owner)}`);
    const pages = await keysetPages(this.db.manager, {
      table: 'registered_models',
      where,
      params,
      order: [ORDER_COLUMN[order.field], 'x.id'],
      direction: order.direction,
      first: page.first,
      after: page.after,
    });
    return hydratePage(this.db.manager, RegisteredModelEntity, pages.get('') ?? emptyPage(page.after));
  }

  /** Aliases of many models at once (RegisteredModel.aliases). */
  async aliasesByModels(modelIds: readonly string[], page: PageArgs): Promise<Map<string, Page<ModelAliasEntity>>> {
    return this.aliasPages('x.model_id', modelIds, page);
  }

  /** Aliases held by many versions at once (ModelVersion.aliases). */
  async aliasesByVersions(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<ModelAliasEntity>>> {
    return this.aliasPages('x.version_id', versionIds, page);
  }

  /** Keys are `${modelId}/${alias}`. */
  async aliasesByName(keys: readonly string[]): Promise<Map<string, ModelAliasEntity>> {
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
  async aliasTargetsAt(keys: readonly string[], at: Date): Promise<Map<string, string | null>> {
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
  async aliasHistory(modelIds: readonly string[], alias: string, page: PageArgs): Promise<Map<string, Page<ModelAliasHistoryEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'model_alias_history',
      where: [`x.model_id = ANY(${params.p(modelIds)})`, `x.alias = ${params.p(alias)}`],
      params,
      order: ['x.changed_at', 'x.id'],
      direction: 'DESC',
      partitionBy: 'x.model_id',
      first: page.first,
      after: page.after,
    });
    return hydratePages(this.db.manager, ModelAliasHistoryEntity, pages);
  }

  private async aliasPages(column: string, keys: readonly string[], page: PageArgs): Promise<Map<string, Page<ModelAliasEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'model_aliases',
      where: [`${column} = ANY(${params.p(keys)})`],
      params,
      order: ['x.name', 'x.id'],
      direction: 'ASC',
      partitionBy: column,
      first: page.first,
      after: page.after,
    });
    return hydratePages(this.db.manager, ModelAliasEntity, pages);
  }

  private async recordAliasMove(
    m: EntityManager,
    caller: Caller,
    modelId: string,
    alias: string,
    previousVersionId: string | null,
    versionId: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO model_alias_history (model_id, alias, version_id, previous_version_id, actor) VALUES ($1, $2, $3, $4, $5)`,
      [modelId, alias, versionId, previousVersionId, caller.subject],
    );
  }
}

/** Reads one model, or throws NOT_FOUND; `lock` is a row-locking clause such as 'FOR UPDATE'. */
export async function readModel(m: EntityManager, id: string, lock: '' | 'FOR UPDATE' = ''): Promise<RegisteredModelEntity> {
  const [row] = await m.query(`SELECT * FROM registered_models WHERE id = $1 ${lock}`, [id]);
  if (!row) throw notFound('model', id);
  return hydrate(m, RegisteredModelEntity, row);
}

/** Reads a model and locks its row until the transaction ends: the per-model serialisation point. */
export function lockModel(m: EntityManager, id: string): Promise<RegisteredModelEntity> {
  return readModel(m, id, 'FOR UPDATE');
}

export function staleRevision(current: number, expected: number) {
  return conflict(`the model changed since revision ${expected} (now at revision ${current}): reload and retry`, {
    field: 'expectedRevision',
    currentRevision: current,
  });
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
