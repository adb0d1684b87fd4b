import { createInflater } from './inflate.rules';
import { npyParser } from './numpy.rules';
import { PickleScanner } from './pickle.rules';
import { ByteReader, pipe, read, skip, u64, type Parse, type Request } from './reader.rules';
import type { ScanContext } from './scan.rules';

/**
 * ZIP containers (PyTorch checkpoints .pt/.pth/.ckpt, .zip, .npz), read as they stream: each local file header, its
 * data, and its data descriptor; then the central directory. The pickles inside (`*.pkl`, `*.pickle`, `*.joblib`:
 * PyTorch's `<archive>/data.pkl` and `constants.pkl`) are scanned as pickles and `*.npy` entries as .npy files, stored
 * entries as they are and deflated ones inflated as they stream (at most maxInflatedBytes each: beyond, ZIP_BOMB);
 * other entries are skipped. Readers (torch's, Python's zipfile, numpy's) find entries through the central directory,
 * not the local headers, so every central entry must name a local header the stream showed, with the same name, size
 * and method: otherwise the bytes a reader loads were not the ones scanned (ZIP_HIDDEN_ENTRY).
 *
 * An entry whose end cannot be found as it streams (stored, with a data descriptor and no descriptor signature) stops
 * the scan (ZIP_UNSTREAMABLE); so do encryption of a pickle and compression methods other than stored and deflate
 * for scanned entries, as findings.
 */

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;
const SIGNATURE = 0x05054b50;
const ARCHIVE_EXTRA = 0x08064b50;
const DESCRIPTOR_SIG = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const BOMB_RATIO = 1000;
const BOMB_DECLARED = 100 * 1024 ** 2;

export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const ZIP_EMPTY_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

type Gen<T> = Generator<Request, T, Buffer | number | null>;

/** What the archive turned out to hold (the scanner reports PYTORCH_ZIP for a torch archive). */
export interface ZipSummary {
  torch: boolean;
  entries: number;
  scanned: number;
}

interface LocalEntry {
  name: string;
  method: number;
  csize: number | null;
}

interface EntrySink {
  push(bytes: Buffer): void;
  finish(): void;
  abort(): void;
}

const PICKLE_ENTRY = /\.(pkl|pickle|joblib)$/i;
const NPY_ENTRY = /\.npy$/i;
const TORCH_ENTRY = /^[^/]+\/(data|constants)\.pkl$/;

/** What scans an entry's bytes, or null for an entry that is skipped. */
function entrySink(name: string, ctx: ScanContext): EntrySink | null {
  if (PICKLE_ENTRY.test(name)) {
    const scanner = new PickleScanner(ctx, { mode: 'definitive', entry: name, joblib: true });
    return { push: (b) => void scanner.push(b), finish: () => scanner.finish(), abort: () => scanner.abort() };
  }
  if (NPY_ENTRY.test(name)) {
    const reader = new ByteReader(
      (r) => npyParser(r, ctx, name),
      (err, at) => ctx.add('SCANNER_ERROR', 'DANGEROUS', `scanner error: ${String((err as Error)?.message ?? err)}`, at, name),
    );
    return { push: (b) => reader.push(b), finish: () => reader.finish(), abort: () => undefined };
  }
  return null;
}

class ZipStop extends Error {}

export function* zipParser(r: ByteReader, ctx: ScanContext, summary: ZipSummary): Parse {
  try {
    let base = 0;
    for (;;) {
      const more = yield* archive(r, ctx, summary, base);
      if (!more) return;
      base = r.position - 4;
      ctx.add(
        'ZIP_TRAILING_DATA',
        'SUSPICIOUS',
        `another archive starts at offset ${base}, after the end of this one: readers that look for the central directory from the end read that one (scanned too)`,
        base,
      );
    }
  } catch (err) {
    if (!(err instanceof ZipStop)) throw err;
  }
}

/** One archive; answers true when another one follows it (its first 4 bytes read). */
function* archive(r: ByteReader, ctx: ScanContext, summary: ZipSummary, base: number): Gen<boolean> {
  const seen = new Map<number, LocalEntry>();
  const stop = (code: 'ZIP_MALFORMED' | 'ZIP_UNSTREAMABLE' | 'ZIP_TOO_MANY_ENTRIES', message: string, at: number): never => {
    ctx.add(code, 'DANGEROUS', message, at);
    throw new ZipStop();
  };
  const truncated = (message: string, at: number): never => {
    ctx.add('ZIP_TRUNCATED', 'SUSPICIOUS', message, at);
    throw new ZipStop();
  };
  const need = function* (n: number, what: string, at: number) {
    const b = yield* read(n);
    if (!b) return truncated(`the archive ends inside ${what}`, at);
    return b;
  };

  let first = true;
  let sig: number;
  for (;;) {
    const at = r.position;
    const s = yield* read(4);
    if (!s) return truncated(first ? 'an empty archive' : `the archive ends after ${seen.size} entries, before its central directory`, at);
    sig = s.readUInt32LE(0);
    first = false;
    if (sig !== LOCAL) break;
    if (seen.size >= ctx.limits.maxZipEntries)
      stop('ZIP_TOO_MANY_ENTRIES', `more than ${ctx.limits.maxZipEntries} entries: the rest of the archive is not scanned`, at);
    yield* localEntry(r, ctx, summary, seen, at, need, stop, truncated);
  }

  // The central directory.
  const centralOffsets = new Set<number>();
  let central = 0;
  for (;;) {
    const at = r.position - 4;
    if (sig === CENTRAL) {
      const h = yield* need(42, 'a central directory header', at);
      const flags = h.readUInt16LE(4);
      const method = h.readUInt16LE(6);
      let csize = h.readUInt32LE(16);
      let usize = h.readUInt32LE(20);
      const nameLength = h.readUInt16LE(24);
      const extraLength = h.readUInt16LE(26);
      const commentLength = h.readUInt16LE(28);
      let offset = h.readUInt32LE(38);
      const rest = yield* need(nameLength + extraLength + commentLength, 'a central directory header', at);
      const name = rest.toString(flags & 0x800 ? 'utf8' : 'latin1', 0, nameLength);
      const zip64 = extraField(rest.subarray(nameLength, nameLength + extraLength), 0x0001);
      if (zip64) {
        let p = 0;
        if (usize === 0xffffffff && p + 8 <= zip64.length) {
          usize = u64(zip64, p);
          p += 8;
        }
        if (csize === 0xffffffff && p + 8 <= zip64.length) {
          csize = u64(zip64, p);
          p += 8;
        }
        if (offset === 0xffffffff && p + 8 <= zip64.length) offset = u64(zip64, p);
      }
      void usize;
      central += 1;
      const local = seen.get(base + offset);
      const scanned = PICKLE_ENTRY.test(name) || NPY_ENTRY.test(name);
      if (!local) {
        ctx.add(
          'ZIP_HIDDEN_ENTRY',
          'DANGEROUS',
          `the central directory lists ${JSON.stringify(name)} at offset ${offset}, where the stream showed no local header: its bytes were not scanned`,
          at,
        );
      } else if (local.name !== name) {
        ctx.add(
          'ZIP_HIDDEN_ENTRY',
          scanned ? 'DANGEROUS' : 'SUSPICIOUS',
          `the central directory names ${JSON.stringify(name)} the entry whose local header says ${JSON.stringify(local.name)}: readers load it as ${JSON.stringify(name)}${scanned ? ', and it was not scanned as one' : ''}`,
          at,
        );
      } else if ((local.csize !== null && local.csize !== csize) || local.method !== method) {
        ctx.add(
          'ZIP_HIDDEN_ENTRY',
          scanned ? 'DANGEROUS' : 'SUSPICIOUS',
          `the central directory gives ${JSON.stringify(name)} another size or method than its local header: readers may load other bytes than the ones scanned`,
          at,
        );
      }
      if (centralOffsets.has(offset))
        ctx.add(
          'ZIP_OVERLAP',
          'SUSPICIOUS',
          `two central directory entries share the local header at offset ${offset} (the last one: ${JSON.stringify(name)})`,
          at,
        );
      else if (centralOffsets.size < ctx.limits.maxZipEntries) centralOffsets.add(offset);
    } else if (sig === ZIP64_EOCD) {
      const size = u64(yield* need(8, 'the zip64 end of central directory', at), 0);
      if ((yield* skip(size)) < size) truncated('the archive ends inside the zip64 end of central directory', at);
    } else if (sig === ZIP64_LOCATOR) {
      yield* need(16, 'the zip64 locator', at);
    } else if (sig === SIGNATURE) {
      const size = (yield* need(2, 'the central directory signature', at)).readUInt16LE(0);
      yield* need(size, 'the central directory signature', at);
    } else if (sig === ARCHIVE_EXTRA) {
      const size = (yield* need(4, 'the archive extra data', at)).readUInt32LE(0);
      if ((yield* skip(size)) < size) truncated('the archive ends inside its extra data', at);
    } else if (sig === EOCD) {
      const e = yield* need(18, 'the end of central directory', at);
      const commentLength = e.readUInt16LE(16);
      if ((yield* skip(commentLength)) < commentLength) truncated('the archive ends inside its comment', at);
      break;
    } else {
      stop(
        'ZIP_MALFORMED',
        `bytes at offset ${at} are not a zip record (0x${sig.toString(16).padStart(8, '0')}): the rest of the archive cannot be read as a stream`,
        at,
      );
    }
    const s = yield* read(4);
    if (!s) return truncated('the archive ends inside its central directory', r.position);
    sig = s.readUInt32LE(0);
  }
  const unlisted = [...seen.keys()].filter((offset) => !centralOffsets.has(offset - base)).length;
  ctx.add(
    'ZIP_SUMMARY',
    'INFO',
    `${seen.size} entries, ${central} in the central directory${unlisted ? ` (${unlisted} local entries it does not list, which readers ignore)` : ''}; ${summary.scanned} scanned`,
  );

  const at = r.position;
  const next = yield* read(4);
  if (!next) return false;
  if (next.readUInt32LE(0) === LOCAL) return true;
  const rest = yield* skip(Infinity);
  ctx.add('ZIP_TRAILING_DATA', 'INFO', `${rest + next.length} bytes after the end of central directory`, at);
  return false;
}

/** A field of an extra-data block, by its header id. */
function extraField(extra: Buffer, id: number): Buffer | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const fieldId = extra.readUInt16LE(p);
    const size = extra.readUInt16LE(p + 2);
    if (fieldId === id) return extra.subarray(p + 4, Math.min(extra.length, p + 4 + size));
    p += 4 + size;
  }
  return null;
}

function* localEntry(
  r: ByteReader,
  ctx: ScanContext,
  summary: ZipSummary,
  seen: Map<number, LocalEntry>,
  at: number,
  need: (n: number, what: string, at: number) => Gen<Buffer>,
  stop: (code: 'ZIP_MALFORMED' | 'ZIP_UNSTREAMABLE', message: string, at: number) => never,
  truncated: (message: string, at: number) => never,
): Gen<void> {
  const h = yield* need(26, 'a local file header', at);
  const flags = h.readUInt16LE(2);
  const method = h.readUInt16LE(4);
  let csize: number | null = h.readUInt32LE(14);
  let usize: number | null = h.readUInt32LE(18);
  const nameLength = h.readUInt16LE(22);
  const extraLength = h.readUInt16LE(24);
  const nameExtra = yield* need(nameLength + extraLength, 'a local file header', at);
  const name = nameExtra.toString(flags & 0x800 ? 'utf8' : 'latin1', 0, nameLength);
  const zip64 = extraField(nameExtra.subarray(nameLength), 0x0001);
  if (zip64) {
    let p = 0;
    if (usize === 0xffffffff && p + 8 <= zip64.length) {
      usize = u64(zip64, p);
      p += 8;
    }
    if (csize === 0xffffffff && p + 8 <= zip64.length) csize = u64(zip64, p);
  }
  const descriptor = (flags & 0x08) !== 0;
  if (descriptor) {
    csize = null;
    usize = null;
  }
  summary.entries += 1;
  if (TORCH_ENTRY.test(name)) summary.torch = true;
  const entry: LocalEntry = { name, method, csize };
  seen.set(at, entry);
  const dataAt = r.position;
  const scannedKind = PICKLE_ENTRY.test(name) || NPY_ENTRY.test(name);

  const skipData = function* (what: string) {
    if (csize === null)
      return stop(
        'ZIP_UNSTREAMABLE',
        `${JSON.stringify(name)} (${what}) has a data descriptor: its end cannot be found as the archive streams; the rest is not scanned`,
        at,
      );
    if ((yield* skip(csize)) < csize) truncated(`the archive ends inside ${JSON.stringify(name)}`, dataAt);
  };

  if (usize !== null && csize !== null && usize > BOMB_DECLARED && usize > BOMB_RATIO * Math.max(1, csize)) {
    ctx.add('ZIP_BOMB', 'DANGEROUS', `${JSON.stringify(name)} declares ${usize} bytes from ${csize} (more than ${BOMB_RATIO}:1)`, at, name);
  }
  if (flags & 0x01) {
    ctx.add('ZIP_ENCRYPTED', 'SUSPICIOUS', `${JSON.stringify(name)} is encrypted: not scanned`, at, name);
    return yield* skipData('encrypted');
  }
  if (method !== 0 && method !== 8) {
    ctx.add(
      'ZIP_UNSUPPORTED_METHOD',
      scannedKind ? 'DANGEROUS' : 'INFO',
      `${JSON.stringify(name)} is compressed with method ${method}, which the scanner does not inflate${scannedKind ? ': a reader could load it unscanned' : ''}`,
      at,
      name,
    );
    return yield* skipData(`method ${method}`);
  }

  const sink = entrySink(name, ctx);
  if (sink) summary.scanned += 1;

  if (method === 0) {
    if (csize !== null) {
      if (!sink) return yield* skipData('stored');
      const piped = yield* pipe(csize, (b) => (sink.push(b), b.length));
      if (piped < csize) {
        sink.abort();
        truncated(`the archive ends inside ${JSON.stringify(name)}`, dataAt);
      }
      sink.finish();
      return;
    }
    // Stored, with a data descriptor: its end is where a descriptor signature is followed by this entry's size.
    const search = descriptorSearch(zip64 !== null, (b) => sink?.push(b));
    yield* pipe(Infinity, search.take);
    if (!search.found) {
      sink?.abort();
      return stop(
        'ZIP_UNSTREAMABLE',
        `${JSON.stringify(name)} is stored with a data descriptor whose end was never found: the rest is not scanned`,
        at,
      );
    }
    entry.csize = search.found;
    sink?.finish();
    return;
  }

  // Deflated.
  if (!sink && csize !== null) return yield* skipData('deflated');
  const inflater = createInflater('raw');
  if (!inflater) {
    ctx.add(
      'ZIP_INFLATE_ERROR',
      sink ? 'DANGEROUS' : 'SUSPICIOUS',
      `${JSON.stringify(name)}: this Node cannot inflate as a stream; not scanned`,
      at,
      name,
    );
    sink?.abort();
    return yield* skipData('deflated');
  }
  const limit = Math.min(ctx.limits.maxInflatedBytes, usize ?? Infinity);
  let out = 0;
  let over: 'bomb' | 'size' | null = null;
  let failed: string | null = null;
  const deliver = (piece: Buffer) => {
    if (over) return;
    const room = limit - out;
    if (piece.length > room) {
      if (sink && room > 0) sink.push(piece.subarray(0, room));
      out = limit;
      over = limit === ctx.limits.maxInflatedBytes ? 'bomb' : 'size';
      return;
    }
    out += piece.length;
    sink?.push(piece);
  };
  let consumed = 0;
  const take = (b: Buffer): number => {
    if (failed || over) return b.length;
    try {
      const took = inflater.write(b, deliver);
      consumed += took;
      return inflater.ended ? took : b.length;
    } catch (err) {
      failed = String((err as Error)?.message ?? err);
      return b.length;
    }
  };
  if (csize !== null) {
    const piped = yield* pipe(csize, (b) => {
      if (failed || over || inflater.ended) return b.length;
      take(b);
      return b.length;
    });
    if (!failed && !over) inflater.end(deliver);
    inflater.close();
    if (piped < csize) {
      sink?.abort();
      truncated(`the archive ends inside ${JSON.stringify(name)}`, dataAt);
    }
  } else {
    yield* pipe(Infinity, (b) => {
      if (failed || over) return 0;
      return take(b);
    });
    inflater.close();
    if (failed || over || !inflater.ended) {
      sink?.abort();
      return stop(
        'ZIP_UNSTREAMABLE',
        `${JSON.stringify(name)} has a data descriptor and ${failed ? `does not inflate (${failed})` : over ? 'inflates beyond the bound' : 'never ends'}: the rest is not scanned`,
        at,
      );
    }
    entry.csize = consumed;
    // The data descriptor: an optional signature, the CRC, then the sizes (64-bit in a zip64 entry).
    const d = yield* need(4, 'a data descriptor', r.position);
    const sized = zip64 !== null ? 16 : 8;
    yield* need(d.readUInt32LE(0) === DESCRIPTOR ? 4 + sized : sized, 'a data descriptor', r.position);
  }
  if (failed) {
    ctx.add('ZIP_INFLATE_ERROR', 'SUSPICIOUS', `${JSON.stringify(name)} does not inflate: ${failed}`, at, name);
    sink?.abort();
  } else if (over === 'bomb') {
    ctx.add(
      'ZIP_BOMB',
      'DANGEROUS',
      `${JSON.stringify(name)} inflates beyond ${ctx.limits.maxInflatedBytes} bytes (maxInflatedBytes): not scanned further`,
      at,
      name,
    );
    sink?.abort();
  } else if (over === 'size') {
    ctx.add(
      'ZIP_SIZE_MISMATCH',
      'SUSPICIOUS',
      `${JSON.stringify(name)} inflates beyond its declared ${usize} bytes: not scanned further`,
      at,
      name,
    );
    sink?.abort();
  } else if (!inflater.ended) {
    ctx.add(
      'ZIP_INFLATE_ERROR',
      'SUSPICIOUS',
      `${JSON.stringify(name)}: its deflate stream does not end within its ${csize} bytes`,
      at,
      name,
    );
    sink?.finish();
  } else sink?.finish();
}

/**
 * The end of a stored entry with a data descriptor: the descriptor's signature, followed (after the CRC) by a size
 * equal to the bytes before it. The last bytes are held back until they are known not to start the descriptor.
 */
function descriptorSearch(zip64: boolean, deliver: (b: Buffer) => void) {
  const tail = zip64 ? 24 : 16;
  let hold = Buffer.alloc(0);
  let count = 0;
  const state = {
    found: 0,
    take(b: Buffer): number {
      if (state.found) return 0;
      const all = hold.length ? Buffer.concat([hold, b]) : b;
      for (let i = all.indexOf(DESCRIPTOR_SIG); i >= 0 && i + tail <= all.length; i = all.indexOf(DESCRIPTOR_SIG, i + 1)) {
        const size = zip64 ? u64(all, i + 8) : all.readUInt32LE(i + 8);
        if (size !== count + i) continue;
        if (i > 0) deliver(all.subarray(0, i));
        count += i;
        state.found = count;
        // The bytes of b taken: up to the end of the descriptor (held bytes were taken before).
        return i + tail - hold.length;
      }
      // The last tail - 1 bytes could begin a descriptor not all here yet: held back.
      const start = Math.max(0, all.length - (tail - 1));
      if (start > 0) deliver(all.subarray(0, start));
      count += start;
      hold = Buffer.from(all.subarray(start));
      return b.length;
    },
  };
  return state;
}
