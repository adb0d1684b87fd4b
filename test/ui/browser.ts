import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, HAS_CHROMIUM } from './chromium';

export { launchChromium as launch } from './chromium';
export const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');

/** `describe` when a chromium is here; otherwise the suite is skipped, and says so once, plainly. */
export const describeInBrowser: jest.Describe = HAS_CHROMIUM ? describe : describe.skip;
if (!HAS_CHROMIUM && process.env.REQUIRE_BROWSER) {
  // `npm run test:ui` is asked for the browser tests: without a browser that is a failure, not a skip.
  throw new Error(`no chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
}
if (!HAS_CHROMIUM) {
  console.warn(
    `UI tests SKIPPED: no chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set CHROMIUM_PATH, then run npm run test:ui.`,
  );
}

const errorsOf = new WeakMap<Page, string[]>();

/** Uncaught errors and console errors of the page so far: a walk through the console should have none. */
export function pageErrors(page: Page): string[] {
  return errorsOf.get(page) ?? [];
}

/** A page signed in with `token` (pasted into the sign-in form, as a person would). */
export async function signedIn(browser: Browser, baseUrl: string, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    // The API's refusals are answered with 4xx statuses, which the browser logs; those are expected.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  // Those refusals come from the API; anything else the browser asks for (a script, a style, the icon) must be there.
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (response.status() >= 400 && !/^\/(graphql|artifacts)\b/.test(pathname)) errors.push(`${response.status()} ${pathname}`);
  });
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Models' }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: name !== 'lineage' });
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (minor and moderate are not counted). */
export async function seriousAccessibilityFindings(page: Page): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol: the console's Content-Security-Policy forbids inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<Record<string, unknown>> }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: (v.nodes as Array<{ target: string[] }>).slice(0, 5).map((n) => n.target.join(' ')),
    }));
  })) as AxeFinding[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
