/**
 * The documentation, read as a newcomer reads it: every shell block of README.md and docs/*.md runs, in the page's
 * order, in one bash (`set -euo pipefail`) against a fresh server of the page's own, as a reader pastes it into a
 * terminal. A block fails the test with its text, its output and its exit status. The answers a block shows as
 * comments (`# {"data":…}`, `…` standing for what differs from run to run) must be in its output, in that order,
 * and a GraphQL answer carrying "errors" must be one the block shows. The conventions (CONTRIBUTING.md, "Code
 * blocks in the docs"):
 *
 * - ```sh and ```bash blocks are run, every one of them: there is no marker that skips one;
 * - ```console blocks are sessions shown with a `$ ` prompt and not run (`npm start`, a server of your own);
 *   ```text shows output or logs; ```json, ```sql, ```yaml, ```ts and ```mermaid are shown as they are;
 * - a ```js block whose first line names a file (`// subscribe.mjs: …`) is saved as that file in the page's
 *   working folder before the blocks after it run (the reader saves it to run it);
 * - `<!-- docs-test: NAME=value … -->` in a page starts that page's server with those settings.
 *
 * `DOCS_TEST_OUTPUT=<folder>` keeps each page's output there. The blocks run in a temporary folder holding a link to the repository's node_modules (the docs' scripts run
 * "from the repository root", where graphql-ws and ws are installed), removed afterwards with every process the
 * blocks left running.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../support/server';

const ROOT = path.join(__dirname, '../..');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

const RUN = new Set(['sh', 'bash']);
const SHOWN = new Set(['console', 'text', 'json', 'js', 'sql', 'yaml', 'ts', 'mermaid']);
/** Printed between blocks, to split a page's output by block: nothing a block prints looks like it. */
const MARK = '@@docs-test-block@@';
/** How long one page's blocks may take together. */
const PAGE_TIMEOUT_MS = 120_000;

interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  info: string;
  code: string;
}

/** The fenced code blocks of a markdown page, indented ones (in list items) too, their indentation removed. */
export function blocksOf(page: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j += 1;
    }
    if (j === lines.length) throw new Error(`${page}:${i + 1}: a code block is never closed`);
    blocks.push({ page, line: i + 1, lang: info.trim().split(/\s+/)[0] ?? '', info: info.trim(), code: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

const read = (page: string) => readFileSync(path.join(ROOT, page), 'utf8');
const where = (b: Block) => `${b.page}:${b.line}`;

/** The settings a page's server starts with: `<!-- docs-test: NAME=value … -->`. */
function serverSettings(markdown: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of markdown.matchAll(/<!--\s*docs-test:\s*([^>]*?)\s*-->/g)) {
    for (const pair of m[1].split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new Error(`docs-test settings are NAME=value pairs, not "${pair}"`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/**
 * The answers a block shows as comments: a comment that starts with `{` (on its own line or after a command),
 * continued by the comment lines after it indented further (`#   …`).
 */
export function shownAnswers(code: string): string[] {
  const answers: string[] = [];
  let current: string | null = null;
  for (const line of code.split('\n')) {
    const continued = /^\s*#\s{2,}(\S.*)$/.exec(line);
    if (current !== null && continued) {
      current += ' ' + continued[1];
      continue;
    }
    if (current !== null) answers.push(current);
    current = null;
    const shown = /(?:^|\s)#\s(\{.*)$/.exec(line);
    if (shown) current = shown[1];
  }
  if (current !== null) answers.push(current);
  return answers;
}

/**
 * The text a block shows a `modelgraph` command printing: the comment lines right under the command line (after its
 * `\` continuations), each one line of what it printed, in order. JSON among them is left to shownAnswers.
 */
export function shownText(code: string): string[] {
  const lines = code.split('\n');
  const shown: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (/^\s*#/.test(lines[i]) || !/(^|\s)(npx )?modelgraph\s/.test(lines[i])) continue;
    let j = i;
    while (j < lines.length - 1 && lines[j].trimEnd().endsWith('\\')) j += 1;
    let json = false;
    for (j += 1; j < lines.length && /^\s*#/.test(lines[j]); j += 1) {
      const text = lines[j].replace(/^\s*# ?/, '');
      if (text.startsWith('{')) json = true;
      else if (!(json && /^\s{2,}/.test(text))) {
        json = false;
        shown.push(text);
      }
    }
    i = j - 1;
  }
  return shown;
}

/**
 * Whether an output line is the answer shown: the same text once all white space is removed, where `…` in the
 * shown answer stands for any text (ids, times, digests that differ from run to run).
 */
export function matches(shown: string, line: string): boolean {
  const squeeze = (s: string) => s.replace(/\s+/g, '');
  const parts = squeeze(shown).split('…');
  const text = squeeze(line);
  if (!text.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let k = 1; k < parts.length; k += 1) {
    const last = k === parts.length - 1;
    const found = last ? text.lastIndexOf(parts[k]) : text.indexOf(parts[k], at);
    if (found < at) return false;
    at = found + parts[k].length;
  }
  return parts.length === 1 ? text === parts[0] : text.endsWith(parts[parts.length - 1]);
}

/** The output lines that are JSON objects: the answers of curl, gql and as. */
function jsonAnswers(output: string): Array<{ line: string; value: Record<string, unknown> }> {
  const answers: Array<{ line: string; value: Record<string, unknown> }> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) answers.push({ line, value: value as Record<string, unknown> });
    } catch {
      // not an answer: a line of something else that starts with a brace
    }
  }
  return answers;
}

/** What a block did wrong with its answers, if anything: a shown answer missing, or an error it does not show. */
function checkAnswers(block: Block, output: string): string | null {
  const answers = jsonAnswers(output);
  const shown = shownAnswers(block.code);
  let from = 0;
  for (const expected of shown) {
    const at = answers.findIndex((a, k) => k >= from && matches(expected, a.line));
    if (at < 0) return `the block shows the answer\n  ${expected}\nbut no answer after the ones before it matches it`;
    from = at + 1;
  }
  // The text of the CLI's commands, line by line, in order (matched as answers are: white space aside, `…` for any).
  const lines = output.split('\n');
  let line = 0;
  for (const expected of shownText(block.code)) {
    const at = lines.findIndex((l, k) => k >= line && matches(expected, l));
    if (at < 0) return `the block shows the CLI printing\n  ${expected}\nbut no line of its output after the ones before it matches it`;
    line = at + 1;
  }
  const errors = answers.filter((a) => 'errors' in a.value);
  const shownErrors = shown.filter((s) => s.replace(/\s+/g, '').startsWith('{"errors"'));
  if (errors.length !== shownErrors.length)
    return (
      `the block shows ${shownErrors.length} answer(s) with "errors", but ${errors.length} came:\n` +
      errors.map((e) => `  ${e.line}`).join('\n')
    );
  return null;
}

interface BlockRun {
  block: Block;
  output: string;
  /** The exit status of the page's bash when this block was the one running, else null (it finished). */
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a page's shell blocks in one bash, in order, with markers between them, and splits the output by block. */
async function runPage(blocks: Block[], env: Record<string, string>, cwd: string): Promise<{ runs: BlockRun[]; finished: boolean }> {
  const mark = (k: number | 'end') => `printf '\\n${MARK} %s ${MARK}\\n' '${k}'\n`;
  let script = 'set -euo pipefail\n';
  blocks.forEach((b, k) => (script += mark(k) + b.code));
  script += mark('end');
  const scriptFile = path.join(cwd, '.docs-test.sh');
  writeFileSync(scriptFile, script);
  const outFile = path.join(cwd, '.docs-test.out');
  const out = openSync(outFile, 'w');
  const child = spawn('bash', [scriptFile], { cwd, env, stdio: ['ignore', out, out], detached: true });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), PAGE_TIMEOUT_MS);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  // Whatever the blocks left running in the background (a subscriber they did not stop) ends with the page.
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  closeSync(out);
  const output = readFileSync(outFile, 'utf8');
  const parts = output.split(new RegExp(`\\n?${MARK} (\\d+|end) ${MARK}\\n`));
  const byBlock = new Map<string, string>();
  for (let k = 1; k < parts.length; k += 2) byBlock.set(parts[k], parts[k + 1] ?? '');
  const finished = byBlock.has('end');
  const runs = blocks
    .map((block, k) => ({ block, output: byBlock.get(String(k)), status: null as number | null, signal: null as NodeJS.Signals | null }))
    .filter((r): r is BlockRun => r.output !== undefined);
  if (!finished && runs.length) Object.assign(runs[runs.length - 1], { status, signal });
  return { runs, finished };
}

const allBlocks = PAGES.flatMap((page) => blocksOf(page, read(page)));

describe('the documentation', () => {
  it('has a known language on every code block; console blocks are sessions with a prompt', () => {
    const wrong = allBlocks.filter((b) => !RUN.has(b.lang) && !SHOWN.has(b.lang)).map((b) => `${where(b)}: "${b.info}"`);
    expect(wrong).toEqual([]);
    // No way to mark a shell block "not run": the info string of a shell block is its language alone.
    expect(allBlocks.filter((b) => RUN.has(b.lang) && b.info !== b.lang).map(where)).toEqual([]);
    expect(allBlocks.filter((b) => b.lang === 'console' && !b.code.startsWith('$ ')).map(where)).toEqual([]);
  });

  it("reads the CLI's shown output: the comments under a modelgraph command, JSON left to the answers", () => {
    const code = [
      'npx modelgraph models list',
      '# NAME  OWNER',
      '# churn  ml',
      '# 1 model',
      '# Next: a comment after a blank line is not output.',
      '',
      '# explanation, not output',
      'npx modelgraph promote --version churn@1 \\',
      '  --to STAGING --json || echo "exit $?"',
      '# {"error":{"code":"GATE_FAILED",',
      '#   "exitCode":3}}',
      '# exit 3',
    ].join('\n');
    expect(shownText(code)).toEqual(['NAME  OWNER', 'churn  ml', '1 model', 'Next: a comment after a blank line is not output.', 'exit 3']);
  });

  it('reads the server from MODELGRAPH_URL in every block a reader runs', () => {
    const pinned = allBlocks
      .filter((b) => RUN.has(b.lang) || b.lang === 'js')
      .filter((b) =>
        b.code
          .replace(/\$\{MODELGRAPH_URL:-http:\/\/localhost:4000\}/g, '')
          .replace(/\?\? 'http:\/\/localhost:4000'/g, '')
          .includes('localhost:4000'),
      )
      .map(where);
    expect(pinned).toEqual([]);
  });

  it('links every page from the README, and every relative link of every page finds its file', () => {
    const readme = read('README.md');
    const unlinked = PAGES.filter((p) => p.startsWith('docs/') && !readme.includes(`](${p})`));
    expect(unlinked).toEqual([]);
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.join(ROOT, path.dirname(page), target))) broken.push(`${page}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  const pagesWithShell = PAGES.filter((page) => allBlocks.some((b) => b.page === page && RUN.has(b.lang)));

  it.each(pagesWithShell)(
    '%s: every shell block runs, in order, against a fresh server',
    async (page) => {
      const markdown = read(page);
      const blocks = blocksOf(page, markdown);
      const shell = blocks.filter((b) => RUN.has(b.lang));
      const server = await startTestServer(serverSettings(markdown));
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'mg-docs-'));
      try {
        symlinkSync(path.join(ROOT, 'node_modules'), path.join(cwd, 'node_modules'));
        // Files a page asks the reader to save (`// subscribe.mjs: …`) are saved before its shell blocks run.
        for (const b of blocks.filter((x) => x.lang === 'js')) {
          const file = /^\/\/ ([\w.-]+\.m?js):/.exec(b.code)?.[1];
          if (file) writeFileSync(path.join(cwd, file), b.code);
        }
        const env = {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? cwd,
          LANG: 'C.UTF-8',
          TMPDIR: os.tmpdir(),
          MODELGRAPH_URL: server.baseUrl,
          MODELGRAPH_TOKEN: server.adminToken,
        };
        const { runs, finished } = await runPage(shell, env, cwd);
        // DOCS_TEST_OUTPUT=<folder> keeps what each page printed, block by block (to write the answers a page shows).
        if (process.env.DOCS_TEST_OUTPUT)
          writeFileSync(
            path.join(process.env.DOCS_TEST_OUTPUT, page.replace(/\//g, '_') + '.out'),
            runs.map((r) => `### ${where(r.block)}\n${r.output}`).join('\n'),
          );
        for (const run of runs) {
          const failed =
            run.status !== null || run.signal !== null
              ? `it ended with ${run.signal ? `signal ${run.signal} (after ${PAGE_TIMEOUT_MS} ms?)` : `exit status ${run.status}`}`
              : checkAnswers(run.block, run.output);
          if (failed)
            throw new Error(
              `${where(run.block)}: ${failed}\n--- the block ---\n${run.block.code}--- its output ---\n${run.output || '(none)\n'}---`,
            );
        }
        // Every shell block of the page ran: none was skipped.
        expect(finished).toBe(true);
        expect(runs.map((r) => r.block.line)).toEqual(shell.map((b) => b.line));
      } finally {
        rmSync(cwd, { recursive: true, force: true });
        await server.close();
      }
    },
    PAGE_TIMEOUT_MS + 30_000,
  );
});
