/**
 * Two versions side by side, as rows: pure, so the "differences only" switch and the flattening of
 * nested hyperparameters are unit-tested without a browser.
 */
export interface ComparableVersion {
  reproducibility: {
    code: { repo: string; commit: string };
    datasetVersions: string[];
    hyperparameters: Record<string, unknown>;
    environment: { imageDigest?: string | null; packageLock?: string | null };
    randomSeed?: string | null;
    trainingRunId?: string | null;
  };
  metrics: { edges: Array<{ node: { name: string; value: number; step: number; source: string; slice: string } }> };
}

export interface CompareRow {
  section: 'Parameters' | 'Reproducibility' | 'Metrics';
  key: string;
  a: string;
  b: string;
  differs: boolean;
}

/** Nested objects become dotted keys (`optimizer.lr`); arrays and scalars are shown as JSON. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = '{}';
    for (const [key, inner] of entries) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** The last value (highest step) of each metric, per source and slice. */
export function lastMetrics(version: ComparableVersion): Record<string, string> {
  const last = lastBySeries(
    version.metrics.edges.map((e) => e.node),
    (p) => [p.name, p.source, p.slice].filter(Boolean).join(' · '),
  );
  return Object.fromEntries([...last].map(([key, p]) => [key, String(p.value)]));
}

/** The point at the highest step of each series (`seriesOf` names it; null leaves the point out). */
export function lastBySeries<P extends { step: number }>(points: P[], seriesOf: (point: P) => string | null): Map<string, P> {
  const last = new Map<string, P>();
  for (const p of points) {
    const key = seriesOf(p);
    if (key === null) continue;
    const seen = last.get(key);
    if (!seen || p.step >= seen.step) last.set(key, p);
  }
  return last;
}

function tuple(version: ComparableVersion): Record<string, string> {
  const r = version.reproducibility;
  return {
    'code repository': r.code.repo,
    'code commit': r.code.commit,
    'dataset versions': r.datasetVersions.join(', '),
    'image digest': r.environment.imageDigest ?? '',
    'package lock': r.environment.packageLock ?? '',
    'random seed': r.randomSeed ?? '',
    'training run': r.trainingRunId ?? '',
  };
}

function rows(section: CompareRow['section'], a: Record<string, string>, b: Record<string, string>): CompareRow[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((key) => ({ section, key, a: a[key] ?? '—', b: b[key] ?? '—', differs: a[key] !== b[key] }));
}

export function compareVersions(a: ComparableVersion, b: ComparableVersion, differencesOnly: boolean): CompareRow[] {
  const all = [
    ...rows('Parameters', flatten(a.reproducibility.hyperparameters), flatten(b.reproducibility.hyperparameters)),
    ...rows('Reproducibility', tuple(a), tuple(b)),
    ...rows('Metrics', lastMetrics(a), lastMetrics(b)),
  ];
  return differencesOnly ? all.filter((r) => r.differs) : all;
}
