import { createHash } from 'node:crypto';
import {
  classifyImport,
  DEFAULT_SCAN_LIMITS,
  PICKLE_IMPORT_RULES,
  SCAN_FINDING_CODES,
  SCANNER_VERSION,
  verdictOf,
} from '../../src/modules/artifacts/scan/scan.rules';

/**
 * A stored scan report names the scanner version that made it, and `rescanArtifact` exists for when the rules
 * change. So the rules may not change without a new version: this fingerprint is of everything that decides a
 * report (the import lists, the default bounds, the finding codes). Changing any of them fails here until
 * SCANNER_VERSION is bumped and the new fingerprint recorded beside it.
 */
const FINGERPRINTS: Record<number, string> = {
  1: '09d9a10ae058fcce',
};

function fingerprint(): string {
  return createHash('sha256')
    .update(JSON.stringify({ rules: PICKLE_IMPORT_RULES, limits: DEFAULT_SCAN_LIMITS, codes: SCAN_FINDING_CODES }))
    .digest('hex')
    .slice(0, 16);
}

describe('scan rules', () => {
  it('change only with a new SCANNER_VERSION', () => {
    expect({ version: SCANNER_VERSION, fingerprint: fingerprint() }).toEqual({
      version: SCANNER_VERSION,
      fingerprint: FINGERPRINTS[SCANNER_VERSION],
    });
  });

  it.each([
    ['os', 'system', 'DANGEROUS'],
    ['posix', 'system', 'DANGEROUS'],
    ['nt', 'system', 'DANGEROUS'],
    ['subprocess', 'Popen', 'DANGEROUS'],
    ['builtins', 'eval', 'DANGEROUS'],
    ['builtins', 'exec', 'DANGEROUS'],
    ['builtins', '__import__', 'DANGEROUS'],
    ['__builtin__', 'eval', 'DANGEROUS'],
    ['socket', 'socket', 'DANGEROUS'],
    ['runpy', 'run_path', 'DANGEROUS'],
    ['webbrowser', 'open', 'DANGEROUS'],
    ['numpy.core.multiarray', '_reconstruct', 'SAFE'],
    ['collections', 'OrderedDict', 'SAFE'],
    ['sklearn.linear_model._logistic', 'LogisticRegression', 'SAFE'],
    ['torch._utils', '_rebuild_tensor_v2', 'SAFE'],
    ['mypackage.models', 'Thing', 'SUSPICIOUS'],
    ['numpy', 'ndarray.tofile', 'SUSPICIOUS'],
  ])('%s.%s is %s', (module, name, verdict) => {
    expect(classifyImport(module, name).verdict).toBe(verdict);
  });

  it('a report is as bad as its worst finding, INFO counting as clean', () => {
    expect(verdictOf([])).toBe('CLEAN');
    expect(verdictOf([{ code: 'FORMAT', severity: 'INFO', message: '' } as never])).toBe('CLEAN');
    expect(verdictOf([{ severity: 'SUSPICIOUS' } as never, { severity: 'DANGEROUS' } as never, { severity: 'INFO' } as never])).toBe(
      'DANGEROUS',
    );
  });
});
