/**
 * The Python client (clients/python) against the real server: its unittest suite runs in python3 with
 * MODELGRAPH_URL and an ADMIN token, and must pass with every test run and none skipped. Without a python3 on the
 * PATH the test is skipped, and says so (`.ci/run` installs one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server';

const ROOT = path.join(__dirname, '../..');
const TESTS = path.join(ROOT, 'clients/python/tests');
/** A python3 with the standard library the client and its tests use (python3-minimal alone lacks json and unittest). */
const HAS_PYTHON =
  spawnSync('python3', ['-c', 'import hashlib, http.server, json, unittest, urllib.request, uuid'], { encoding: 'utf8' }).status === 0;
if (!HAS_PYTHON)
  console.warn('Python client tests SKIPPED: no python3 with its standard library on the PATH. Install it (apt-get install python3).');
const itWithPython = HAS_PYTHON ? it : it.skip;

/** As many tests as test_client.py defines: the run must report them all. */
const EXPECTED = (readFileSync(path.join(TESTS, 'test_client.py'), 'utf8').match(/^ {4}def test_\w+\(/gm) ?? []).length;

let t: TestServer;
beforeAll(async () => {
  if (HAS_PYTHON) t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

/** Runs a command without blocking this process (which serves the requests it makes); its status and output. */
function run(command: string, args: string[], env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

itWithPython(
  'python3 -m unittest: every test of the client passes against the server, none skipped',
  async () => {
    expect(EXPECTED).toBeGreaterThanOrEqual(10);
    const { status, output } = await run('python3', ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-v'], {
      MODELGRAPH_URL: t.baseUrl,
      MODELGRAPH_TOKEN: t.adminToken,
      PYTHONDONTWRITEBYTECODE: '1',
    });
    if (status !== 0) console.error(`python3 -m unittest exited with ${status}:\n${output}`);
    expect(status).toBe(0);
    expect(output).toMatch(new RegExp(`^Ran ${EXPECTED} tests? in `, 'm'));
    expect(output).toMatch(/^OK$/m);
    expect(output).not.toMatch(/skipped/i);
  },
  180_000,
);
