import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, notFound, staleRevision } from '../../common/errors';
import { hydrate } from '../../db/hydrate';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { effectivePolicy, latestVerdict, type CardRule } from '../governance';
import type { GateCheck } from '../lifecycle';
import type { LineageService } from '../lineage';
import type { ObjectiveService } from '../monitoring';
import { readModel, type RegisteredModelEntity } from '../models';
import type { TrustService } from '../trust';
import { ModelVersionEntity, readVersion } from '../versions';
import { DATASET_WALK, type CardDocument } from './card-document.rules';
import { ModelCardEntity } from './card.entity';
import {
  cardGate,
  completeness,
  SECTION_OF,
  sectionStates,
  validateSections,
  type CardSections,
  type CardValidation,
  type Completeness,
  type SectionField,
  type SectionState,
  type VersionCard,
} from './card.rules';

export interface UpdateCardInput {
  versionId: string;
  /** The card's revision as read (0 for a version whose card was never edited). */
  expectedRevision: number;
  sections: Record<string, unknown>;
}

/** A version's card as the registry answers it: its stored sections (none yet: revision 0) and their states. */
export interface AssembledCard {
  version: ModelVersionEntity;
  sections: CardSections;
  revision: number;
  updatedAt: Date | null;
  updatedBy: string | null;
  states: SectionState[];
  newestValidationAt: Date | null;
  rule: CardRule;
  completeness: Completeness;
  /** Alerts on the version not resolved (OPEN or ACKNOWLEDGED). */
  openAlerts: number;
  /** Before the version's first edit: the number of the earlier version whose card it carries (null otherwise). */
  carriedFrom: number | null;
}

/**
 * A version's card: its own, once edited; before that, the card of the model's nearest earlier version that has one,
 * carried forward with each section's editor and time (so a section written before this version's newest validation
 * is stale). A card is the model's, kept current version by version, never retyped from nothing.
 */
interface CardOf {
  card: ModelCardEntity | null;
  carriedFrom: number | null;
}

async function cardOf(m: EntityManager, version: ModelVersionEntity, lock: '' | 'FOR UPDATE' = ''): Promise<CardOf> {
  const [own] = await m.query(`SELECT * FROM model_cards WHERE version_id = $1 ${lock}`, [version.id]);
  if (own) return { card: hydrate(m, ModelCardEntity, own), carriedFrom: null };
  const [earlier] = (await m.query(
    `SELECT c.*, v.version AS from_version FROM model_cards c JOIN model_versions v ON v.id = c.version_id
     WHERE c.model_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT 1`,
    [version.modelId, version.version],
  )) as Array<Record<string, unknown>>;
  return earlier
    ? { card: hydrate(m, ModelCardEntity, earlier), carriedFrom: Number(earlier.from_version) }
    : { card: null, carriedFrom: null };
}

/**
 * Model cards: the people-written sections of each version's card, edited with optimistic concurrency (one
 * transaction with its `card.updated` audit event each), read assembled with their staleness and completeness, and
 * the MODEL_CARD_COMPLETE gate, added to lifecycle's transitions.
 */
/** What the card reads of the modules below, through their front doors. */
export interface CardBelow {
  access: AccessService;
  models: { byNames(caller: Caller, names: readonly string[]): Promise<Map<string, RegisteredModelEntity>> };
  lineage: LineageService;
  trust: TrustService;
  objectives: Pick<ObjectiveService, 'status'>;
}

export class CardService {
  private readonly access: AccessService;

  constructor(
    private readonly db: DataSource,
    private readonly below: CardBelow,
  ) {
    this.access = below.access;
  }

  /** updateModelCard({ versionId, expectedRevision: 0, sections: { useCases: ['churn triage'] } }): EDIT_CARD (CONTRIBUTE). */
  async update(caller: Caller, input: UpdateCardInput): Promise<AssembledCard> {
    if (!Number.isInteger(input.expectedRevision) || input.expectedRevision < 0)
      throw badInput('expectedRevision', 'must be a whole number, 0 for a card never edited');
    const { set, removed } = validateSections(input.sections ?? {});
    const touched = [...Object.keys(set), ...removed] as SectionField[];
    if (touched.length === 0) throw badInput('sections', 'names no section to write');
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, input.versionId, 'FOR SHARE');
      await this.access.authorize(m, caller, Action.EDIT_CARD, version.modelId, notFound('model version', input.versionId));
      const { card: before, carriedFrom } = await cardOf(m, version, 'FOR UPDATE');
      // The version's own revision: 0 until its first edit, which makes its own card from the one carried forward.
      const own = before && carriedFrom === null ? before : null;
      const current = own?.revision ?? 0;
      if (current !== input.expectedRevision) throw staleRevision('model card', current, input.expectedRevision);
      const sections: Record<string, unknown> = { ...(before?.sections ?? {}), ...set };
      for (const field of removed) delete sections[field];
      const at = new Date().toISOString();
      const edits = { ...(before?.edits ?? {}) };
      for (const field of touched) {
        if (removed.includes(field)) delete edits[SECTION_OF[field]];
        else edits[SECTION_OF[field]] = { at, by: caller.subject };
      }
      const [card] = own
        ? await writeReturning(
            m,
            ModelCardEntity,
            `UPDATE model_cards SET sections = $2, edits = $3, revision = revision + 1, updated_at = $4, updated_by = $5
             WHERE version_id = $1 AND revision = $6 RETURNING *`,
            [version.id, sections, edits, at, caller.subject, current],
          )
        : await writeReturning(
            m,
            ModelCardEntity,
            `INSERT INTO model_cards (version_id, model_id, sections, edits, created_at, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING *`,
            [version.id, version.modelId, sections, edits, at, caller.subject],
            // Two first edits at once: the second finds the card made by the first.
            { error: () => staleRevision('model card', 1, input.expectedRevision) },
          );
      if (!card) throw staleRevision('model card', current, input.expectedRevision);
      await appendAudit(m, caller, {
        action: 'card.updated',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: version.modelId,
        payload: {
          versionId: version.id,
          revision: card.revision,
          ...(carriedFrom === null ? {} : { carriedFrom }),
          sections: touched.map((f) => SECTION_OF[f]),
          ...recorded('before', Object.fromEntries(touched.map((f) => [SECTION_OF[f], before?.sections[f] ?? null]))),
          ...recorded(
            'after',
            Object.fromEntries(touched.map((f) => [SECTION_OF[f], (card.sections as Record<string, unknown>)[f] ?? null])),
          ),
        },
      });
      return this.assemble(m, version, { card, carriedFrom: null });
    });
  }

  /** modelCard(versionId): VIEW on the model; NOT_FOUND for a version the caller cannot see. */
  async read(caller: Caller, versionId: string): Promise<AssembledCard> {
    const m = this.db.manager;
    const version = await readVersion(m, versionId);
    await this.access.authorize(m, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    return this.assemble(m, version, await cardOf(m, version));
  }

  private async assemble(m: EntityManager, version: ModelVersionEntity, { card, carriedFrom }: CardOf): Promise<AssembledCard> {
    const model = await readModel(m, version.modelId);
    const { policy } = await effectivePolicy(m, model);
    const newestValidationAt = await newestValidation(m, version.id);
    const [alerts] = (await m.query("SELECT count(*)::int AS n FROM alerts WHERE version_id = $1 AND status <> 'RESOLVED'", [
      version.id,
    ])) as Array<{ n: number }>;
    const sections = card?.sections ?? {};
    const states = sectionStates(sections, card?.edits ?? {}, newestValidationAt);
    return {
      version,
      sections,
      revision: carriedFrom === null ? (card?.revision ?? 0) : 0,
      updatedAt: card?.updatedAt ?? null,
      updatedBy: card?.updatedBy ?? null,
      states,
      newestValidationAt,
      rule: policy.modelCard,
      completeness: completeness(states, policy.modelCard),
      openAlerts: alerts?.n ?? 0,
      carriedFrom,
    };
  }

  /**
   * The card of `<model name>` version `<number>` with the registry's facts, for card.md and card.html: VIEW on the
   * model; a model or version unknown or hidden is NOT_FOUND. A fixed number of statements, whatever the version holds.
   */
  async document(caller: Caller, modelName: string, versionNumber: string): Promise<CardDocument> {
    const m = this.db.manager;
    const number = /^[1-9][0-9]{0,9}$/.test(versionNumber) ? Number(versionNumber) : NaN;
    const missing = notFound('model version', `${modelName}@${versionNumber}`);
    const model = modelName.length <= 200 ? (await this.below.models.byNames(caller, [modelName])).get(modelName) : undefined;
    if (!model) throw notFound('model', modelName);
    await this.access.authorize(m, caller, Action.VIEW, model.id, notFound('model', modelName));
    if (!Number.isSafeInteger(number) || number > 2_147_483_647) throw missing;
    const version = await m.getRepository(ModelVersionEntity).findOne({ where: { modelId: model.id, version: number } });
    if (!version) throw missing;
    const card = await this.assemble(m, version, await cardOf(m, version));
    const id = version.id;
    const history = (await m.query(
      'SELECT from_stage, to_stage, actor, changed_at, reason FROM stage_transitions WHERE version_id = $1 ORDER BY changed_at, id',
      [id],
    )) as Array<{ from_stage: string; to_stage: string; actor: string; changed_at: Date; reason: string }>;
    const validation = await latestValidation(m, id);
    const approvals = (await m.query(
      'SELECT target_stage, decision, approver, approver_role, signed_at FROM approvals WHERE version_id = $1 ORDER BY signed_at, id',
      [id],
    )) as Array<{ target_stage: string; decision: string; approver: string; approver_role: string; signed_at: Date }>;
    const files = (await m.query(
      `SELECT f.path, f.sha256, f.size_bytes::text AS size_bytes, s.verdict FROM artifact_files f
       LEFT JOIN artifact_scans s ON s.version_id = f.version_id AND s.path = f.path
       WHERE f.version_id = $1 ORDER BY f.path COLLATE "C"`,
      [id],
    )) as Array<{ path: string; sha256: string | null; size_bytes: string | null; verdict: string | null }>;
    const deployments = (await m.query(
      'SELECT environment, status, strategy, traffic_percent FROM deployments WHERE version_id = $1 ORDER BY created_at, id',
      [id],
    )) as Array<{ environment: string; status: string; strategy: string; traffic_percent: number }>;
    const walk = (await this.below.lineage.graphs(caller, [id], DATASET_WALK)).get(id.toLowerCase());
    const signatures = await this.below.trust.signaturesOfVersion(m, id);
    const objectives = await this.below.objectives.status(caller, model.id);
    return {
      model: { name: model.name, riskTier: model.riskTier, owner: model.owner, description: model.description },
      version: {
        number: version.version,
        label: version.label,
        stage: version.stage,
        createdAt: version.createdAt,
        createdBy: version.createdBy,
        codeRepo: version.codeRepo,
        codeCommit: version.codeCommit,
        datasetVersions: version.datasetVersions,
        hyperparameters: version.hyperparameters,
        environmentImageDigest: version.environmentImageDigest,
        randomSeed: version.randomSeed,
        trainingRunId: version.trainingRunId,
        artifactFormat: version.artifactFormat,
        artifactSha256: version.artifactSha256,
        artifactStatus: version.artifactStatus,
      },
      stageHistory: history.map((h) => ({
        fromStage: h.from_stage,
        toStage: h.to_stage,
        actor: h.actor,
        changedAt: new Date(h.changed_at),
        reason: h.reason,
      })),
      datasets: (walk?.nodes ?? []).filter((n) => n.id !== id).map((n) => ({ kind: n.kind, name: n.name, naturalKey: n.naturalKey })),
      validation,
      approvals: approvals.map((a) => ({
        targetStage: a.target_stage,
        decision: a.decision,
        approver: a.approver,
        approverRole: a.approver_role,
        signedAt: new Date(a.signed_at),
      })),
      files: files.map((f) => ({ path: f.path, sha256: f.sha256, sizeBytes: f.size_bytes, verdict: f.verdict })),
      signatures: signatures.map((g) => ({ signer: g.signer, method: g.method, signedAt: g.signedAt, rootDigest: g.rootDigest })),
      deployments: deployments.map((d) => ({
        environment: d.environment,
        status: d.status,
        strategy: d.strategy,
        trafficPercent: Number(d.traffic_percent),
      })),
      openAlerts: card.openAlerts,
      objectives: objectives.map((o) => ({
        metric: o.metric,
        comparator: o.comparator,
        target: o.target,
        windowDays: o.windowDays,
        state: o.state,
        currentValue: o.currentValue,
        budgetRemaining: o.budgetRemaining,
        burnRate: o.burnRate,
      })),
      sections: card.sections,
      states: card.states,
      revision: card.revision,
      completeness: card.completeness,
    };
  }

  /**
   * The stored card of a version and its latest validation, for the AI BOM (`modelCard` of its model component). No
   * access check: the caller has already been allowed VIEW on the version's model. Revision 0 and no sections for a
   * card never edited.
   */
  async ofVersion(versionId: string): Promise<VersionCard> {
    const m = this.db.manager;
    const { card, carriedFrom } = await cardOf(m, await readVersion(m, versionId));
    return {
      sections: card?.sections ?? {},
      revision: carriedFrom === null ? (card?.revision ?? 0) : 0,
      updatedAt: card?.updatedAt ?? null,
      validation: await latestValidation(m, versionId),
    };
  }

  /** The MODEL_CARD_COMPLETE gate (lifecycle's addGate): the sections the policy names for the tier, written. */
  readonly completeGate: GateCheck = async (m, { version, targetStage, policy }) => {
    const rule = policy.modelCard;
    if (rule.sections.length === 0) return [];
    const [{ card }, newestValidationAt] = await Promise.all([cardOf(m, version), newestValidation(m, version.id)]);
    const verdict = cardGate(sectionStates(card?.sections ?? {}, card?.edits ?? {}, newestValidationAt), rule, targetStage);
    return verdict ? [{ gate: 'MODEL_CARD_COMPLETE', passed: verdict.passed, detail: verdict.detail }] : [];
  };
}

/** Sections recorded in the audit trail up to this size of JSON; larger ones by their digest and length. */
export const AUDITED_SECTIONS_BYTES = 64 * 1024;

/** `{ before: {...} }`, or `{ beforeSha256, beforeBytes }` when the JSON is over AUDITED_SECTIONS_BYTES. */
function recorded(name: 'before' | 'after', values: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(values);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= AUDITED_SECTIONS_BYTES) return { [name]: values };
  return { [`${name}Sha256`]: createHash('sha256').update(json, 'utf8').digest('hex'), [`${name}Bytes`]: bytes };
}

/** The version's latest validation report (the newest, by time then id) with its checks, or null when none. */
async function latestValidation(m: EntityManager, versionId: string): Promise<CardValidation | null> {
  const [report] = (await m.query(
    'SELECT id, passed, created_at FROM validation_reports WHERE version_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
    [versionId],
  )) as Array<{ id: string; passed: boolean; created_at: Date }>;
  if (!report) return null;
  const checks = (await m.query(
    'SELECT metric, comparator, candidate_value, baseline_value, passed FROM validation_checks WHERE report_id = $1 ORDER BY position',
    [report.id],
  )) as Array<{ metric: string; comparator: string; candidate_value: number | null; baseline_value: number | null; passed: boolean }>;
  return {
    id: report.id,
    passed: report.passed,
    createdAt: new Date(report.created_at),
    checks: checks.map((c) => ({
      metric: c.metric,
      comparator: c.comparator,
      candidateValue: c.candidate_value,
      baselineValue: c.baseline_value,
      passed: c.passed,
    })),
  };
}

/** When the version was last validated: what a section edited before is stale against. */
async function newestValidation(m: EntityManager, versionId: string): Promise<Date | null> {
  return (await latestVerdict(m, versionId))?.createdAt ?? null;
}
