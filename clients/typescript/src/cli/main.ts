/**
 * `modelgraph <command>`: the registry from a pipeline or a terminal. Configured by MODELGRAPH_URL and
 * MODELGRAPH_TOKEN (or --url, --token); `--json` on every command for machines; exit codes a pipeline can branch on
 * (errors.ts, EXIT).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ModelgraphClient } from '../client';
import { EXIT, exitCodeOf, ModelgraphError } from '../errors';
import { type Command, type Context, UsageError } from './command';
import { sign, signatureAttach, upload } from './commands/artifacts';
import { adminToken, auditVerify, eventsTail, lineage } from './commands/graph';
import { approve, metricsLog, promote, rollback, validate, wait } from './commands/lifecycle';
import { modelsCreate, modelsList, modelsShow } from './commands/models';
import { versionsRegister } from './commands/versions';

export const COMMANDS: Command[] = [
  modelsCreate,
  modelsList,
  modelsShow,
  versionsRegister,
  upload,
  metricsLog,
  validate,
  sign,
  signatureAttach,
  approve,
  promote,
  rollback,
  wait,
  lineage,
  eventsTail,
  auditVerify,
  adminToken,
];

const GLOBAL = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The client package's version (its package.json sits two folders up from src/cli and from dist/cli alike). */
const VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

const overview = (): string =>
  [
    'modelgraph: the model registry from a pipeline or a terminal',
    '',
    'usage: modelgraph <command> [options] [--json] [--url <url>] [--token <token>]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    '',
    'The server is MODELGRAPH_URL (default http://localhost:4000), the token MODELGRAPH_TOKEN.',
    '`modelgraph <command> --help` for a command. --json prints one JSON object (events tail: one per line).',
    'Exit codes: 0 done, 2 usage, 3 gate failed (or validation did not pass), 4 conflict, 5 timed out,',
    '6 not authenticated or forbidden, 7 not found, 1 anything else.',
  ].join('\n');

const helpOf = (c: Command): string => `usage: modelgraph ${c.name} ${c.usage}\n\n${c.summary}`;

/** The command named by the first one or two words. */
function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  const two = `${argv[0]} ${argv[1]}`;
  const byTwo = COMMANDS.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.name === argv[0]);
  return byOne ? { command: byOne, rest: argv.slice(1) } : undefined;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/** Runs one command line; answers the exit code. Never calls process.exit (tests call it in-process). */
export async function run(argv: string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  const fail = (code: number, error: { code: string; message: string; field?: string; gates?: unknown[] }) => {
    if (json) io.out(`${JSON.stringify({ error: { ...error, exitCode: code } })}\n`);
    else {
      io.err(`modelgraph: ${error.message}\n`);
      for (const g of (error.gates ?? []) as Array<{ gate: string; passed: boolean; detail: string }>)
        io.err(`  ${g.passed ? 'pass' : 'FAIL'}  ${g.gate}: ${g.detail}\n`);
    }
    return code;
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(`${overview()}\n`);
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  if (argv[0] === '--version') {
    io.out(json ? `${JSON.stringify({ version: VERSION })}\n` : `modelgraph ${VERSION}\n`);
    return EXIT.OK;
  }
  const found = find(argv);
  if (!found) return fail(EXIT.USAGE, { code: 'USAGE', message: `unknown command "${argv.slice(0, 2).join(' ')}": see modelgraph --help` });
  const { command, rest } = found;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL, ...command.options }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(`${(err as Error).message.split('\n')[0]}\n${helpOf(command)}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(`${helpOf(command)}\n`);
      return EXIT.OK;
    }
    const expected = command.positionals ?? 0;
    if (positionals.length !== expected)
      throw new UsageError(
        `${command.name} takes ${expected === 0 ? 'no arguments' : `${expected} argument`} (got ${positionals.length})\n${helpOf(command)}`,
      );
    const context: Context = {
      client: new ModelgraphClient({
        url: (values.url as string | undefined) ?? io.env.MODELGRAPH_URL,
        token: (values.token as string | undefined) ?? io.env.MODELGRAPH_TOKEN,
      }),
      json,
      note: (line) => io.err(line),
      progressive: io.isTTY && !json,
    };
    const result = await command.run({ values, positionals }, context);
    if (result.json !== undefined || result.text !== '') io.out(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    return result.exitCode ?? EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) return fail(EXIT.USAGE, { code: 'USAGE', message: err.message });
    if (err instanceof ModelgraphError)
      return fail(exitCodeOf(err), {
        code: err.code,
        message: err.message,
        ...(err.field ? { field: err.field } : {}),
        ...(err.gates.length ? { gates: err.gates } : {}),
      });
    return fail(EXIT.ERROR, { code: 'ERROR', message: (err as Error).message ?? String(err) });
  }
}
