import type { ImportVerdict, ScanFormat, ScanVerdict } from '../../src/modules/artifacts/scan/scan.rules';
import { fixture, fixtureNames, scanBytes, seededSizes, summary } from './scan-support';

// Every fixture of test/fixtures/scan (made by make-fixtures.py beside them): its format, its findings (code and
// severity, worst first), the globals it imports with their classification; and the same report however it is cut.

interface Expected {
  format: ScanFormat;
  verdict: ScanVerdict;
  codes: string[];
  imports?: Record<string, ImportVerdict>;
}

const SKLEARN_LOGISTIC = {
  'sklearn.linear_model._logistic.LogisticRegression': 'SAFE',
  'numpy.core.multiarray._reconstruct': 'SAFE',
  'numpy.ndarray': 'SAFE',
  'numpy.dtype': 'SAFE',
} as const;
const TORCH = { 'collections.OrderedDict': 'SAFE', 'torch._utils._rebuild_tensor_v2': 'SAFE', 'torch.FloatStorage': 'SAFE' } as const;
const JOBLIB = { 'joblib.numpy_pickle.NumpyArrayWrapper': 'SAFE', 'numpy.ndarray': 'SAFE', 'numpy.dtype': 'SAFE' } as const;

const EXPECTED: Record<string, Expected> = {
  // Benign pickles: scikit-learn-like, numpy-like, torch-like, standard library.
  'sklearn-logistic-p4.pkl': { format: 'PICKLE', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO'], imports: SKLEARN_LOGISTIC },
  'sklearn-pipeline-p2.pkl': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO'],
    imports: {
      'sklearn.pipeline.Pipeline': 'SAFE',
      'sklearn.preprocessing._data.StandardScaler': 'SAFE',
      '_codecs.encode': 'SAFE',
      ...SKLEARN_LOGISTIC,
    },
  },
  'sklearn-tree-p0.pkl': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO'],
    imports: {
      'copy_reg._reconstructor': 'SAFE',
      'sklearn.tree._classes.DecisionTreeClassifier': 'SAFE',
      '__builtin__.object': 'SAFE',
      'numpy.core.multiarray._reconstruct': 'SAFE',
      'numpy.ndarray': 'SAFE',
      '_codecs.encode': 'SAFE',
      'numpy.dtype': 'SAFE',
      'sklearn.tree._tree.Tree': 'SAFE',
    },
  },
  'numpy-array-p2.pkl': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO'],
    imports: { 'numpy.core.multiarray._reconstruct': 'SAFE', 'numpy.ndarray': 'SAFE', '_codecs.encode': 'SAFE', 'numpy.dtype': 'SAFE' },
  },
  'numpy-array-p5.pkl': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO'],
    imports: { 'numpy.core.numeric._frombuffer': 'SAFE', 'numpy.dtype': 'SAFE' },
  },
  'collections-p4.pkl': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO'],
    imports: { 'collections.OrderedDict': 'SAFE', 'builtins.bytearray': 'SAFE', 'builtins.slice': 'SAFE', 'builtins.complex': 'SAFE' },
  },
  'numbers-p4.pkl': { format: 'PICKLE', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO'], imports: {} },
  'legacy-torch.pt': { format: 'PICKLE', verdict: 'CLEAN', codes: ['PICKLE_LEGACY_TORCH:INFO', 'PICKLE_SUMMARY:INFO'], imports: TORCH },

  // joblib: several pickles in one file, inline arrays, compression.
  'joblib-two-pickles.joblib': { format: 'PICKLE', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO'], imports: SKLEARN_LOGISTIC },
  'joblib-second-evil.joblib': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'joblib-arrays.joblib': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['JOBLIB_ARRAY:INFO', 'JOBLIB_ARRAY:INFO', 'JOBLIB_ARRAY:INFO', 'PICKLE_SUMMARY:INFO'],
    imports: JOBLIB,
  },
  'joblib-object-evil.joblib': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    // Three arrays, and the bytes after the last wrapper read as plain pickle.load reads them.
    codes: [
      'PICKLE_IMPORT_DANGEROUS:DANGEROUS',
      'JOBLIB_ARRAY:INFO',
      'JOBLIB_ARRAY:INFO',
      'JOBLIB_ARRAY:INFO',
      'JOBLIB_ARRAY:INFO',
      'PICKLE_SUMMARY:INFO',
    ],
    imports: { ...JOBLIB, 'os.system': 'DANGEROUS' },
  },
  'joblib-zlib.joblib': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['COMPRESSED:INFO', 'JOBLIB_ARRAY:INFO', 'JOBLIB_ARRAY:INFO', 'JOBLIB_ARRAY:INFO', 'PICKLE_SUMMARY:INFO'],
    imports: JOBLIB,
  },
  'joblib-xz.joblib': { format: 'UNKNOWN', verdict: 'DANGEROUS', codes: ['COMPRESSED_UNSCANNABLE:DANGEROUS'], imports: {} },
  'sklearn-logistic.pkl.gz': {
    format: 'PICKLE',
    verdict: 'CLEAN',
    codes: ['COMPRESSED:INFO', 'PICKLE_SUMMARY:INFO'],
    imports: SKLEARN_LOGISTIC,
  },
  'evil.pkl.gz': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'COMPRESSED:INFO', 'PICKLE_SUMMARY:INFO'],
    imports: { 'builtins.eval': 'DANGEROUS' },
  },

  // PyTorch-style zips.
  'torch-stored.pt': { format: 'PYTORCH_ZIP', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'], imports: TORCH },
  'torch-deflated.pt': { format: 'PYTORCH_ZIP', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'], imports: TORCH },
  'torch-descriptor.pt': { format: 'PYTORCH_ZIP', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'], imports: TORCH },
  'torch-stored-descriptor.pt': {
    format: 'PYTORCH_ZIP',
    verdict: 'CLEAN',
    codes: ['PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'],
    imports: TORCH,
  },
  'torch-malicious.pt': {
    format: 'PYTORCH_ZIP',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'torch-truncated.pt': {
    format: 'PYTORCH_ZIP',
    verdict: 'SUSPICIOUS',
    codes: ['ZIP_TRUNCATED:SUSPICIOUS', 'PICKLE_SUMMARY:INFO'],
    imports: TORCH,
  },
  'zip-hidden-entry.pt': {
    format: 'PYTORCH_ZIP',
    verdict: 'DANGEROUS',
    codes: ['ZIP_HIDDEN_ENTRY:DANGEROUS', 'PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'],
    imports: TORCH,
  },
  'zip-bomb.zip': { format: 'PYTORCH_ZIP', verdict: 'CLEAN', codes: ['PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'], imports: {} },
  'zip-size-lie.zip': {
    format: 'PYTORCH_ZIP',
    verdict: 'SUSPICIOUS',
    codes: ['ZIP_SIZE_MISMATCH:SUSPICIOUS', 'ZIP_SUMMARY:INFO'],
    imports: {},
  },

  // numpy.
  'array.npy': { format: 'NUMPY', verdict: 'CLEAN', codes: [] },
  'array-short.npy': { format: 'NUMPY', verdict: 'SUSPICIOUS', codes: ['NPY_SIZE_MISMATCH:SUSPICIOUS'] },
  'arrays.npz': { format: 'ZIP', verdict: 'CLEAN', codes: ['ZIP_SUMMARY:INFO'] },
  'object-array.npz': {
    format: 'ZIP',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'NPY_OBJECT_ARRAY:INFO', 'PICKLE_SUMMARY:INFO', 'ZIP_SUMMARY:INFO'],
    imports: { 'builtins.eval': 'DANGEROUS' },
  },

  // safetensors.
  'valid.safetensors': { format: 'SAFETENSORS', verdict: 'CLEAN', codes: ['SAFETENSORS_SUMMARY:INFO'] },
  'gap.safetensors': { format: 'SAFETENSORS', verdict: 'SUSPICIOUS', codes: ['SAFETENSORS_GAP:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'] },
  'overlap.safetensors': {
    format: 'SAFETENSORS',
    verdict: 'SUSPICIOUS',
    codes: ['SAFETENSORS_OVERLAP:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'],
  },
  'past-end.safetensors': {
    format: 'SAFETENSORS',
    verdict: 'SUSPICIOUS',
    codes: ['SAFETENSORS_OUT_OF_BOUNDS:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'],
  },
  'trailing.safetensors': {
    format: 'SAFETENSORS',
    verdict: 'SUSPICIOUS',
    codes: ['SAFETENSORS_TRAILING_DATA:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'],
  },
  'size-mismatch.safetensors': {
    format: 'SAFETENSORS',
    verdict: 'SUSPICIOUS',
    codes: ['SAFETENSORS_SIZE_MISMATCH:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'],
  },
  'bad-json.safetensors': { format: 'SAFETENSORS', verdict: 'SUSPICIOUS', codes: ['SAFETENSORS_BAD_HEADER:SUSPICIOUS'] },
  'huge-header.safetensors': { format: 'SAFETENSORS', verdict: 'SUSPICIOUS', codes: ['SAFETENSORS_HEADER_TOO_LARGE:SUSPICIOUS'] },
  'truncated.safetensors': { format: 'SAFETENSORS', verdict: 'SUSPICIOUS', codes: ['SAFETENSORS_TRUNCATED:SUSPICIOUS'] },

  // Extension and content disagree.
  'pickle.safetensors': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['FORMAT_MISMATCH:DANGEROUS', 'PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'protocol0-pickle.safetensors': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['FORMAT_MISMATCH:DANGEROUS', 'PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'benign-pickle.safetensors': {
    format: 'PICKLE',
    verdict: 'SUSPICIOUS',
    codes: ['FORMAT_MISMATCH:SUSPICIOUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'collections.OrderedDict': 'SAFE' },
  },
  'safetensors-named.pkl': {
    format: 'SAFETENSORS',
    verdict: 'SUSPICIOUS',
    codes: ['FORMAT_MISMATCH:SUSPICIOUS', 'SAFETENSORS_SUMMARY:INFO'],
  },
  'evil.txt': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['FORMAT_MISMATCH:DANGEROUS', 'PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },

  // GGUF and ONNX headers.
  'tiny.gguf': { format: 'GGUF', verdict: 'CLEAN', codes: ['GGUF_SUMMARY:INFO'] },
  'gguf-bad-version.gguf': { format: 'GGUF', verdict: 'SUSPICIOUS', codes: ['GGUF_MALFORMED:SUSPICIOUS'] },
  'gguf-huge-count.gguf': { format: 'GGUF', verdict: 'SUSPICIOUS', codes: ['GGUF_MALFORMED:SUSPICIOUS'] },
  'gguf-truncated.gguf': { format: 'GGUF', verdict: 'SUSPICIOUS', codes: ['GGUF_TRUNCATED:SUSPICIOUS'] },
  'tiny.onnx': { format: 'ONNX', verdict: 'CLEAN', codes: ['ONNX_SUMMARY:INFO'] },
  'onnx-external-traversal.onnx': {
    format: 'ONNX',
    verdict: 'SUSPICIOUS',
    codes: ['ONNX_EXTERNAL_DATA_PATH:SUSPICIOUS', 'ONNX_SUMMARY:INFO'],
  },
  'onnx-truncated.onnx': { format: 'ONNX', verdict: 'SUSPICIOUS', codes: ['ONNX_TRUNCATED:SUSPICIOUS'] },

  // Pickles built to test the parser.
  'computed-name.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_UNNAMED:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'builtins.str': 'SAFE' },
  },
  'memo-names.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'py2-builtin-eval.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: { '__builtin__.eval': 'DANGEROUS' },
  },
  'dotted-name.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_IMPORT_SUSPICIOUS:SUSPICIOUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'collections.OrderedDict.__init__.__globals__': 'DANGEROUS', 'numpy.ndarray.tofile': 'SUSPICIOUS' },
  },
  'ext-code.pkl': {
    format: 'PICKLE',
    verdict: 'SUSPICIOUS',
    codes: ['PICKLE_EXTENSION_IMPORT:SUSPICIOUS', 'PICKLE_SUMMARY:INFO'],
    imports: {},
  },
  'long-name.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_UNNAMED:DANGEROUS', 'PICKLE_SUMMARY:INFO'],
    imports: {},
  },
  'unknown-global.pkl': {
    format: 'PICKLE',
    verdict: 'SUSPICIOUS',
    codes: ['PICKLE_IMPORT_SUSPICIOUS:SUSPICIOUS', 'PICKLE_SUMMARY:INFO'],
    imports: { 'mymodule.models.MyClassifier': 'SUSPICIOUS' },
  },
  'deep-marks.pkl': { format: 'PICKLE', verdict: 'DANGEROUS', codes: ['PICKLE_TOO_DEEP:DANGEROUS'], imports: {} },
  'deep-tuples.pkl': { format: 'PICKLE', verdict: 'DANGEROUS', codes: ['PICKLE_TOO_DEEP:DANGEROUS'], imports: {} },

  // Truncated, garbage, empty, text.
  'truncated.pkl': {
    format: 'PICKLE',
    verdict: 'SUSPICIOUS',
    codes: ['PICKLE_TRUNCATED:SUSPICIOUS'],
    imports: { 'sklearn.linear_model._logistic.LogisticRegression': 'SAFE' },
  },
  'truncated-evil.pkl': {
    format: 'PICKLE',
    verdict: 'DANGEROUS',
    codes: ['PICKLE_IMPORT_DANGEROUS:DANGEROUS', 'PICKLE_TRUNCATED:SUSPICIOUS'],
    imports: { 'os.system': 'DANGEROUS' },
  },
  'trailing-garbage.pkl': { format: 'PICKLE', verdict: 'CLEAN', codes: ['PICKLE_TRAILING_DATA:INFO', 'PICKLE_SUMMARY:INFO'], imports: {} },
  'garbage.pkl': { format: 'PICKLE', verdict: 'SUSPICIOUS', codes: ['PICKLE_MALFORMED:SUSPICIOUS'], imports: {} },
  'garbage.bin': { format: 'UNKNOWN', verdict: 'CLEAN', codes: [] },
  'empty.pkl': { format: 'UNKNOWN', verdict: 'CLEAN', codes: ['EMPTY_FILE:INFO'] },
  'readme.md': { format: 'TEXT', verdict: 'CLEAN', codes: [] },
  'vocab.txt': { format: 'TEXT', verdict: 'CLEAN', codes: [] },
  'config.json': { format: 'JSON', verdict: 'CLEAN', codes: [] },
  'bad.json': { format: 'TEXT', verdict: 'CLEAN', codes: ['JSON_INVALID:INFO'] },
};

const TOP = fixtureNames().filter((n) => !n.startsWith('paths/'));
const PATHS = fixtureNames('paths');

test('every fixture has its expectation here, and every expectation its fixture', () => {
  expect(TOP.sort()).toEqual(Object.keys(EXPECTED).sort());
  expect(PATHS.length).toBe(3 * (4 + 5 + 7 + 7));
});

describe.each(Object.entries(EXPECTED))('%s', (name, expected) => {
  const bytes = fixture(name);

  test('format, findings and imports', () => {
    const report = scanBytes(name, bytes);
    const got = summary(report);
    expect({ format: got.format, verdict: got.verdict, codes: got.codes }).toEqual({
      format: expected.format,
      verdict: expected.verdict,
      codes: expected.codes,
    });
    if (expected.imports) expect(got.imports).toEqual(expected.imports);
    expect(report.bytesScanned).toBe(bytes.length);
    expect(report.findings.some((f) => f.code === 'SCANNER_ERROR')).toBe(false);
  });

  test('the same report whatever the chunking', () => {
    const whole = scanBytes(name, bytes);
    for (const sizes of [[1], [2, 3, 5], [7], [64], seededSizes(bytes.length, 50, 97), seededSizes(21, 10, 4096)]) {
      expect(scanBytes(name, bytes, sizes)).toEqual(whole);
    }
  });
});

/** paths/<module>-<name>-<path>-p<protocol>.pkl: a call of os.system, builtins.eval or subprocess.Popen. */
describe('malicious pickles through each opcode path, in protocols 0, 2, 4 and 5', () => {
  const CALLED_BY: Record<string, string> = {
    'global-reduce': 'REDUCE',
    'stack-global-reduce': 'REDUCE',
    inst: 'INST',
    obj: 'OBJ',
    newobj: 'NEWOBJ',
    'newobj-ex': 'NEWOBJ_EX',
    'build-setstate': 'BUILD',
  };
  test.each(PATHS)('%s', (name) => {
    const m = /^paths\/(os|builtins|subprocess)-(system|eval|popen)-([a-z-]+)-p(\d)\.pkl$/.exec(name);
    expect(m).not.toBeNull();
    const [, module, lower, path, p] = m as unknown as [string, string, string, string, string];
    const protocol = Number(p);
    const global = `${module}.${lower === 'popen' ? 'Popen' : lower}`;
    const opcode =
      path === 'inst'
        ? 'INST'
        : path === 'global-reduce'
          ? 'GLOBAL'
          : path === 'stack-global-reduce' || protocol >= 4
            ? 'STACK_GLOBAL'
            : 'GLOBAL';
    const bytes = fixture(name);
    const report = scanBytes(name, bytes);
    expect(report.format).toBe('PICKLE');
    expect(report.verdict).toBe('DANGEROUS');
    const imported = report.imports.find((i) => `${i.module}.${i.name}` === global);
    expect(imported).toMatchObject({ verdict: 'DANGEROUS', opcodes: [opcode], calledBy: [CALLED_BY[path]] });
    const dangerous = report.findings.filter((f) => f.severity === 'DANGEROUS').map((f) => f.code);
    expect(dangerous).toEqual(
      path === 'build-setstate' ? ['PICKLE_SETSTATE_OVERRIDE', 'PICKLE_IMPORT_DANGEROUS'] : ['PICKLE_IMPORT_DANGEROUS'],
    );
    if (path === 'build-setstate')
      expect(report.imports.find((i) => i.name === 'OrderedDict')).toMatchObject({
        verdict: 'SAFE',
        calledBy: expect.arrayContaining(['BUILD']),
      });
    expect(report.findings.find((f) => f.code === 'PICKLE_SUMMARY')?.message).toContain(`protocol ${protocol}`);
    expect(scanBytes(name, bytes, [1])).toEqual(report);
  });
});

describe('what the reports say, in detail', () => {
  test('an import names where it is, how it was imported and what called it', () => {
    const report = scanBytes('joblib-second-evil.joblib', fixture('joblib-second-evil.joblib'));
    const evil = report.findings[0];
    expect(evil).toMatchObject({ code: 'PICKLE_IMPORT_DANGEROUS', severity: 'DANGEROUS' });
    expect(evil.message).toMatch(/^imports os\.system \(STACK_GLOBAL, called by REDUCE\): os\.\*, runs commands/);
    // The second pickle starts after the first one's STOP: the offset is in the file.
    expect(evil.offset).toBeGreaterThan(28);
    expect(report.findings.find((f) => f.code === 'PICKLE_SUMMARY')?.message).toBe('2 pickles (protocol 4), 23 opcodes');
  });

  test('inside a zip the entry is named, and offsets are in the entry', () => {
    const report = scanBytes('torch-malicious.pt', fixture('torch-malicious.pt'));
    expect(report.findings[0]).toMatchObject({ code: 'PICKLE_IMPORT_DANGEROUS', entry: 'archive/data.pkl', offset: 2 });
    expect(report.imports[0]).toMatchObject({ module: 'os', name: 'system', entry: 'archive/data.pkl', calledBy: ['REDUCE'] });
  });

  test('a hidden entry is named with the offset the central directory gives it', () => {
    const report = scanBytes('zip-hidden-entry.pt', fixture('zip-hidden-entry.pt'));
    expect(report.findings[0].message).toMatch(
      /^the central directory lists "archive\/data.pkl" at offset \d+, where the stream showed no local header/,
    );
  });

  test('a protocol 0 pickle in a .txt is found although nothing names it a pickle', () => {
    const report = scanBytes('notes.txt', fixture('evil.txt'));
    expect(report.findings[0]).toMatchObject({
      code: 'FORMAT_MISMATCH',
      severity: 'DANGEROUS',
      message: 'a .txt file whose content is PICKLE, importing dangerous globals',
    });
  });

  test('the same bytes under another name: the extension decides only what a mismatch is', () => {
    expect(summary(scanBytes('model.bin', fixture('pickle.safetensors'))).codes).toEqual([
      'PICKLE_IMPORT_DANGEROUS:DANGEROUS',
      'PICKLE_SUMMARY:INFO',
    ]);
    expect(summary(scanBytes('weights', fixture('valid.safetensors'))).format).toBe('SAFETENSORS');
    expect(summary(scanBytes('model.pt', fixture('torch-stored.pt'))).verdict).toBe('CLEAN');
    expect(summary(scanBytes('data.bin', fixture('garbage.bin'))).format).toBe('UNKNOWN');
  });

  test('a zip bomb: an entry inflating beyond maxInflatedBytes', () => {
    const report = scanBytes('zip-bomb.zip', fixture('zip-bomb.zip'), [], { limits: { maxInflatedBytes: 1024 ** 2 } });
    expect(summary(report).codes).toEqual(['ZIP_BOMB:DANGEROUS', 'ZIP_SUMMARY:INFO']);
    expect(report.findings[0].message).toBe('"archive/data.pkl" inflates beyond 1048576 bytes (maxInflatedBytes): not scanned further');
    // The same bound on a compressed joblib file.
    const zlibbed = scanBytes('model.joblib', fixture('joblib-zlib.joblib'), [], { limits: { maxInflatedBytes: 100 } });
    expect(summary(zlibbed).codes).toContain('ZIP_BOMB:DANGEROUS');
  });
});
