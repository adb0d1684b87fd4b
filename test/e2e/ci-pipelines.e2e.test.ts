/**
 * The CI pipelines of docs/ci-pipelines.md, run as a runner runs them: the GitHub Actions job's `run:` steps in order
 * (each in a shell of its own, `$GITHUB_ENV` carried from one to the next, `uses:` steps skipped) and the GitLab CI
 * job's `before_script` and `script` lines in one shell, in bash with `set -euo pipefail`, against a real server,
 * with the variables a runner gives and the secrets as environment variables. The test plays the person who
 * approves: while the pipeline waits, it approves with an APPROVER's token and an Ed25519 key of its own, through
 * the CLI. Then the same run again (the same run id): the registration and the promotions are replayed, and no
 * second version is registered.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Role } from '../../src/common/role';
import { runCli } from '../support/cli';
import { ok, startTestServer, type TestServer } from '../support/server';

const ROOT = path.join(__dirname, '../..');
const PAGE = 'docs/ci-pipelines.md';
const MODEL = 'support-triage';

interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface GithubWorkflow {
  jobs: Record<string, { env?: Record<string, string>; steps: GithubStep[] }>;
}
interface GitlabJob {
  variables?: Record<string, string>;
  before_script?: string[];
  script: string[];
}

/** The page's ```yaml blocks, parsed. */
const yamlBlocks = [...readFileSync(path.join(ROOT, PAGE), 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(
  (m) => parse(m[1]) as Record<string, unknown>,
);
const github = yamlBlocks.find((y) => 'jobs' in y) as unknown as GithubWorkflow | undefined;
const gitlab = yamlBlocks.find((y) => !('jobs' in y)) as Record<string, unknown> | undefined;

/** `'…'` for bash, whatever the text holds. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A workflow value with `${{ secrets.NAME }}` in it, as the runner gives it; any other expression is refused. */
function expand(value: unknown, secrets: Record<string, string>): string {
  return String(value).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_all, expression: string) => {
    const secret = /^secrets\.(\w+)$/.exec(expression);
    if (!secret) throw new Error(`the test does not evaluate \${{ ${expression} }}: use a secret or an environment variable`);
    return secrets[secret[1]] ?? '';
  });
}

/** The GitHub job as one bash script: every `run:` step in order, each in a subshell with its `env:`, after `$GITHUB_ENV`. */
function githubScript(secrets: Record<string, string>): { script: string; env: Record<string, string> } {
  const [job] = Object.values(github!.jobs);
  const env = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, expand(v, secrets)]));
  let script = 'set -euo pipefail\n';
  for (const step of job.steps) {
    if (step.uses) continue;
    if (!step.run) throw new Error(`a step with neither uses nor run: ${JSON.stringify(step)}`);
    if (step.run.includes('${{')) throw new Error(`step "${step.name}": the test runs no \${{ }} expression in run:`);
    const exports = Object.entries(step.env ?? {})
      .map(([k, v]) => `export ${k}=${quote(expand(v, secrets))}\n`)
      .join('');
    script +=
      `echo "::step:: ${(step.name ?? step.run.split('\n')[0]).replace(/["$`\\]/g, '')}"\n` +
      `(\nset -a; . "$GITHUB_ENV"; set +a\n${exports}${step.run}\n)\n`;
  }
  return { script, env };
}

/** The GitLab job as one bash script: its before_script and script lines, in one shell, with its variables. */
function gitlabScript(): { script: string; env: Record<string, string> } {
  const [, job] = Object.entries(gitlab!).find(([, v]) => v && typeof v === 'object' && 'script' in v) as [string, GitlabJob];
  const globals = (gitlab!.variables ?? {}) as Record<string, string>;
  const env = Object.fromEntries(Object.entries({ ...globals, ...(job.variables ?? {}) }).map(([k, v]) => [k, String(v)]));
  const lines = [...(job.before_script ?? []), ...job.script];
  return { script: `set -euo pipefail\n${lines.join('\n')}\n`, env };
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs a script in bash, asynchronously (the server answers from this very process). */
function bash(script: string, env: Record<string, string>, cwd: string): { done: Promise<Run>; output: () => string } {
  const file = path.join(cwd, `.pipeline-${Date.now()}.sh`);
  writeFileSync(file, script);
  const child = spawn('bash', [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  return { done, output: () => output };
}

let t: TestServer;
let alice: string;
let signingKey: string;
const folders: string[] = [];
const cli = (args: string[], token = t.adminToken) => runCli(args, { MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: token });

interface VersionRow {
  id: string;
  version: number;
  stage: string;
}
const versions = async (): Promise<VersionRow[]> => {
  const shown = await cli(['models', 'show', MODEL, '--json']);
  if (shown.code !== 0) throw new Error(shown.stdout + shown.stderr);
  return shown.json.versions as VersionRow[];
};

beforeAll(async () => {
  t = await startTestServer();
  // What docs/ci-pipelines.md does once per model: the model, its bar, its trusted release key and the policy.
  const model = ok(
    await t.post({
      query: `mutation { createModel(input: { name: "${MODEL}", owner: "support-ml", riskTier: MEDIUM }) { model { id } } }`,
    }),
  ) as { createModel: { model: { id: string } } };
  const modelId = model.createModel.model.id;
  ok(
    await t.post({
      query: `mutation { setBaseline(input: { modelId: "${modelId}", metric: "f1", comparator: GTE, reference: FIXED, threshold: 0.9 }) { baseline { metric } } }`,
    }),
  );
  const release = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  signingKey = release.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  ok(
    await t.post({
      query: 'mutation ($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { signer { name } } }',
      variables: {
        input: {
          name: 'release-2026',
          scope: 'MODEL',
          modelId,
          publicKey: release.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      },
    }),
  );
  ok(
    await t.post({
      query: `mutation { setPolicy(input: { modelId: "${modelId}", document: { requiredSignatures: { stage: "STAGING", signers: ["release-2026"] } } }) { policy { version } } }`,
    }),
  );
  alice = await t.tokenFor(Role.APPROVER, 'alice');
});

afterAll(async () => {
  await t?.close();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/**
 * Runs a pipeline in a fresh folder (a checkout, with the repository's node_modules linked: `npx modelgraph` works),
 * approving the version it registers once it waits in STAGING, when `approve` is set. Fails with the output.
 */
async function runPipeline(
  pipeline: { script: string; env: Record<string, string> },
  ci: Record<string, string>,
  approve: boolean,
): Promise<{ output: string; approved: VersionRow | null }> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'mg-ci-'));
  folders.push(cwd);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(cwd, 'node_modules'));
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'mg-runner-'));
  folders.push(runnerTemp);
  writeFileSync(path.join(runnerTemp, 'github.env'), '');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? cwd,
    LANG: 'C.UTF-8',
    TMPDIR: os.tmpdir(),
    RUNNER_TEMP: runnerTemp,
    GITHUB_ENV: path.join(runnerTemp, 'github.env'),
    ...ci,
    ...pipeline.env,
  };
  const run = bash(pipeline.script, env, cwd);
  let approved: VersionRow | null = null;
  if (approve) {
    // The approver: once the pipeline says it waits for an approval (the line it prints before `wait --until
    // approved`) and its version is in STAGING, approve it, as a person does.
    const before = new Set((await versions()).filter((v) => v.stage !== 'DEVELOPMENT').map((v) => v.id));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (/approve it/.test(run.output())) {
        const staged = (await versions()).find((v) => v.stage === 'STAGING' && !before.has(v.id));
        if (!staged) throw new Error(`the pipeline waits for an approval, but no new version is in STAGING:\n${run.output()}`);
        approved = staged;
        break;
      }
      const finished = await Promise.race([run.done, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
      if (finished) throw new Error(`the pipeline ended (exit ${finished.code}) before asking for an approval:\n${finished.output}`);
      if (Date.now() > deadline) throw new Error(`the pipeline never asked for an approval:\n${run.output()}`);
    }
    // Let it subscribe, then check that it is still waiting: not approved, not promoted.
    await new Promise((r) => setTimeout(r, 1500));
    expect(run.output()).not.toMatch(/approved after|PRODUCTION after/);
    const keyFile = path.join(cwd, '..', `alice-${path.basename(cwd)}.pem`);
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    folders.push(keyFile);
    const decision = await cli(['approve', '--version', approved.id, '--key', keyFile, '--register-key', '--json'], alice);
    if (decision.code !== 0) throw new Error(`approve: exit ${decision.code}\n${decision.stdout}${decision.stderr}`);
  }
  const { code, output } = await run.done;
  if (code !== 0) throw new Error(`the pipeline exited ${code}:\n${output}`);
  return { output, approved };
}

const githubCi = {
  GITHUB_ACTIONS: 'true',
  CI: 'true',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39',
  GITHUB_REPOSITORY: 'acme/triage',
  GITHUB_SERVER_URL: 'https://github.com',
};
const gitlabCi = {
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PIPELINE_ID: '314159',
  CI_COMMIT_SHA: '5e3b0d2f9c8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a',
  CI_PROJECT_URL: 'https://gitlab.com/acme/triage',
  CI_PROJECT_PATH: 'acme/triage',
};

describe('the CI pipelines of docs/ci-pipelines.md', () => {
  it('shows a GitHub Actions workflow and a GitLab CI job, both valid YAML', () => {
    expect(github).toBeDefined();
    expect(gitlab).toBeDefined();
    const [job] = Object.values(github!.jobs);
    expect(job.steps.filter((s) => s.run).length).toBeGreaterThanOrEqual(5);
    expect(gitlabScript().script).toContain('npx modelgraph wait');
  });

  const secrets = () => ({ MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: '', MODELGRAPH_SIGNING_KEY: signingKey });
  let pipelineToken = '';

  it('GitHub Actions: trains, registers, uploads, signs, validates, waits for the approval, reaches PRODUCTION', async () => {
    pipelineToken = await t.tokenFor(Role.APPROVER, 'ci-support-triage');
    const pipeline = githubScript({ ...secrets(), MODELGRAPH_TOKEN: pipelineToken });
    expect(pipeline.env).toMatchObject({ MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: pipelineToken });
    const { output, approved } = await runPipeline(pipeline, githubCi, true);
    expect(approved?.version).toBe(1);
    expect(output).toContain('version 1, replayed: false');
    expect(output).toMatch(/version 1 of support-triage: approved after/);
    expect(output).toMatch(/version 1 of support-triage: PRODUCTION after/);
    const rows = await versions();
    expect(rows).toEqual([expect.objectContaining({ version: 1, stage: 'PRODUCTION' })]);
    // The tuple came from the runner's variables.
    const read = ok(
      await t.post({
        query: `{ modelVersion(id: "${rows[0].id}") { reproducibility { code { repo commit } trainingRunId hyperparameters } } }`,
      }),
    );
    expect(read).toMatchObject({
      modelVersion: {
        reproducibility: {
          code: { repo: 'https://github.com/acme/triage', commit: githubCi.GITHUB_SHA },
          trainingRunId: githubCi.GITHUB_RUN_ID,
          hyperparameters: { lr: 0.01, epochs: 12 },
        },
      },
    });
  });

  it('GitHub Actions, re-run with the same run id: the registration and the promotions are replayed', async () => {
    const pipeline = githubScript({ ...secrets(), MODELGRAPH_TOKEN: pipelineToken });
    const { output } = await runPipeline(pipeline, { ...githubCi, GITHUB_RUN_ATTEMPT: '2' }, false);
    expect(output).toContain('version 1, replayed: true');
    expect(output).toContain('uploaded 0 files (0.0 MB), 2 already there');
    expect(output).toContain('version 1 of support-triage is PRODUCTION (replayed: done earlier with this key)');
    const rows = await versions();
    expect(rows).toEqual([expect.objectContaining({ version: 1, stage: 'PRODUCTION' })]);

    // A re-run whose training wrote other bytes is refused, as the page says: the key was used with another input.
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'mg-ci-'));
    folders.push(cwd);
    writeFileSync(path.join(cwd, 'model.onnx'), 'other weights');
    const other = await runCli(
      [
        'versions',
        'register',
        '--model',
        MODEL,
        '--format',
        'ONNX',
        '--artifact',
        'model.onnx',
        '--dataset',
        's3://datasets/tickets@v3',
        '--json',
      ],
      { ...githubCi, ...pipeline.env, MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: pipelineToken },
      { cwd },
    );
    expect(other.code).toBe(4);
    expect(other.json.error?.message).toMatch(
      /^idempotencyKey "register:support-triage:github:acme\/triage:9876543210" was already used with a different input/,
    );
  });

  it('GitLab CI: the same path for the next version, which replaces version 1 in PRODUCTION; a retry replays it', async () => {
    const pipeline = gitlabScript();
    const env = { ...gitlabCi, MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: pipelineToken, MODELGRAPH_SIGNING_KEY: signingKey };
    const { output, approved } = await runPipeline(pipeline, env, true);
    expect(approved?.version).toBe(2);
    expect(output).toMatch(/version 2 of support-triage is PRODUCTION; version 1 ARCHIVED/);
    expect(output).toMatch(/version 2 of support-triage: PRODUCTION after/);
    expect(await versions()).toEqual([
      expect.objectContaining({ version: 2, stage: 'PRODUCTION' }),
      expect.objectContaining({ version: 1, stage: 'ARCHIVED' }),
    ]);

    const retried = await runPipeline(pipeline, env, false);
    // Each promotion answers the first one, with the version as it is now.
    expect(retried.output).toContain('version 2 of support-triage is PRODUCTION (replayed: done earlier with this key)');
    expect(retried.output).toContain(
      'version 2 of support-triage is PRODUCTION; version 1 ARCHIVED (replayed: done earlier with this key)',
    );
    expect((await versions()).map((v) => [v.version, v.stage])).toEqual([
      [2, 'PRODUCTION'],
      [1, 'ARCHIVED'],
    ]);
  });
});
