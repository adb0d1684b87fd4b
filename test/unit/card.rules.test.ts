import {
  CARD_BOUNDS,
  cardGate,
  completeness,
  isStale,
  isWritten,
  sectionStates,
  validateSections,
} from '../../src/modules/cards/card.rules';
import { frontMatter, htmlText, mdText, renderHtml, renderMarkdown, type CardDocument } from '../../src/modules/cards/card-document.rules';
import type { CardRule } from '../../src/modules/governance/policy.rules';
import { Stage } from '../../src/modules/versions/version.enums';
import { expectBadInput } from './bad-input';

const HIGH: CardRule = {
  stage: Stage.PRODUCTION,
  sections: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
  staleIsMissing: false,
};
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = new Date('2026-01-02T00:00:00.000Z');

describe('validateSections', () => {
  it('keeps what is written, names removals (an empty list, a blank text) and ignores what is left out', () => {
    expect(
      validateSections({
        useCases: ['triage'],
        technicalLimitations: [],
        license: ' ',
        task: null,
        fairnessAssessments: [{ groupAtRisk: 'over 70', metric: 'fpr_ratio', value: 1.1 }],
      }),
    ).toEqual({
      set: {
        useCases: ['triage'],
        fairnessAssessments: [
          {
            groupAtRisk: 'over 70',
            benefits: null,
            harms: null,
            mitigationStrategy: null,
            metric: 'fpr_ratio',
            value: 1.1,
            measuredOn: null,
          },
        ],
      },
      removed: ['technicalLimitations', 'license'],
    });
  });

  it.each([
    [{ useCases: 'triage' }, 'sections.useCases'],
    [{ useCases: [''] }, 'sections.useCases[0]'],
    [{ useCases: Array(CARD_BOUNDS.listEntries + 1).fill('x') }, 'sections.useCases'],
    [{ users: ['x'.repeat(CARD_BOUNDS.entry + 1)] }, 'sections.users[0]'],
    [{ fairnessAssessments: Array(CARD_BOUNDS.fairnessAssessments + 1).fill({ groupAtRisk: 'g' }) }, 'sections.fairnessAssessments'],
    [{ fairnessAssessments: [{ groupAtRisk: 'g', value: Number.NaN, metric: 'm' }] }, 'sections.fairnessAssessments[0].value'],
    [{ fairnessAssessments: [{ groupAtRisk: 'g', value: 1 }] }, 'sections.fairnessAssessments[0].metric'],
    [{ fairnessAssessments: ['g'] }, 'sections.fairnessAssessments[0]'],
    [{ ethicalConsiderations: [{ mitigationStrategy: 'x' }] }, 'sections.ethicalConsiderations[0].name'],
    [{ owners: [{ name: 'a', contact: 'x'.repeat(CARD_BOUNDS.contact + 1) }] }, 'sections.owners[0].contact'],
    [{ dataDescription: 'x'.repeat(CARD_BOUNDS.text + 1) }, 'sections.dataDescription'],
    [{ approach: 'guessing' }, 'sections.approach'],
    [{ license: 'MIT; rm -rf' }, 'sections.license'],
    [{ colour: 'blue' }, 'sections.colour'],
  ])('refuses %j naming %s', (input, field) => {
    expectBadInput(() => validateSections(input as Record<string, unknown>), field);
  });

  it('takes SPDX expressions and the CycloneDX approaches', () => {
    expect(validateSections({ license: 'MIT OR Apache-2.0', approach: 'self-supervised' }).set).toEqual({
      license: 'MIT OR Apache-2.0',
      approach: 'self-supervised',
    });
  });
});

describe('staleness and completeness', () => {
  it('a section is stale when edited before the newest validation, never when there is none', () => {
    expect(isStale(new Date(T0), T1)).toBe(true);
    expect(isStale(T1, new Date(T0))).toBe(false);
    expect(isStale(new Date(T0), null)).toBe(false);
    expect(isStale(null, T1)).toBe(false);
  });

  it('INTENDED_USE is the use cases, FAIRNESS_ASSESSMENTS at least one assessment', () => {
    expect(isWritten({ users: ['analysts'] }, 'INTENDED_USE')).toBe(false);
    expect(isWritten({ useCases: ['triage'] }, 'INTENDED_USE')).toBe(true);
    expect(isWritten({ fairnessAssessments: [] }, 'FAIRNESS_ASSESSMENTS')).toBe(false);
  });

  const states = (validatedAt: Date | null) =>
    sectionStates(
      { useCases: ['triage'], technicalLimitations: ['EU only'] },
      { INTENDED_USE: { at: T0, by: 'a' }, LIMITATIONS: { at: '2026-01-03T00:00:00.000Z', by: 'b' } },
      validatedAt,
    );

  it('names the missing sections, and the stale ones, which count as missing only with staleIsMissing', () => {
    expect(completeness(states(T1), HIGH)).toEqual({
      required: HIGH.sections,
      missing: ['ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
      stale: ['INTENDED_USE'],
      complete: false,
    });
    expect(completeness(states(T1), { ...HIGH, staleIsMissing: true }).missing).toEqual([
      'INTENDED_USE',
      'ETHICAL_CONSIDERATIONS',
      'FAIRNESS_ASSESSMENTS',
    ]);
    expect(completeness(states(null), { ...HIGH, sections: ['INTENDED_USE', 'LIMITATIONS'] })).toMatchObject({ complete: true, stale: [] });
  });

  it('the gate applies from its stage on (STAGING: PRODUCTION too), and not at all with no sections', () => {
    expect(cardGate(states(null), HIGH, Stage.STAGING)).toBeNull();
    expect(cardGate(states(null), { ...HIGH, sections: [] }, Stage.PRODUCTION)).toBeNull();
    expect(cardGate(states(null), { ...HIGH, stage: Stage.STAGING }, Stage.PRODUCTION)).toMatchObject({ passed: false });
    expect(cardGate(states(T1), HIGH, Stage.PRODUCTION)).toEqual({
      passed: false,
      missing: ['ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
      detail:
        'model card is missing ETHICAL_CONSIDERATIONS, FAIRNESS_ASSESSMENTS (needs INTENDED_USE, LIMITATIONS, ETHICAL_CONSIDERATIONS, FAIRNESS_ASSESSMENTS); stale (edited before the newest validation): INTENDED_USE',
    });
    expect(cardGate(states(null), { ...HIGH, sections: ['LIMITATIONS'] }, Stage.PRODUCTION)).toEqual({
      passed: true,
      missing: [],
      detail: 'model card has LIMITATIONS',
    });
  });
});

describe('card.md and card.html rendering', () => {
  const doc = (over: Partial<CardDocument> = {}): CardDocument => ({
    model: { name: 'fraud', riskTier: 'HIGH', owner: 'ml', description: '' },
    version: {
      number: 3,
      label: null,
      stage: 'STAGING',
      createdAt: new Date(T0),
      createdBy: 'ci',
      codeRepo: 'https://github.com/acme/fraud',
      codeCommit: 'a'.repeat(40),
      datasetVersions: ['s3://b@v1'],
      hyperparameters: { depth: 6 },
      environmentImageDigest: null,
      randomSeed: null,
      trainingRunId: null,
      artifactFormat: 'ONNX',
      artifactSha256: null,
      artifactStatus: 'READY',
    },
    stageHistory: [],
    datasets: [{ kind: 'DATASET_VERSION', name: 'a', naturalKey: 's3://a@v2' }],
    validation: null,
    approvals: [],
    files: [],
    signatures: [],
    deployments: [],
    openAlerts: 0,
    objectives: [],
    sections: { license: 'MIT', useCases: ['1. <b>x</b>'] },
    states: [],
    revision: 1,
    completeness: { required: [], missing: [], stale: [] },
    ...over,
  });

  it('front matter: license, the datasets of the tuple and the lineage (sorted, once), metrics, tags; values as JSON strings', () => {
    expect(frontMatter(doc())).toBe(
      [
        '---',
        'license: "mit"',
        'datasets:',
        '- "s3://a@v2"',
        '- "s3://b@v1"',
        'tags:',
        '- "modelgraph"',
        '- "stage:staging"',
        '- "risk:high"',
        'model_name: "fraud"',
        'model_version: 3',
        '---',
      ].join('\n'),
    );
  });

  it('escapes text a person wrote: Markdown on one line, HTML as entities', () => {
    expect(mdText('1. <b>x</b>\n# y')).toBe('1\\. \\<b\\>x\\</b\\> \\# y');
    expect(mdText('- z')).toBe('\\- z');
    expect(htmlText(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(renderMarkdown(doc())).toContain('- 1\\. \\<b\\>x\\</b\\>');
    expect(renderHtml(doc())).toContain('<li>1. &lt;b&gt;x&lt;/b&gt;</li>');
    expect(renderHtml(doc({ model: { name: '<i>', riskTier: 'HIGH', owner: 'ml', description: '' } }))).not.toContain('<i>');
  });

  it("lists the model's objectives with their status, after the open alerts", () => {
    const objectives = [
      {
        metric: 'latency_p99_ms',
        comparator: 'LTE',
        target: 500,
        windowDays: 28,
        state: 'AT_RISK',
        currentValue: 900,
        budgetRemaining: 0.5,
        burnRate: 2,
      },
      {
        metric: 'availability',
        comparator: 'GTE',
        target: 0.999,
        windowDays: 7,
        state: 'NO_DATA',
        currentValue: null,
        budgetRemaining: null,
        burnRate: null,
      },
    ];
    const md = renderMarkdown(doc({ objectives }));
    expect(md).toContain(
      [
        '## Objectives',
        '',
        '- latency\\_p99\\_ms \\<= 500 (28-day window): AT\\_RISK, current 900, error budget left 0.5, burn rate 2',
        '- availability \\>= 0.999 (7-day window): NO\\_DATA, current —, error budget left —, burn rate —',
      ].join('\n'),
    );
    expect(md.indexOf('## Open alerts')).toBeLessThan(md.indexOf('## Objectives'));
    expect(renderHtml(doc({ objectives }))).toContain('<li>latency_p99_ms &lt;= 500 (28-day window): AT_RISK, current 900');
    expect(renderMarkdown(doc())).toContain('## Objectives\n\n(none)');
  });
});
