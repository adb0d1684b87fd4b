import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { SHA } from '../support/fixtures';
import { ok, startTestServer, type TestServer } from '../support/server';
import {
  CreateModelDocument,
  GrantAccessDocument,
  LogMetricsDocument,
  ModelCardDocument,
  RegisterModelVersionDocument,
  RevokeAccessDocument,
  SetBaselineDocument,
  UpdateModelCardDocument,
  ValidateModelVersionDocument,
} from '../generated/graphql';
import { describeInBrowser, launch, pageErrors, screenshot, seriousAccessibilityFindings, signedIn } from './browser';

jest.setTimeout(120_000);

/**
 * The Card tab of a version (issue 22): a HIGH risk version's card read, its sections edited through the form with
 * completeness following, a field the API refuses shown beside that field, a lost race (CONFLICT) reloaded and
 * retried, the Markdown downloaded with the token, and a token without EDIT_CARD offered no form.
 */
describeInBrowser('the model card in the console', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let modelId: string;
  let versionId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const { model } = ok(
      await server.request(CreateModelDocument, { input: { name: 'credit-scorer', owner: 'risk-ml', riskTier: 'HIGH' } }),
    ).createModel;
    modelId = model.id;
    ok(
      await server.request(SetBaselineDocument, {
        input: { modelId, metric: 'auc', comparator: 'GTE', reference: 'FIXED', threshold: 0.8 },
      }),
    );
    versionId = ok(
      await server.request(RegisterModelVersionDocument, {
        input: {
          modelId,
          code: { repo: 'https://github.com/acme/credit', commit: 'c'.repeat(40) },
          datasetVersions: ['s3://datasets/loans@v7'],
          hyperparameters: { depth: 4 },
          environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA('b')}` },
          artifact: { format: 'ONNX', uri: 's3://models/credit.onnx', sha256: SHA('d'), sizeBytes: 2048 },
        },
      }),
    ).registerModelVersion.version.id;
    ok(await server.request(LogMetricsDocument, { input: { versionId, metrics: [{ name: 'auc', value: 0.9, source: 'VALIDATION' }] } }));
    // The intended use is written, then the version is validated again: that section is now stale.
    ok(
      await server.request(UpdateModelCardDocument, {
        input: { versionId, expectedRevision: 0, sections: { useCases: ['Pre-screen loan applications for a human underwriter'] } },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    ok(await server.request(ValidateModelVersionDocument, { input: { versionId } }));
    browser = await launch();
    page = await signedIn(browser, server.baseUrl, server.adminToken);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(() => {
    expect(pageErrors(page)).toEqual([]);
  });

  const completeness = () => page.getByTestId('card-completeness');
  const section = (field: string) => page.locator(`section[aria-labelledby="card-section-${field}"]`);

  it('opens from the model page: completeness, the stale flag, the registry facts', async () => {
    await page.goto(`${server.baseUrl}/ui/models/${modelId}`);
    await page.getByRole('link', { name: 'model card of version 1' }).click();
    await completeness()
      .getByText(/✘ Incomplete: 3 of the 4 sections a HIGH risk model needs from PRODUCTION on are missing/)
      .waitFor();
    expect(page.url()).toContain('tab=card');
    await expect(page.getByRole('link', { name: 'Card', exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    // Required, written but stale (it still counts as written: the default policy).
    const intended = section('useCases');
    await intended.getByText('Pre-screen loan applications for a human underwriter').waitFor();
    await intended.locator('.badge', { hasText: 'stale' }).waitFor();
    await intended.locator('.badge', { hasText: 'required' }).waitFor();
    await intended.getByText(/Edited by admin .*: before the newest validation, so stale\./).waitFor();
    await expect(page.locator('ul.completeness li').allInnerTexts()).resolves.toEqual([
      '⚠ Intended use stale',
      '✘ Technical limitations missing',
      '✘ Ethical considerations missing',
      '✘ Fairness assessments missing',
    ]);
    const facts = page.locator('section[aria-labelledby="section-filled-by-the-registry"]');
    await facts.getByText('s3://datasets/loans@v7').waitFor();
    await facts.getByText(SHA('d')).waitFor();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  });

  it('edits a list section and a fairness assessment; a field refused is shown beside it', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${versionId}?tab=card`);
    await page.getByRole('button', { name: 'Edit Technical limitations' }).click();
    await page.getByLabel('Technical limitations 1').fill('Trained on loans from 2019 to 2024 only');
    await page.getByRole('button', { name: 'Add an entry' }).click();
    await page.getByLabel('Technical limitations 2').fill('Not calibrated for business loans');
    await page.getByRole('button', { name: 'Save technical limitations' }).click();
    await completeness()
      .getByText(/2 of the 4 sections .* are missing/)
      .waitFor();
    await section('technicalLimitations').getByText('Not calibrated for business loans').waitFor();
    await section('technicalLimitations')
      .getByText(/^Edited by admin \S+ \S+Z\.$/)
      .waitFor();

    await page.getByRole('button', { name: 'Edit Fairness assessments' }).click();
    const form = page.getByRole('form', { name: 'Edit Fairness assessments' });
    await form.getByLabel('Group at risk').fill('applicants over 70');
    await form.getByLabel('Metric').fill('fpr_ratio');
    // Not a number: said beside the field before anything is sent.
    await form.getByLabel('Value').fill('high');
    await form.getByRole('button', { name: 'Save fairness assessments' }).click();
    await expect(form.locator('#card-fairnessAssessments-0-value-error').innerText()).resolves.toBe('must be a number');
    await expect(form.getByLabel('Value').getAttribute('aria-invalid')).resolves.toBe('true');
    // A metric without its value: the API names the field, and the console shows its words beside it.
    await form.getByLabel('Value').fill('');
    await form.getByLabel('Measured on').fill('loans@v7 holdout');
    await form.getByRole('button', { name: 'Save fairness assessments' }).click();
    await expect(form.getByRole('alert').innerText()).resolves.toMatch(/^BAD_USER_INPUT: sections\.fairnessAssessments\[0\]\.value: /);
    await expect(form.locator('#card-fairnessAssessments-0-value-error').innerText()).resolves.toMatch(
      /a metric and its value go together/,
    );
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    await form.getByLabel('Value').fill('1.08');
    await form.getByRole('button', { name: 'Save fairness assessments' }).click();
    await completeness()
      .getByText(/1 of the 4 sections .* is missing/)
      .waitFor();
    await expect(section('fairnessAssessments').locator('tbody tr').innerText()).resolves.toMatch(
      /applicants over 70\s+fpr_ratio\s+1\.08\s+loans@v7 holdout/,
    );
    const card = ok(await server.request(ModelCardDocument, { versionId })).modelCard;
    expect(card.fairnessAssessments).toEqual([
      {
        groupAtRisk: 'applicants over 70',
        metric: 'fpr_ratio',
        value: 1.08,
        measuredOn: 'loans@v7 holdout',
        benefits: null,
        harms: null,
        mitigationStrategy: null,
      },
    ]);
  });

  it('shows a CONFLICT when the card changed meanwhile, reloads it keeping the draft, and saves on retry', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${versionId}?tab=card`);
    await page.getByRole('button', { name: 'Edit Ethical considerations' }).click();
    const form = page.getByRole('form', { name: 'Edit Ethical considerations' });
    await form.getByLabel('Risk').fill('A refusal can lock someone out of credit');
    await form.getByLabel('Mitigation').fill('Every refusal goes to an underwriter');
    // Someone else edits the card after the page read it.
    const { revision } = ok(await server.request(ModelCardDocument, { versionId })).modelCard;
    ok(
      await server.request(UpdateModelCardDocument, {
        input: { versionId, expectedRevision: revision, sections: { task: 'classification' } },
      }),
    );
    await form.getByRole('button', { name: 'Save ethical considerations' }).click();
    const alert = form.getByRole('alert');
    await expect(alert.innerText()).resolves.toMatch(/^CONFLICT: .*reload.*Someone edited this card since you opened it/s);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await alert.getByRole('button', { name: 'Reload the card' }).click();
    await section('task').getByText('classification').waitFor(); // their edit, now on screen
    await expect(form.getByLabel('Risk').inputValue()).resolves.toBe('A refusal can lock someone out of credit'); // the draft kept
    await form.getByRole('button', { name: 'Save ethical considerations' }).click();
    await completeness()
      .getByText(/✔ Complete: the 4 sections a HIGH risk model needs from PRODUCTION on are written/)
      .waitFor();
    await section('ethicalConsiderations').getByText('Every refusal goes to an underwriter').waitFor();
    expect(ok(await server.request(ModelCardDocument, { versionId })).modelCard.revision).toBe(revision + 2);
    await screenshot(page, 'card');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  });

  it("a next version's card is carried from this one's, and says so", async () => {
    const next = ok(
      await server.request(RegisterModelVersionDocument, {
        input: {
          modelId,
          code: { repo: 'https://github.com/acme/credit', commit: 'e'.repeat(40) },
          datasetVersions: ['s3://datasets/loans@v8'],
          environment: { imageDigest: `ghcr.io/acme/train@sha256:${SHA('b')}` },
          artifact: { format: 'ONNX', uri: 's3://models/credit-v2.onnx', sha256: SHA('e'), sizeBytes: 2048 },
        },
      }),
    ).registerModelVersion.version.id;
    await page.goto(`${server.baseUrl}/ui/versions/${next}?tab=card`);
    await page.getByText("Carried from version 1's card (this version's first edit makes its own)").waitFor();
    await section('ethicalConsiderations').getByText('Every refusal goes to an underwriter').waitFor();
  });

  it('downloads card.md and the AI BOM with the token', async () => {
    await page.goto(`${server.baseUrl}/ui/versions/${versionId}?tab=card`);
    await completeness().waitFor();
    const [md] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download card.md' }).click()]);
    expect(md.suggestedFilename()).toBe('credit-scorer-v1.card.md');
    const markdown = fs.readFileSync(await md.path(), 'utf8');
    expect(markdown).toContain('Not calibrated for business loans');
    expect(markdown).toContain('applicants over 70');
    const [bom] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bom.cdx.json' }).click()]);
    expect(JSON.parse(fs.readFileSync(await bom.path(), 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const [html] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download card.html' }).click()]);
    expect(fs.readFileSync(await html.path(), 'utf8')).toContain('applicants over 70');
  });

  it('offers no form to a token without EDIT_CARD, and shows FORBIDDEN when the right goes while editing', async () => {
    const vera = await signedIn(browser, server.baseUrl, await server.tokenFor('VIEWER' as never, 'vera'));
    await vera.goto(`${server.baseUrl}/ui/versions/${versionId}?tab=card`);
    await vera.getByText('Your access to this model does not allow editing its card (EDIT_CARD).').waitFor();
    expect(await vera.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    expect(await seriousAccessibilityFindings(vera)).toEqual([]);
    expect(pageErrors(vera)).toEqual([]);
    await vera.context().close();

    const dan = await signedIn(browser, server.baseUrl, await server.tokenFor('VIEWER' as never, 'dan'));
    const { grant } = ok(
      await server.request(GrantAccessDocument, { input: { modelId, subject: 'dan', level: 'CONTRIBUTE' } }),
    ).grantAccess;
    await dan.goto(`${server.baseUrl}/ui/versions/${versionId}?tab=card`);
    await dan.getByRole('button', { name: 'Edit License (SPDX)' }).click();
    await dan.getByRole('textbox', { name: 'License (SPDX)' }).fill('Apache-2.0');
    ok(await server.request(RevokeAccessDocument, { input: { grantId: grant.id } }));
    await dan.getByRole('button', { name: 'Save license (spdx)' }).click();
    await expect(dan.getByRole('alert').innerText()).resolves.toMatch(/^FORBIDDEN: /);
    expect(pageErrors(dan)).toEqual([]);
    await dan.context().close();
  });
});
