import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { hasRole } from '../../common/role';
import type { Settings } from '../../common/settings';
import { RegistryAction, type Authorization } from '../../common/authorization';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { hydrate, hydratePage, readById } from '../../db/hydrate';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { appendAudit } from '../audit';
import { GrantEntity, ProtectedAliasEntity, TeamEntity, TeamMemberEntity } from './access.entity';
import {
  Action,
  allowedWhenRetired,
  aliasMatches,
  EVERYWHERE,
  higher,
  mayDo,
  RIGHTS,
  roleFloor,
  validateAliasPattern,
  registryRole,
  type Level as LevelT,
} from './access.rules';

const TEAM = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const TEAMS: ListQuery = { from: 'teams', order: ['x.name', 'x.id'], direction: 'ASC' };

export interface GrantInput {
  /** The model, or null for all models. */
  modelId: string | null;
  subject?: string | null;
  teamId?: string | null;
  level: LevelT;
}

export interface Access {
  modelId: string;
  /** Null when the caller cannot see the model at all. */
  level: LevelT | null;
  /** The rights that level gives on this model. */
  rights: Action[];
}

interface ModelRef {
  id: string;
  name: string;
  /** The models module's ModelStatus, which this module (below it) does not import. */
  status: 'ACTIVE' | 'RETIRED';
}

/** Grants apply to a subject directly, or to any team the subject is a member of. */
const APPLIES = (subject: string) =>
  `(g.subject = ${subject} OR g.team_id IN (SELECT team_id FROM team_members WHERE subject = ${subject}))`;

/**
 * Teams, grants, protected aliases, and the one authorization point every service calls: what a caller
 * may do on a model is the highest of its role's floor and every grant that applies to it or a team of
 * it (on that model, by id, or on all models). With visibility 'granted', a model without such a grant
 * is invisible (NOT_FOUND) to all but ADMINs.
 */
export class AccessService implements Authorization {
  private readonly visibility: 'all' | 'granted';
  private readonly creatorGrant: boolean;

  constructor(
    private readonly db: DataSource,
    settings: Settings = {},
  ) {
    this.visibility = settings.access?.visibility ?? 'all';
    this.creatorGrant = settings.access?.creatorGrant ?? true;
  }

  /** The caller's level on a model, or null when it cannot see it or there is no such model. One statement. */
  async levelOn(m: EntityManager, caller: Caller, modelId: string): Promise<LevelT | null> {
    return (await this.modelAccess(m, caller, modelId))?.level ?? null;
  }

  private async modelAccess(m: EntityManager, caller: Caller, modelId: string): Promise<{ level: LevelT; model: ModelRef } | null> {
    if (!isUuid(modelId)) return null;
    const [model] = (await m.query(
      `SELECT r.id, r.name, r.status, array_remove(array_agg(g.level), NULL) AS levels
       FROM registered_models r LEFT JOIN grants g ON (g.model_id = r.id OR g.model_id IS NULL) AND ${APPLIES('$2')}
       WHERE r.id = $1 GROUP BY r.id`,
      [modelId, caller.subject],
    )) as Array<ModelRef & { levels: LevelT[] }>;
    if (!model) return null;
    const granted = model.levels.reduce<LevelT | null>((best, level) => higher(best, level), null);
    if (granted === null && !this.seesEverything(caller)) return null;
    return { level: higher(roleFloor(caller.role), granted) as LevelT, model };
  }

  /**
   * The authorization point: answers the caller's level on the model when it may take `action` there;
   * NOT_FOUND when it cannot see the model, FORBIDDEN (naming the level needed) when its level is too low,
   * CONFLICT when the model is retired and the action would change it.
   * authorize(m, caller, Action.REGISTER_VERSION, modelId) → Level.CONTRIBUTE, or throws.
   */
  async authorize(
    m: EntityManager,
    caller: Caller,
    action: Action,
    modelId: string,
    missing = notFound('model', modelId),
  ): Promise<LevelT> {
    const access = await this.modelAccess(m, caller, modelId);
    if (!access) throw missing;
    const { level, model } = access;
    if (!mayDo(level, action)) throw forbidden(action, level);
    if (model.status === 'RETIRED' && !allowedWhenRetired(action))
      throw conflict(`model "${model.name}" is retired: it is read-only`, { modelId: model.id, action });
    return level;
  }

  /** Checks a further right with the level authorize() answered (a write whose right depends on what it changes). */
  require(level: LevelT, action: Action): void {
    if (!mayDo(level, action)) throw forbidden(action, level);
  }

  /** For what concerns no one model (creating one, protecting an alias everywhere): the role and all-models grants. */
  async authorizeEverywhere(m: EntityManager, caller: Caller, action: Action): Promise<LevelT> {
    const grants = (await m.query(`SELECT g.level FROM grants g WHERE g.model_id IS NULL AND ${APPLIES('$1')}`, [
      caller.subject,
    ])) as Array<{
      level: LevelT;
    }>;
    const level = grants.reduce<LevelT>((best, g) => higher(best, g.level) as LevelT, roleFloor(caller.role));
    if (!mayDo(level, action)) throw forbidden(action, level, 'on all models');
    return level;
  }

  /**
   * SQL that holds when the model in `column` is visible to the caller, with its parameters added to
   * `params`; null when every model is: lists filter with it, so their pages and totals stay true.
   */
  visibleModels(caller: Caller, column: string, params: { p(value: unknown): string }): string | null {
    if (this.seesEverything(caller)) return null;
    return `EXISTS (SELECT 1 FROM grants g WHERE (g.model_id = ${column} OR g.model_id IS NULL) AND ${APPLIES(params.p(caller.subject))})`;
  }

  /**
   * The rows of `table` whose `keyColumn` is among `keys` and whose model (in `modelColumn`) the caller
   * can see: how an entry point reads what it is asked for by id or name, unseen rows absent. `columns` of `x`,
   * whole rows by default.
   */
  visibleRows(
    caller: Caller,
    table: string,
    keyColumn: string,
    keys: readonly unknown[],
    modelColumn = 'model_id',
    columns = 'x.*',
  ): Promise<Record<string, unknown>[]> {
    const params = new SqlParams();
    const wanted = params.p(keys);
    const visible = this.visibleModels(caller, `x.${modelColumn}`, params);
    return this.db.query(
      `SELECT ${columns} FROM ${table} x WHERE x.${keyColumn} = ANY(${wanted}) ${visible ? `AND ${visible}` : ''}`,
      params.values,
    );
  }

  /** Which of these models (lower-case ids) the caller can see. */
  async visibleAmong(caller: Caller, modelIds: readonly string[]): Promise<Set<string>> {
    const params = new SqlParams();
    const ids = params.p(modelIds.map((id) => id.toLowerCase()));
    const visible = this.visibleModels(caller, 'r.id', params);
    const rows = (await this.db.query(
      `SELECT r.id FROM registered_models r WHERE r.id = ANY(${ids}::uuid[]) ${visible ? `AND ${visible}` : ''}`,
      params.values,
    )) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Whether the caller sees every model and what concerns none (the whole trail, registry-wide events): every
   * token where visibility is 'all', ADMINs where it is 'granted'.
   */
  seesEverything(caller: Caller): boolean {
    return hasRole(caller.role, registryRole(RegistryAction.READ_WHOLE_TRAIL, this.visibility));
  }

  /**
   * The authorization point for rights over the registry itself (REGISTRY_RIGHTS): by role alone, since grants
   * are on models. authorizeRegistry(caller, RegistryAction.MANAGE_TOKENS) passes for an ADMIN, else FORBIDDEN.
   */
  authorizeRegistry(caller: Caller, action: RegistryAction): void {
    const required = registryRole(action, this.visibility);
    if (!hasRole(caller.role, required)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `${action} needs the ${required} role; your token has ${caller.role}`, {
        action,
        requiredRole: required,
        role: caller.role,
      });
    }
  }

  /**
   * The model's creator gets MANAGE on it, unless the setting turns that off. In the creating transaction;
   * the creation's audit event records the grant (null: none was given).
   */
  async grantCreator(m: EntityManager, caller: Caller, modelId: string): Promise<GrantEntity | null> {
    if (!this.creatorGrant) return null;
    const [grant] = await writeReturning(
      m,
      GrantEntity,
      `INSERT INTO grants (subject, model_id, level, created_by) VALUES ($1, $2, 'MANAGE', $1) RETURNING *`,
      [caller.subject, modelId],
    );
    return grant;
  }

  /** The rule that protects alias `name` of a model, if one does. */
  async protection(m: EntityManager, modelId: string, name: string): Promise<ProtectedAliasEntity | null> {
    const rows = (await m.query(
      'SELECT * FROM protected_aliases WHERE model_id = $1 OR model_id IS NULL ORDER BY model_id NULLS LAST, pattern',
      [modelId],
    )) as Array<Record<string, unknown>>;
    const rule = rows.find((r) => aliasMatches(String(r.pattern), name));
    return rule ? hydrate(m, ProtectedAliasEntity, rule) : null;
  }

  /**
   * Moving or deleting an alias: CONTRIBUTE, or APPROVE when a protection rule matches it, and then the
   * refusal names the rule.
   */
  async authorizeAlias(m: EntityManager, caller: Caller, modelId: string, alias: string): Promise<void> {
    const level = await this.authorize(m, caller, Action.SET_ALIAS, modelId);
    const rule = await this.protection(m, modelId, alias);
    if (rule && !mayDo(level, Action.MOVE_PROTECTED_ALIAS)) {
      const scope = rule.modelId ? 'on this model' : 'on all models';
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `alias "${alias}" is protected by the rule "${rule.pattern}" ${scope}: moving or deleting it needs ${RIGHTS[Action.MOVE_PROTECTED_ALIAS]}; you have ${level}`,
        {
          action: Action.MOVE_PROTECTED_ALIAS,
          requiredLevel: RIGHTS[Action.MOVE_PROTECTED_ALIAS],
          level,
          protectedBy: { pattern: rule.pattern, modelId: rule.modelId },
        },
      );
    }
  }

  // ---- teams (MANAGE_TEAMS) ----

  async createTeam(caller: Caller, input: { name: string; description?: string | null }): Promise<TeamEntity> {
    this.authorizeRegistry(caller, RegistryAction.MANAGE_TEAMS);
    if (!TEAM.test(input.name) || input.name.length > 100)
      throw badInput('name', 'must be a slug: lowercase letters and digits, words joined by hyphens');
    validateText(input.description, 'description', { max: 2000 });
    return this.db.transaction(async (m) => {
      const [team] = await writeReturning(
        m,
        TeamEntity,
        'INSERT INTO teams (name, description, created_by) VALUES ($1, $2, $3) RETURNING *',
        [input.name, input.description ?? '', caller.subject],
        { error: () => conflict(`a team named "${input.name}" already exists`, { field: 'name' }) },
      );
      await appendAudit(m, caller, {
        action: 'team.created',
        subjectType: 'Team',
        subjectId: team.id,
        payload: { before: null, after: team },
      });
      return team;
    });
  }

  /** Adds a subject to a team (already a member: nothing changes); answers with the team. */
  async addMember(caller: Caller, teamId: string, subject: string): Promise<TeamEntity> {
    this.authorizeRegistry(caller, RegistryAction.MANAGE_TEAMS);
    validateText(subject, 'subject', { required: true, max: 200, identifier: true });
    return this.db.transaction(async (m) => {
      const team = await this.team(m, teamId);
      const [member] = await writeReturning(
        m,
        TeamMemberEntity,
        'INSERT INTO team_members (team_id, subject, added_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *',
        [teamId, subject, caller.subject],
      );
      if (member)
        await appendAudit(m, caller, { action: 'team.member_added', subjectType: 'Team', subjectId: teamId, payload: { subject } });
      return team;
    });
  }

  /** Removes a subject from a team; answers with the team. */
  async removeMember(caller: Caller, teamId: string, subject: string): Promise<TeamEntity> {
    this.authorizeRegistry(caller, RegistryAction.MANAGE_TEAMS);
    return this.db.transaction(async (m) => {
      const team = await this.team(m, teamId);
      const [member] = await writeReturning(
        m,
        TeamMemberEntity,
        'DELETE FROM team_members WHERE team_id = $1 AND subject = $2 RETURNING *',
        [teamId, subject],
      );
      if (!member) throw notFound('member of the team', `"${subject}"`);
      await appendAudit(m, caller, { action: 'team.member_removed', subjectType: 'Team', subjectId: teamId, payload: { subject } });
      return team;
    });
  }

  // ---- grants ----

  /** Grants (or changes the level of) access on one model (MANAGE there) or on all models (ADMIN). */
  async grant(caller: Caller, input: GrantInput): Promise<GrantEntity> {
    if (Boolean(input.subject) === Boolean(input.teamId)) throw badInput('subject', 'give exactly one of subject and teamId');
    validateText(input.subject, 'subject', { max: 200, identifier: true });
    return this.db.transaction(async (m) => {
      await this.authorizeGrant(m, caller, input.modelId);
      if (input.teamId) await this.team(m, input.teamId);
      const [current] = await m.query(
        `SELECT * FROM grants WHERE COALESCE(subject, '') = COALESCE($1, '') AND COALESCE(team_id::text, '') = COALESCE($2::text, '')
           AND COALESCE(model_id::text, '') = COALESCE($3::text, '')`,
        [input.subject ?? null, input.teamId ?? null, input.modelId],
      );
      if (current?.level === input.level) return hydrate(m, GrantEntity, current); // already so: nothing changes
      const [grant] = current
        ? await writeReturning(
            m,
            GrantEntity,
            'UPDATE grants SET level = $2, created_by = $3, created_at = now() WHERE id = $1 RETURNING *',
            [current.id, input.level, caller.subject],
          )
        : await writeReturning(
            m,
            GrantEntity,
            'INSERT INTO grants (subject, team_id, model_id, level, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *',
            [input.subject ?? null, input.teamId ?? null, input.modelId, input.level, caller.subject],
          );
      await appendAudit(m, caller, {
        action: 'access.granted',
        subjectType: 'Grant',
        subjectId: grant.id,
        modelId: input.modelId,
        payload: { before: current ? hydrate(m, GrantEntity, current) : null, after: grant },
      });
      return grant;
    });
  }

  async revoke(caller: Caller, grantId: string): Promise<GrantEntity> {
    return this.db.transaction(async (m) => {
      const [row] = await m.query('SELECT * FROM grants WHERE id = $1 FOR UPDATE', [grantId]);
      if (!row) throw notFound('grant', grantId);
      await this.authorizeGrant(m, caller, row.model_id, notFound('grant', grantId));
      const [grant] = await writeReturning(m, GrantEntity, 'DELETE FROM grants WHERE id = $1 RETURNING *', [grantId]);
      await appendAudit(m, caller, {
        action: 'access.revoked',
        subjectType: 'Grant',
        subjectId: grant.id,
        modelId: grant.modelId,
        payload: { before: grant, after: null },
      });
      return grant;
    });
  }

  /** Protects alias names matching `pattern` on one model (MANAGE there) or on all models (ADMIN). */
  async protectAlias(caller: Caller, modelId: string | null, pattern: string): Promise<ProtectedAliasEntity> {
    validateAliasPattern(pattern);
    return this.db.transaction(async (m) => {
      await this.authorizeGrant(m, caller, modelId);
      const [rule] = await writeReturning(
        m,
        ProtectedAliasEntity,
        'INSERT INTO protected_aliases (model_id, pattern, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *',
        [modelId, pattern, caller.subject],
      );
      if (!rule) {
        const [existing] = await m.query(
          `SELECT * FROM protected_aliases WHERE COALESCE(model_id::text, '') = COALESCE($1::text, '') AND pattern = $2`,
          [modelId, pattern],
        );
        return hydrate(m, ProtectedAliasEntity, existing); // already protected: nothing changes
      }
      await appendAudit(m, caller, {
        action: 'alias.protected',
        subjectType: 'ProtectedAlias',
        subjectId: rule.id,
        modelId,
        payload: { after: rule },
      });
      return rule;
    });
  }

  // ---- reads ----

  /** Who has access to a model (its grants and those on all models) and which aliases are protected there. */
  async accessOf(caller: Caller, modelId: string): Promise<{ grants: GrantEntity[]; protectedAliases: ProtectedAliasEntity[] }> {
    const m = this.db.manager;
    await this.authorize(m, caller, Action.VIEW, modelId);
    const grants = (await m.query(
      'SELECT * FROM grants WHERE model_id = $1 OR model_id IS NULL ORDER BY model_id NULLS LAST, created_at, id',
      [modelId],
    )) as Array<Record<string, unknown>>;
    const rules = (await m.query('SELECT * FROM protected_aliases WHERE model_id = $1 OR model_id IS NULL ORDER BY pattern, id', [
      modelId,
    ])) as Array<Record<string, unknown>>;
    return {
      grants: grants.map((g) => hydrate(m, GrantEntity, g)),
      protectedAliases: rules.map((r) => hydrate(m, ProtectedAliasEntity, r)),
    };
  }

  /** What the caller may do on a model; NOT_FOUND when it cannot see it. */
  async myAccess(caller: Caller, modelId: string): Promise<Access> {
    const level = await this.authorize(this.db.manager, caller, Action.VIEW, modelId);
    // Creating a model or writing lineage is not a right on this one: it depends on the level on all models.
    const rights = (Object.keys(RIGHTS) as Action[]).filter((a) => !EVERYWHERE.includes(a) && mayDo(level, a));
    return { modelId, level, rights };
  }

  /** A page of teams, by name (MANAGE_TEAMS). */
  async teams(caller: Caller, page: PageArgs): Promise<Page<TeamEntity>> {
    this.authorizeRegistry(caller, RegistryAction.MANAGE_TEAMS);
    return hydratePage(this.db.manager, TeamEntity, await keysetPage(this.db.manager, TEAMS, page));
  }

  countTeams(): Promise<number> {
    return keysetCount(this.db.manager, TEAMS);
  }

  /** The members of many teams at once (Team.members). */
  async membersOf(teamIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = (await this.db.query('SELECT team_id, subject FROM team_members WHERE team_id = ANY($1) ORDER BY subject', [
      teamIds,
    ])) as Array<{
      team_id: string;
      subject: string;
    }>;
    const members = new Map<string, string[]>();
    for (const r of rows) members.set(r.team_id, [...(members.get(r.team_id) ?? []), r.subject]);
    return members;
  }

  /** GRANT on the model, or, for all models at once, the registry right to govern them all. */
  private async authorizeGrant(m: EntityManager, caller: Caller, modelId: string | null, missing?: DomainError): Promise<void> {
    if (modelId) await this.authorize(m, caller, Action.GRANT, modelId, missing);
    else this.authorizeRegistry(caller, RegistryAction.GOVERN_ALL_MODELS);
  }

  private team(m: EntityManager, teamId: string): Promise<TeamEntity> {
    return readById(m, TeamEntity, teamId, 'team');
  }
}

function forbidden(action: Action, level: LevelT, where = 'on this model'): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, `${action} needs ${RIGHTS[action]} ${where}; you have ${level}`, {
    action,
    requiredLevel: RIGHTS[action],
    level,
  });
}
