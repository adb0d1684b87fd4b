import { LineageNodeKind } from '../../common/lineage';
import { LineageDirection, MAX_DEPTH } from '../lineage/lineage.rules';
import type { CardSections, SectionState } from './card.rules';

/** The upstream walk for a card's datasets: as deep as the lineage bounds allow a client, the datasets alone answered. */
export const DATASET_WALK = {
  direction: LineageDirection.UPSTREAM,
  maxDepth: MAX_DEPTH,
  first: 1000,
  kinds: [LineageNodeKind.DATASET, LineageNodeKind.DATASET_VERSION],
};

/**
 * What card.md and card.html print: the people-written sections and, filled by the registry, the facts of the
 * version as gathered by CardService.document. Pure: rendered here, no database.
 */
export interface CardDocument {
  model: { name: string; riskTier: string; owner: string; description: string };
  version: {
    number: number;
    label: string | null;
    stage: string;
    createdAt: Date;
    createdBy: string;
    codeRepo: string;
    codeCommit: string;
    datasetVersions: string[];
    hyperparameters: Record<string, unknown>;
    environmentImageDigest: string | null;
    randomSeed: string | null;
    trainingRunId: string | null;
    artifactFormat: string;
    artifactSha256: string | null;
    artifactStatus: string;
  };
  stageHistory: Array<{ fromStage: string; toStage: string; actor: string; changedAt: Date; reason: string }>;
  /** Upstream lineage nodes of kind DATASET and DATASET_VERSION. */
  datasets: Array<{ kind: string; name: string; naturalKey: string }>;
  validation: {
    passed: boolean;
    createdAt: Date;
    checks: Array<{ metric: string; comparator: string; candidateValue: number | null; baselineValue: number | null; passed: boolean }>;
  } | null;
  approvals: Array<{ targetStage: string; decision: string; approver: string; approverRole: string; signedAt: Date }>;
  files: Array<{ path: string; sha256: string | null; sizeBytes: string | null; verdict: string | null }>;
  signatures: Array<{ signer: string; method: string; signedAt: Date; rootDigest: string }>;
  deployments: Array<{ environment: string; status: string; strategy: string; trafficPercent: number }>;
  openAlerts: number;
  /** The model's objectives and their status now (objectiveStatus). */
  objectives: Array<{
    metric: string;
    comparator: string;
    target: number;
    windowDays: number;
    state: string;
    currentValue: number | null;
    budgetRemaining: number | null;
    burnRate: number | null;
  }>;
  sections: CardSections;
  states: SectionState[];
  revision: number;
  completeness: { required: string[]; missing: string[]; stale: string[] };
}

/** A value on one line of YAML: JSON's string syntax is valid YAML, and no card text can break out of it. */
const yamlString = (value: string): string => JSON.stringify(value);

/** Text a person wrote, on one Markdown line: no line breaks, and Markdown/HTML markup characters escaped. */
export function mdText(value: string): string {
  return value
    .replace(/\r\n?|\n/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>&|#~]/g, (c) => `\\${c}`)
    .replace(/^[-+=]/, (c) => `\\${c}`)
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

const iso = (d: Date): string => d.toISOString();

/** The Hugging Face model card metadata: license, datasets, metrics (from the latest validation), tags. */
export function frontMatter(doc: CardDocument): string {
  const lines = ['---'];
  if (doc.sections.license) lines.push(`license: ${yamlString(doc.sections.license.toLowerCase())}`);
  const datasets = [...new Set([...doc.datasets.map((d) => d.naturalKey), ...doc.version.datasetVersions])].sort();
  if (datasets.length > 0) lines.push('datasets:', ...datasets.map((d) => `- ${yamlString(d)}`));
  const metrics = [...new Set((doc.validation?.checks ?? []).map((c) => c.metric))].sort();
  if (metrics.length > 0) lines.push('metrics:', ...metrics.map((m) => `- ${yamlString(m)}`));
  const tags = ['modelgraph', `stage:${doc.version.stage.toLowerCase()}`, `risk:${doc.model.riskTier.toLowerCase()}`];
  if (doc.sections.task) tags.push(doc.sections.task);
  lines.push('tags:', ...tags.map((t) => `- ${yamlString(t)}`));
  lines.push(`model_name: ${yamlString(doc.model.name)}`, `model_version: ${doc.version.number}`, '---');
  return lines.join('\n');
}

interface Block {
  title: string;
  /** Paragraphs or bullet entries, plain text (escaped by each renderer). */
  items: string[];
  list: boolean;
  note?: string;
}

const fmt = (v: number | null) => (v === null ? '—' : String(v));

/** The card's content as titled blocks, in reading order: the people's sections, then the registry's facts. */
export function cardBlocks(doc: CardDocument): Block[] {
  const s = doc.sections;
  const stale = new Set<string>(doc.states.filter((x) => x.stale).map((x) => x.section));
  const staleNote = (section: string) => (stale.has(section) ? 'stale: edited before the newest validation' : undefined);
  const people: Array<[string, string, string[]]> = [
    ['Intended uses', 'INTENDED_USE', s.useCases ?? []],
    ['Intended users', 'USERS', s.users ?? []],
    ['Out-of-scope uses', 'OUT_OF_SCOPE_USES', s.outOfScopeUses ?? []],
    ['Limitations', 'LIMITATIONS', s.technicalLimitations ?? []],
    ['Performance tradeoffs', 'PERFORMANCE_TRADEOFFS', s.performanceTradeoffs ?? []],
    [
      'Ethical considerations',
      'ETHICAL_CONSIDERATIONS',
      (s.ethicalConsiderations ?? []).map((e) => (e.mitigationStrategy ? `${e.name} (mitigation: ${e.mitigationStrategy})` : e.name)),
    ],
    [
      'Fairness assessments',
      'FAIRNESS_ASSESSMENTS',
      (s.fairnessAssessments ?? []).map((f) =>
        [
          f.groupAtRisk,
          f.metric !== null ? `${f.metric} = ${f.value}` : null,
          f.measuredOn ? `measured on ${f.measuredOn}` : null,
          f.benefits ? `benefits: ${f.benefits}` : null,
          f.harms ? `harms: ${f.harms}` : null,
          f.mitigationStrategy ? `mitigation: ${f.mitigationStrategy}` : null,
        ]
          .filter((x) => x !== null)
          .join('; '),
      ),
    ],
    ['Environmental considerations', 'ENVIRONMENTAL_CONSIDERATIONS', s.environmentalConsiderations ? [s.environmentalConsiderations] : []],
    ['Approach and task', 'APPROACH', [s.approach ? `approach: ${s.approach}` : '', s.task ? `task: ${s.task}` : ''].filter(Boolean)],
    ['Training and evaluation data', 'DATA_DESCRIPTION', s.dataDescription ? [s.dataDescription] : []],
    ['Caveats and recommendations', 'CAVEATS_AND_RECOMMENDATIONS', s.caveatsAndRecommendations ?? []],
    ['Owners and contacts', 'OWNERS', (s.owners ?? []).map((o) => (o.contact ? `${o.name} <${o.contact}>` : o.name))],
    ['License', 'LICENSE', s.license ? [s.license] : []],
  ];
  /** Sections of one text; the others are lists, shown as lists even with one entry. */
  const TEXTS = ['ENVIRONMENTAL_CONSIDERATIONS', 'DATA_DESCRIPTION', 'LICENSE'];
  const blocks: Block[] = people.map(([title, section, items]) => ({
    title,
    items: items.length > 0 ? items : ['(not written)'],
    list: items.length > 0 && !TEXTS.includes(section),
    note: staleNote(section),
  }));
  const v = doc.version;
  blocks.push(
    {
      title: 'Stage history',
      list: true,
      items: doc.stageHistory.map((h) => `${iso(h.changedAt)} ${h.fromStage} → ${h.toStage} by ${h.actor}`),
    },
    {
      title: 'Reproducibility',
      list: true,
      items: [
        `code: ${v.codeRepo} @ ${v.codeCommit}`,
        `environment image: ${v.environmentImageDigest ?? '—'}`,
        `dataset versions: ${v.datasetVersions.join(', ') || '—'}`,
        `hyperparameters: ${JSON.stringify(v.hyperparameters)}`,
        `random seed: ${v.randomSeed ?? '—'}`,
        `training run: ${v.trainingRunId ?? '—'}`,
      ],
    },
    { title: 'Datasets (upstream lineage)', list: true, items: doc.datasets.map((d) => `${d.kind} ${d.name} (${d.naturalKey})`) },
    {
      title: 'Validation against baselines',
      list: true,
      items: doc.validation
        ? [
            `${doc.validation.passed ? 'passed' : 'failed'} at ${iso(doc.validation.createdAt)}`,
            ...doc.validation.checks.map(
              (c) =>
                `${c.metric}: ${fmt(c.candidateValue)} ${c.comparator === 'GTE' ? '>=' : '<='} ${fmt(c.baselineValue)}: ${c.passed ? 'passed' : 'failed'}`,
            ),
          ]
        : [],
    },
    {
      title: 'Approvals',
      list: true,
      items: doc.approvals.map((a) => `${a.decision} for ${a.targetStage} by ${a.approver} (${a.approverRole}) at ${iso(a.signedAt)}`),
    },
    {
      title: 'Artifact files',
      list: true,
      items: [
        `format ${v.artifactFormat}, ${v.artifactStatus}, sha256 ${v.artifactSha256 ?? '—'}`,
        ...doc.files.map((f) => `${f.path}: sha256 ${f.sha256 ?? '—'}, ${f.sizeBytes ?? '?'} bytes, scan ${f.verdict ?? 'not scanned'}`),
      ],
    },
    {
      title: 'Signatures',
      list: true,
      items: doc.signatures.map((g) => `${g.method} by ${g.signer} at ${iso(g.signedAt)} over ${g.rootDigest}`),
    },
    {
      title: 'Deployments',
      list: true,
      items: doc.deployments.map((d) => `${d.environment}: ${d.status}, ${d.strategy}, ${d.trafficPercent} % of traffic`),
    },
    { title: 'Open alerts', list: false, items: [String(doc.openAlerts)] },
    {
      title: 'Objectives',
      list: true,
      items: doc.objectives.map(
        (o) =>
          `${o.metric} ${o.comparator === 'GTE' ? '>=' : '<='} ${o.target} (${o.windowDays}-day window): ${o.state}, current ${fmt(o.currentValue)}, error budget left ${fmt(o.budgetRemaining)}, burn rate ${fmt(o.burnRate)}`,
      ),
    },
  );
  for (const b of blocks) {
    if (b.items.length === 0) {
      b.items = ['(none)'];
      b.list = false;
    }
  }
  return blocks;
}

function summary(doc: CardDocument): string[] {
  const c = doc.completeness;
  return [
    `${doc.model.name} version ${doc.version.number}${doc.version.label ? ` (${doc.version.label})` : ''}: ${doc.version.stage}, risk tier ${doc.model.riskTier}, owner ${doc.model.owner}.`,
    c.required.length === 0
      ? `Card revision ${doc.revision}; the policy requires no section for this tier.`
      : `Card revision ${doc.revision}; required: ${c.required.join(', ')}; missing: ${c.missing.join(', ') || 'none'}; stale: ${c.stale.join(', ') || 'none'}.`,
  ];
}

/** card.md: Hugging Face front matter, then the card in Markdown; every text a person wrote is escaped. */
export function renderMarkdown(doc: CardDocument): string {
  const out = [frontMatter(doc), '', `# Model card: ${mdText(doc.model.name)} v${doc.version.number}`, ''];
  if (doc.model.description) out.push(mdText(doc.model.description), '');
  for (const line of summary(doc)) out.push(mdText(line), '');
  for (const block of cardBlocks(doc)) {
    out.push(`## ${block.title}`, '');
    if (block.note) out.push(`*${block.note}*`, '');
    out.push(...block.items.map((i) => (block.list ? `- ${mdText(i)}` : mdText(i))), '');
  }
  out.push('*Filled by modelgraph from the registry; the sections above the stage history are written by people.*', '');
  return out.join('\n');
}

/** Escapes text for HTML content and attribute values. */
export function htmlText(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** card.html: a printable page, self-contained (inline style only), every text escaped. */
export function renderHtml(doc: CardDocument): string {
  const title = `Model card: ${doc.model.name} v${doc.version.number}`;
  const body: string[] = [`<h1>${htmlText(title)}</h1>`];
  if (doc.model.description) body.push(`<p>${htmlText(doc.model.description)}</p>`);
  body.push(...summary(doc).map((p) => `<p>${htmlText(p)}</p>`));
  for (const block of cardBlocks(doc)) {
    body.push(`<section><h2>${htmlText(block.title)}</h2>`);
    if (block.note) body.push(`<p class="stale">${htmlText(block.note)}</p>`);
    body.push(
      block.list
        ? `<ul>${block.items.map((i) => `<li>${htmlText(i)}</li>`).join('')}</ul>`
        : block.items.map((i) => `<p>${htmlText(i)}</p>`).join(''),
      '</section>',
    );
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${htmlText(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.4}h2{border-bottom:1px solid #ccc;page-break-after:avoid}section{page-break-inside:avoid}.stale{color:#a15c00;font-style:italic}</style>',
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
