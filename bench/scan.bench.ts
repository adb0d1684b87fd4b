// `npm run bench:scan [-- --safetensors 256 --pickle 64 --unknown 256 --chunk 65536 --runs 3]`: how fast the artifact
// scanner reads what an upload streams, beside a bare sha256 of the same bytes in the same run (what every upload
// already does). For each file: sha256 alone, the scanner alone, and both on every chunk (what a tapped upload
// does), in MB/s (MB = 2^20 bytes), best of --runs, and the ratios to sha256 alone; and what the scanner held
// meanwhile (heap + Buffers, sampled, over the start). The bytes are made in memory before the clock starts and
// handed over in --chunk-byte chunks (64 KiB: what node's HTTP server hands an upload). Not a test: it prints figures.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createScanner } from '../src/modules/artifacts/scan/scanner.rules';

const MiB = 2 ** 20;
const { values } = parseArgs({
  options: {
    safetensors: { type: 'string', default: '256' },
    pickle: { type: 'string', default: '64' },
    unknown: { type: 'string', default: '256' },
    chunk: { type: 'string', default: String(64 * 1024) },
    runs: { type: 'string', default: '3' },
  },
});
const CHUNK = Number(values.chunk);
const RUNS = Number(values.runs);

/** A seeded generator: the same bytes every run. */
function random(seed: number) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const next = random(seed);
  const buf = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) buf.writeUInt32LE(next(), i);
  return buf;
}

/** The chunks of a file: `body` (1 MiB, repeated) after `head`, cut into CHUNK-byte pieces. */
function chunksOf(head: Buffer, body: Buffer, totalMiB: number): Buffer[] {
  const chunks: Buffer[] = [];
  const all = [head];
  let size = head.length;
  while (size < totalMiB * MiB) {
    const part = body.subarray(0, Math.min(body.length, totalMiB * MiB - size));
    all.push(part);
    size += part.length;
  }
  // Cut the stream into CHUNK-byte pieces, as a socket would (pieces may join the head and a body copy).
  let carry: Buffer | null = null;
  for (const part of all) {
    let pos = 0;
    if (carry) {
      const need = CHUNK - carry.length;
      const joined: Buffer = Buffer.concat([carry, part.subarray(0, need)]);
      pos = Math.min(need, part.length);
      if (joined.length < CHUNK) {
        carry = joined;
        continue;
      }
      chunks.push(joined);
      carry = null;
    }
    for (; pos + CHUNK <= part.length; pos += CHUNK) chunks.push(part.subarray(pos, pos + CHUNK));
    if (pos < part.length) carry = Buffer.from(part.subarray(pos));
  }
  if (carry) chunks.push(carry);
  return chunks;
}

/** A safetensors file: F32 tensors of 4 MiB each, the data section `mib` MiB. */
function safetensorsLike(mib: number): Buffer[] {
  const tensorBytes = 4 * MiB;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < (mib * MiB) / tensorBytes; i += 1) {
    header[`model.layers.${i}.weight`] = { dtype: 'F32', shape: [1024, 1024], data_offsets: [i * tensorBytes, (i + 1) * tensorBytes] };
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const head = Buffer.alloc(8 + text.length);
  head.writeBigUInt64LE(BigInt(text.length), 0);
  head.write(text, 8, 'latin1');
  const chunks = chunksOf(head, randomBytes(MiB, 1), mib + head.length / MiB);
  return chunks;
}

/** A protocol 4 pickle of a list of numbers (floats, 4-byte and 1-byte ints), `mib` MiB, framed as CPython frames it. */
function pickleOfNumbers(mib: number): Buffer[] {
  const out = Buffer.alloc(mib * MiB + 1024 * 1024);
  let size = 0;
  const frame = Buffer.alloc(70 * 1024);
  let f = 0;
  const flush = () => {
    out[size] = 0x95;
    out.writeBigUInt64LE(BigInt(f), size + 1);
    frame.copy(out, size + 9, 0, f);
    size += 9 + f;
    f = 0;
  };
  out[size++] = 0x80;
  out[size++] = 4;
  frame[f++] = 0x5d; // EMPTY_LIST
  frame[f++] = 0x94; // MEMOIZE
  const next = random(2);
  let n = 0;
  while (size + f < mib * MiB - 16) {
    if (n % 1000 === 0) {
      if (n) frame[f++] = 0x65; // APPENDS
      frame[f++] = 0x28; // MARK
    }
    const r = next();
    if (r % 4 < 2) {
      frame[f++] = 0x47; // BINFLOAT
      frame.writeDoubleBE((r % 100000) / 7, f);
      f += 8;
    } else if (r % 4 === 2) {
      frame[f++] = 0x4a; // BININT
      frame.writeInt32LE((r | 0) >> 1, f);
      f += 4;
    } else {
      frame[f++] = 0x4b; // BININT1
      frame[f++] = r & 0xff;
    }
    n += 1;
    if (f >= 64 * 1024) flush();
  }
  frame[f++] = 0x65; // APPENDS
  frame[f++] = 0x2e; // STOP
  flush();
  return chunksOf(out.subarray(0, size), Buffer.alloc(0), 0);
}

function unknownBinary(mib: number): Buffer[] {
  const body = randomBytes(MiB, 3);
  body[0] = 0x07; // no magic, not a pickle opcode
  return chunksOf(Buffer.alloc(0), body, mib);
}

function time(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i += 1) {
    const started = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

function held(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function main(): void {
  const files: Array<{ name: string; path: string; chunks: Buffer[] }> = [
    { name: 'safetensors-like', path: 'model.safetensors', chunks: safetensorsLike(Number(values.safetensors)) },
    { name: 'pickle of numbers', path: 'numbers.pkl', chunks: pickleOfNumbers(Number(values.pickle)) },
    { name: 'unknown binary', path: 'blob.bin', chunks: unknownBinary(Number(values.unknown)) },
  ];
  console.log(`chunks of ${CHUNK} bytes, best of ${RUNS} runs; Node ${process.version}`);
  console.log('file                  MiB  sha256 MB/s  scan MB/s  sha256+scan MB/s  scan/sha256  (sha256+scan)/sha256  held MB  verdict');
  for (const file of files) {
    const bytes = file.chunks.reduce((n, c) => n + c.length, 0);
    const mb = bytes / MiB;
    const sha = () => {
      const hash = createHash('sha256');
      for (const c of file.chunks) hash.update(c);
      hash.digest();
    };
    let verdict = '';
    let peak = 0;
    const scan = (withHash: boolean, sample: boolean) => () => {
      const hash = withHash ? createHash('sha256') : null;
      const scanner = createScanner(file.path);
      const start = held();
      let i = 0;
      for (const c of file.chunks) {
        hash?.update(c);
        scanner.push(c);
        if (sample && (i++ & 255) === 0) peak = Math.max(peak, held() - start);
      }
      hash?.digest();
      const report = scanner.finish();
      verdict = `${report.format} ${report.verdict} ${report.findings.map((f) => f.code).join(' ')}`;
    };
    global.gc?.();
    const tSha = time(sha);
    const tScan = time(scan(false, false));
    const tBoth = time(scan(true, false));
    scan(false, true)();
    const row = [
      file.name.padEnd(18),
      mb.toFixed(0).padStart(6),
      (mb / tSha).toFixed(0).padStart(12),
      (mb / tScan).toFixed(0).padStart(10),
      (mb / tBoth).toFixed(0).padStart(17),
      `${(tSha / tScan).toFixed(2)}×`.padStart(12),
      `${(tSha / tBoth).toFixed(2)}×`.padStart(20),
      (peak / MiB).toFixed(1).padStart(8),
      ` ${verdict}`,
    ];
    console.log(row.join(' '));
  }
}

main();
