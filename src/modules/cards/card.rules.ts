import { badInput } from '../../common/errors';
import { validateText } from '../../common/text';
import { appliesFrom, type CardRule, type CardSection } from '../governance/policy.rules';
import type { Stage } from '../versions/version.enums';

/** The people-written sections of a card, each named after its CycloneDX 1.6 `modelCard` field. */
export interface EthicalConsideration {
  /** considerations.ethicalConsiderations[].name: the risk. */
  name: string;
  mitigationStrategy: string | null;
}

/** considerations.fairnessAssessments[], with what issue 22 asks of a slice: the metric, its value, the data measured on. */
export interface FairnessAssessment {
  groupAtRisk: string;
  benefits: string | null;
  harms: string | null;
  mitigationStrategy: string | null;
  metric: string | null;
  value: number | null;
  measuredOn: string | null;
}

export interface CardContact {
  name: string;
  contact: string | null;
}

export interface CardSections {
  useCases?: string[];
  users?: string[];
  outOfScopeUses?: string[];
  technicalLimitations?: string[];
  performanceTradeoffs?: string[];
  ethicalConsiderations?: EthicalConsideration[];
  fairnessAssessments?: FairnessAssessment[];
  environmentalConsiderations?: string;
  approach?: string;
  task?: string;
  dataDescription?: string;
  caveatsAndRecommendations?: string[];
  owners?: CardContact[];
  license?: string;
}

export type SectionField = keyof CardSections;

/** The latest validation report of a version against its baselines, each check in its order. */
export interface CardValidation {
  id: string;
  passed: boolean;
  createdAt: Date;
  checks: Array<{ metric: string; comparator: string; candidateValue: number | null; baselineValue: number | null; passed: boolean }>;
}

/** A version's stored card as the BOM carries it: its sections, revision and last edit, and the latest validation. */
export interface VersionCard {
  sections: CardSections;
  revision: number;
  updatedAt: Date | null;
  validation: CardValidation | null;
}

/** Each input field and the section it writes. */
export const SECTION_OF: Record<SectionField, CardSection> = {
  useCases: 'INTENDED_USE',
  users: 'USERS',
  outOfScopeUses: 'OUT_OF_SCOPE_USES',
  technicalLimitations: 'LIMITATIONS',
  performanceTradeoffs: 'PERFORMANCE_TRADEOFFS',
  ethicalConsiderations: 'ETHICAL_CONSIDERATIONS',
  fairnessAssessments: 'FAIRNESS_ASSESSMENTS',
  environmentalConsiderations: 'ENVIRONMENTAL_CONSIDERATIONS',
  approach: 'APPROACH',
  task: 'TASK',
  dataDescription: 'DATA_DESCRIPTION',
  caveatsAndRecommendations: 'CAVEATS_AND_RECOMMENDATIONS',
  owners: 'OWNERS',
  license: 'LICENSE',
};

export const FIELD_OF = Object.fromEntries(Object.entries(SECTION_OF).map(([f, s]) => [s, f])) as Record<CardSection, SectionField>;

/** The bounds of every section (docs/model-cards.md lists them). */
export const CARD_BOUNDS = {
  /** Entries in a list section (use cases, limitations, ethical considerations, owners, …). */
  listEntries: 50,
  /** Fairness assessments: one per group or slice. */
  fairnessAssessments: 100,
  /** One entry of a list, and each text of an ethical consideration or a fairness assessment. */
  entry: 2_000,
  /** A short name: a group at risk, a metric, an owner, the task. */
  name: 200,
  /** An owner's contact (an e-mail address, a URL). */
  contact: 320,
  /** The data a fairness value was measured on (a dataset URI or name and version). */
  measuredOn: 500,
  /** The long texts: environmental considerations, the data description. */
  text: 10_000,
  /** An SPDX license expression. */
  license: 100,
} as const;

/** CycloneDX 1.6 modelParameters.approach.type. */
export const APPROACHES = ['supervised', 'unsupervised', 'reinforcement-learning', 'semi-supervised', 'self-supervised'] as const;

const LICENSE = /^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badInput(field, 'must be text');
  validateText(value, field, { max });
  return value.trim() === '' ? null : value;
}

function requiredText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw badInput(field, 'is required');
  validateText(value, field, { required: true, max });
  return value;
}

function list<T>(value: unknown, field: string, max: number, entry: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value)) throw badInput(field, 'must be a list');
  if (value.length > max) throw badInput(field, `must have at most ${max} entries`);
  return value.map((v, i) => entry(v, `${field}[${i}]`));
}

const textList = (value: unknown, field: string) =>
  list(value, field, CARD_BOUNDS.listEntries, (v, f) => requiredText(v, f, CARD_BOUNDS.entry));

/**
 * Checks the sections an edit writes (`sections.<field>`, naming the bad one) and normalises them: an empty list or a
 * blank text removes the section (undefined in the answer's `removed`); a field left out (or null) is untouched.
 */
export function validateSections(input: Record<string, unknown>): { set: CardSections; removed: SectionField[] } {
  const set: Record<string, unknown> = {};
  const removed: SectionField[] = [];
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (!Object.hasOwn(SECTION_OF, field)) throw badInput(`sections.${field}`, 'is not a section of a model card');
    const name = `sections.${field}`;
    let parsed: unknown;
    switch (field as SectionField) {
      case 'useCases':
      case 'users':
      case 'outOfScopeUses':
      case 'technicalLimitations':
      case 'performanceTradeoffs':
      case 'caveatsAndRecommendations':
        parsed = textList(value, name);
        break;
      case 'ethicalConsiderations':
        parsed = list(value, name, CARD_BOUNDS.listEntries, (v, f): EthicalConsideration => {
          if (!isObject(v)) throw badInput(f, 'must be an object { name, mitigationStrategy }');
          return {
            name: requiredText(v.name, `${f}.name`, CARD_BOUNDS.entry),
            mitigationStrategy: optionalText(v.mitigationStrategy, `${f}.mitigationStrategy`, CARD_BOUNDS.entry),
          };
        });
        break;
      case 'fairnessAssessments':
        parsed = list(value, name, CARD_BOUNDS.fairnessAssessments, (v, f): FairnessAssessment => {
          if (!isObject(v))
            throw badInput(f, 'must be an object { groupAtRisk, benefits, harms, mitigationStrategy, metric, value, measuredOn }');
          const metricValue = v.value === undefined || v.value === null ? null : v.value;
          if (metricValue !== null && (typeof metricValue !== 'number' || !Number.isFinite(metricValue)))
            throw badInput(`${f}.value`, 'must be a finite number');
          const assessment: FairnessAssessment = {
            groupAtRisk: requiredText(v.groupAtRisk, `${f}.groupAtRisk`, CARD_BOUNDS.name),
            benefits: optionalText(v.benefits, `${f}.benefits`, CARD_BOUNDS.entry),
            harms: optionalText(v.harms, `${f}.harms`, CARD_BOUNDS.entry),
            mitigationStrategy: optionalText(v.mitigationStrategy, `${f}.mitigationStrategy`, CARD_BOUNDS.entry),
            metric: optionalText(v.metric, `${f}.metric`, CARD_BOUNDS.name),
            value: metricValue as number | null,
            measuredOn: optionalText(v.measuredOn, `${f}.measuredOn`, CARD_BOUNDS.measuredOn),
          };
          if ((assessment.metric === null) !== (assessment.value === null))
            throw badInput(`${f}.${assessment.metric === null ? 'metric' : 'value'}`, 'a metric and its value go together');
          return assessment;
        });
        break;
      case 'owners':
        parsed = list(value, name, CARD_BOUNDS.listEntries, (v, f): CardContact => {
          if (!isObject(v)) throw badInput(f, 'must be an object { name, contact }');
          return {
            name: requiredText(v.name, `${f}.name`, CARD_BOUNDS.name),
            contact: optionalText(v.contact, `${f}.contact`, CARD_BOUNDS.contact),
          };
        });
        break;
      case 'environmentalConsiderations':
      case 'dataDescription':
        parsed = optionalText(value, name, CARD_BOUNDS.text);
        break;
      case 'task':
        parsed = optionalText(value, name, CARD_BOUNDS.name);
        break;
      case 'approach':
        parsed = optionalText(value, name, CARD_BOUNDS.name);
        if (parsed !== null && !(APPROACHES as readonly string[]).includes(parsed as string))
          throw badInput(name, `must be one of ${APPROACHES.join(', ')} (CycloneDX modelParameters.approach.type)`);
        break;
      case 'license':
        parsed = optionalText(value, name, CARD_BOUNDS.license);
        if (parsed !== null && !LICENSE.test(parsed as string))
          throw badInput(name, 'must be an SPDX license identifier or expression, e.g. Apache-2.0 or MIT OR Apache-2.0');
        break;
    }
    if (parsed === null || (Array.isArray(parsed) && parsed.length === 0)) removed.push(field as SectionField);
    else set[field] = parsed;
  }
  return { set: set as CardSections, removed };
}

/** Whether a section holds something (INTENDED_USE: a use case; FAIRNESS_ASSESSMENTS: one assessment, …). */
export function isWritten(sections: CardSections, section: CardSection): boolean {
  const value = sections[FIELD_OF[section]];
  return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value !== '';
}

/** A written section last edited before the version's newest validation (the facts it describes may have moved). */
export function isStale(editedAt: Date | null, newestValidationAt: Date | null): boolean {
  return editedAt !== null && newestValidationAt !== null && editedAt.getTime() < newestValidationAt.getTime();
}

export interface SectionState {
  section: CardSection;
  written: boolean;
  editedAt: Date | null;
  editedBy: string | null;
  stale: boolean;
}

/** Every section's state, in the order of CARD_SECTIONS. */
export function sectionStates(
  sections: CardSections,
  edits: Record<string, { at: string; by: string }>,
  newestValidationAt: Date | null,
): SectionState[] {
  return (Object.values(SECTION_OF) as CardSection[]).map((section) => {
    const written = isWritten(sections, section);
    const edit = edits[section];
    const editedAt = edit ? new Date(edit.at) : null;
    return { section, written, editedAt, editedBy: edit?.by ?? null, stale: written && isStale(editedAt, newestValidationAt) };
  });
}

export interface Completeness {
  /** The sections the policy names for this tier (empty: nothing required). */
  required: CardSection[];
  /** Required sections not written (or stale, when the policy's staleIsMissing is on). */
  missing: CardSection[];
  /** Required sections written but stale (counted in `missing` only with staleIsMissing). */
  stale: CardSection[];
  complete: boolean;
}

export function completeness(states: SectionState[], rule: CardRule): Completeness {
  const byName = new Map(states.map((s) => [s.section, s]));
  const missing: CardSection[] = [];
  const stale: CardSection[] = [];
  for (const section of rule.sections) {
    const state = byName.get(section);
    if (!state?.written) missing.push(section);
    else if (state.stale) {
      stale.push(section);
      if (rule.staleIsMissing) missing.push(section);
    }
  }
  return { required: [...rule.sections], missing, stale, complete: missing.length === 0 };
}

/** The MODEL_CARD_COMPLETE gate's verdict, or null when the rule does not apply to a move to `target`. */
export function cardGate(
  states: SectionState[],
  rule: CardRule,
  target: Stage,
): { passed: boolean; detail: string; missing: string[] } | null {
  if (rule.sections.length === 0 || !appliesFrom(rule.stage, target)) return null;
  const c = completeness(states, rule);
  const staleNote = c.stale.length > 0 ? `; stale (edited before the newest validation): ${c.stale.join(', ')}` : '';
  return {
    passed: c.complete,
    missing: c.missing,
    detail: c.complete
      ? `model card has ${c.required.join(', ')}${staleNote}`
      : `model card is missing ${c.missing.join(', ')} (needs ${c.required.join(', ')})${staleNote}`,
  };
}
