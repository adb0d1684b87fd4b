/**
 * The client as its users get it: `npm pack` of clients/typescript, the tarball installed into a new project outside
 * the repository, a consumer script type-checked against the package's declarations (and a wrong call refused by
 * the type checker), then run against a real server — as is the packed `modelgraph` bin. Nothing of the server's
 * source is reachable from there: the project has only the tarball and what it depends on.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server';

const ROOT = path.join(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const CONSUMER = `
import { ModelgraphClient, ModelgraphError, exitCodeOf, type Stage } from '@modelgraph/client';
import { manifestOf, signModelFolder } from '@modelgraph/client';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';

async function main(): Promise<void> {
  const client = new ModelgraphClient();
  const model = await client.createModel({ name: 'packed-consumer', owner: 'platform', riskTier: 'LOW' });
  mkdirSync('model', { recursive: true });
  writeFileSync('model/weights.bin', Buffer.alloc(4096, 3));
  const manifest = await manifestOf('model');
  const { version } = await client.registerVersion({
    modelId: model.id,
    code: { repo: 'https://github.com/acme/packed', commit: 'e'.repeat(40) },
    datasetVersions: ['s3://datasets/packed@v1'],
    environment: { imageDigest: 'ghcr.io/acme/train@sha256:' + 'f'.repeat(64) },
    artifact: ModelgraphClient.artifactOf(manifest, 'SAFETENSORS'),
  });
  const uploaded = await client.upload(version.id, 'model');
  const stage: Stage = 'STAGING';
  let refused = '';
  try {
    await client.transition({ versionId: version.id, toStage: stage, expectedStage: 'DEVELOPMENT' });
  } catch (err) {
    if (!(err instanceof ModelgraphError)) throw err;
    refused = err.code + ' exit ' + exitCodeOf(err) + ' ' + err.gates.filter((g) => !g.passed).map((g) => g.gate).join(',');
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signed = await signModelFolder('model', privateKey);
  const events: string[] = [];
  // The first event comes when something happens: one is made a moment after subscribing.
  setTimeout(() => void client.createModel({ name: 'packed-trigger', owner: 'platform' }), 1000);
  for await (const event of client.lifecycleEvents({}, { signal: AbortSignal.timeout(20000) })) {
    events.push(event.action);
    break;
  }
  console.log(JSON.stringify({
    model: model.name,
    version: version.version,
    uploaded: uploaded.map((f) => f.path),
    artifact: (await client.version(version.id)).artifact.status,
    refused,
    rootDigest: signed.rootDigest === (await client.version(version.id)).artifact.sha256,
    events: events.length,
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

let t: TestServer;
let dir: string;

beforeAll(async () => {
  t = await startTestServer();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mg-consumer-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('packs, installs into a new project, type-checks and runs against a real server', async () => {
  const packed = await run('npm', ['pack', path.join(ROOT, 'clients', 'typescript'), '--pack-destination', dir, '--json'], dir);
  expect(packed.code).toBe(0);
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz')) as string;
  const listing = await run('tar', ['tzf', path.join(dir, tarball)], dir);
  const files = listing.out.trim().split('\n');
  expect(files).toEqual(
    expect.arrayContaining(['package/bin/modelgraph.js', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/cli/main.js']),
  );
  // Built code only: no sources, no build stamp.
  expect(files.filter((f) => f.startsWith('package/src/') || f.endsWith('.sources'))).toEqual([]);

  const project = path.join(dir, 'project');
  await run('mkdir', ['-p', project], dir);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], project);
  if (installed.code !== 0) throw new Error(installed.out);

  await writeFile(path.join(project, 'consumer.ts'), CONSUMER);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      outDir: 'out',
    },
    files: ['consumer.ts'],
  };
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  const compiled = await run(process.execPath, [TSC, '-p', '.'], project);
  if (compiled.code !== 0) throw new Error(compiled.out);

  // The declarations are real types: a wrong call does not compile.
  await writeFile(
    path.join(project, 'wrong.ts'),
    `import { ModelgraphClient } from '@modelgraph/client';\nvoid new ModelgraphClient().createModel({ name: 1, owner: 'x', riskTier: 'EXTREME' });\n`,
  );
  const wrong = await run(
    process.execPath,
    [
      TSC,
      '--noEmit',
      '--strict',
      '--module',
      'node16',
      '--types',
      'node',
      '--typeRoots',
      tsconfig.compilerOptions.typeRoots[0],
      'wrong.ts',
    ],
    project,
  );
  expect(wrong.code).not.toBe(0);
  expect(wrong.out).toContain("Type 'number' is not assignable to type 'string'");
  expect(wrong.out).toContain('"EXTREME"');

  const env = { MODELGRAPH_URL: t.baseUrl, MODELGRAPH_TOKEN: t.adminToken };
  const ran = await run(process.execPath, ['out/consumer.js'], project, env);
  if (ran.code !== 0) throw new Error(ran.out);
  expect(JSON.parse(ran.out.trim().split('\n').at(-1) as string)).toEqual({
    model: 'packed-consumer',
    version: 1,
    uploaded: ['weights.bin'],
    artifact: 'READY',
    refused: 'GATE_FAILED exit 3 VALIDATION,VALIDATION_FRESH',
    rootDigest: true,
    events: 1,
  });

  const bin = path.join(project, 'node_modules', '.bin', 'modelgraph');
  const listed = await run(bin, ['models', 'list', '--json'], project, env);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.out)).toMatchObject({ totalCount: 2 });
  const npx = await run('npx', ['--no-install', 'modelgraph', 'models', 'show', 'nope', '--json'], project, env);
  expect(npx.code).toBe(7);
}, 240_000);
