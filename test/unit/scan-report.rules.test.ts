import {
  blocks,
  MAX_GATE_PATHS,
  MAX_REASON,
  reasonOf,
  scanGate,
  scannedEvent,
  storable,
  tapFailedReport,
  type FlaggedFile,
  type ScanSummary,
} from '../../src/modules/artifacts/scan/report.rules';
import { SCANNER_VERSION, type PickleImport, type ScanFinding } from '../../src/modules/artifacts/scan/scan.rules';

const summary = (over: Partial<ScanSummary> = {}): ScanSummary => ({
  verdict: 'CLEAN',
  files: 3,
  filesScanned: 3,
  filesNotScanned: 0,
  dangerousFiles: 0,
  suspiciousFiles: 0,
  scannerVersions: [SCANNER_VERSION],
  scannedAt: new Date(0),
  ...over,
});

const imp = (module: string, name: string, verdict: PickleImport['verdict']): PickleImport => ({
  module,
  name,
  verdict,
  rule: '',
  why: '',
  opcodes: ['GLOBAL'],
  calledBy: ['REDUCE'],
  count: 1,
  offset: 2,
});
const finding = (code: ScanFinding['code'], severity: ScanFinding['severity'], message = 'm'): ScanFinding => ({ code, severity, message });

describe('reasonOf', () => {
  test('names the worst import first, else the worst finding, clean when CLEAN', () => {
    expect(reasonOf({ verdict: 'CLEAN', imports: [], findings: [] })).toBe('clean');
    expect(
      reasonOf({
        verdict: 'DANGEROUS',
        imports: [imp('collections', 'OrderedDict', 'SAFE'), imp('os', 'system', 'DANGEROUS')],
        findings: [finding('PICKLE_IMPORT_DANGEROUS', 'DANGEROUS')],
      }),
    ).toBe('imports os.system');
    expect(
      reasonOf({ verdict: 'SUSPICIOUS', imports: [], findings: [finding('SAFETENSORS_GAP', 'SUSPICIOUS', 'bytes no tensor owns')] }),
    ).toBe('SAFETENSORS_GAP: bytes no tensor owns');
  });

  test('is bounded and storable (no NUL, no lone surrogate)', () => {
    const reason = reasonOf({ verdict: 'DANGEROUS', imports: [imp('o\0s', 'x\ud800'.repeat(400), 'DANGEROUS')], findings: [] });
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON);
    expect(reason).not.toMatch(/\0|[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

test('storable replaces what jsonb refuses and keeps the rest', () => {
  const value = { a: ['ok \u{1F600}', 'nul\0', 'lone\udc00'], n: 3, nested: { s: '\ud83d' } };
  expect(storable(value)).toEqual({ a: ['ok \u{1F600}', 'nul\ufffd', 'lone\ufffd'], n: 3, nested: { s: '\ufffd' } });
});

test('blocks: DANGEROUS blocks DANGEROUS only; SUSPICIOUS blocks both', () => {
  expect([blocks('DANGEROUS', 'DANGEROUS'), blocks('SUSPICIOUS', 'DANGEROUS'), blocks('CLEAN', 'DANGEROUS')]).toEqual([true, false, false]);
  expect([blocks('DANGEROUS', 'SUSPICIOUS'), blocks('SUSPICIOUS', 'SUSPICIOUS'), blocks('CLEAN', 'SUSPICIOUS')]).toEqual([
    true,
    true,
    false,
  ]);
});

describe('scanGate', () => {
  const evil: FlaggedFile = { path: 'weights/model.pkl', verdict: 'DANGEROUS', reason: 'imports os.system' };
  const odd: FlaggedFile = { path: 'extra.pkl', verdict: 'SUSPICIOUS', reason: 'imports mylib.Thing' };

  test('passes when nothing is as bad as the block, saying what was scanned', () => {
    expect(scanGate({ block: 'DANGEROUS', requireScanned: false }, summary({ verdict: 'SUSPICIOUS', suspiciousFiles: 1 }), [], [])).toEqual(
      {
        gate: 'SCANNED',
        passed: true,
        detail: '3 of 3 files scanned, none DANGEROUS (worst: SUSPICIOUS)',
      },
    );
    expect(scanGate({ block: 'DANGEROUS', requireScanned: false }, summary({ filesScanned: 2, filesNotScanned: 1 }), [], []).detail).toBe(
      '2 of 3 files scanned, none DANGEROUS; 1 not scanned (requireScanned is off)',
    );
  });

  test('fails on a DANGEROUS file, naming it and its worst import', () => {
    expect(
      scanGate({ block: 'DANGEROUS', requireScanned: false }, summary({ verdict: 'DANGEROUS', dangerousFiles: 1 }), [evil], []),
    ).toEqual({
      gate: 'SCANNED',
      passed: false,
      detail: '1 file DANGEROUS: weights/model.pkl: DANGEROUS (imports os.system)',
    });
  });

  test('block SUSPICIOUS counts both; requireScanned names the unscanned files', () => {
    const result = scanGate(
      { block: 'SUSPICIOUS', requireScanned: true },
      summary({ verdict: 'DANGEROUS', dangerousFiles: 1, suspiciousFiles: 1, files: 4, filesScanned: 3, filesNotScanned: 1 }),
      [evil, odd],
      ['README.md'],
    );
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      '2 files SUSPICIOUS or DANGEROUS, 1 file not scanned: weights/model.pkl: DANGEROUS (imports os.system); extra.pkl: SUSPICIOUS (imports mylib.Thing); README.md: not scanned',
    );
  });

  test('names the first 10 files and counts the rest', () => {
    const many = Array.from({ length: MAX_GATE_PATHS }, (_, i) => ({ ...evil, path: `shard-${i}.pkl` }));
    const result = scanGate(
      { block: 'DANGEROUS', requireScanned: false },
      summary({ files: 25, filesScanned: 25, dangerousFiles: 25 }),
      many,
      [],
    );
    expect(result.detail).toMatch(/^25 files DANGEROUS: shard-0\.pkl: DANGEROUS \(imports os\.system\);.*shard-9\.pkl[^;]*; and 15 more$/);
  });

  test('a version with no report fails requireScanned only', () => {
    const none = summary({ verdict: null, files: 1, filesScanned: 0, filesNotScanned: 1 });
    expect(scanGate({ block: 'DANGEROUS', requireScanned: false }, none, [], []).passed).toBe(true);
    expect(scanGate({ block: 'DANGEROUS', requireScanned: true }, none, [], ['artifact'])).toEqual({
      gate: 'SCANNED',
      passed: false,
      detail: '1 file not scanned: artifact: not scanned',
    });
  });
});

test('scannedEvent: the summary and at most 20 paths of each verdict, rescan only when it is one', () => {
  const dangerous = Array.from({ length: 30 }, (_, i) => ({ path: `d${i}`, verdict: 'DANGEROUS' as const, reason: 'imports os.system' }));
  const event = scannedEvent('v', summary({ files: 31, filesScanned: 31, dangerousFiles: 30, verdict: 'DANGEROUS' }), dangerous, [], false);
  expect(event).toMatchObject({
    versionId: 'v',
    files: 31,
    verdicts: { DANGEROUS: 30, SUSPICIOUS: 0, CLEAN: 1 },
    verdict: 'DANGEROUS',
    scannerVersion: SCANNER_VERSION,
  });
  expect(event.dangerous).toHaveLength(20);
  expect(event).not.toHaveProperty('rescan');
  expect(scannedEvent('v', summary(), [], [], true)).toMatchObject({ rescan: true });
});

test('a failed tap is stored as a DANGEROUS SCANNER_ERROR of the current scanner', () => {
  expect(tapFailedReport('a.pkl', 'boom', 10)).toMatchObject({
    path: 'a.pkl',
    verdict: 'DANGEROUS',
    scannerVersion: SCANNER_VERSION,
    bytesScanned: 10,
    findings: [{ code: 'SCANNER_ERROR', severity: 'DANGEROUS' }],
  });
});
