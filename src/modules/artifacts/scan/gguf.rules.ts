import { read, skip, u64, type ByteReader, type Parse, type Request } from './reader.rules';
import type { ScanContext } from './scan.rules';

/**
 * GGUF (llama.cpp): magic `GGUF`, a version (1, 2 or 3), the tensor and metadata counts (32-bit in version 1,
 * 64-bit after), the metadata key/value pairs, the tensor infos (name, dimensions, ggml type, offset), padding to
 * `general.alignment` (32 by default), then the tensor data. Read as it streams, holding nothing but one key or name
 * at a time: the counts are within maxGgufKeyValues and maxGgufTensors, names within maxGgufName bytes, value types
 * known, arrays not nested, tensors of at most 4 dimensions, offsets aligned, and the data of the types whose block
 * size is known here inside the file.
 */

/** Bytes per block and elements per block of the ggml types whose layout is fixed here; other types are not sized. */
const GGML_TYPES: Readonly<Record<number, { name: string; bytes: number; block: number }>> = {
  0: { name: 'F32', bytes: 4, block: 1 },
  1: { name: 'F16', bytes: 2, block: 1 },
  2: { name: 'Q4_0', bytes: 18, block: 32 },
  3: { name: 'Q4_1', bytes: 20, block: 32 },
  6: { name: 'Q5_0', bytes: 22, block: 32 },
  7: { name: 'Q5_1', bytes: 24, block: 32 },
  8: { name: 'Q8_0', bytes: 34, block: 32 },
  9: { name: 'Q8_1', bytes: 36, block: 32 },
  10: { name: 'Q2_K', bytes: 84, block: 256 },
  11: { name: 'Q3_K', bytes: 110, block: 256 },
  12: { name: 'Q4_K', bytes: 144, block: 256 },
  13: { name: 'Q5_K', bytes: 176, block: 256 },
  14: { name: 'Q6_K', bytes: 210, block: 256 },
  15: { name: 'Q8_K', bytes: 292, block: 256 },
  24: { name: 'I8', bytes: 1, block: 1 },
  25: { name: 'I16', bytes: 2, block: 1 },
  26: { name: 'I32', bytes: 4, block: 1 },
  27: { name: 'I64', bytes: 8, block: 1 },
  28: { name: 'F64', bytes: 8, block: 1 },
  30: { name: 'BF16', bytes: 2, block: 1 },
};
/** The highest ggml type number accepted (types are added over time; beyond this is not a type). */
const MAX_GGML_TYPE = 63;
/** Bytes of each scalar metadata type (8: string, 9: array). */
const SCALAR_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const MAX_DIMS = 4;

export const GGUF_MAGIC = Buffer.from('GGUF', 'latin1');

class GgufError extends Error {
  constructor(
    message: string,
    readonly truncated = false,
  ) {
    super(message);
  }
}

export function* ggufParser(r: ByteReader, ctx: ScanContext): Parse {
  try {
    yield* parse(r, ctx);
  } catch (err) {
    if (!(err instanceof GgufError)) throw err;
    ctx.add(err.truncated ? 'GGUF_TRUNCATED' : 'GGUF_MALFORMED', 'SUSPICIOUS', err.message, r.position);
  }
}

function* parse(r: ByteReader, ctx: ScanContext): Parse {
  const limits = ctx.limits;
  const need = function* (n: number, what: string) {
    const b = yield* read(n);
    if (!b) throw new GgufError(`the file ends inside ${what}`, true);
    return b;
  };
  const head = yield* need(8, 'the header');
  if (!head.subarray(0, 4).equals(GGUF_MAGIC)) throw new GgufError('no GGUF magic');
  const version = head.readUInt32LE(4);
  if (version < 1 || version > 3) throw new GgufError(`unknown GGUF version ${version}`);
  const wide = version >= 2;
  const count = function* (what: string) {
    const b = yield* need(wide ? 8 : 4, what);
    return wide ? u64(b, 0) : b.readUInt32LE(0);
  };
  const tensorCount = yield* count('the tensor count');
  const kvCount = yield* count('the metadata count');
  if (tensorCount > limits.maxGgufTensors) throw new GgufError(`${tensorCount} tensors, beyond ${limits.maxGgufTensors}`);
  if (kvCount > limits.maxGgufKeyValues) throw new GgufError(`${kvCount} metadata pairs, beyond ${limits.maxGgufKeyValues}`);

  /** A GGUF string: its bytes when `keep` (within maxGgufName), else skipped. */
  const string = function* (what: string, keep: boolean, bound: number) {
    const n = yield* count(`the length of ${what}`);
    if (keep) {
      if (n > bound) throw new GgufError(`${what} is ${n} bytes, beyond ${bound}`);
      return (yield* need(n, what)).toString('utf8');
    }
    if ((yield* skip(n)) < n) throw new GgufError(`the file ends inside ${what}`, true);
    return '';
  };
  const value = function* (type: number, what: string, depth: number): Generator<Request, number | null, Buffer | number | null> {
    if (type === 8) {
      yield* string(what, false, 0);
      return null;
    }
    if (type === 9) {
      if (depth > 0) throw new GgufError(`${what}: an array of arrays`);
      const t = (yield* need(4, what)).readUInt32LE(0);
      const n = yield* count(`the length of ${what}`);
      if (t === 8) for (let i = 0; i < n; i += 1) yield* string(`${what}[${i}]`, false, 0);
      else {
        const size = SCALAR_BYTES[t];
        if (size === undefined) throw new GgufError(`${what}: an array of unknown type ${t}`);
        if ((yield* skip(n * size)) < n * size) throw new GgufError(`the file ends inside ${what}`, true);
      }
      return null;
    }
    const size = SCALAR_BYTES[type];
    if (size === undefined) throw new GgufError(`${what}: unknown value type ${type}`);
    const b = yield* need(size, what);
    return type === 4 ? b.readUInt32LE(0) : type === 5 ? b.readInt32LE(0) : type === 10 ? u64(b, 0) : null;
  };

  let alignment = 32;
  let architecture = '';
  for (let i = 0; i < kvCount; i += 1) {
    const key = yield* string(`metadata key ${i}`, true, limits.maxGgufName);
    const type = (yield* need(4, `the type of ${key}`)).readUInt32LE(0);
    if (key === 'general.architecture' && type === 8) {
      architecture = yield* string(key, true, limits.maxGgufName);
      continue;
    }
    const v = yield* value(type, key, 0);
    if (key === 'general.alignment') {
      if (v === null || v === 0 || (v & (v - 1)) !== 0) throw new GgufError(`general.alignment ${v} is not a power of two`);
      alignment = v;
    }
  }

  let dataEnd = 0;
  let unsized = 0;
  for (let i = 0; i < tensorCount; i += 1) {
    const name = yield* string(`tensor name ${i}`, true, limits.maxGgufName);
    const dims = (yield* need(4, `the dimensions of ${name}`)).readUInt32LE(0);
    if (dims > MAX_DIMS) throw new GgufError(`tensor ${name} has ${dims} dimensions, beyond ${MAX_DIMS}`);
    let elements = 1;
    for (let d = 0; d < dims; d += 1) elements *= u64(yield* need(8, `the shape of ${name}`), 0);
    if (!Number.isSafeInteger(elements)) throw new GgufError(`tensor ${name} has more than 2^53 elements`);
    const tail = yield* need(12, `the type and offset of ${name}`);
    const type = tail.readUInt32LE(0);
    const offset = u64(tail, 4);
    if (type > MAX_GGML_TYPE) throw new GgufError(`tensor ${name} has unknown ggml type ${type}`);
    if (offset % alignment !== 0)
      throw new GgufError(`tensor ${name} is at offset ${offset}, not a multiple of the alignment ${alignment}`);
    const layout = GGML_TYPES[type];
    if (!layout) unsized += 1;
    else {
      if (elements % layout.block !== 0)
        throw new GgufError(`tensor ${name}: ${elements} elements are not whole ${layout.name} blocks of ${layout.block}`);
      dataEnd = Math.max(dataEnd, offset + (elements / layout.block) * layout.bytes);
    }
  }
  const headerEnd = r.position;
  const dataStart = Math.ceil(headerEnd / alignment) * alignment;
  const rest = yield* skip(Infinity);
  const data = headerEnd + rest - dataStart;
  if (dataEnd > data) throw new GgufError(`the tensors end ${dataEnd} bytes into the data, which has ${Math.max(0, data)}`, true);
  ctx.add(
    'GGUF_SUMMARY',
    'INFO',
    `GGUF version ${version}${architecture ? ` (${architecture})` : ''}: ${kvCount} metadata pairs, ${tensorCount} tensors${unsized ? ` (${unsized} of types not sized here)` : ''}, alignment ${alignment}`,
  );
}
