import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import type { Stage } from '../../common/stage';
import { canonicalJson } from '../../common/canonical-json';
import { badInput, conflict, staleRevision } from '../../common/errors';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { hydrateByKey, hydratePage } from '../../db/hydrate';
import { projection } from '../../db/projection';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { type AccessService, Action } from '../access';
import { appendAudit } from '../audit';
import { ModelStatus, RiskTier } from './model.enums';
import { mergeTags, validateModelName, type TagPair } from './model.rules';
import { lockModel } from './model.store';
import { RegisteredModelEntity } from './model.entity';

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
  /** A rename: grants, versions and history stay with the model (they are keyed by its id). */
  name?: string | null;
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
  stage?: Stage | null;
}

export type ModelOrderField = 'NAME' | 'CREATED_AT' | 'UPDATED_AT';
export interface ModelOrder {
  field: ModelOrderField;
  direction: 'ASC' | 'DESC';
}

const ORDER_COLUMN: Record<ModelOrderField, string> = { NAME: 'x.name', CREATED_AT: 'x.created_at', UPDATED_AT: 'x.updated_at' };

/**
 * Registered models and their tags. Every change is one transaction with its audit event, authorized
 * on the model by the access module first.
 */
export class ModelService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** createModel({ name: 'fraud-detector', owner: 'risk-ml' }) — a slug name, unique registry-wide. */
  async create(caller: Caller, input: CreateModelInput): Promise<RegisteredModelEntity> {
    validateModelName(input.name);
    validateText(input.owner, 'owner', { required: true, max: 200, identifier: true });
    validateText(input.description, 'description');
    const tags = mergeTags({}, input.tags ?? []);
    return this.db.transaction(async (m) => {
      await this.access.authorizeEverywhere(m, caller, Action.CREATE_MODEL);
      const [model] = await writeReturning(
        m,
        RegisteredModelEntity,
        `INSERT INTO registered_models (name, description, owner, tags, risk_tier, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [input.name, input.description ?? '', input.owner, JSON.stringify(tags), input.riskTier ?? RiskTier.MEDIUM, caller.subject],
        { error: () => conflict(`a model named "${input.name}" already exists`, { field: 'name' }) },
      );
      const creatorGrant = await this.access.grantCreator(m, caller, model.id);
      await appendAudit(m, caller, {
        action: 'model.created',
        subjectType: 'RegisteredModel',
        subjectId: model.id,
        modelId: model.id,
        payload: { before: null, after: model, creatorGrant },
      });
      return model;
    });
  }

  /**
   * Optimistic concurrency: the write applies only if the row is still at `expectedRevision`. Each
   * field that changes needs its right: the description and owner EDIT_MODEL, the risk tier (which
   * decides the gates) EDIT_POLICY, the name RENAME_MODEL.
   */
  async update(caller: Caller, input: UpdateModelInput): Promise<RegisteredModelEntity> {
    if (input.name !== undefined && input.name !== null) validateModelName(input.name);
    validateText(input.owner, 'owner', { max: 200, identifier: true });
    if (input.owner !== undefined && input.owner !== null && input.owner.trim() === '') throw badInput('owner', 'must not be empty');
    validateText(input.description, 'description');
    return this.db.transaction(async (m) => {
      const level = await this.access.authorize(m, caller, Action.EDIT_MODEL, input.id);
      const before = await lockModel(m, input.id);
      const changes = (field: 'name' | 'description' | 'owner' | 'riskTier') => (input[field] ?? before[field]) !== before[field];
      if (changes('riskTier')) this.access.require(level, Action.EDIT_POLICY);
      if (changes('name')) this.access.require(level, Action.RENAME_MODEL);
      if (!changes('name') && !changes('description') && !changes('owner') && !changes('riskTier')) {
        // Nothing to change: no new revision, no audit event; a stale revision is still a conflict.
        if (before.revision !== input.expectedRevision) throw staleRevision('model', before.revision, input.expectedRevision);
        return before;
      }
      const [after] = await writeReturning(
        m,
        RegisteredModelEntity,
        `UPDATE registered_models
         SET description = COALESCE($3, description), owner = COALESCE($4, owner), risk_tier = COALESCE($5, risk_tier),
             name = COALESCE($6, name), revision = revision + 1, updated_at = now()
         WHERE id = $1 AND revision = $2 RETURNING *`,
        [input.id, input.expectedRevision, input.description ?? null, input.owner ?? null, input.riskTier ?? null, input.name ?? null],
        {
          constraint: 'registered_models_name_key',
          error: () => conflict(`a model named "${input.name}" already exists`, { field: 'name' }),
        },
      );
      if (!after) throw staleRevision('model', before.revision, input.expectedRevision);
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
      await this.access.authorize(m, caller, Action.EDIT_MODEL, input.modelId);
      const before = await lockModel(m, input.modelId);
      const tags = mergeTags(before.tags, input.tags, input.removeKeys ?? []);
      if (canonicalJson(tags) === canonicalJson(before.tags)) return before; // nothing changes: nothing is written
      const [after] = await writeReturning(
        m,
        RegisteredModelEntity,
        `UPDATE registered_models SET tags = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
        [input.modelId, JSON.stringify(tags)],
      );
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

  // ---- reads (batched: each takes many keys and costs one statement) ----

  /** The models among `ids` the caller can see (one it cannot is absent, as if it did not exist). */
  async byIds(caller: Caller, ids: readonly string[]): Promise<Map<string, RegisteredModelEntity>> {
    const rows = await this.access.visibleRows(caller, 'registered_models', 'id', ids.filter(isUuid), 'id');
    return hydrateByKey(this.db.manager, RegisteredModelEntity, rows, (r) => String(r.id));
  }

  async byNames(caller: Caller, names: readonly string[]): Promise<Map<string, RegisteredModelEntity>> {
    const rows = await this.access.visibleRows(caller, 'registered_models', 'name', names, 'id');
    return hydrateByKey(this.db.manager, RegisteredModelEntity, rows, (r) => String(r.name));
  }

  /**
   * A page of models, reading the columns of `fields` (what the client selects). The risk tier is always
   * read: a model's effective policy, which other modules show on listed models, depends on it.
   */
  async list(
    caller: Caller,
    filter: ModelFilter,
    order: ModelOrder,
    page: PageArgs,
    fields?: readonly string[],
  ): Promise<Page<RegisteredModelEntity>> {
    const list = {
      ...this.modelList(caller, filter, order),
      columns: fields && projection(this.db.manager, RegisteredModelEntity, fields, ['riskTier']),
    };
    return hydratePage(this.db.manager, RegisteredModelEntity, await keysetPage(this.db.manager, list, page));
  }

  count(caller: Caller, filter: ModelFilter): Promise<number> {
    return keysetCount(this.db.manager, this.modelList(caller, filter, { field: 'CREATED_AT', direction: 'ASC' }));
  }

  /** The list in SQL, visibility included: pages and totals count only what the caller can see. */
  private modelList(caller: Caller, filter: ModelFilter, order: ModelOrder): ListQuery {
    const params = new SqlParams();
    const visible = this.access.visibleModels(caller, 'x.id', params);
    return filteredList(filter, order, params, visible ? [visible] : []);
  }
}

function filteredList(filter: ModelFilter, order: ModelOrder, params: SqlParams, where: string[]): ListQuery {
  if (filter.nameContains) where.push(`x.name LIKE ${params.p(`%${escapeLike(filter.nameContains.toLowerCase())}%`)}`);
  if (filter.tags?.length) {
    const wanted = Object.fromEntries(filter.tags.map((t) => [t.key, t.value]));
    where.push(`x.tags @> ${params.p(JSON.stringify(wanted))}::jsonb`);
  }
  if (filter.riskTier) where.push(`x.risk_tier = ${params.p(filter.riskTier)}`);
  if (filter.status) where.push(`x.status = ${params.p(filter.status)}`);
  if (filter.owner) where.push(`x.owner = ${params.p(filter.owner)}`);
  if (filter.stage) where.push(`EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = x.id AND v.stage = ${params.p(filter.stage)})`);
  return { from: 'registered_models', where, params, order: [ORDER_COLUMN[order.field], 'x.id'], direction: order.direction };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
