/** The client's and the CLI's pure parts: what they read from files, flags and CI variables, and what they compute. */
import fc from 'fast-check';
import { UsageError } from '../../clients/typescript/src/cli/command';
import { mermaidOf } from '../../clients/typescript/src/cli/commands/graph';
import { parseDuration } from '../../clients/typescript/src/cli/duration';
import { parseMetrics } from '../../clients/typescript/src/cli/metrics-file';
import { ciRunKey, reproducibilityOf } from '../../clients/typescript/src/cli/reproducibility';
import { codeOfStatus, errorOf, exitCodeOf, ModelgraphError } from '../../clients/typescript/src/errors';
import { comparePaths as clientComparePaths, rootDigest as clientRootDigest } from '../../clients/typescript/src/files';
import { comparePaths, rootDigest } from '../../src/modules/versions/manifest.rules';

describe('the client computes what the registry computes', () => {
  const file = fc.record({
    path: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
    sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  });
  it("a folder's root digest, and the path order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(file, { selector: (f) => f.path, maxLength: 20 }), (files) => {
        expect(clientRootDigest(files)).toBe(rootDigest(files));
        const paths = files.map((f) => f.path);
        expect([...paths].sort(clientComparePaths)).toEqual([...paths].sort(comparePaths));
      }),
    );
  });
});

describe('metric files', () => {
  it('reads a JSON object, a JSON list and a CSV with a header', () => {
    expect(parseMetrics('{"auc": 0.9, "loss": 0.2}', 'auto', 'VALIDATION')).toEqual([
      { name: 'auc', value: 0.9, source: 'VALIDATION', step: undefined, slice: undefined },
      { name: 'loss', value: 0.2, source: 'VALIDATION', step: undefined, slice: undefined },
    ]);
    expect(parseMetrics('{"metrics": [{"name": "f1", "value": 0.8, "step": 3, "source": "test"}]}', 'auto', 'VALIDATION')).toEqual([
      { name: 'f1', value: 0.8, step: 3, source: 'TEST', slice: undefined },
    ]);
    expect(parseMetrics('name,value,slice\nauc,0.91,eu\n\nauc,0.88,us\n', 'csv', 'TRAINING')).toEqual([
      { name: 'auc', value: 0.91, slice: 'eu', source: 'TRAINING', step: undefined },
      { name: 'auc', value: 0.88, slice: 'us', source: 'TRAINING', step: undefined },
    ]);
    // A file that is not JSON is read as CSV.
    expect(parseMetrics('name,value\nauc,1', 'auto', 'VALIDATION')).toHaveLength(1);
  });

  it('refuses, naming where, a point that is not one', () => {
    const refusal = (text: string, format: 'csv' | 'auto' = 'auto', source = 'VALIDATION') => {
      try {
        parseMetrics(text, format, source);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal('[{"name":"auc","value":"NaN"}]')).toBe("[0]: auc's value is not a finite number");
    expect(refusal('[{"value":1}]')).toBe('[0]: a point needs a name');
    expect(refusal('[{"name":"a","value":1,"step":1.5}]')).toBe("[0]: a's step is not an integer");
    expect(refusal('name,value\nauc,0.9,extra', 'csv')).toBe('line 2: 3 cells, the header has 2');
    expect(refusal('metric,score\nauc,0.9', 'csv')).toBe('the CSV header must name the columns name and value');
    expect(refusal('{"auc":1}', 'auto', 'LIVE')).toBe(
      '--source: source must be one of TRAINING, VALIDATION, TEST, PRODUCTION (got "LIVE")',
    );
  });
});

describe('durations', () => {
  it('reads 30m, 90s, 1h, 500ms and bare seconds; refuses anything else', () => {
    expect([parseDuration('30m'), parseDuration('90s'), parseDuration('1h'), parseDuration('500ms'), parseDuration('2')]).toEqual([
      1_800_000, 90_000, 3_600_000, 500, 2000,
    ]);
    expect(() => parseDuration('soon')).toThrow('not a duration: "soon"');
    expect(() => parseDuration('-1s')).toThrow(UsageError);
  });
});

describe('the reproducibility tuple', () => {
  const noGit = () => undefined;
  const image = 'ghcr.io/acme/train@sha256:' + 'a'.repeat(64);
  it('takes flags first, then the CI variables, then git', () => {
    const gitAnswers = (...args: string[]) => (args[0] === 'rev-parse' ? 'f'.repeat(40) : 'git@github.com:acme/local.git');
    expect(reproducibilityOf({ 'image-digest': image }, {}, gitAnswers)).toMatchObject({
      code: { commit: 'f'.repeat(40), repo: 'git@github.com:acme/local.git' },
      runKey: undefined,
    });
    const github = {
      GITHUB_SHA: '1'.repeat(40),
      GITHUB_REPOSITORY: 'acme/churn',
      GITHUB_RUN_ID: '99',
      GITHUB_RUN_ATTEMPT: '2',
      MODELGRAPH_IMAGE_DIGEST: image,
    };
    expect(reproducibilityOf({}, github, gitAnswers)).toMatchObject({
      code: { commit: '1'.repeat(40), repo: 'https://github.com/acme/churn' },
      environment: { imageDigest: image },
      trainingRunId: '99',
      runKey: 'github:acme/churn:99',
    });
    const gitlab = {
      CI_COMMIT_SHA: '2'.repeat(40),
      CI_PROJECT_URL: 'https://gitlab.example/ml/churn',
      CI_PIPELINE_ID: '7',
      CI_PROJECT_PATH: 'ml/churn',
    };
    expect(reproducibilityOf({ commit: '3'.repeat(40), 'image-digest': image }, gitlab, noGit)).toMatchObject({
      code: { commit: '3'.repeat(40), repo: 'https://gitlab.example/ml/churn' },
      runKey: 'gitlab:ml/churn:7',
    });
  });

  it('types parameters, and refuses a tuple it cannot complete', () => {
    const values = { commit: 'c'.repeat(40), repo: 'r', 'image-digest': image, param: ['lr=0.01', 'epochs=3', 'amp=true', 'opt=adam'] };
    expect(reproducibilityOf(values, {}, noGit).hyperparameters).toEqual({ lr: 0.01, epochs: 3, amp: true, opt: 'adam' });
    expect(() => reproducibilityOf({ repo: 'r', 'image-digest': image }, {}, noGit)).toThrow('no commit');
    expect(() => reproducibilityOf({ commit: 'c', 'image-digest': image }, {}, noGit)).toThrow('no repository');
    expect(() => reproducibilityOf({ commit: 'c', repo: 'r' }, {}, noGit)).toThrow('no environment');
    expect(() => reproducibilityOf({ ...values, param: ['=1'] }, {}, noGit)).toThrow('--param takes <key>=<value>');
  });

  it('keys a run the same on a retry and a re-run attempt, and differently on another run', () => {
    expect(ciRunKey({ GITHUB_RUN_ID: '5', GITHUB_RUN_ATTEMPT: '1' })).toBe(ciRunKey({ GITHUB_RUN_ID: '5', GITHUB_RUN_ATTEMPT: '2' }));
    expect(ciRunKey({ GITHUB_RUN_ID: '5' })).not.toBe(ciRunKey({ GITHUB_RUN_ID: '6' }));
    expect(ciRunKey({})).toBeUndefined();
  });
});

describe('errors and exit codes', () => {
  it('maps each documented code', () => {
    const exit = (code: ConstructorParameters<typeof ModelgraphError>[0]) => exitCodeOf(new ModelgraphError(code, ''));
    expect([exit('GATE_FAILED'), exit('CONFLICT'), exit('INVALID_TRANSITION'), exit('TIMED_OUT')]).toEqual([3, 4, 4, 5]);
    expect([exit('UNAUTHENTICATED'), exit('FORBIDDEN'), exit('NOT_FOUND'), exit('BAD_USER_INPUT'), exit('NETWORK_ERROR')]).toEqual([
      6, 6, 7, 1, 1,
    ]);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });

  it("reads an answer's first error, or its HTTP status when it has no code", () => {
    const error = errorOf(
      {
        errors: [
          { message: 'gates failed', extensions: { code: 'GATE_FAILED', gates: [{ gate: 'VALIDATION', passed: false, detail: 'x' }] } },
        ],
      },
      200,
    );
    expect(error).toMatchObject({ code: 'GATE_FAILED', message: 'gates failed', status: 200 });
    expect(error.gates).toEqual([{ gate: 'VALIDATION', passed: false, detail: 'x' }]);
    expect(errorOf({ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } }] }).field).toBe('input.name');
    expect(errorOf({ errors: [{ message: 'busy' }] }, 503)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(errorOf('<html>', 502).code).toBe('BAD_RESPONSE');
    expect([401, 403, 404, 409, 429, 400, 500].map(codeOfStatus)).toEqual([
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'RATE_LIMITED',
      'BAD_USER_INPUT',
      'INTERNAL_SERVER_ERROR',
    ]);
  });
});

describe('lineage as Mermaid', () => {
  it('draws nodes by kind and name (quotes escaped) and only the edges between them', () => {
    const graph = {
      truncated: false,
      nodes: [
        { depth: 0, node: { id: 'v', kind: 'MODEL_VERSION' as const, name: 'churn@1' } },
        { depth: 1, node: { id: 'd', kind: 'DATASET_VERSION' as const, name: 'users "v7"' } },
      ],
      edges: [
        { id: 'e1', from: 'd', to: 'v', relation: 'TRAINED_ON' as const },
        { id: 'e2', from: 'x', to: 'v', relation: 'BUILT_FROM' as const },
      ],
    };
    // The same drawing whatever order the walk answered in.
    expect(mermaidOf({ ...graph, nodes: [...graph.nodes].reverse(), edges: [...graph.edges].reverse() })).toBe(mermaidOf(graph));
    expect(mermaidOf(graph)).toBe(
      'flowchart LR\n  n0["MODEL_VERSION: churn@1"]\n  n1["DATASET_VERSION: users #quot;v7#quot;"]\n  n1 -- TRAINED_ON --> n0',
    );
  });
});
