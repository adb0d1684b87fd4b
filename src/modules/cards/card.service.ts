import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, notFound, staleRevision } from '../../common/errors';
import { hydrate } from '../../db/hydrate';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { effectivePolicy, type CardRule } from '../governance';
import type { GateCheck } from '../lifecycle';
import { readModel } from '../models';
import { readVersion, type ModelVersionEntity } from '../versions';
import { ModelCardEntity } from './card.entity';
import {
  cardGate,
  completeness,
  SECTION_OF,
  sectionStates,
  validateSections,
  type CardSections,
  type Completeness,
  type SectionField,
  type SectionState,
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
}

/**
 * Model cards: the people-written sections of each version's card, edited with optimistic concurrency (one
 * transaction with its `card.updated` audit event each), read assembled with their staleness and completeness, and
 * the MODEL_CARD_COMPLETE gate, added to lifecycle's transitions.
 */
export class CardService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

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
      const [row] = await m.query('SELECT * FROM model_cards WHERE version_id = $1 FOR UPDATE', [version.id]);
      const before = row ? hydrate(m, ModelCardEntity, row) : null;
      const current = before?.revision ?? 0;
      if (current !== input.expectedRevision) throw staleRevision('model card', current, input.expectedRevision);
      const sections: Record<string, unknown> = { ...(before?.sections ?? {}), ...set };
      for (const field of removed) delete sections[field];
      const at = new Date().toISOString();
      const edits = { ...(before?.edits ?? {}) };
      for (const field of touched) {
        if (removed.includes(field)) delete edits[SECTION_OF[field]];
        else edits[SECTION_OF[field]] = { at, by: caller.subject };
      }
      const [card] = before
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
          sections: touched.map((f) => SECTION_OF[f]),
          before: Object.fromEntries(touched.map((f) => [SECTION_OF[f], before?.sections[f] ?? null])),
          after: Object.fromEntries(touched.map((f) => [SECTION_OF[f], (card.sections as Record<string, unknown>)[f] ?? null])),
        },
      });
      return this.assemble(m, version, card);
    });
  }

  /** modelCard(versionId): VIEW on the model; NOT_FOUND for a version the caller cannot see. */
  async read(caller: Caller, versionId: string): Promise<AssembledCard> {
    const m = this.db.manager;
    const version = await readVersion(m, versionId);
    await this.access.authorize(m, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    const [row] = await m.query('SELECT * FROM model_cards WHERE version_id = $1', [version.id]);
    return this.assemble(m, version, row ? hydrate(m, ModelCardEntity, row) : null);
  }

  private async assemble(m: EntityManager, version: ModelVersionEntity, card: ModelCardEntity | null): Promise<AssembledCard> {
    const model = await readModel(m, version.modelId);
    const [{ policy }, newestValidationAt] = await Promise.all([effectivePolicy(m, model), newestValidation(m, version.id)]);
    const sections = card?.sections ?? {};
    const states = sectionStates(sections, card?.edits ?? {}, newestValidationAt);
    return {
      version,
      sections,
      revision: card?.revision ?? 0,
      updatedAt: card?.updatedAt ?? null,
      updatedBy: card?.updatedBy ?? null,
      states,
      newestValidationAt,
      rule: policy.modelCard,
      completeness: completeness(states, policy.modelCard),
    };
  }

  /** The MODEL_CARD_COMPLETE gate (lifecycle's addGate): the sections the policy names for the tier, written. */
  readonly completeGate: GateCheck = async (m, { version, targetStage, policy }) => {
    const rule = policy.modelCard;
    if (rule.sections.length === 0) return [];
    const [[row], newestValidationAt] = await Promise.all([
      m.query('SELECT sections, edits FROM model_cards WHERE version_id = $1', [version.id]) as Promise<
        Array<{ sections: CardSections; edits: Record<string, { at: string; by: string }> }>
      >,
      newestValidation(m, version.id),
    ]);
    const verdict = cardGate(sectionStates(row?.sections ?? {}, row?.edits ?? {}, newestValidationAt), rule, targetStage);
    return verdict ? [{ gate: 'MODEL_CARD_COMPLETE', passed: verdict.passed, detail: verdict.detail }] : [];
  };
}

async function newestValidation(m: EntityManager, versionId: string): Promise<Date | null> {
  const [row] = (await m.query('SELECT max(created_at) AS at FROM validation_reports WHERE version_id = $1', [versionId])) as Array<{
    at: Date | null;
  }>;
  return row?.at ? new Date(row.at) : null;
}
