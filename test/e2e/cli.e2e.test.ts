/**
 * The `modelgraph` CLI as a pipeline runs it: a real process per command against a real server, each checked by its
 * exit code and its --json shape — the whole train → register → upload → sign → promote → approve → wait path, and
 * every documented exit code.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Role } from '../../src/common/role';
import { CLI, runCli, type CliRun } from '../support/cli';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
let dir: string;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string | undefined> = {}, options: { cwd?: string; input?: string } = {}) =>
  runCli(args, { ...env, ...extra }, { cwd: options.cwd ?? dir, input: options.input });
const expectExit = (run: CliRun, code: number) => {
  if (run.code !== code) throw new Error(`exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
};

const COMMIT = 'c0ffee'.padEnd(40, '0');
const IMAGE = `ghcr.io/acme/train@sha256:${'9b'.repeat(32)}`;
const REPRO = [
  '--commit',
  COMMIT,
  '--repo',
  'https://github.com/acme/triage',
  '--dataset',
  's3://datasets/tickets@v3',
  '--image-digest',
  IMAGE,
];
/** Another version of support-triage from the folder `model`. */
const registerFolder = () =>
  cli(['versions', 'register', '--model', 'support-triage', '--format', 'ONNX', '--artifact', 'model', ...REPRO, '--json']);

beforeAll(async () => {
  t = await startTestServer();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mg-cli-'));
  env = { MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: t.adminToken };
  await mkdir(path.join(dir, 'model', 'tokenizer'), { recursive: true });
  await writeFile(path.join(dir, 'model', 'model.onnx'), Buffer.alloc(300_000, 7));
  await writeFile(path.join(dir, 'model', 'tokenizer', 'vocab.json'), JSON.stringify({ a: 1, b: 2 }));
  await writeFile(path.join(dir, 'metrics.csv'), 'name,value,step,source\nf1,0.91,,VALIDATION\nloss,0.2,10,TRAINING\n');
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(path.join(dir, 'release.pem'), ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(path.join(dir, 'release.pub.pem'), ec.publicKey.export({ type: 'spki', format: 'pem' }));
  const ed = generateKeyPairSync('ed25519');
  await writeFile(path.join(dir, 'alice.pem'), ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the modelgraph CLI', () => {
  it('prints its version and its help without a server, and exits 2 on a bad command line', async () => {
    const version = await cli(['--version', '--json'], { MODELGRAPH_URL: 'http://127.0.0.1:1' });
    expectExit(version, 0);
    expect(version.json).toEqual({ version: '0.1.0' });
    const help = await cli(['promote', '--help']);
    expectExit(help, 0);
    expect(help.stdout).toContain('usage: modelgraph promote --version');
    const unknown = await cli(['deploy', '--json']);
    expectExit(unknown, 2);
    expect(unknown.json.error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    const missing = await cli(['models', 'create', 'x', '--json']);
    expectExit(missing, 2);
    expect(missing.json.error?.message).toContain('--owner is required');
    const badFlag = await cli(['models', 'list', '--frist', '3']);
    expectExit(badFlag, 2);
    expect(badFlag.stderr).toContain("Unknown option '--frist'");
    // Checked before anything is asked of the server (there is none here).
    const offline = { MODELGRAPH_URL: 'http://127.0.0.1:1' };
    const usage = async (args: string[], message: string) => {
      const run = await cli([...args, '--json'], offline);
      expectExit(run, 2);
      expect(run.json.error?.message).toContain(message);
    };
    await usage(['models', 'list', '--first', 'abc'], '--first takes a whole number from 1 to 500 (got "abc")');
    await usage(['lineage', 'churn@1', '--depth', 'x'], '--depth takes a whole number from 1 (got "x")');
    await usage(['events', 'tail', '--limit', '0'], '--limit takes a whole number from 1 (got "0")');
    await usage(['wait', '--version', 'missing@1', '--until', 'nonsense'], '--until must be one of DEVELOPMENT');
    await usage(['promote', '--version', 'missing@1', '--to', 'LIVE'], '--to must be one of');
    await usage(['upload', '/no/such/folder', '--version', 'missing@1'], '/no/such/folder: no such file or folder');
    await usage(['metrics', 'log', '--version', 'missing@1', '--file', '/no/such.csv'], '/no/such.csv: cannot read it');
    await usage(['admin', 'token', '--subject', 'x', '--role', 'VIEWER', '--expires', 'soon'], '--expires takes a duration');
    const size = [
      'versions',
      'register',
      '--model',
      'm',
      '--format',
      'ONNX',
      '--uri',
      's3://m',
      '--sha256',
      'a'.repeat(64),
      '--size',
      '1e3',
    ];
    await usage([...size, ...REPRO], '--size takes a whole number (got "1e3")');
  });

  it('exits 1 when the server cannot be reached, 6 without a valid token or right, 7 for what is not there', async () => {
    const away = await cli(['models', 'list', '--json'], { MODELGRAPH_URL: 'http://127.0.0.1:1' });
    expectExit(away, 1);
    expect(away.json.error?.code).toBe('NETWORK_ERROR');
    const badToken = await cli(['models', 'list', '--json'], { MODELGRAPH_TOKEN: 'mg_not_a_token' });
    expectExit(badToken, 6);
    expect(badToken.json.error?.code).toBe('UNAUTHENTICATED');
    const viewer = await t.tokenFor(Role.VIEWER, 'cli-viewer');
    const forbidden = await cli(['models', 'create', 'nope', '--owner', 'x', '--json'], { MODELGRAPH_TOKEN: viewer });
    expectExit(forbidden, 6);
    expect(forbidden.json.error?.code).toBe('FORBIDDEN');
    const missing = await cli(['models', 'show', 'no-such-model', '--json']);
    expectExit(missing, 7);
    expect(missing.json.error).toMatchObject({ code: 'NOT_FOUND', exitCode: 7 });
  });

  it('creates, lists and shows models', async () => {
    const created = await cli(['models', 'create', 'support-triage', '--owner', 'support-ml', '--risk', 'medium', '--json']);
    expectExit(created, 0);
    expect(created.json).toMatchObject({ name: 'support-triage', owner: 'support-ml', riskTier: 'MEDIUM' });
    const again = await cli(['models', 'create', 'support-triage', '--owner', 'support-ml']);
    expectExit(again, 4);
    const listed = await cli(['models', 'list', '--json']);
    expectExit(listed, 0);
    expect(listed.json).toMatchObject({ totalCount: 1, models: [{ name: 'support-triage', latestVersion: null }] });
    const text = await cli(['models', 'list']);
    expect(text.stdout).toMatch(/NAME\s+OWNER\s+RISK\s+LATEST\nsupport-triage\s+support-ml\s+MEDIUM\s+-\n1 model\n/);
  });

  let versionId = '';
  it('registers a version from a folder (its manifest hashed), idempotently within one CI run, and uploads it, resumably', async () => {
    const ci = { GITHUB_RUN_ID: '4242', GITHUB_REPOSITORY: 'acme/triage' };
    const args = [
      'versions',
      'register',
      '--model',
      'support-triage',
      '--format',
      'ONNX',
      '--artifact',
      'model',
      ...REPRO,
      '--param',
      'lr=0.01',
      '--json',
    ];
    const registered = await cli(args, ci);
    expectExit(registered, 0);
    expect(registered.json).toMatchObject({
      version: 1,
      stage: 'DEVELOPMENT',
      replayed: false,
      artifact: { layout: 'FOLDER', status: 'PENDING_UPLOAD' },
    });
    versionId = registered.json.id as string;
    // The same step retried in the same run answers the same version.
    const retried = await cli(args, ci);
    expect(retried.json).toMatchObject({ id: versionId, replayed: true });

    const early = await cli(['wait', '--version', versionId, '--until', 'ready', '--timeout', '1s', '--poll', '200ms', '--json']);
    expectExit(early, 5);
    expect(early.json.error?.code).toBe('TIMED_OUT');

    const uploaded = await cli(['upload', 'model', '--version', 'support-triage@1', '--json']);
    expectExit(uploaded, 0);
    expect(uploaded.json.files).toEqual([
      expect.objectContaining({ path: 'model.onnx', sizeBytes: 300_000, uploaded: true }),
      expect.objectContaining({ path: 'tokenizer/vocab.json', uploaded: true }),
    ]);
    expect(uploaded.json.artifact).toMatchObject({ status: 'READY' });
    const resumed = await cli(['upload', 'model', '--version', versionId]);
    expectExit(resumed, 0);
    expect(resumed.stdout).toBe('uploaded 0 files (0.0 MB), 2 already there to version 1 of support-triage: artifact READY\n');
    const ready = await cli(['wait', '--version', versionId, '--until', 'ready', '--json']);
    expectExit(ready, 0);
    expect(ready.json).toMatchObject({ until: 'ready', version: { artifact: { status: 'READY' } } });
  });

  it('logs metrics from CSV and JSON (stdin too), refusing a bad file before sending anything', async () => {
    const csv = await cli(['metrics', 'log', '--version', versionId, '--file', 'metrics.csv', '--json']);
    expectExit(csv, 0);
    expect(csv.json).toEqual({ versionId, count: 2 });
    const stdin = await cli(
      ['metrics', 'log', '--version', versionId, '--file', '-', '--json'],
      {},
      { input: '{"precision": 0.88, "recall": 0.9}' },
    );
    expect(stdin.json).toEqual({ versionId, count: 2 });
    const bad = await cli(
      ['metrics', 'log', '--version', versionId, '--file', '-', '--json'],
      {},
      { input: '[{"name":"f1","value":"high"}]' },
    );
    expectExit(bad, 2);
    expect(bad.json.error?.message).toBe("[0]: f1's value is not a finite number");
  });

  it('validates (exit 3 when it does not pass), signs and attaches, and promotes behind the gates', async () => {
    const modelId = ((await cli(['models', 'show', 'support-triage', '--json'])).json as { id: string }).id;
    ok(
      await t.post({
        query: `mutation { setBaseline(input: { modelId: "${modelId}", metric: "f1", comparator: GTE, reference: FIXED, threshold: 0.95 }) { baseline { metric } } }`,
      }),
    );
    const failing = await cli(['validate', '--version', versionId, '--json']);
    expectExit(failing, 3);
    expect(failing.json).toMatchObject({
      passed: false,
      checks: [expect.objectContaining({ metric: 'f1', candidateValue: 0.91, passed: false })],
    });
    ok(
      await t.post({
        query: `mutation { setBaseline(input: { modelId: "${modelId}", metric: "f1", comparator: GTE, reference: FIXED, threshold: 0.8 }) { baseline { metric } } }`,
      }),
    );
    const passing = await cli(['validate', '--version', versionId]);
    expectExit(passing, 0);
    expect(passing.stdout).toMatch(/^passed: all 1 checks passed\n {2}pass {2}f1: 0\.91 against 0\.8\n$/);

    // The policy asks for a signature by release-2026 from STAGING on.
    ok(
      await t.post({
        query: 'mutation ($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { signer { name } } }',
        variables: {
          input: { name: 'release-2026', scope: 'MODEL', modelId, publicKey: await readFile(path.join(dir, 'release.pub.pem'), 'utf8') },
        },
      }),
    );
    ok(
      await t.post({
        query: `mutation { setPolicy(input: { modelId: "${modelId}", document: { requiredSignatures: { stage: "STAGING", signers: ["release-2026"] } } }) { policy { version } } }`,
      }),
    );
    const unsigned = await cli(['promote', '--version', versionId, '--to', 'STAGING', '--json']);
    expectExit(unsigned, 3);
    expect(unsigned.json.error).toMatchObject({ code: 'GATE_FAILED', exitCode: 3 });
    expect(unsigned.json.error?.gates).toContainEqual(expect.objectContaining({ gate: 'SIGNED', passed: false }));

    const signed = await cli(['sign', 'model', '--key', 'release.pem', '--json']);
    expectExit(signed, 0);
    expect(signed.json).toMatchObject({ bundle: path.join('model', 'model.sig'), files: 2 });
    const attached = await cli(['signature', 'attach', '--version', versionId, '--bundle', 'model/model.sig', '--json']);
    expectExit(attached, 0);
    expect(attached.json).toMatchObject({ method: 'KEY', counts: true, rootDigest: signed.json.rootDigest });

    const stale = await cli(['promote', '--version', versionId, '--to', 'STAGING', '--expect', 'STAGING', '--json']);
    expectExit(stale, 4);
    const staged = await cli(['promote', '--version', versionId, '--to', 'staging', '--reason', 'signed and validated', '--json']);
    expectExit(staged, 0);
    expect(staged.json).toMatchObject({ version: { stage: 'STAGING' }, replayed: false });
    const backwards = await cli(['promote', '--version', versionId, '--to', 'RETIRED', '--json']);
    expectExit(backwards, 4);
    expect(backwards.json.error?.code).toBe('INVALID_TRANSITION');
  });

  it('waits for an approval while an approver signs it, then for production while the pipeline promotes', async () => {
    const alice = await t.tokenFor(Role.APPROVER, 'alice');
    const refused = await cli(['promote', '--version', versionId, '--to', 'PRODUCTION', '--json'], { MODELGRAPH_TOKEN: alice });
    expectExit(refused, 3);
    expect(refused.json.error?.gates).toContainEqual(expect.objectContaining({ gate: 'APPROVALS', passed: false }));

    const waiting = cli(['wait', '--version', versionId, '--until', 'approved', '--timeout', '60s', '--poll', '30s', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    const approved = await cli(
      ['approve', '--version', versionId, '--key', 'alice.pem', '--register-key', '--comment', 'f1 above baseline', '--json'],
      {
        MODELGRAPH_TOKEN: alice,
      },
    );
    expectExit(approved, 0);
    expect(approved.json).toMatchObject({ decision: 'APPROVED', approver: 'alice', targetStage: 'PRODUCTION' });
    const waited = await waiting;
    expectExit(waited, 0);
    // Woken by the event, not by the 30 s poll.
    expect(waited.json.waitedMs).toBeLessThan(20_000);

    const production = cli(['wait', '--version', versionId, '--until', 'PRODUCTION', '--timeout', '60s', '--poll', '30s']);
    await new Promise((r) => setTimeout(r, 1500));
    const ci = { GITHUB_RUN_ID: '777', MODELGRAPH_TOKEN: alice };
    const promoted = await cli(['promote', '--version', versionId, '--to', 'PRODUCTION', '--json'], ci);
    expectExit(promoted, 0);
    expect(promoted.json).toMatchObject({ version: { stage: 'PRODUCTION' }, replayed: false });
    // The same step retried in that CI run answers the first promotion (its key is the run's): without --expect, the
    // CLI sends what the first attempt did (the stage the version came from), not the one it is in now.
    const retried = await cli(['promote', '--version', versionId, '--to', 'PRODUCTION', '--json'], ci);
    expectExit(retried, 0);
    expect(retried.json).toMatchObject({ version: { stage: 'PRODUCTION' }, replayed: true });
    const explicit = await cli(['promote', '--version', versionId, '--to', 'PRODUCTION', '--expect', 'STAGING', '--json'], ci);
    expect(explicit.json).toMatchObject({ replayed: true });
    const reached = await production;
    expectExit(reached, 0);
    expect(reached.stdout).toMatch(/^version 1 of support-triage: PRODUCTION after \d+\.\d s\n$/);

    const rejected = await cli(['wait', '--version', versionId, '--until', 'STAGING', '--timeout', '5s', '--json']);
    expectExit(rejected, 5);
  });

  it('rolls back, draws the lineage (text, JSON, Mermaid), tails events from a cursor, verifies the audit chain and makes tokens', async () => {
    // A live tail, started before what follows: its first three events, each with a cursor to resume from.
    const live = cli(['events', 'tail', '--limit', '3', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    // Two versions of another model, referenced (READY at once), in and out of production.
    const fraud = await cli(['models', 'create', 'fraud', '--owner', 'risk-ml', '--risk', 'LOW', '--json']);
    expectExit(fraud, 0);
    ok(
      await t.post({
        query: `mutation { setBaseline(input: { modelId: "${fraud.json.id as string}", metric: "auc", comparator: GTE, reference: FIXED, threshold: 0.8 }) { baseline { metric } } }`,
      }),
    );
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const v = await cli([
        'versions',
        'register',
        '--model',
        'fraud',
        '--format',
        'ONNX',
        '--uri',
        `s3://models/fraud/${n}.onnx`,
        '--sha256',
        String(n).repeat(64),
        '--size',
        '10',
        ...REPRO,
        '--json',
      ]);
      expectExit(v, 0);
      ids.push(v.json.id as string);
      expectExit(await cli(['metrics', 'log', '--version', `fraud@${n}`, '--file', '-'], {}, { input: '{"auc": 0.9}' }), 0);
      expectExit(await cli(['validate', '--version', `fraud@${n}`]), 0);
      expectExit(await cli(['promote', '--version', `fraud@${n}`, '--to', 'STAGING']), 0);
      expectExit(await cli(['promote', '--version', `fraud@${n}`, '--to', 'PRODUCTION']), 0);
    }
    const rolled = await cli(['rollback', '--model', 'fraud', '--reason', 'latency', '--json']);
    expectExit(rolled, 0);
    expect(rolled.json).toMatchObject({
      restoredVersion: { version: 1, stage: 'PRODUCTION' },
      archivedVersion: { version: 2, stage: 'ARCHIVED' },
    });

    const graph = await cli(['lineage', 'fraud@1', '--direction', 'UPSTREAM', '--json']);
    expectExit(graph, 0);
    const kinds = (graph.json.nodes as Array<{ node: { kind: string } }>).map((n) => n.node.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['CODE_COMMIT', 'DATASET_VERSION', 'MODEL_VERSION']));
    const mermaid = await cli(['lineage', ids[0], '--direction', 'UPSTREAM', '--mermaid']);
    expectExit(mermaid, 0);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n {2}n0\["MODEL_VERSION: fraud@1"\]\n/);
    expect(mermaid.stdout).toContain('-- TRAINED_ON -->');

    const first = await live;
    expectExit(first, 0);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cursor: string; seq: number });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ kind: 'MODEL_CHANGED', action: 'model.created' });
    const next = await cli(['events', 'tail', '--after', lines[1].cursor, '--limit', '1', '--json']);
    expect(JSON.parse(next.stdout).seq).toBe(lines[2].seq);
    const badCursor = await cli(['events', 'tail', '--after', 'nonsense', '--json']);
    expectExit(badCursor, 1);
    expect(badCursor.json.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const text = await cli(['events', 'tail', '--model', 'fraud', '--kind', 'STAGE_CHANGED', '--after', lines[0].cursor, '--limit', '1']);
    expectExit(text, 0);
    expect(text.stdout).toContain('STAGE_CHANGED');
    expect(text.stderr).toMatch(/1 event; resume with --after \S+/);

    const audit = await cli(['audit', 'verify', '--json']);
    expectExit(audit, 0);
    expect(audit.json).toMatchObject({ ok: true, firstBrokenSeq: null });

    const dated = await cli(['admin', 'token', '--subject', 'auditors', '--role', 'VIEWER', '--expires', '2099-01-01', '--json']);
    expect(dated.json).toMatchObject({ subject: 'auditors', expiresAt: '2099-01-01T00:00:00.000Z' });
    const token = await cli(['admin', 'token', '--subject', 'dashboards', '--role', 'viewer', '--expires', '1h', '--json']);
    expectExit(token, 0);
    expect(token.json).toMatchObject({ subject: 'dashboards', role: 'VIEWER', token: expect.stringMatching(/^mg_/) });
    const asViewer = await cli(['models', 'list', '--json'], { MODELGRAPH_TOKEN: token.json.token as string });
    expectExit(asViewer, 0);
    const notAdmin = await cli(['admin', 'token', '--subject', 'x', '--role', 'ADMIN', '--json'], {
      MODELGRAPH_TOKEN: token.json.token as string,
    });
    expectExit(notAdmin, 6);
  });
  it('shows upload progress on a terminal (under script(1), a real pseudo-terminal), and none when piped', async () => {
    const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
    if (!script) {
      console.warn('upload progress test SKIPPED: no script(1) (util-linux) to give the CLI a terminal');
      return;
    }
    const v = await registerFolder();
    expectExit(v, 0);
    const command = [process.execPath, CLI, 'upload', 'model', '--version', v.json.id as string].map((a) => `'${a}'`).join(' ');
    const onTerminal = await new Promise<{ code: number; out: string }>((resolve, reject) => {
      const child = spawn(script, ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, ...env } });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject).on('close', (code) => resolve({ code: code ?? -1, out }));
    });
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.out).toContain('model.onnx: 0.3 MB of 0.3 MB');
    expect(onTerminal.out).toContain('tokenizer/vocab.json: 0.0 MB of 0.0 MB');
    const other = await registerFolder();
    const piped = await cli(['upload', 'model', '--version', other.json.id as string]);
    expectExit(piped, 0);
    expect(piped.stdout).toBe('uploaded 2 files (0.3 MB) to version 3 of support-triage: artifact READY\n');
    expect(piped.stderr).toBe('');
  });
});
