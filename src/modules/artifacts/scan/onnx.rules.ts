import { read, skip, type ByteReader, type Parse, type Request } from './reader.rules';
import type { ScanContext } from './scan.rules';

/**
 * ONNX: a protobuf ModelProto, which has no magic. Read as it streams: every top-level field's key and wire type
 * (ir_version a varint between 1 and 100, opset_import and graph length-delimited, …), the opsets, and in the graph
 * the initializers, to find tensors whose data is external (a file named by `location`, which onnx joins to the
 * model's folder: an absolute path or one with `..` reaches outside it). Field contents are skipped as they stream;
 * the parse must end exactly at the end of the file.
 */

const MAX_IR_VERSION = 100;

class OnnxError extends Error {
  constructor(
    message: string,
    readonly truncated = false,
  ) {
    super(message);
  }
}

type Gen<T> = Generator<Request, T, Buffer | number | null>;

interface Cursor {
  /** Bytes of the current message left (Infinity at the top level). */
  left: number;
}

function* varint(c: Cursor, what: string): Gen<number> {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i += 1) {
    if (c.left <= 0) throw new OnnxError(`${what} runs past the end of its message`);
    const b = yield* read(1);
    if (!b) throw new OnnxError(`the file ends inside ${what}`, true);
    c.left -= 1;
    value += (b[0] & 0x7f) * scale;
    if ((b[0] & 0x80) === 0) return value;
    scale *= 128;
  }
  throw new OnnxError(`${what} is a varint longer than 10 bytes`);
}

/** The next field's key, or null at the end of the message (or of the file, at the top level). */
function* key(c: Cursor, atTop: boolean): Gen<{ field: number; wire: number } | null> {
  if (c.left === 0) return null;
  if (atTop) {
    const b = yield* read(1);
    if (!b) return null;
    c.left -= 1;
    let k = b[0] & 0x7f;
    if (b[0] & 0x80) k += 128 * (yield* varint(c, 'a field key'));
    return { field: Math.floor(k / 8), wire: k % 8 };
  }
  const k = yield* varint(c, 'a field key');
  return { field: Math.floor(k / 8), wire: k % 8 };
}

function* skipField(c: Cursor, wire: number, what: string): Gen<void> {
  let n: number;
  if (wire === 0) return void (yield* varint(c, what));
  if (wire === 1) n = 8;
  else if (wire === 5) n = 4;
  else if (wire === 2) n = yield* varint(c, `the length of ${what}`);
  else throw new OnnxError(`${what} has wire type ${wire} (groups and types 6, 7 are not used by ONNX)`);
  if (n > c.left) throw new OnnxError(`${what} (${n} bytes) runs past the end of its message`);
  const skipped = yield* skip(n);
  c.left -= skipped;
  if (skipped < n) throw new OnnxError(`the file ends inside ${what}`, true);
}

/** A length-delimited field read whole (bounded). */
function* bytesField(c: Cursor, what: string, bound: number): Gen<Buffer> {
  const n = yield* varint(c, `the length of ${what}`);
  if (n > c.left) throw new OnnxError(`${what} (${n} bytes) runs past the end of its message`);
  if (n > bound) throw new OnnxError(`${what} is ${n} bytes, beyond ${bound}`);
  const b = yield* read(n);
  if (!b) throw new OnnxError(`the file ends inside ${what}`, true);
  c.left -= n;
  return b;
}

/** Fields of a message held in memory (small ones: opsets, external-data entries). */
function fieldsOf(buf: Buffer, what: string): Array<{ field: number; value: number | Buffer }> {
  const out: Array<{ field: number; value: number | Buffer }> = [];
  let pos = 0;
  const varintAt = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      if (pos >= buf.length) throw new OnnxError(`${what} ends inside a varint`);
      const b = buf[pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new OnnxError(`${what} has a varint longer than 10 bytes`);
  };
  while (pos < buf.length) {
    const k = varintAt();
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (wire === 0) out.push({ field, value: varintAt() });
    else if (wire === 2) {
      const n = varintAt();
      if (pos + n > buf.length) throw new OnnxError(`${what}: a field runs past its end`);
      out.push({ field, value: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 1 || wire === 5) pos += wire === 1 ? 8 : 4;
    else throw new OnnxError(`${what}: wire type ${wire}`);
  }
  if (pos > buf.length) throw new OnnxError(`${what}: a field runs past its end`);
  return out;
}

function* length(c: Cursor, what: string): Gen<Cursor> {
  const n = yield* varint(c, `the length of ${what}`);
  if (n > c.left) throw new OnnxError(`${what} (${n} bytes) runs past the end of its message`);
  c.left -= n;
  return { left: n };
}

const unsafeLocation = (location: string) =>
  location.startsWith('/') || location.startsWith('\\') || /^[A-Za-z]:/.test(location) || location.split(/[\\/]/).includes('..');

export function* onnxParser(r: ByteReader, ctx: ScanContext): Parse {
  try {
    yield* model(ctx);
  } catch (err) {
    if (!(err instanceof OnnxError)) throw err;
    ctx.add(err.truncated ? 'ONNX_TRUNCATED' : 'ONNX_MALFORMED', 'SUSPICIOUS', err.message, r.position);
    yield* skip(Infinity);
  }
}

function* model(ctx: ScanContext): Gen<void> {
  const top: Cursor = { left: Infinity };
  let irVersion: number | null = null;
  let graphs = 0;
  const opsets: string[] = [];
  const stats = { initializers: 0, external: 0 };
  let first = true;
  for (;;) {
    const k = yield* key(top, true);
    if (!k) break;
    if (first && ![1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25].includes(k.field))
      throw new OnnxError(`the first field is number ${k.field}, not one of a ModelProto`);
    first = false;
    if (k.field === 1) {
      if (k.wire !== 0) throw new OnnxError(`ir_version has wire type ${k.wire}, not a varint`);
      irVersion = yield* varint(top, 'ir_version');
      if (irVersion < 1 || irVersion > MAX_IR_VERSION)
        throw new OnnxError(`ir_version ${irVersion} is not between 1 and ${MAX_IR_VERSION}`);
    } else if (k.field === 8) {
      if (k.wire !== 2) throw new OnnxError(`opset_import has wire type ${k.wire}`);
      const fields = fieldsOf(yield* bytesField(top, 'an opset_import', ctx.limits.maxOnnxMessage), 'an opset_import');
      const domain = fields.find((f) => f.field === 1)?.value;
      const version = fields.find((f) => f.field === 2)?.value;
      if (typeof version !== 'number') throw new OnnxError('an opset_import without a version');
      opsets.push(`${Buffer.isBuffer(domain) && domain.length ? domain.toString('utf8') : 'ai.onnx'} ${version}`);
    } else if (k.field === 7) {
      if (k.wire !== 2) throw new OnnxError(`graph has wire type ${k.wire}`);
      graphs += 1;
      yield* graph(yield* length(top, 'the graph'), ctx, stats);
    } else if ([2, 3, 4, 6, 14, 20, 25].includes(k.field) && k.wire !== 2) {
      throw new OnnxError(`field ${k.field} has wire type ${k.wire}, not length-delimited`);
    } else {
      yield* skipField(top, k.wire, `field ${k.field}`);
    }
  }
  if (irVersion === null) throw new OnnxError('no ir_version');
  if (graphs === 0) throw new OnnxError('no graph');
  ctx.add(
    'ONNX_SUMMARY',
    'INFO',
    `IR version ${irVersion}, opsets ${opsets.join(', ') || 'none'}, ${stats.initializers} initializers${stats.external ? ` (${stats.external} with external data)` : ''}`,
  );
}

function* graph(c: Cursor, ctx: ScanContext, stats: { initializers: number; external: number }): Gen<void> {
  for (;;) {
    const k = yield* key(c, false);
    if (!k) return;
    if (k.field === 5 && k.wire === 2) {
      stats.initializers += 1;
      yield* tensor(yield* length(c, 'an initializer'), ctx, stats);
    } else yield* skipField(c, k.wire, `graph field ${k.field}`);
  }
}

function* tensor(c: Cursor, ctx: ScanContext, stats: { initializers: number; external: number }): Gen<void> {
  let name = '';
  const locations: string[] = [];
  for (;;) {
    const k = yield* key(c, false);
    if (!k) break;
    if (k.field === 8 && k.wire === 2) name = (yield* bytesField(c, 'a tensor name', ctx.limits.maxOnnxMessage)).toString('utf8');
    else if (k.field === 13 && k.wire === 2) {
      const entry = fieldsOf(yield* bytesField(c, 'an external_data entry', ctx.limits.maxOnnxMessage), 'an external_data entry');
      const keyOf = entry.find((f) => f.field === 1)?.value;
      const value = entry.find((f) => f.field === 2)?.value;
      if (Buffer.isBuffer(keyOf) && keyOf.toString('utf8') === 'location' && Buffer.isBuffer(value)) locations.push(value.toString('utf8'));
    } else yield* skipField(c, k.wire, `tensor field ${k.field}`);
  }
  if (locations.length) stats.external += 1;
  for (const location of locations) {
    if (unsafeLocation(location)) {
      ctx.add(
        'ONNX_EXTERNAL_DATA_PATH',
        'SUSPICIOUS',
        `initializer ${JSON.stringify(name)} reads its data from ${JSON.stringify(location)}, outside the model's folder`,
      );
    }
  }
}
