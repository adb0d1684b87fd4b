import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { SHA } from '../support/fixtures';
import { keyPair, signMessage } from '../support/lifecycle';
import { ok, startTestServer, type TestServer } from '../support/server';
import {
  AddLineageEdgesDocument,
  ApprovalChallengeDocument,
  ApproveModelVersionDocument,
  CreateModelDocument,
  CreateTeamDocument,
  GrantAccessDocument,
  LogMetricsDocument,
  RecordDeploymentDocument,
  RegisterApproverKeyDocument,
  RegisterModelVersionDocument,
  RevokeApiTokenDocument,
  SetBaselineDocument,
  SetModelAliasDocument,
  TransitionModelVersionDocument,
  UpdateModelCardDocument,
  UpsertLineageNodesDocument,
  ValidateModelVersionDocument,
  ViewerDocument,
  type RegisterModelVersionInput,
} from '../generated/graphql';
import { describeInBrowser, launch, pageErrors, screenshot, seriousAccessibilityFindings, signedIn } from './browser';

jest.setTimeout(120_000);

/** The bytes of v3's uploaded artifact. */
const ARTIFACT = Buffer.from('ONNX model bytes for the console test\n'.repeat(64));

/**
 * `npm run test:ui`: a registry seeded through the API, then each page of the console walked in a real
 * chromium: models → model → version → compare → lineage → audit → live → a refused action. Each step
 * saves a screenshot (docs/screenshots, shown in the README) and is checked with axe-core.
 */
describeInBrowser('governance console in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const seeded = {} as {
    modelId: string;
    v1: string;
    v2: string;
    v3: string;
    datasetVersion: string;
    dataset: string;
    features: string[];
    erin: { token: string; keys: ReturnType<typeof keyPair> };
  };

  beforeAll(async () => {
    server = await startTestServer({}, { audit: true });
    await seed(server, seeded);
    browser = await launch();
    page = await signedIn(browser, server.baseUrl, server.adminToken);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    expect(pageErrors(page)).toEqual([]);
  });

  async function accessible(): Promise<void> {
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  }

  it('lists models, filters them by stage in the address, and pages with a cursor', async () => {
    await page.getByText('64 models', { exact: true }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(50);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByText('64 models (a later page)').waitFor();
    expect(page.url()).toContain('after=');
    await page.getByRole('link', { name: 'fraud-detector' }).waitFor(); // after the 50 churn-* models, by name
    await page.getByRole('link', { name: 'First page' }).click();

    await page.getByLabel('Has a version in').selectOption('PRODUCTION');
    await page.getByLabel('Owner').fill('ml-platform');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('1 models').waitFor();
    expect(page.url()).toMatch(/stage=PRODUCTION/);
    expect(page.url()).toMatch(/owner=ml-platform/);
    await screenshot(page, 'models');
    await accessible();

    // The address is the state: opening it afresh gives the same page.
    await page.goto(page.url());
    await page.getByText('1 models').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  it('shows a model: versions, aliases and their history, deployments, policy, and access it lets an admin edit', async () => {
    await page.getByRole('link', { name: 'fraud-detector' }).click();
    await page.getByRole('heading', { name: 'fraud-detector', exact: true }).waitFor();
    const rows = page.locator('section[aria-labelledby^="section-versions"] tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(0).innerText()).resolves.toMatch(/v3\s+DEVELOPMENT/);
    await expect(rows.nth(2).innerText()).resolves.toMatch(/v1\s+PRODUCTION\s+@champion\s+admin.*✔ passed/s);
    await page.getByText('production DIRECT 100%').waitFor();
    await page.getByText('2 for production, by APPROVER').waitFor();

    await page.getByRole('link', { name: 'history' }).first().click();
    await page.getByRole('heading', { name: 'History of @challenger' }).waitFor();
    expect(page.url()).toContain('alias=challenger');

    await expect(page.getByRole('cell', { name: 'team risk-reviewers' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Subject or team:name').fill('carol');
    await page.getByLabel('Level').selectOption('CONTRIBUTE');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByRole('cell', { name: 'carol', exact: true }).waitFor();
    await screenshot(page, 'model');
    await accessible();
  });

  it('shows a version: tuple, artifact, charts, validation, signed approvals, history and readiness', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${seeded.v1}`);
    await page.getByRole('heading', { name: /fraud-detector v1/ }).waitFor();
    await page.getByText(SHA('e')).waitFor();
    await page.getByText('loss by step').waitFor();
    // Every step of the training loss is drawn, not only its latest value.
    await expect(page.locator('figure', { hasText: 'loss by step' }).locator('.recharts-line-dot').count()).resolves.toBe(20);
    expect(await page.locator('.chart svg.recharts-surface').count()).toBeGreaterThanOrEqual(2);
    await page.getByText('auc across versions').waitFor();
    const approvals = page.locator('section[aria-labelledby="section-approvals"] li');
    await expect(approvals.count()).resolves.toBe(2);
    await expect(approvals.first().innerText()).resolves.toMatch(/APPROVED for PRODUCTION by alice .*\skey SHA256:[A-Za-z0-9+/]{43}/s);
    await page.getByText('STAGING → PRODUCTION by admin').waitFor();
    await page.getByText(/Not ready for ARCHIVED|Ready to move to ARCHIVED/).waitFor();
    await screenshot(page, 'version');
    await accessible();
  });

  it('compares two versions side by side, with a differences-only switch kept in the address', async () => {
    await page.goto(`${server.baseUrl}/ui/models/${seeded.modelId}`);
    await page.getByLabel('compare version 1').check();
    await page.getByLabel('compare version 2').check();
    await page.getByRole('link', { name: 'Compare the two' }).click();
    await page.getByRole('heading', { name: 'Compare versions' }).waitFor();
    const all = await page.locator('table.compare tbody tr').count();
    await expect(page.locator('tr', { has: page.getByRole('rowheader', { name: 'learning_rate' }) }).innerText()).resolves.toMatch(
      /0\.05\s+0\.1/,
    );
    await page.getByLabel('Differences only').check();
    expect(page.url()).toContain('diff=1');
    const differing = await page.locator('table.compare tbody tr').count();
    expect(differing).toBeLessThan(all);
    expect(await page.getByRole('rowheader', { name: 'code repository' }).count()).toBe(0); // the same in both
    await screenshot(page, 'compare');
    await accessible();
  });

  it('explores lineage: upstream left, clusters that open, expansion on click, filters, and impact mode', async () => {
    await page.goto(`${server.baseUrl}/ui/lineage/${seeded.v1}?depth=1`);
    const node = (label: string | RegExp) => page.locator('.react-flow__node', { hasText: label });
    await node('8 nodes: 8 feature').waitFor();
    expect(await node(/^feature-/).count()).toBe(0);
    const center = await node('fraud-detector@1').first().boundingBox();
    const upstream = await node('transactions@v3').boundingBox();
    expect(upstream!.x).toBeLessThan(center!.x);

    await node('8 nodes: 8 feature').click();
    await node('feature-7').waitFor();
    expect(page.url()).toMatch(/open=/);

    // Expanding the dataset version brings in what it came from, one step further left.
    expect(await node(/^transactions$/).count()).toBe(0);
    await node('transactions@v3').click();
    await node(/^transactions$/).waitFor();
    expect((await node(/^transactions$/).boundingBox())!.x).toBeLessThan((await node('transactions@v3').boundingBox())!.x);
    expect(page.url()).toContain(`expand=${seeded.datasetVersion}`);

    // Impact of the dataset version: what serves in production is lit, the rest dimmed.
    await page.getByLabel(/Impact mode/).check();
    await page.getByText(/impact: 3 versions downstream, 1 live deployments/).waitFor();
    await expect(node('fraud-detector@1').first().getAttribute('class')).resolves.toContain('is-lit');
    await expect(node('fraud-detector@2').first().getAttribute('class')).resolves.toContain('is-dim');
    await screenshot(page, 'lineage');

    // A kind filter narrows the walk's answer, kept in the address.
    await page.getByLabel(/Impact mode/).uncheck();
    await page.getByText('Kinds', { exact: true }).click();
    await page.getByLabel('DATASET_VERSION', { exact: true }).check();
    expect(page.url()).toContain('kinds=DATASET_VERSION');
    await page.getByText('2 shown').waitFor();
    await accessible();
  });

  it('shows the audit timeline with filters, the chain verified and the signed checkpoints', async () => {
    await page.goto(`${server.baseUrl}/ui/audit`);
    await page.getByTestId('chain-status').filter({ hasText: 'The chain holds' }).waitFor();
    await page.getByText('✔ verifies with the server key').first().waitFor();
    await page.getByLabel('Action').fill('version.stage_changed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.timeline li').first().waitFor();
    // The unfiltered timeline stays on screen until the filtered answer arrives: wait for it to be replaced.
    const shown = () => page.locator('.timeline li strong').allInnerTexts();
    for (let waited = 0; (await shown()).some((a) => a !== 'version.stage_changed') && waited < 10_000; waited += 100)
      await page.waitForTimeout(100);
    const actions = await shown();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['version.stage_changed']));
    await screenshot(page, 'audit');
    await accessible();
  });

  it('receives lifecycle events live over graphql-ws and resumes after the socket drops, missing nothing', async () => {
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    await page.goto(`${server.baseUrl}/ui/live`);
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    const events = page.getByTestId('live-events');

    await transition(server, seeded.v2, 'STAGING', 'ARCHIVED');
    await events
      .getByText(/STAGE_CHANGED/)
      .first()
      .waitFor();

    // The socket drops; an event happens while the console is away; it arrives after the reconnect.
    for (const ws of sockets) await ws.close({ code: 1011, reason: 'test: connection lost' });
    await page.getByTestId('live-status').filter({ hasText: 'reconnecting' }).waitFor();
    await transition(server, seeded.v2, 'ARCHIVED', 'STAGING');
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await events.locator('li', { hasText: 'STAGE_CHANGED' }).nth(1).waitFor();
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    // Each event once: the resumed stream started after the last cursor seen.
    const seqs = await events.locator('.seq').allInnerTexts();
    expect(new Set(seqs).size).toBe(seqs.length);
    await screenshot(page, 'live');
    await accessible();
    await page.unrouteAll();
  });

  it('shows a refused action in the API’s own words, and no actions to a viewer', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${seeded.v3}`);
    await page.getByRole('heading', { name: /fraud-detector v3/ }).waitFor();
    await page.getByRole('combobox', { name: 'Move to' }).selectOption('STAGING');
    await page.getByRole('button', { name: 'Move' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toMatch(/^GATE_FAILED: .*validation/i);
    await screenshot(page, 'refused');
    await accessible();

    const viewer = await signedIn(browser, server.baseUrl, await server.tokenFor('VIEWER' as never, 'vera'));
    await viewer.goto(`${server.baseUrl}/ui/versions/${seeded.v3}`);
    await viewer.getByText('Your access to this model allows no lifecycle actions.').waitFor();
    expect(await viewer.getByRole('button', { name: 'Move' }).count()).toBe(0);
    expect(pageErrors(viewer)).toEqual([]);
    await viewer.context().close();
  });

  it('goes back to the sign-in form when the token is revoked while the console is open', async () => {
    const token = await server.tokenFor('VIEWER' as never, 'rex');
    const rex = await signedIn(browser, server.baseUrl, token);
    const { tokenId } = ok(await server.request(ViewerDocument, {}, token)).viewer;
    ok(await server.request(RevokeApiTokenDocument, { input: { id: tokenId } }));
    await rex.getByRole('link', { name: 'Audit' }).click();
    await rex.getByLabel('API token').waitFor();
    await expect(rex.evaluate('sessionStorage.getItem("modelgraph.token")')).resolves.toBeNull();
    await rex.context().close();
  });

  it('downloads an uploaded artifact through the API, with the token', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${seeded.v3}`);
    await page.getByText('READY', { exact: true }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('fraud-detector-v3.onnx');
    expect(fs.readFileSync(await download.path())).toEqual(ARTIFACT);
  });

  it('shows a model folder file by file, with its root digest and scan verdicts, the findings on demand, and downloads one of its files', async () => {
    const files: Record<string, Buffer> = {
      MLmodel: Buffer.from('flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n'),
      'conda.yaml': Buffer.from('dependencies: [python=3.11.9, scikit-learn=1.5.2]\n'),
      // A pickle that runs os.system when loaded (never loaded here: the scanner only reads its opcodes).
      'data/model.pkl': fs.readFileSync(`${__dirname}/../fixtures/scan/paths/os-system-global-reduce-p2.pkl`),
    };
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const { model } = ok(await server.request(CreateModelDocument, { input: { name: 'mlflow-folder', owner: 'ml-platform' } })).createModel;
    const { version: folder } = ok(
      await server.request(RegisterModelVersionDocument, {
        input: version(model.id, 0.3, {
          artifact: {
            format: 'PICKLE',
            files: Object.entries(files).map(([path, b]) => ({ path, sizeBytes: b.length, sha256: digest(b) })),
          },
        }),
      }),
    ).registerModelVersion;
    for (const [path, body] of Object.entries(files)) {
      const put = await fetch(`${server.baseUrl}/artifacts/${folder.id}/${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${server.adminToken}` },
        body,
      });
      expect([path, put.status]).toEqual([path, 201]);
    }
    await page.goto(`${server.baseUrl}/ui/versions/${folder.id}`);
    const table = page.locator('section[aria-labelledby="section-files"] tbody tr');
    await table.first().waitFor();
    await expect(table.count()).resolves.toBe(3);
    await expect(table.nth(0).innerText()).resolves.toMatch(/^MLmodel\s+\d+ B\s+READY\s+✔ clean\s+/);
    await expect(table.nth(2).innerText()).resolves.toMatch(
      new RegExp(`data/model\\.pkl\\s+\\d+ B\\s+READY\\s+⚠ DANGEROUS imports os\\.system Findings\\s+${digest(files['data/model.pkl'])}`),
    );
    await page.getByText(folder.artifact.sha256 as string).waitFor(); // the folder's root digest
    await page.getByText('3 files scanned, 1 dangerous · scanner 1').waitFor(); // the version's summary
    // The findings and imports of the dangerous file, read when asked for.
    await page.getByRole('button', { name: 'Show the findings of data/model.pkl' }).click();
    const findings = page.getByRole('table', { name: 'Findings of data/model.pkl' });
    await findings.waitFor();
    await expect(findings.innerText()).resolves.toMatch(/DANGEROUS\s+PICKLE_IMPORT_DANGEROUS/);
    const imports = page.getByRole('table', { name: 'Imports not on the safe list' });
    await expect(imports.innerText()).resolves.toMatch(/os\.system\s+DANGEROUS\s+GLOBAL\s+REDUCE/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download data/model.pkl' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('model.pkl');
    expect(fs.readFileSync(await download.path())).toEqual(files['data/model.pkl']);
    await accessible();
  });

  it('lets an approver sign the challenge with their own key and paste the signature; a wrong one is refused', async () => {
    const approver = await signedIn(browser, server.baseUrl, seeded.erin.token);
    await approver.goto(`${server.baseUrl}/ui/versions/${seeded.v2}`);
    await approver.getByRole('heading', { name: /fraud-detector v2/ }).waitFor();
    await approver.getByRole('combobox', { name: 'Approve for' }).selectOption('PRODUCTION');
    await approver.getByRole('button', { name: 'Get the message to sign' }).click();
    const message = await approver.getByLabel('Message to sign with your Ed25519 approver key').inputValue();
    expect(message).toContain(seeded.v2);

    await approver.getByLabel('Signature (base64)').fill(signMessage('something else', seeded.erin.keys.privateKey));
    await approver.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(approver.getByRole('alert').innerText()).resolves.toMatch(/^[A-Z_]+: .*signature/i);

    await approver.getByLabel('Signature (base64)').fill(signMessage(message, seeded.erin.keys.privateKey));
    await approver.getByRole('button', { name: 'Approve', exact: true }).click();
    await approver.getByText('Done: approval recorded.').waitFor();
    await approver
      .locator('section[aria-labelledby="section-approvals"] li', { hasText: 'by erin' })
      .getByText(/SHA256:/)
      .waitFor();
    expect(pageErrors(approver)).toEqual([]);
    await approver.context().close();
  });
});

async function transition(server: TestServer, versionId: string, from: string, to: string) {
  ok(
    await server.request(TransitionModelVersionDocument, {
      input: { versionId, expectedStage: from as never, toStage: to as never, reason: 'from the UI test' },
    }),
  );
}

function version(modelId: string, lr: number, overrides: Partial<RegisterModelVersionInput> = {}): RegisterModelVersionInput {
  return {
    modelId,
    code: { repo: 'https://github.com/acme/fraud', commit: 'a'.repeat(40) },
    datasetVersions: ['s3://datasets/transactions@v3'],
    hyperparameters: { learning_rate: lr, max_depth: 6, optimizer: { name: 'adam', beta1: 0.9 } },
    environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA('b')}` },
    randomSeed: '42',
    trainingRunId: `run-${lr}`,
    artifact: { format: 'ONNX', uri: 's3://models/fraud.onnx', sha256: SHA('e'), sizeBytes: 4096 },
    ...overrides,
  };
}

/** The registry the walk looks at, made through the API as a pipeline and two approvers would. */
async function seed(server: TestServer, out: Record<string, unknown>) {
  const req = server.request.bind(server);
  const { model } = ok(
    await req(CreateModelDocument, {
      input: {
        name: 'fraud-detector',
        owner: 'ml-platform',
        riskTier: 'HIGH',
        description: 'Scores card transactions.',
        tags: [{ key: 'team', value: 'risk' }],
      },
    }),
  ).createModel;
  for (let i = 0; i < 63; i++) {
    ok(
      await req(CreateModelDocument, {
        input: { name: `churn-${String(i).padStart(2, '0')}`, owner: i % 2 ? 'growth' : 'ml-platform', riskTier: 'LOW' },
      }),
    );
  }
  ok(
    await req(SetBaselineDocument, { input: { modelId: model.id, metric: 'auc', comparator: 'GTE', reference: 'FIXED', threshold: 0.8 } }),
  );

  const register = async (lr: number) =>
    ok(await req(RegisterModelVersionDocument, { input: version(model.id, lr) })).registerModelVersion.version.id;
  const log = async (versionId: string, auc: number) => {
    const loss = Array.from({ length: 20 }, (_, step) => ({
      name: 'loss',
      value: 1 / (step + 1 + 2 * auc), // a falling training loss, a little lower for the better version
      step,
      source: 'TRAINING' as const,
    }));
    ok(await req(LogMetricsDocument, { input: { versionId, metrics: [{ name: 'auc', value: auc, source: 'VALIDATION' }, ...loss] } }));
  };
  const v1 = await register(0.05);
  await log(v1, 0.91);
  const v2 = await register(0.1);
  await log(v2, 0.86);
  // v3's artifact is uploaded to the registry's own store, so the console can download it.
  const v3 = ok(
    await req(RegisterModelVersionDocument, {
      input: version(model.id, 0.2, {
        artifact: { format: 'ONNX', sha256: createHash('sha256').update(ARTIFACT).digest('hex'), sizeBytes: ARTIFACT.length },
      }),
    }),
  ).registerModelVersion.version.id;
  const put = await fetch(`${server.baseUrl}/artifacts/${v3}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.adminToken}` },
    body: ARTIFACT,
  });
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);

  for (const v of [v1, v2]) {
    ok(await req(ValidateModelVersionDocument, { input: { versionId: v } }));
    ok(await req(TransitionModelVersionDocument, { input: { versionId: v, expectedStage: 'DEVELOPMENT', toStage: 'STAGING' } }));
  }
  // erin signs in the browser: her key is registered, her signature is pasted there.
  const erin = { token: await server.tokenFor('APPROVER' as never, 'erin'), keys: keyPair() };
  ok(await req(RegisterApproverKeyDocument, { input: { publicKey: erin.keys.publicKeyPem } }, erin.token));
  for (const name of ['alice', 'bob']) {
    const token = await server.tokenFor('APPROVER' as never, name);
    const keys = keyPair();
    ok(await req(RegisterApproverKeyDocument, { input: { publicKey: keys.publicKeyPem } }, token));
    const { message, signedAt } = ok(
      await req(ApprovalChallengeDocument, { input: { versionId: v1, targetStage: 'PRODUCTION', decision: 'APPROVED' } }, token),
    ).approvalChallenge;
    ok(
      await req(
        ApproveModelVersionDocument,
        {
          input: {
            versionId: v1,
            targetStage: 'PRODUCTION',
            signedAt,
            signature: signMessage(message, keys.privateKey),
            comment: `${name} checked`,
          },
        },
        token,
      ),
    );
  }
  // A HIGH risk version needs its model card before PRODUCTION (MODEL_CARD_COMPLETE).
  ok(
    await req(UpdateModelCardDocument, {
      input: {
        versionId: v1,
        expectedRevision: 0,
        sections: {
          useCases: ['Score card transactions for fraud review'],
          technicalLimitations: ['Trained on EU transactions only'],
          ethicalConsiderations: [{ name: 'False positives block legitimate customers', mitigationStrategy: 'Every block is reviewed' }],
          fairnessAssessments: [{ groupAtRisk: 'customers over 70', metric: 'fpr_ratio', value: 1.05, measuredOn: 'transactions@v3' }],
        },
      },
    }),
  );
  await transition(server, v1, 'STAGING', 'PRODUCTION');
  ok(
    await req(RecordDeploymentDocument, {
      input: { versionId: v1, environment: 'production', endpoint: 'https://fraud.acme/score', strategy: 'DIRECT', trafficPercent: 100 },
    }),
  );
  ok(await req(SetModelAliasDocument, { input: { modelId: model.id, alias: 'champion', versionId: v1 } }));
  ok(await req(SetModelAliasDocument, { input: { modelId: model.id, alias: 'challenger', versionId: v1 } }));
  ok(await req(SetModelAliasDocument, { input: { modelId: model.id, alias: 'challenger', versionId: v2 } }));

  const team = ok(await req(CreateTeamDocument, { input: { name: 'risk-reviewers', description: 'Reviews risk models' } })).createTeam.team;
  ok(await req(GrantAccessDocument, { input: { modelId: model.id, teamId: team.id, level: 'VIEW' } }));

  // Lineage: a dataset, its version, eight features (more than five: a cluster), all upstream of the versions.
  const { nodes } = ok(
    await req(UpsertLineageNodesDocument, {
      input: {
        nodes: [
          { kind: 'DATASET', naturalKey: 's3://datasets/transactions', name: 'transactions' },
          { kind: 'DATASET_VERSION', naturalKey: 's3://datasets/transactions@v3', name: 'transactions@v3' },
          ...Array.from({ length: 8 }, (_, i) => ({ kind: 'FEATURE' as const, naturalKey: `feature-${i}`, name: `feature-${i}` })),
        ],
      },
    }),
  ).upsertLineageNodes;
  const [dataset, datasetVersion, ...features] = nodes.map((n) => n.id);
  ok(
    await req(AddLineageEdgesDocument, {
      input: {
        edges: [
          { fromId: dataset, toId: datasetVersion, relation: 'DERIVED_FROM' },
          ...[v1, v2, v3].map((v) => ({ fromId: datasetVersion, toId: v, relation: 'TRAINED_ON' as const })),
          ...features.map((f) => ({ fromId: f, toId: v1, relation: 'USES_FEATURE' as const })),
        ],
      },
    }),
  );
  await server.services.checkpoints.checkpoint();
  Object.assign(out, { modelId: model.id, v1, v2, v3, dataset, datasetVersion, features, erin });
}
