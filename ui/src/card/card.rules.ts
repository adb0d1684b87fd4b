import type { ModelCardSection, ModelCardSectionsInput } from '../generated/graphql';

/** How one field of a list entry is edited. */
export interface EntryField {
  key: string;
  label: string;
  kind: 'text' | 'textarea' | 'number';
  required?: boolean;
}

/** A people-written section of the card: its name in policies, its input field, and how it is edited. */
export interface SectionSpec {
  section: ModelCardSection;
  field: keyof ModelCardSectionsInput;
  title: string;
  /** strings: a list of texts; entries: a list of objects; text: one text; choice: one of `choices` */
  kind: 'strings' | 'entries' | 'text' | 'longtext' | 'choice';
  fields?: EntryField[];
  choices?: readonly string[];
}

/** CycloneDX 1.6 modelParameters.approach.type, as the API checks it. */
export const APPROACHES = ['supervised', 'unsupervised', 'reinforcement-learning', 'semi-supervised', 'self-supervised'] as const;

/** Every section, in the schema's order (ModelCardSection). */
export const SECTIONS: readonly SectionSpec[] = [
  { section: 'INTENDED_USE', field: 'useCases', title: 'Intended use', kind: 'strings' },
  { section: 'USERS', field: 'users', title: 'Intended users', kind: 'strings' },
  { section: 'OUT_OF_SCOPE_USES', field: 'outOfScopeUses', title: 'Out-of-scope uses', kind: 'strings' },
  { section: 'LIMITATIONS', field: 'technicalLimitations', title: 'Technical limitations', kind: 'strings' },
  { section: 'PERFORMANCE_TRADEOFFS', field: 'performanceTradeoffs', title: 'Performance trade-offs', kind: 'strings' },
  {
    section: 'ETHICAL_CONSIDERATIONS',
    field: 'ethicalConsiderations',
    title: 'Ethical considerations',
    kind: 'entries',
    fields: [
      { key: 'name', label: 'Risk', kind: 'textarea', required: true },
      { key: 'mitigationStrategy', label: 'Mitigation', kind: 'textarea' },
    ],
  },
  {
    section: 'FAIRNESS_ASSESSMENTS',
    field: 'fairnessAssessments',
    title: 'Fairness assessments',
    kind: 'entries',
    fields: [
      { key: 'groupAtRisk', label: 'Group at risk', kind: 'text', required: true },
      { key: 'metric', label: 'Metric', kind: 'text' },
      { key: 'value', label: 'Value', kind: 'number' },
      { key: 'measuredOn', label: 'Measured on', kind: 'text' },
      { key: 'benefits', label: 'Benefits', kind: 'textarea' },
      { key: 'harms', label: 'Harms', kind: 'textarea' },
      { key: 'mitigationStrategy', label: 'Mitigation', kind: 'textarea' },
    ],
  },
  {
    section: 'ENVIRONMENTAL_CONSIDERATIONS',
    field: 'environmentalConsiderations',
    title: 'Environmental considerations',
    kind: 'longtext',
  },
  { section: 'APPROACH', field: 'approach', title: 'Approach', kind: 'choice', choices: APPROACHES },
  { section: 'TASK', field: 'task', title: 'Task', kind: 'text' },
  { section: 'DATA_DESCRIPTION', field: 'dataDescription', title: 'Data', kind: 'longtext' },
  { section: 'CAVEATS_AND_RECOMMENDATIONS', field: 'caveatsAndRecommendations', title: 'Caveats and recommendations', kind: 'strings' },
  {
    section: 'OWNERS',
    field: 'owners',
    title: 'Owners',
    kind: 'entries',
    fields: [
      { key: 'name', label: 'Name', kind: 'text', required: true },
      { key: 'contact', label: 'Contact (e-mail or URL)', kind: 'text' },
    ],
  },
  { section: 'LICENSE', field: 'license', title: 'License (SPDX)', kind: 'text' },
];

/** What a form edits: a list's entries as rows of text fields, or one text. */
export type Draft = { rows: Array<Record<string, string>> } | { text: string };

/** The section as it is on the card, as a form's starting point (one empty row for an empty list). */
export function toDraft(spec: SectionSpec, card: Record<string, unknown>): Draft {
  const value = card[spec.field];
  if (spec.kind === 'strings') {
    const list = (value as string[] | undefined) ?? [];
    return { rows: (list.length ? list : ['']).map((entry) => ({ entry })) };
  }
  if (spec.kind === 'entries') {
    const list = (value as Array<Record<string, unknown>> | undefined) ?? [];
    const rows = list.map((e) =>
      Object.fromEntries(spec.fields!.map((f) => [f.key, e[f.key] === null || e[f.key] === undefined ? '' : String(e[f.key])])),
    );
    return { rows: rows.length ? rows : [emptyRow(spec)] };
  }
  return { text: typeof value === 'string' ? value : '' };
}

export function emptyRow(spec: SectionSpec): Record<string, string> {
  return spec.kind === 'strings' ? { entry: '' } : Object.fromEntries((spec.fields ?? []).map((f) => [f.key, '']));
}

/**
 * The input that writes the draft (empty rows dropped; an empty list or text removes the section) with, for each
 * entry sent, its row in the draft; or the fields the console can tell are wrong before asking (a value that is not a
 * number), keyed by input id.
 */
export function toInput(
  spec: SectionSpec,
  draft: Draft,
): { input: ModelCardSectionsInput; rows: number[] } | { errors: Record<string, string> } {
  if ('text' in draft) return { input: { [spec.field]: draft.text.trim() }, rows: [] };
  const rows = draft.rows.map((_, i) => i).filter((i) => Object.values(draft.rows[i]).some((v) => v.trim() !== ''));
  if (spec.kind === 'strings') return { input: { [spec.field]: rows.map((i) => draft.rows[i].entry.trim()) }, rows };
  const errors: Record<string, string> = {};
  const entries = rows.map((i) => {
    const entry: Record<string, string | number | null> = {};
    for (const f of spec.fields!) {
      const raw = (draft.rows[i][f.key] ?? '').trim();
      if (f.kind === 'number') {
        const n = raw === '' ? null : Number(raw);
        if (n !== null && !Number.isFinite(n)) errors[inputId(spec, i, f.key)] = 'must be a number';
        entry[f.key] = n;
      } else entry[f.key] = f.required ? raw : raw || null;
    }
    return entry;
  });
  if (Object.keys(errors).length) return { errors };
  return { input: { [spec.field]: entries } as ModelCardSectionsInput, rows };
}

/** The API names a bad field `sections.<field>`, `sections.<field>[i]` or `sections.<field>[i].<key>`. */
export function fieldOf(apiField: unknown): { field: string; row?: number; key?: string } | null {
  if (typeof apiField !== 'string') return null;
  const m = /^sections\.(\w+)(?:\[(\d+)\](?:\.(\w+))?)?$/.exec(apiField);
  if (!m) return null;
  return { field: m[1], row: m[2] === undefined ? undefined : Number(m[2]), key: m[3] };
}

/** The input element's id for a field of the form of `spec`: the text, or a row's field. */
export function inputId(spec: SectionSpec, row?: number, key?: string): string {
  if (row === undefined) return `card-${spec.field}`;
  return `card-${spec.field}-${row}-${key ?? (spec.kind === 'strings' ? 'entry' : spec.fields![0].key)}`;
}

/** The input id of the field an API error names, given the draft rows the entries sent came from; null if none. */
export function errorInputId(spec: SectionSpec, apiField: unknown, rows: number[]): string | null {
  const at = fieldOf(apiField);
  if (!at || at.field !== spec.field) return null;
  if (at.row === undefined) return spec.kind === 'strings' || spec.kind === 'entries' ? null : inputId(spec);
  const row = rows[at.row];
  return row === undefined ? null : inputId(spec, row, at.key);
}
