/**
 * Model cards (issue 22, the card), against the real server with MODELGRAPH_VISIBILITY=granted: editing sections at
 * a revision (CONFLICT when stale, every edit audited), the bounds naming the field, who may read and edit, the
 * registry-filled facts equal to what modelVersion answers, completeness and the MODEL_CARD_COMPLETE gate for a HIGH
 * risk model, and staleness after a newer validation.
 */
import { Role } from '../../src/common/role';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { AlertKind, AlertSeverity } from '../../src/modules/monitoring/alerts/alert.enums';
import { raiseAlert } from '../../src/modules/monitoring/alerts/alert.store';
import { RiskTier } from '../../src/modules/models/model.enums';
import { Stage } from '../../src/modules/versions/version.enums';
import {
  AlertsDocument,
  CardVersionFactsDocument,
  ObjectiveStatusDocument,
  ReportProductionMetricsDocument,
  SetModelObjectivesDocument,
  GrantAccessDocument,
  ModelCardDocument,
  PromotionReadinessDocument,
  SetPolicyDocument,
  TransitionModelVersionDocument,
  UpdateModelCardDocument,
  type UpdateModelCardInput,
} from '../generated/graphql';
import { modelName } from '../support/fixtures';
import { aucBaseline, caller, newApprover, readyRegistration, stagedVersion } from '../support/lifecycle';
import { errorCode, ok, startTestServer, type TestServer } from '../support/server';

const admin = caller('admin', Role.ADMIN);

let t: TestServer;
let writer: string; // CONTRIBUTE on the model through a grant
let reader: string; // VIEW on the model through a grant
let outsider: string; // no grant: with visibility 'granted' the model does not exist for it

beforeAll(async () => {
  t = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
  writer = await t.tokenFor(Role.VIEWER, 'card-writer');
  reader = await t.tokenFor(Role.VIEWER, 'card-reader');
  outsider = await t.tokenFor(Role.VIEWER, 'card-outsider');
});
afterAll(() => t.close());

async function newModel(riskTier = RiskTier.MEDIUM) {
  const model = await t.services.models.create(admin, { name: modelName('card'), owner: 'ml', riskTier });
  await aucBaseline(t.services, admin, model.id);
  ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'card-writer', level: 'CONTRIBUTE' } }));
  ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'card-reader', level: 'VIEW' } }));
  return model;
}

async function newVersion(modelId: string) {
  return (await t.services.versions.register(admin, readyRegistration(modelId))).version;
}

async function validate(versionId: string, auc = 0.9) {
  await t.services.metrics.log(admin, { versionId, metrics: [{ name: 'auc', value: auc, source: MetricSource.VALIDATION }] });
  await t.services.validation.validate(admin, versionId);
}

const edit = (versionId: string, expectedRevision: number, sections: UpdateModelCardInput['sections'], token = writer) =>
  t.request(UpdateModelCardDocument, { input: { versionId, expectedRevision, sections } }, token);
const cardOf = async (versionId: string, token = t.adminToken) => ok(await t.request(ModelCardDocument, { versionId }, token)).modelCard;

/** The sections that make a HIGH risk card complete by default. */
const COMPLETE = {
  useCases: ['Rank card transactions for manual fraud review'],
  technicalLimitations: ['Trained on EU transactions only'],
  ethicalConsiderations: [{ name: 'False positives block legitimate customers', mitigationStrategy: 'A person reviews every block' }],
  fairnessAssessments: [
    {
      groupAtRisk: 'customers over 70',
      harms: 'more false positives',
      metric: 'false_positive_rate_ratio',
      value: 1.08,
      measuredOn: 's3://datasets/transactions@v3 (holdout)',
    },
  ],
};

describe('editing', () => {
  test('a card starts empty at revision 0; each edit writes its sections at the revision read, one audit event each', async () => {
    const model = await newModel();
    const version = await newVersion(model.id);
    const empty = await cardOf(version.id);
    expect(empty).toMatchObject({ versionId: version.id, revision: 0, useCases: [], license: null, updatedBy: null });
    expect(empty.sections.every((s) => !s.written && s.editedAt === null)).toBe(true);

    const first = ok(
      await edit(version.id, 0, {
        useCases: ['triage'],
        license: 'Apache-2.0',
        owners: [{ name: 'Fraud ML', contact: 'fraud-ml@acme.example' }],
      }),
    ).updateModelCard.card;
    expect(first).toMatchObject({
      revision: 1,
      updatedBy: 'card-writer',
      useCases: ['triage'],
      license: 'Apache-2.0',
      owners: [{ name: 'Fraud ML', contact: 'fraud-ml@acme.example' }],
    });
    expect(first.sections.find((s) => s.section === 'INTENDED_USE')).toMatchObject({
      written: true,
      editedBy: 'card-writer',
      stale: false,
    });

    // A stale revision is a CONFLICT and changes nothing.
    const stale = await edit(version.id, 0, { useCases: ['something else'] });
    expect(errorCode(stale)).toBe('CONFLICT');
    expect((await cardOf(version.id)).useCases).toEqual(['triage']);

    // Sections left out are kept; an empty list or a blank text removes a section.
    const second = ok(await edit(version.id, 1, { technicalLimitations: ['EU only'], license: '' })).updateModelCard.card;
    expect(second).toMatchObject({ revision: 2, useCases: ['triage'], technicalLimitations: ['EU only'], license: null });
    expect(second.sections.find((s) => s.section === 'LICENSE')).toMatchObject({ written: false, editedAt: null });

    const events = (await t.database.db.query(
      `SELECT action, payload FROM audit_events WHERE subject_id = $1 AND action LIKE 'card.%' ORDER BY seq`,
      [version.id],
    )) as Array<{
      action: string;
      payload: { revision: number; sections: string[]; before: Record<string, unknown>; after: Record<string, unknown> };
    }>;
    expect(events.map((e) => [e.action, e.payload.revision, e.payload.sections])).toEqual([
      ['card.updated', 1, ['INTENDED_USE', 'OWNERS', 'LICENSE']],
      ['card.updated', 2, ['LIMITATIONS', 'LICENSE']],
    ]);
    expect(events[1].payload.before.LICENSE).toBe('Apache-2.0');
    expect(events[1].payload.after.LICENSE).toBeNull();
  });

  test.each([
    [{ fairnessAssessments: [{ groupAtRisk: '' }] }, 'sections.fairnessAssessments[0].groupAtRisk'],
    [{ fairnessAssessments: [{ groupAtRisk: 'x', metric: 'fpr' }] }, 'sections.fairnessAssessments[0].value'],
    [{ approach: 'guessing' }, 'sections.approach'],
    [{ license: '<script>' }, 'sections.license'],
    [{ useCases: Array.from({ length: 51 }, (_, i) => `use ${i}`) }, 'sections.useCases'],
    [{ technicalLimitations: ['x'.repeat(2001)] }, 'sections.technicalLimitations[0]'],
    [{ ethicalConsiderations: [{ name: 'a\u0000b' }] }, 'sections.ethicalConsiderations[0].name'],
    [{}, 'sections'],
  ])('%j is BAD_USER_INPUT naming %s', async (sections, field) => {
    const version = await newVersion((await newModel()).id);
    const res = await edit(version.id, 0, sections as UpdateModelCardInput['sections']);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    // The input guard refuses a NUL before the service, naming the argument's path.
    expect((res.errors![0].extensions!.field as string).replace(/^\$input\./, '')).toBe(field);
  });

  test('two first edits at once: one writes revision 1, the other is a CONFLICT (never a 500)', async () => {
    const version = await newVersion((await newModel()).id);
    const answers = await Promise.all([edit(version.id, 0, { task: 'a' }), edit(version.id, 0, { task: 'b' })]);
    expect(answers.map((a) => (a.errors ? a.errors[0].extensions!.code : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    expect((await cardOf(version.id)).revision).toBe(1);
  });

  test('sections over 64 KiB of JSON are audited by their digest and length', async () => {
    const version = await newVersion((await newModel()).id);
    const fairnessAssessments = Array.from({ length: 40 }, (_, i) => ({ groupAtRisk: `group ${i}`, harms: 'h'.repeat(2000) }));
    ok(await edit(version.id, 0, { fairnessAssessments }));
    const [event] = (await t.database.db.query(`SELECT payload FROM audit_events WHERE subject_id = $1 AND action = 'card.updated'`, [
      version.id,
    ])) as Array<{ payload: Record<string, unknown> }>;
    expect(event.payload).toMatchObject({ before: { FAIRNESS_ASSESSMENTS: null }, afterSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(event.payload.afterBytes).toBeGreaterThan(64 * 1024);
    expect(event.payload).not.toHaveProperty('after');
  });

  test('VIEW reads but cannot edit (FORBIDDEN); another team sees no such version (NOT_FOUND)', async () => {
    const version = await newVersion((await newModel()).id);
    expect((await cardOf(version.id, reader)).revision).toBe(0);
    const forbidden = await edit(version.id, 0, { useCases: ['x'] }, reader);
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.errors![0].extensions).toMatchObject({ action: 'EDIT_CARD', requiredLevel: 'CONTRIBUTE', level: 'VIEW' });
    expect(errorCode(await t.request(ModelCardDocument, { versionId: version.id }, outsider))).toBe('NOT_FOUND');
    expect(errorCode(await edit(version.id, 0, { useCases: ['x'] }, outsider))).toBe('NOT_FOUND');
    expect((await cardOf(version.id)).revision).toBe(0);
  });
});

describe('what the registry fills', () => {
  test('every registry-filled fact of the card equals what modelVersion answers for that version', async () => {
    const model = await newModel();
    const approver = await newApprover(t.services, 'card-approver');
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'card-approver', level: 'APPROVE' } }));
    const version = await stagedVersion(t.services, admin, model.id, [approver]);
    await t.services.transitions.transition(admin, { versionId: version.id, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });

    const card = await cardOf(version.id);
    const facts = ok(await t.request(CardVersionFactsDocument, { id: version.id })).modelVersion!;
    expect(card.version).toEqual(facts);
    expect(card.model).toEqual({ id: model.id, name: model.name, riskTier: 'MEDIUM' });
    // And they are the version's: a sanity check that the comparison compared something.
    expect(facts.stage).toBe('PRODUCTION');
    expect(facts.stageHistory.edges.map((e) => e.node.toStage)).toEqual(['PRODUCTION', 'STAGING']); // newest first
    expect(facts.reproducibility.datasetVersions).toEqual(['s3://datasets/transactions@v3']);
    expect(facts.upstream.nodes.map((n) => n.node.kind)).toContain('DATASET_VERSION');
    expect(facts.latestValidation!.checks[0]).toMatchObject({ metric: 'auc', candidateValue: 0.9, baselineValue: 0.8, passed: true });
    expect(facts.approvals.edges.map((e) => e.node.approver)).toEqual(['card-approver']);
    expect(card.newestValidationAt).toBe(facts.latestValidation!.createdAt);

    // Open alerts: those alerts(filter) answers for the version, OPEN or ACKNOWLEDGED.
    const breach = (subject: string) => ({
      modelId: model.id,
      versionId: version.id,
      deploymentId: null,
      kind: AlertKind.DATA_DRIFT,
      subject,
      severity: AlertSeverity.WARNING,
      summary: `${subject} drifted`,
      evidence: {},
      window: { start: new Date(Date.now() - 3_600_000), end: new Date() },
    });
    await t.database.db.transaction((m) => raiseAlert(m, breach('amount')));
    await t.database.db.transaction((m) => raiseAlert(m, breach('country')));
    const open = ok(
      await t.request(AlertsDocument, { filter: { versionIds: [version.id], statuses: ['OPEN', 'ACKNOWLEDGED'] }, first: 10 }),
    ).alerts;
    expect(open.totalCount).toBe(2);
    expect((await cardOf(version.id)).openAlerts).toBe(open.totalCount);

    // Objective status: the model's objectives as objectiveStatus(modelId) answers them, on the card and in card.md.
    expect((await cardOf(version.id)).objectiveStatus).toEqual([]);
    ok(
      await t.request(SetModelObjectivesDocument, {
        input: {
          modelId: model.id,
          objectives: [
            { metric: 'latency_p99_ms', comparator: 'LTE', target: 500, budget: 0.5, windowDays: 1 },
            { metric: 'availability', comparator: 'GTE', target: 0.999 },
          ],
        },
      }),
    );
    const HOUR = 3_600_000;
    for (const [hoursAgo, value] of [
      [4, 300],
      [3, 300],
      [2, 900],
    ]) {
      const end = Math.floor(Date.now() / HOUR) * HOUR - (hoursAgo - 1) * HOUR;
      ok(
        await t.request(ReportProductionMetricsDocument, {
          input: {
            versionId: version.id,
            window: { start: new Date(end - HOUR).toISOString(), end: new Date(end).toISOString() },
            metrics: [{ name: 'latency_p99_ms', kind: 'LATENCY_MS', value, observations: 1000 }],
          },
        }),
      );
    }
    const statuses = ok(await t.request(ObjectiveStatusDocument, { modelId: model.id })).objectiveStatus;
    expect(statuses.map((o) => [o.metric, o.state])).toEqual([
      ['latency_p99_ms', 'MET'],
      ['availability', 'NO_DATA'],
    ]);
    expect(statuses[0]).toMatchObject({ currentValue: 900, currentMeets: false });
    expect(statuses[0].budgetRemaining).toBeCloseTo(1 - 1 / 3 / 0.5, 10);
    expect((await cardOf(version.id)).objectiveStatus).toEqual(statuses);
    expect((await cardOf(version.id, reader)).objectiveStatus).toEqual(statuses);
    const md = await (
      await fetch(`${t.baseUrl}/models/${model.name}/versions/${version.version}/card.md`, {
        headers: { authorization: `Bearer ${reader}` },
      })
    ).text();
    expect(md).toContain(
      `## Objectives\n\n- latency\\_p99\\_ms \\<= 500 (1-day window): MET, current 900, error budget left ${statuses[0].budgetRemaining}, burn rate —\n- availability \\>= 0.999 (28-day window): NO\\_DATA, current —, error budget left —, burn rate —\n`,
    );
  });
});

describe('completeness and the MODEL_CARD_COMPLETE gate', () => {
  test('a HIGH risk version needs intended use, limitations, ethical considerations and a fairness assessment before PRODUCTION', async () => {
    const model = await newModel(RiskTier.HIGH);
    const version = await newVersion(model.id);
    await validate(version.id);
    const card = await cardOf(version.id);
    expect(card.completeness).toEqual({
      gateStage: 'PRODUCTION',
      required: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
      missing: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
      stale: [],
      staleIsMissing: false,
      complete: false,
    });
    // Not before STAGING by default: the move to STAGING passes, readiness for PRODUCTION names what is missing.
    ok(
      await t.request(TransitionModelVersionDocument, {
        input: { versionId: version.id, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' },
      }),
    );
    const readiness = ok(
      await t.request(PromotionReadinessDocument, { versionId: version.id, targetStage: 'PRODUCTION' }),
    ).promotionReadiness;
    expect(readiness.gates.find((g) => g.gate === 'MODEL_CARD_COMPLETE')).toEqual({
      gate: 'MODEL_CARD_COMPLETE',
      passed: false,
      detail:
        'model card is missing INTENDED_USE, LIMITATIONS, ETHICAL_CONSIDERATIONS, FAIRNESS_ASSESSMENTS (needs INTENDED_USE, LIMITATIONS, ETHICAL_CONSIDERATIONS, FAIRNESS_ASSESSMENTS)',
    });
  });

  test('with the gate from STAGING, the move is refused with GATE_FAILED naming the missing sections, and passes once complete', async () => {
    const model = await newModel(RiskTier.HIGH);
    ok(await t.request(SetPolicyDocument, { input: { modelId: model.id, document: { modelCard: { stage: 'STAGING' } } } }));
    const version = await newVersion(model.id);
    await validate(version.id);
    ok(await edit(version.id, 0, { useCases: COMPLETE.useCases, technicalLimitations: COMPLETE.technicalLimitations }));

    const move = { input: { versionId: version.id, toStage: 'STAGING' as const, expectedStage: 'DEVELOPMENT' as const } };
    const refused = await t.request(TransitionModelVersionDocument, move);
    expect(errorCode(refused)).toBe('GATE_FAILED');
    expect(refused.errors![0].message).toMatch(/MODEL_CARD_COMPLETE \(model card is missing ETHICAL_CONSIDERATIONS, FAIRNESS_ASSESSMENTS/);
    const gates = refused.errors![0].extensions!.gates as Array<{ gate: string; passed: boolean; detail: string }>;
    expect(gates.find((g) => g.gate === 'MODEL_CARD_COMPLETE')).toMatchObject({ passed: false });

    const done = ok(await edit(version.id, 1, COMPLETE)).updateModelCard.card;
    expect(done.completeness).toMatchObject({ missing: [], complete: true });
    expect(done.fairnessAssessments).toEqual([{ benefits: null, mitigationStrategy: null, ...COMPLETE.fairnessAssessments[0] }]);
    const moved = ok(await t.request(TransitionModelVersionDocument, move)).transitionModelVersion;
    expect(moved.version.stage).toBe('STAGING');
  });

  test('a LOW or MEDIUM risk version needs nothing by default; a policy may ask any tier for any section', async () => {
    const model = await newModel(RiskTier.LOW);
    const version = await newVersion(model.id);
    expect((await cardOf(version.id)).completeness).toMatchObject({ required: [], missing: [], complete: true });
    ok(await t.request(SetPolicyDocument, { input: { modelId: model.id, document: { modelCard: { sections: ['LICENSE', 'OWNERS'] } } } }));
    expect((await cardOf(version.id)).completeness).toMatchObject({ required: ['LICENSE', 'OWNERS'], missing: ['LICENSE', 'OWNERS'] });
    const bad = await t.request(SetPolicyDocument, { input: { modelId: model.id, document: { modelCard: { sections: ['LICENCE'] } } } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toBe('document.modelCard.sections[0]');
  });
});

describe('staleness', () => {
  test('a section edited before the newest validation is stale; it counts as missing only with staleIsMissing', async () => {
    const model = await newModel(RiskTier.HIGH);
    const version = await newVersion(model.id);
    await validate(version.id);
    ok(await edit(version.id, 0, COMPLETE));
    let card = await cardOf(version.id);
    expect(card.sections.filter((s) => s.stale)).toEqual([]);

    await validate(version.id, 0.91);
    card = await cardOf(version.id);
    expect(card.sections.filter((s) => s.stale).map((s) => s.section)).toEqual([
      'INTENDED_USE',
      'LIMITATIONS',
      'ETHICAL_CONSIDERATIONS',
      'FAIRNESS_ASSESSMENTS',
    ]);
    expect(card.completeness).toMatchObject({
      missing: [],
      complete: true,
      stale: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
    });

    ok(await t.request(SetPolicyDocument, { input: { modelId: model.id, document: { modelCard: { staleIsMissing: true } } } }));
    card = await cardOf(version.id);
    expect(card.completeness).toMatchObject({
      complete: false,
      missing: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
    });

    // Editing a section again makes it current.
    const edited = ok(await edit(version.id, 1, { useCases: COMPLETE.useCases })).updateModelCard.card;
    expect(edited.sections.find((s) => s.section === 'INTENDED_USE')!.stale).toBe(false);
    expect(edited.completeness.missing).toEqual(['LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS']);
  });
});

describe('a card kept version by version', () => {
  test("a new version carries the card of the model's latest card forward, stale once validated; its first edit makes its own", async () => {
    const model = await newModel(RiskTier.HIGH);
    const first = await newVersion(model.id);
    await validate(first.id);
    ok(await edit(first.id, 0, { ...COMPLETE, license: 'Apache-2.0' }));
    const written = await cardOf(first.id);

    // The next version starts from that card: the same sections, their editor and time, at its own revision 0.
    const second = await newVersion(model.id);
    let card = await cardOf(second.id);
    expect(card).toMatchObject({ revision: 0, carriedFromVersion: first.version, license: 'Apache-2.0' });
    expect(card.useCases).toEqual(written.useCases);
    expect(card.fairnessAssessments).toEqual(written.fairnessAssessments);
    expect(card.sections.filter((s) => s.written).map((s) => [s.section, s.editedBy])).toEqual(
      written.sections.filter((s) => s.written).map((s) => [s.section, s.editedBy]),
    );
    expect(card.completeness).toMatchObject({ missing: [], complete: true, stale: [] });

    // Validated after those sections were written: they are stale for this version (missing with staleIsMissing).
    await validate(second.id);
    card = await cardOf(second.id);
    expect(card.completeness).toMatchObject({
      complete: true,
      stale: ['INTENDED_USE', 'LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS'],
    });
    ok(
      await t.request(SetPolicyDocument, {
        input: { modelId: model.id, document: { modelCard: { stage: 'STAGING', staleIsMissing: true } } },
      }),
    );
    const refused = await t.request(TransitionModelVersionDocument, {
      input: { versionId: second.id, toStage: Stage.STAGING, expectedStage: Stage.DEVELOPMENT },
    });
    expect(errorCode(refused)).toBe('GATE_FAILED');

    // Its first edit (at revision 0) makes its own card from the carried one: what it touched is current, the rest kept.
    expect(errorCode(await edit(second.id, 1, { useCases: ['x'] }))).toBe('CONFLICT');
    const own = ok(await edit(second.id, 0, { useCases: ['Rank card transactions for review, EU and UK'] })).updateModelCard.card;
    expect(own).toMatchObject({ revision: 1, carriedFromVersion: null, license: 'Apache-2.0' });
    expect(own.technicalLimitations).toEqual(written.technicalLimitations);
    expect(own.completeness.stale).toEqual(['LIMITATIONS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS']);
    // The earlier version's card is untouched.
    expect(await cardOf(first.id)).toMatchObject({ revision: 1, carriedFromVersion: null, useCases: written.useCases });
  });
});

describe('GET /models/<name>/versions/<n>/card.md and card.html', () => {
  const HOSTILE = '<script>alert(1)</script> **bold** [link](javascript:alert(1))\n# not a heading';

  async function documented() {
    const model = await newModel(RiskTier.HIGH);
    const approver = await newApprover(t.services, 'card-doc-approver');
    ok(await t.request(GrantAccessDocument, { input: { modelId: model.id, subject: 'card-doc-approver', level: 'APPROVE' } }));
    const version = await stagedVersion(t.services, admin, model.id, [approver]);
    ok(
      await edit(version.id, 0, {
        ...COMPLETE,
        useCases: [HOSTILE, 'Rank transactions for review'],
        owners: [{ name: 'Fraud ML "team"', contact: 'fraud-ml@acme.example' }],
        license: 'Apache-2.0',
        task: 'classification',
      }),
    );
    return { model, version };
  }

  const get = (path: string, token: string | null = t.adminToken) =>
    fetch(`${t.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('card.md: Hugging Face front matter (license, datasets, metrics, tags), the sections escaped, the registry facts', async () => {
    const { model, version } = await documented();
    const res = await get(`/models/${model.name}/versions/${version.version}/card.md`, reader);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const text = await res.text();
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text)![1];
    expect(front.split('\n')).toEqual([
      'license: "apache-2.0"',
      'datasets:',
      '- "s3://datasets/transactions@v3"',
      'metrics:',
      '- "auc"',
      'tags:',
      '- "modelgraph"',
      '- "stage:staging"',
      '- "risk:high"',
      '- "classification"',
      `model_name: "${model.name}"`,
      `model_version: ${version.version}`,
    ]);
    expect(text).toContain(`# Model card: ${model.name} v${version.version}`);
    // A person's text cannot open a tag, a link, emphasis or a heading: escaped, on one line.
    expect(text).toContain('- \\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\* \\[link\\](javascript:alert(1)) \\# not a heading');
    expect(text).not.toContain('<script>');
    expect(text).toContain('## Ethical considerations');
    expect(text).toContain(
      '- customers over 70; false\\_positive\\_rate\\_ratio = 1.08; measured on s3://datasets/transactions@v3 (holdout); harms: more false positives',
    );
    // Filled by the registry: the same facts modelVersion answers.
    const facts = ok(await t.request(CardVersionFactsDocument, { id: version.id })).modelVersion!;
    expect(text).toContain(`code: ${facts.reproducibility.code.repo} @ ${facts.reproducibility.code.commit}`);
    expect(text).toContain('- auc: 0.9 \\>= 0.8: passed'); // `>` escaped: a metric's name is a client's text too
    expect(text).toContain(`- APPROVED for PRODUCTION by card-doc-approver (APPROVER) at ${facts.approvals.edges[0].node.signedAt}`);
    expect(text).toContain(`DEVELOPMENT → STAGING by admin`);
  });

  test('card.html: printable, every text escaped, no script allowed', async () => {
    const { model, version } = await documented();
    const res = await get(`/models/${model.name}/versions/${version.version}/card.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<li>&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](javascript:alert(1))\n# not a heading</li>');
    expect(html).toContain('<li>Fraud ML &quot;team&quot; &lt;fraud-ml@acme.example&gt;</li>');
    expect(html).toContain(`<title>Model card: ${model.name} v${version.version}</title>`);
  });

  test('authorized like the other routes: 401 without a token, 404 for a model another team cannot see or that does not exist', async () => {
    const { model, version } = await documented();
    const path = `/models/${model.name}/versions/${version.version}/card.md`;
    expect((await get(path, null)).status).toBe(401);
    const hidden = await get(path, outsider);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect((await get(`/models/${model.name}/versions/999/card.html`)).status).toBe(404);
    expect((await get(`/models/${model.name}/versions/1x/card.md`)).status).toBe(404);
    expect((await get(`/models/no-such-model/versions/1/card.md`)).status).toBe(404);
  });
});
