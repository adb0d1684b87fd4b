import fc from 'fast-check';
import { verdictOf } from '../../src/modules/artifacts/scan/scan.rules';
import { cut, fixture, fixtureNames, scanBytes, scanPieces } from './scan-support';

// Whatever the bytes and however they are cut into chunks, the scanner never throws, never fails itself
// (SCANNER_ERROR), and gives the same report. SCAN_FUZZ_RUNS=20000 runs each property longer.

const RUNS = Number(process.env.SCAN_FUZZ_RUNS ?? 1500);

const NAMES = [
  'model.pkl',
  'model.joblib',
  'model.pt',
  'model.safetensors',
  'model.gguf',
  'model.onnx',
  'model.npy',
  'model.npz',
  'model.bin',
  'config.json',
  'notes.txt',
  'model',
  'model.pkl.gz',
];

/** First bytes that take the scanner into each parser. */
const PREFIXES: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from('PK\x03\x04', 'latin1'),
  Buffer.from('504b030414000000000000000000', 'hex'),
  Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'),
  Buffer.from([0x80, 0x04, 0x95]),
  Buffer.from([0x80, 0x02]),
  Buffer.from('(', 'latin1'),
  Buffer.from('cos\nsystem\n', 'latin1'),
  Buffer.concat([Buffer.from([0x20, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a":{"dtype":"F32",', 'latin1')]),
  Buffer.from('\x93NUMPY\x01\x00', 'latin1'),
  Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
  Buffer.from([0x78, 0x9c]),
  Buffer.from([0x08, 0x09, 0x12]),
];

const FIXTURE_BYTES = fixtureNames().map((name) => ({ name, bytes: fixture(name) }));

function check(name: string, bytes: Buffer, sizes: number[]): void {
  const whole = scanBytes(name, bytes);
  expect(whole.bytesScanned).toBe(bytes.length);
  expect(whole.findings.filter((f) => f.code === 'SCANNER_ERROR')).toEqual([]);
  expect(whole.verdict).toBe(verdictOf(whole.findings));
  expect(scanPieces(name, cut(bytes, sizes))).toEqual(whole);
}

const sizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 });

test('arbitrary bytes after each magic, cut arbitrarily', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...NAMES),
      fc.constantFrom(...PREFIXES),
      fc.uint8Array({ maxLength: 3000 }),
      sizes,
      (name, prefix, body, cuts) => {
        check(name, Buffer.concat([prefix, Buffer.from(body)]), cuts);
      },
    ),
    { numRuns: RUNS },
  );
});

test('fixtures with bytes changed, cut short or spliced, cut arbitrarily', () => {
  const mutation = fc.record({
    at: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
    flips: fc.nat({ max: 8 }),
    keep: fc.option(fc.nat(), { nil: undefined }),
    insert: fc.uint8Array({ maxLength: 16 }),
  });
  fc.assert(
    fc.property(fc.constantFrom(...FIXTURE_BYTES), fc.constantFrom(...NAMES), mutation, sizes, (f, otherName, m, cuts) => {
      const bytes = Buffer.from(f.bytes);
      if (bytes.length) {
        for (let i = 0; i < m.flips; i += 1) bytes[(m.at + i * 7919) % bytes.length] ^= m.xor;
      }
      const at = bytes.length ? m.at % bytes.length : 0;
      let mutated = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.insert), bytes.subarray(at)]);
      if (m.keep !== undefined) mutated = mutated.subarray(0, m.keep % (mutated.length + 1));
      check(f.name.replace(/^paths\//, ''), mutated, cuts);
      check(otherName, mutated, cuts);
    }),
    { numRuns: RUNS },
  );
});
