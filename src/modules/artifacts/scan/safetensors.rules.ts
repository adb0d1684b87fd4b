import { read, skip, u64, type ByteReader, type Parse } from './reader.rules';
import type { ScanContext } from './scan.rules';

/**
 * Safetensors: an 8-byte little-endian header length N (at most maxSafetensorsHeader, 100,000,000 bytes: the
 * safetensors library's own MAX_HEADER_SIZE), N bytes of UTF-8 JSON (an object: `__metadata__`, a map of strings to
 * strings, and one entry per tensor `{dtype, shape, data_offsets: [begin, end]}`), then the data. Checked as the
 * library checks it, and reported rather than refused: each tensor's dtype and shape fill exactly its data_offsets
 * (sub-byte dtypes a whole number of bytes), and the offsets, sorted, tile the data section: the first begins at 0,
 * each begins where the previous ended, the last ends at the end of the file (known only at its end).
 * The header is the only thing held; the data is counted as it streams.
 */

/** Bits per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

interface Tensor {
  name: string;
  begin: number;
  end: number;
}

/** What the first bytes say: a header length within the bound followed by `{`. */
export function looksLikeSafetensors(head: Buffer, maxHeader: number): boolean {
  if (head.length < 9) return false;
  const n = u64(head, 0);
  return n >= 2 && n <= maxHeader && head[8] === 0x7b;
}

export function* safetensorsParser(r: ByteReader, ctx: ScanContext): Parse {
  const add = (code: Parameters<ScanContext['add']>[0], message: string, offset?: number) => ctx.add(code, 'SUSPICIOUS', message, offset);
  const lengthBytes = yield* read(8);
  if (!lengthBytes) return add('SAFETENSORS_TRUNCATED', `the file ends inside the 8-byte header length (${r.total} bytes)`, 0);
  const n = u64(lengthBytes, 0);
  if (n > ctx.limits.maxSafetensorsHeader) {
    return add(
      'SAFETENSORS_HEADER_TOO_LARGE',
      `a header length of ${n === Infinity ? 'more than 2^53' : n} bytes, beyond ${ctx.limits.maxSafetensorsHeader}: not read`,
      0,
    );
  }
  if (n < 2) return add('SAFETENSORS_BAD_HEADER', `a header length of ${n} bytes`, 0);
  const headerBytes = yield* read(n);
  if (!headerBytes) return add('SAFETENSORS_TRUNCATED', `the file ends inside the ${n}-byte header`, 8);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return add('SAFETENSORS_BAD_HEADER', 'the header is not UTF-8', 8);
  }
  if (!text.startsWith('{')) return add('SAFETENSORS_BAD_HEADER', 'the header does not start with {', 8);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    return add('SAFETENSORS_BAD_HEADER', `the header is not JSON: ${(err as Error).message}`, 8);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    return add('SAFETENSORS_BAD_HEADER', 'the header is not a JSON object', 8);

  const tensors: Tensor[] = [];
  const dtypes = new Set<string>();
  let bad = false;
  const badTensor = (name: string, why: string) => {
    bad = true;
    add('SAFETENSORS_BAD_HEADER', `tensor ${JSON.stringify(name)}: ${why}`, 8);
  };
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        add('SAFETENSORS_BAD_HEADER', '__metadata__ is not a map of strings to strings', 8);
      }
      continue;
    }
    if (typeof info !== 'object' || info === null || Array.isArray(info)) {
      badTensor(name, 'not an object');
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const bits = typeof dtype === 'string' ? SAFETENSORS_DTYPE_BITS[dtype] : undefined;
    if (bits === undefined) {
      badTensor(name, `unknown dtype ${JSON.stringify(dtype)}`);
      continue;
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      badTensor(name, 'shape is not a list of non-negative integers');
      continue;
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      badTensor(name, 'data_offsets is not [begin, end] with 0 <= begin <= end');
      continue;
    }
    dtypes.add(dtype as string);
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, d) => a * BigInt(d), 1n);
    const totalBits = elements * BigInt(bits);
    if (totalBits % 8n !== 0n) {
      bad = true;
      add(
        'SAFETENSORS_SIZE_MISMATCH',
        `tensor ${JSON.stringify(name)}: ${elements} elements of ${dtype} are not a whole number of bytes`,
        8,
      );
    } else if (totalBits / 8n !== BigInt(end - begin)) {
      bad = true;
      add(
        'SAFETENSORS_SIZE_MISMATCH',
        `tensor ${JSON.stringify(name)}: ${dtype} ${JSON.stringify(shape)} is ${totalBits / 8n} bytes, its data_offsets [${begin}, ${end}] hold ${end - begin}`,
        8,
      );
    }
    tensors.push({ name, begin, end });
  }

  // The offsets, sorted as the library sorts them, must tile the data section.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of tensors) {
    if (t.begin > cursor) {
      bad = true;
      add(
        'SAFETENSORS_GAP',
        `bytes [${cursor}, ${t.begin}) of the data belong to no tensor (before ${JSON.stringify(t.name)})`,
        8 + n + cursor,
      );
    } else if (t.begin < cursor) {
      bad = true;
      add(
        'SAFETENSORS_OVERLAP',
        `tensor ${JSON.stringify(t.name)} [${t.begin}, ${t.end}) overlaps the tensor before it (which ends at ${cursor})`,
        8 + n + t.begin,
      );
    }
    cursor = Math.max(cursor, t.end);
  }

  const data = yield* skip(Infinity);
  if (cursor > data) {
    bad = true;
    add('SAFETENSORS_OUT_OF_BOUNDS', `the tensors' data_offsets end at ${cursor}, past the end of the data (${data} bytes)`, 8 + n + data);
  } else if (cursor < data) {
    bad = true;
    add('SAFETENSORS_TRAILING_DATA', `${data - cursor} bytes after the last tensor`, 8 + n + cursor);
  }
  ctx.add(
    'SAFETENSORS_SUMMARY',
    'INFO',
    `${tensors.length} tensor${tensors.length === 1 ? '' : 's'}${dtypes.size ? ` (${[...dtypes].sort().join(', ')})` : ''}, a ${n}-byte header, ${data} bytes of data${bad ? '' : ', tiled exactly'}`,
  );
}
