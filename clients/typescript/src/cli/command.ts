/**
 * What every CLI command is: a name, its help, its options (node's parseArgs), and a run that answers a result object.
 * The result is printed as JSON with `--json`, else by the command's `text` as lines for people. Errors are thrown as
 * ModelgraphError (or UsageError) and turned into the documented exit codes by main.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import type { ModelgraphClient } from '../client';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Context {
  client: ModelgraphClient;
  json: boolean;
  /** Progress and notes for people, on stderr (and only on a terminal for progress bars). */
  note(line: string): void;
  progressive: boolean;
}

export interface Command {
  /** `models create`, `promote`, … */
  name: string;
  summary: string;
  /** Usage line(s) after `modelgraph <name>`, and what the options mean. */
  usage: string;
  options: Options;
  /** Positional arguments it takes: exactly this many (or up to, with `optionalPositionals`). */
  positionals?: number;
  run(args: { values: Values; positionals: string[] }, context: Context): Promise<Result>;
}

export interface Result {
  /** What `--json` prints. */
  json: unknown;
  /** What people read. */
  text: string;
  /** 0 unless the command succeeded in asking but the answer is a "no" a pipeline branches on (a failed validation). */
  exitCode?: number;
}

/** A command line the CLI cannot run: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const required = (values: Values, name: string): string => {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

export const optional = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export const list = (values: Values, name: string): string[] => {
  const value = values[name];
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
};

/** A whole number option within bounds, or a usage error naming it. */
export function integer(values: Values, name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
  const raw = optional(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < (bounds.min ?? 0) || n > (bounds.max ?? Number.MAX_SAFE_INTEGER))
    throw new UsageError(
      `--${name} takes a whole number${bounds.min !== undefined ? ` from ${bounds.min}` : ''}${bounds.max !== undefined ? ` to ${bounds.max}` : ''} (got "${raw}")`,
    );
  return n;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const upper = value.toUpperCase();
  if (!(allowed as readonly string[]).includes(upper))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got "${value}")`);
  return upper as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A version given as its id or as `<model>@<number>`. */
export async function resolveVersion(client: ModelgraphClient, reference: string) {
  if (UUID.test(reference)) return client.version(reference);
  const at = reference.lastIndexOf('@');
  const number = Number(reference.slice(at + 1));
  if (at <= 0 || !Number.isInteger(number) || number < 1)
    throw new UsageError(`--version takes a version id or <model>@<number> (got "${reference}")`);
  return client.versionByNumber(reference.slice(0, at), number);
}

export const isUuid = (value: string): boolean => UUID.test(value);

export const STAGES = ['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'RETIRED', 'REJECTED'] as const;
