import { PickleScanner } from './pickle.rules';
import { pipe, read, skip, type ByteReader, type Parse } from './reader.rules';
import type { ScanContext } from './scan.rules';

/**
 * A .npy file (alone, or an entry of an .npz): magic `\x93NUMPY`, a version (1.0: a 2-byte header length; 2.0 and
 * 3.0: 4 bytes), a header (a Python dict literal: descr, fortran_order, shape) of at most maxNpyHeader bytes, then the
 * data: shape × itemsize bytes, or, for an array of objects (descr 'O', or a structured dtype with an 'O' field), a
 * pickle, which np.load reads with allow_pickle=True and which is scanned here as any pickle.
 */

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** Bytes per item of a simple descr ('<f8', '|u1', '<U10', '|S5', '<M8[ns]' …), or null (structured: not sized). */
function itemsizeOf(descr: string): number | null {
  const m = /^[<>|=]?([biufcmMOSUV])(\d+)(\[\w+\])?$/.exec(descr);
  if (!m) return null;
  return Number(m[2]) * (m[1] === 'U' ? 4 : 1);
}

export function* npyParser(r: ByteReader, ctx: ScanContext, entry?: string): Parse {
  const malformed = (why: string, offset: number) => ctx.add('NPY_MALFORMED', 'SUSPICIOUS', why, offset, entry);
  const head = yield* read(8);
  if (!head || !head.subarray(0, 6).equals(NPY_MAGIC)) return malformed(head ? 'no .npy magic' : 'the file ends inside the .npy magic', 0);
  const major = head[6];
  if (major < 1 || major > 3) return malformed(`unknown .npy version ${major}.${head[7]}`, 6);
  const lengthBytes = yield* read(major === 1 ? 2 : 4);
  if (!lengthBytes) return malformed('the file ends inside the header length', 8);
  const n = major === 1 ? lengthBytes.readUInt16LE(0) : lengthBytes.readUInt32LE(0);
  if (n > ctx.limits.maxNpyHeader) return malformed(`a ${n}-byte header, beyond ${ctx.limits.maxNpyHeader}`, 8);
  const headerBytes = yield* read(n);
  if (!headerBytes) return malformed('the file ends inside the header', 8 + lengthBytes.length);
  const header = headerBytes.toString(major === 3 ? 'utf8' : 'latin1');
  const dataAt = 8 + lengthBytes.length + n;
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(header)?.[2];
  const structured = /['"]descr['"]\s*:\s*\[/.test(header);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if ((descr === undefined && !structured) || shapeText === undefined || !/['"]fortran_order['"]\s*:\s*(True|False)/.test(header)) {
    return malformed(`a header without descr, fortran_order and shape: ${JSON.stringify(header.slice(0, 200))}`, 8 + lengthBytes.length);
  }
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!dims.every((d) => /^\d+L?$/.test(d))) return malformed(`shape (${shapeText}) is not a tuple of integers`, 8 + lengthBytes.length);
  const count = dims.reduce((a, d) => a * Number(d.replace('L', '')), 1);
  const objects = structured ? /['"]\|?O\d*['"]/.test(header) : /^[<>|=]?O/.test(descr as string);
  if (objects) {
    ctx.add(
      'NPY_OBJECT_ARRAY',
      'INFO',
      `an array of objects (${structured ? 'a structured dtype with an object field' : descr}): stored as a pickle, which np.load reads only with allow_pickle=True; scanned`,
      dataAt,
      entry,
    );
    const scanner = new PickleScanner(ctx, { mode: 'definitive', entry, baseOffset: dataAt });
    yield* pipe(Infinity, (bytes) => {
      scanner.push(bytes);
      return bytes.length;
    });
    scanner.finish();
    return;
  }
  const data = yield* skip(Infinity);
  const itemsize = structured ? null : itemsizeOf(descr as string);
  if (itemsize !== null && Number.isSafeInteger(count * itemsize) && data !== count * itemsize) {
    ctx.add(
      'NPY_SIZE_MISMATCH',
      'SUSPICIOUS',
      `shape (${dims.join(', ')}) of ${descr} is ${count * itemsize} bytes, the data ${data}`,
      dataAt,
      entry,
    );
  }
}
