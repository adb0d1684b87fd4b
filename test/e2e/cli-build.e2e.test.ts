/**
 * The CLI in a clone builds itself on its first run and after an edit: commands started together (a pipeline's
 * parallel steps, the test runner's workers) take turns at one build, and none of them sees half of it.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
// Under node_modules, so the copy resolves typescript, ws and the types as the original does.
const COPY = path.join(ROOT, 'node_modules', '.cache', `mg-cli-build-${process.pid}`);

afterAll(() => rmSync(COPY, { recursive: true, force: true }));

const run = (args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(COPY, 'bin', 'modelgraph.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject).on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });

it('builds once for commands started together, after an edit, and not again', async () => {
  mkdirSync(COPY, { recursive: true });
  for (const part of ['bin', 'src', 'operations', 'package.json', 'tsconfig.json'])
    cpSync(path.join(ROOT, 'clients', 'typescript', part), path.join(COPY, part), { recursive: true });
  const later = new Date(Date.now() + 5000);
  utimesSync(path.join(COPY, 'src', 'index.ts'), later, later);
  const runs = await Promise.all([0, 1, 2, 3].map(() => run(['--version'])));
  expect(runs.map((r) => [r.code, r.out])).toEqual(Array(4).fill([0, 'modelgraph 0.1.0\n']));
  expect(runs.filter((r) => r.err.includes('building the client')).length).toBe(1);
  const again = await run(['--version']);
  expect(again).toEqual({ code: 0, out: 'modelgraph 0.1.0\n', err: '' });
}, 120_000);
