import { UsageError } from './command';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30m`, `90s`, `1h`, `500ms` (a bare number is seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`not a duration: "${text}" (e.g. 30m, 90s, 1h)`);
  return Math.round(Number(match[1]) * UNIT[match[2] ?? 's']);
}
