/**
 * Runs the `modelgraph` CLI as a real process (the bin a pipeline runs), asynchronously: the server under test lives in
 * the test's own process, so a blocking spawn would stop it from answering.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'clients', 'typescript', 'bin', 'modelgraph.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON (for --json runs). */
  json: Record<string, unknown> & { error?: { code: string; message: string; exitCode: number; field?: string; gates?: unknown[] } };
}

export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string; input?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      let json = {} as CliRun['json'];
      try {
        json = JSON.parse(stdout);
      } catch {
        // not a --json run, or a stream of lines
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}
