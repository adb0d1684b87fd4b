import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ArtifactStatus } from '../../src/modules/versions/version.enums';
import {
  comparePaths,
  manifestStatus,
  MAX_FILES,
  normalisePath,
  rootDigest,
  validateManifest,
  type ManifestFileInput,
} from '../../src/modules/versions/manifest.rules';
import { expectBadInput } from './bad-input';

const SHA = (c: string) => c.repeat(64).slice(0, 64);
const file = (path: string, extra: Partial<ManifestFileInput> = {}): ManifestFileInput => ({ path, sizeBytes: 10, ...extra });

describe('normalisePath: paths as OMS canonicalises them, bounded', () => {
  test.each([
    ['MLmodel', 'MLmodel'],
    ['weights/model-00001-of-00002.safetensors', 'weights/model-00001-of-00002.safetensors'],
    ['./config.json', 'config.json'],
    ['subdir/./weights.bin', 'subdir/weights.bin'],
    ['subdir//file', 'subdir/file'],
    ['.//a/.//b', 'a/b'],
    ['Model.bin', 'Model.bin'], // case is kept: Model.bin and model.bin are two files
    ['données/modèle €.pkl', 'données/modèle €.pkl'],
    ['.hidden', '.hidden'],
    ['a..b/..c', 'a..b/..c'], // dots inside a name are a name
    ['sub/model.sig', 'sub/model.sig'], // reserved only at the root
    ['x'.repeat(255), 'x'.repeat(255)],
  ])('%j is kept as %j', (raw, normal) => {
    expect(normalisePath(raw, 'path')).toBe(normal);
  });

  test.each([
    ['', 'empty'],
    ['/etc/passwd', 'no leading /'],
    ['weights/', 'not a folder'],
    ['weights/.', 'not a folder'],
    ['.', 'not a folder'],
    ['./', 'not a folder'],
    ['../model.pkl', '..'],
    ['a/../../b', '..'],
    ['a/..', '..'],
    ['a\\b', 'not \\'],
    ['a\u0000b', 'control'],
    ['a\nb', 'control'],
    ['a\u007fb', 'control'],
    ['a\u0085b', 'control'],
    ['a\u202eb', 'bidirectional'],
    ['a\ud800b', 'UTF-8'],
    ['a\udc00', 'UTF-8'],
    ['x'.repeat(256), '255 bytes'],
    ['é'.repeat(128), '255 bytes'], // 256 bytes in 128 characters
    [Array.from({ length: 5 }, () => 'y'.repeat(205)).join('/'), '1024 bytes'],
    ['model.sig', 'reserved'],
    ['./model.sig', 'reserved'],
  ])('%j is refused (%s)', (raw, why) => {
    expect(expectBadInput(() => normalisePath(raw, 'artifact.files[3].path'), 'artifact.files[3].path').message).toContain(why);
  });

  test('a path of exactly 1,024 bytes is kept', () => {
    const path = Array.from({ length: 4 }, () => 'z'.repeat(200)).join('/') + '/' + 'z'.repeat(1024 - 4 * 201);
    expect(Buffer.byteLength(path)).toBe(1024);
    expect(normalisePath(path, 'path')).toBe(path);
  });

  test('whatever it is given: a normal path (idempotent, no empty, . or .. segment, bounded) or BAD_USER_INPUT', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', 'model.pkl', 'MLmodel', 'a', 'é', '\\', '\u0000', '\ud800'),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        const raw = segments.join('/');
        let normal: string;
        try {
          normal = normalisePath(raw, 'p');
        } catch (err) {
          expect((err as { code?: string }).code).toBe('BAD_USER_INPUT');
          return;
        }
        expect(normalisePath(normal, 'p')).toBe(normal);
        expect(normal.split('/').every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
        expect(Buffer.byteLength(normal)).toBeLessThanOrEqual(1024);
        // eslint-disable-next-line no-control-regex -- control characters are what must not be left
        expect(/[\u0000-\u001f\\]/.test(normal)).toBe(false);
      }),
    );
  });
});

describe('validateManifest', () => {
  test('an MLflow model: normalised, in the order given, digests optional', () => {
    expect(
      validateManifest([
        file('MLmodel', { sha256: SHA('a') }),
        file('./conda.yaml', { sizeBytes: 0 }),
        file('model.pkl', { sha256: SHA('b') }),
      ]),
    ).toEqual([
      { path: 'MLmodel', sizeBytes: 10, sha256: SHA('a') },
      { path: 'conda.yaml', sizeBytes: 0, sha256: null },
      { path: 'model.pkl', sizeBytes: 10, sha256: SHA('b') },
    ]);
  });

  test.each<[string, ManifestFileInput[], string, string]>([
    ['no files', [], 'artifact.files', 'at least one'],
    ['a bad path, named by its index', [file('a'), file('b'), file('c'), file('../d')], 'artifact.files[3].path', '..'],
    ['the same path twice', [file('a/b'), file('c'), file('a//b')], 'artifact.files[2].path', 'artifact.files[0].path'],
    ['a file that is also a folder', [file('weights'), file('weights/shard-1.bin')], 'artifact.files[1].path', 'weights/'],
    ['a folder that is also a file', [file('weights/shard-1.bin'), file('weights')], 'artifact.files[0].path', 'artifact.files[1].path'],
    ['a negative size', [file('a', { sizeBytes: -1 })], 'artifact.files[0].sizeBytes', 'non-negative'],
    ['a fractional size', [file('a', { sizeBytes: 1.5 })], 'artifact.files[0].sizeBytes', 'non-negative'],
    ['an upper-case digest', [file('a', { sha256: SHA('A') })], 'artifact.files[0].sha256', 'lowercase'],
    ['a short digest', [file('a', { sha256: 'abc' })], 'artifact.files[0].sha256', '64'],
    ['the signature bundle', [file('model.sig')], 'artifact.files[0].path', 'reserved'],
    [
      'sizes past what can be counted',
      [file('a', { sizeBytes: Number.MAX_SAFE_INTEGER }), file('b', { sizeBytes: 1 })],
      'artifact.files[1].sizeBytes',
      'add up',
    ],
  ])('%s is refused', (_what, files, field, why) => {
    expect(expectBadInput(() => validateManifest(files), field).message).toContain(why);
  });

  test(`at most ${MAX_FILES} files`, () => {
    const files = Array.from({ length: MAX_FILES }, (_, i) => file(`shard-${i}.bin`));
    expect(validateManifest(files)).toHaveLength(MAX_FILES);
    expect(expectBadInput(() => validateManifest([...files, file('one-more')]), 'artifact.files').message).toContain('10,000');
  });

  test('paths that differ only in case are two files', () => {
    expect(validateManifest([file('Model.bin'), file('model.bin')]).map((f) => f.path)).toEqual(['Model.bin', 'model.bin']);
  });
});

describe('rootDigest: the OMS subject digest (spec v1.0, 6.5.1)', () => {
  test('the spec’s test vector: test-vectors/v1.0/valid/key.bundle.json signs signme-1 and signme-2 under this subject', () => {
    const resources = [
      { path: 'signme-2', sha256: '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028' },
      { path: 'signme-1', sha256: 'bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc' },
    ];
    expect(rootDigest(resources)).toBe('92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
  });

  test('sha256 over the raw digests in code point order, whatever order they come in', () => {
    const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
    const entry = fc.record({ path: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), sha256: digest });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.path, minLength: 1, maxLength: 20 }), (entries) => {
        const byCodePoint = [...entries].sort((a, b) => {
          const [x, y] = [[...a.path].map((c) => c.codePointAt(0)!), [...b.path].map((c) => c.codePointAt(0)!)];
          for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
          return x.length - y.length;
        });
        const expected = createHash('sha256')
          .update(Buffer.concat(byCodePoint.map((e) => Buffer.from(e.sha256, 'hex'))))
          .digest('hex');
        expect(rootDigest(entries)).toBe(expected);
        expect(rootDigest([...entries].reverse())).toBe(expected);
      }),
    );
  });

  test('code point order, not UTF-16 order: U+FF5E sorts before U+1F600', () => {
    expect(comparePaths('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false); // what a plain sort would get wrong
  });
});

describe('manifestStatus: the artifact’s status from its files’', () => {
  const { READY, FAILED, PENDING_UPLOAD, COLD, DELETED } = ArtifactStatus;
  test.each<[Partial<Record<ArtifactStatus, number>>, ArtifactStatus]>([
    [{ READY: 3 }, READY],
    [{ READY: 2, PENDING_UPLOAD: 1 }, PENDING_UPLOAD],
    [{ READY: 2, FAILED: 1 }, FAILED],
    [{ PENDING_UPLOAD: 2, FAILED: 1 }, FAILED],
    [{ COLD: 3 }, COLD],
    [{ COLD: 2, READY: 1 }, READY], // moving: COLD only once every file is
    [{ DELETED: 2 }, DELETED],
    [{ DELETED: 1, COLD: 1 }, COLD],
    [{}, PENDING_UPLOAD],
  ])('%j → %s', (counts, status) => {
    expect(manifestStatus(counts)).toBe(status);
  });
  test('no file status of another kind is lost', () => {
    expect([READY, FAILED, PENDING_UPLOAD, COLD, DELETED].every((s) => manifestStatus({ [s]: 1 }) === s)).toBe(true);
  });
});
