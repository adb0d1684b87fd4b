/** Metric points from a JSON or CSV file, checked before anything is sent. */
import type { MetricPointInput, MetricSource } from '../generated/graphql';
import { UsageError } from './command';

const SOURCES: readonly MetricSource[] = ['TRAINING', 'VALIDATION', 'TEST', 'PRODUCTION'];

function source(value: unknown, fallback: string, where: string): MetricSource {
  const s = String(value ?? fallback).toUpperCase();
  if (!(SOURCES as readonly string[]).includes(s))
    throw new UsageError(`${where}: source must be one of ${SOURCES.join(', ')} (got "${String(value ?? fallback)}")`);
  return s as MetricSource;
}

function point(raw: Record<string, unknown>, fallback: string, where: string): MetricPointInput {
  const name = raw.name;
  const value = typeof raw.value === 'string' && raw.value.trim() !== '' ? Number(raw.value) : raw.value;
  if (typeof name !== 'string' || name === '') throw new UsageError(`${where}: a point needs a name`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UsageError(`${where}: ${name}'s value is not a finite number`);
  const step = raw.step === undefined || raw.step === '' ? undefined : Number(raw.step);
  if (step !== undefined && !Number.isInteger(step)) throw new UsageError(`${where}: ${name}'s step is not an integer`);
  const slice = raw.slice === undefined || raw.slice === '' ? undefined : String(raw.slice);
  return { name, value, step, slice, source: source(raw.source === '' ? undefined : raw.source, fallback, where) };
}

function parseCsv(text: string, fallback: string): MetricPointInput[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  if (!header.includes('name') || !header.includes('value')) throw new UsageError('the CSV header must name the columns name and value');
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new UsageError(`line ${i + 2}: ${cells.length} cells, the header has ${header.length}`);
    return point(Object.fromEntries(header.map((h, j) => [h, cells[j]])), fallback, `line ${i + 2}`);
  });
}

/** JSON: `{ "auc": 0.9 }` or `[{ name, value, step?, source?, slice? }]` (or `{ metrics: [...] }`); CSV with a header. */
export function parseMetrics(text: string, format: 'csv' | 'auto', fallbackSource: string): MetricPointInput[] {
  source(undefined, fallbackSource, '--source');
  if (format === 'csv') return parseCsv(text, fallbackSource);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return parseCsv(text, fallbackSource);
  }
  const list = Array.isArray(data)
    ? data
    : Array.isArray((data as { metrics?: unknown })?.metrics)
      ? (data as { metrics: unknown[] }).metrics
      : null;
  if (list) return list.map((p, i) => point((p ?? {}) as Record<string, unknown>, fallbackSource, `[${i}]`));
  if (data && typeof data === 'object')
    return Object.entries(data as Record<string, unknown>).map(([name, value]) => point({ name, value }, fallbackSource, name));
  throw new UsageError('the metrics file is neither a JSON object, a JSON list nor a CSV');
}
