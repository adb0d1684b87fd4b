import { compareVersions, flatten, lastBySeries, lastMetrics, type ComparableVersion } from '../../ui/src/compare/compare.rules';

function version(
  hyperparameters: Record<string, unknown>,
  metrics: Array<[string, number, number, string?]>,
  commit = 'a'.repeat(40),
): ComparableVersion {
  return {
    reproducibility: {
      code: { repo: 'https://github.com/acme/fraud', commit },
      datasetVersions: ['s3://d@v3'],
      hyperparameters,
      environment: { imageDigest: 'img@sha256:1', packageLock: null },
      randomSeed: '42',
      trainingRunId: null,
    },
    metrics: { edges: metrics.map(([name, value, step, source = 'VALIDATION']) => ({ node: { name, value, step, source, slice: '' } })) },
  };
}

describe('console: comparing two versions', () => {
  it('flattens nested parameters to dotted keys and keeps arrays whole', () => {
    expect(flatten({ lr: 0.1, optimizer: { name: 'adam', betas: [0.9, 0.99] }, empty: {} })).toEqual({
      lr: '0.1',
      'optimizer.name': 'adam',
      'optimizer.betas': '[0.9,0.99]',
      empty: '{}',
    });
  });

  it('takes the value at the highest step of each metric and source', () => {
    expect(
      lastMetrics(
        version({}, [
          ['loss', 0.5, 1, 'TRAINING'],
          ['loss', 0.2, 9, 'TRAINING'],
          ['loss', 0.3, 4, 'TRAINING'],
          ['auc', 0.9, 0],
        ]),
      ),
    ).toEqual({ 'loss · TRAINING': '0.2', 'auc · VALIDATION': '0.9' });
  });

  it('keeps the highest step of each series and leaves out the points a series name refuses', () => {
    const points = [
      { step: 1, value: 0.7, source: 'TRAINING', slice: '' },
      { step: 5, value: 0.8, source: 'TRAINING', slice: '' },
      { step: 9, value: 0.1, source: 'TRAINING', slice: 'country=fr' },
      { step: 2, value: 0.9, source: 'VALIDATION', slice: '' },
    ];
    const last = lastBySeries(points, (p) => (p.slice ? null : p.source));
    expect(Object.fromEntries([...last].map(([k, p]) => [k, p.value]))).toEqual({ TRAINING: 0.8, VALIDATION: 0.9 });
  });

  it('lists every field of both side by side, and only the differing ones when asked', () => {
    const a = version({ lr: 0.05, depth: 6 }, [['auc', 0.91, 0]]);
    const b = version({ lr: 0.1, depth: 6, dropout: 0.2 }, [['auc', 0.86, 0]], 'b'.repeat(40));
    const all = compareVersions(a, b, false);
    expect(all.find((r) => r.key === 'depth')).toEqual({ section: 'Parameters', key: 'depth', a: '6', b: '6', differs: false });
    expect(all.find((r) => r.key === 'dropout')).toMatchObject({ a: '—', b: '0.2', differs: true });
    const differing = compareVersions(a, b, true);
    expect(differing.map((r) => `${r.section}/${r.key}`)).toEqual([
      'Parameters/dropout',
      'Parameters/lr',
      'Reproducibility/code commit',
      'Metrics/auc · VALIDATION',
    ]);
    expect(compareVersions(a, a, true)).toEqual([]);
  });
});
