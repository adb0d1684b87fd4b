import { classifyImport, type ImportRecord, type ScanContext } from './scan.rules';

/**
 * A pickle stream read as it arrives, opcode by opcode (protocols 0 to 5), without ever running it: which globals
 * it imports (GLOBAL, STACK_GLOBAL, INST) and what calls them (REDUCE, OBJ, INST, NEWOBJ, NEWOBJ_EX, BUILD).
 *
 * It follows the unpickler's stack and memo as far as that takes: enough to name what STACK_GLOBAL imports (its
 * module and name are usually memoized strings fetched with BINGET), what REDUCE calls, and the size of the array
 * data joblib writes inline. Values are kept shallow and bounded (ScanLimits): a container keeps its first items only
 * when they are few and shallow, strings only up to maxPickleString bytes, the stack its top maxPickleStack entries,
 * the memo maxPickleMemo values. A value that was not kept reads as unknown; an import named by an unknown value is
 * PICKLE_IMPORT_UNNAMED (DANGEROUS): the scan never guesses a name.
 *
 * The parser is lenient where the unpickler is (a text INT it cannot read is an unknown number, not an error), so it
 * never stops where Python would go on; where it goes on and Python would stop, it only reports more.
 *
 * Modes: `definitive` (the file is a pickle: every error is a finding), `probe` (is this file a pickle at all? names
 * must be identifiers, an error ends the probe quietly; it counts once a pickle completes or a DANGEROUS import is
 * seen), `shadow` (bytes after a joblib array as plain pickle.load would read them: a probe that starts from a copy
 * of the state), `nested` (the pickle joblib writes for an object array: it ends at its STOP; a memo miss reads as
 * unknown, since plain pickle.load would read it with the outer memo).
 */

export type PickleMode = 'definitive' | 'probe' | 'shadow' | 'nested';

export interface PickleOptions {
  mode: PickleMode;
  /** The zip entry or decompressed stream this pickle is in (findings name it). */
  entry?: string;
  /** Offset of the stream's first byte (in the file, or in `entry`). */
  baseOffset?: number;
  /** Follow joblib's inline arrays (NumpyArrayWrapper): top-level files, which joblib.load may read. */
  joblib?: boolean;
  /** Recognise a legacy torch.save file (five pickles, then raw storage bytes). */
  legacyTorch?: boolean;
}

// Values, as far as the scan follows them. Strings and numbers stand for themselves.
interface Leaf {
  readonly t: 'u' | 'b' | 'f' | 'n' | 'B' | 'S' | 'I';
  readonly d: 0;
}
interface GlobalV {
  readonly t: 'g';
  readonly d: 0;
  readonly module: string;
  readonly name: string;
  readonly rec: ImportRecord | null;
}
interface ObjV {
  readonly t: 'o';
  d: number;
  cls: GlobalV | null;
  args: V | null;
  state: V | null;
  setstate: V | null;
}
interface TupleV {
  readonly t: 't';
  readonly d: number;
  readonly items: V[] | null;
}
interface DictV {
  readonly t: 'd';
  d: number;
  items: Map<string, V> | null;
  setstate: V | null;
}
interface CollV {
  readonly t: 'l' | 's';
  d: number;
}
type V = number | string | Leaf | GlobalV | ObjV | TupleV | DictV | CollV;

const UNKNOWN: Leaf = { t: 'u', d: 0 };
const BYTES: Leaf = { t: 'b', d: 0 };
const FLOAT: Leaf = { t: 'f', d: 0 };
const NONE: Leaf = { t: 'n', d: 0 };
const BOOL: Leaf = { t: 'B', d: 0 };
const LONG_STR: Leaf = { t: 'S', d: 0 };
const BIG_INT: Leaf = { t: 'I', d: 0 };
const UNNAMED: GlobalV = { t: 'g', d: 0, module: '?', name: '?', rec: null };

const depthOf = (v: V): number => (typeof v === 'object' ? v.d : 0);
/** What a container keeps of a child: shallow values only (bounded memory whatever the pickle). */
const KEEP_DEPTH = 2;
const keep = (v: V): V => (depthOf(v) <= KEEP_DEPTH ? v : UNKNOWN);
const TUPLE_ITEMS_KEPT = 8;
const DICT_ITEMS_KEPT = 16;

const IDENTIFIER_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const RECONSTRUCTORS = new Set(['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__', 'copy_reg._reconstructor']);
const JOBLIB_WRAPPERS = new Set(['joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper']);
/** 0x1950a86a20f9469cfc6c, torch's legacy magic number, as LONG1 writes it. */
const TORCH_LEGACY_MAGIC = Buffer.from('6cfc9c46f9206aa85019', 'hex');

const OPCODE_NAMES: Record<number, string> = {
  0x52: 'REDUCE',
  0x6f: 'OBJ',
  0x69: 'INST',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x62: 'BUILD',
};

/** Bytes a chunk is joined with when an opcode straddles chunks (more than the longest opcode held). */
const HEAD_BYTES = 64 * 1024;
const MAX_SHADOWS = 8;

class PickleError extends Error {
  constructor(
    message: string,
    /** Already reported as a finding of its own (PICKLE_TOO_DEEP, PICKLE_UNSCANNABLE). */
    readonly reported = false,
  ) {
    super(message);
  }
}

export class PickleScanner {
  // The unpickler's state, as far as it is followed.
  /** The stack: entries 0 .. sp-1 (the array is not shrunk when they are popped, so it is not regrown either). */
  private stack: V[] = [];
  private sp = 0;
  /** Logical index of stack[0]: entries below it were forgotten (maxPickleStack). */
  private base = 0;
  private marks: number[] = [];
  private memo = new Map<number, V>();
  private memoDense = 0;
  private memoSparse = new Set<number>();
  private memoUnreliable = false;
  private proto = 0;

  // Stream state.
  private pending: Buffer | null = null;
  private pendingAt = 0;
  private total = 0;
  private skip = 0;
  private joblibData = 0;
  private shadows: Array<{ scanner: PickleScanner; fedUntil: number; at: number }> = [];
  /** Stream offset of the current pickle's first byte (-1 in a shadow, which starts inside one). */
  private pickleStart = 0;
  private legacyMagic = false;

  // States the opcode loop checks for with one test (`special`): an over-long line, a joblib padding byte, a nested
  // pickle, the end of a pickle.
  private special = 0;
  private lineSkipValue: { op: number; lines: number; at: number } | null = null;
  private joblibPadValue = false;
  private nestedValue: PickleScanner | null = null;
  private betweenValue = false;
  private get lineSkip() {
    return this.lineSkipValue;
  }
  private set lineSkip(v: { op: number; lines: number; at: number } | null) {
    this.lineSkipValue = v;
    this.refreshSpecial();
  }
  private get joblibPad() {
    return this.joblibPadValue;
  }
  private set joblibPad(v: boolean) {
    this.joblibPadValue = v;
    this.refreshSpecial();
  }
  private get nested() {
    return this.nestedValue;
  }
  private set nested(v: PickleScanner | null) {
    this.nestedValue = v;
    this.refreshSpecial();
  }
  private get between() {
    return this.betweenValue;
  }
  private set between(v: boolean) {
    this.betweenValue = v;
    this.refreshSpecial();
  }
  private refreshSpecial(): void {
    this.special = (this.lineSkipValue ? 1 : 0) | (this.joblibPadValue ? 2 : 0) | (this.nestedValue ? 4 : 0) | (this.betweenValue ? 8 : 0);
  }

  /** Complete pickles (each up to its STOP). */
  pickles = 0;
  /** Whether the stream turned out to be a pickle (probe): a pickle completed, or a DANGEROUS import was seen. */
  counted = false;
  /** Whether the scan ended (an error, a bound, or a single pickle's STOP in nested mode). */
  finished = false;
  /** Why it ended early, when an error did it. */
  error: string | null = null;
  private protocols = new Set<number>();
  private opcodes = 0;
  private readonly entry: string | undefined;
  private readonly base0: number;
  private readonly strict: boolean;
  private readonly lenientMemo: boolean;

  constructor(
    private readonly ctx: ScanContext,
    private readonly options: PickleOptions,
  ) {
    this.entry = options.entry;
    this.base0 = options.baseOffset ?? 0;
    this.strict = options.mode === 'probe' || options.mode === 'shadow';
    this.lenientMemo = options.mode === 'shadow' || options.mode === 'nested';
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.total;
  }

  /**
   * Hands the scanner the next bytes of the stream. Answers how many it consumed: all of them, except in nested mode
   * once its pickle's STOP is reached (the rest belongs to the stream around it).
   */
  push(chunk: Buffer): number {
    const chunkAt = this.total;
    let used = chunk.length;
    if (!this.finished) {
      try {
        used = this.consume(chunk, chunkAt);
      } catch (err) {
        this.fail(err, chunkAt);
      }
    } else if (this.options.mode === 'nested') used = 0;
    this.total = chunkAt + used;
    if (this.shadows.length) this.feedShadows(chunk, chunkAt);
    return used;
  }

  /** The end of the stream: a pickle left open is PICKLE_TRUNCATED (in definitive and nested modes). */
  finish(): void {
    for (const s of this.shadows) this.settleShadow(s.scanner, s.at, true);
    this.shadows = [];
    if (this.nested) {
      this.nested.finish();
      this.nested = null;
    }
    if (!this.finished) {
      const open =
        this.pending !== null ||
        this.skip > 0 ||
        this.lineSkip !== null ||
        this.joblibPad ||
        (!this.between && this.total > this.pickleStart);
      if (open && this.total > 0) {
        const reason =
          this.skip > 0
            ? `${this.skip === Infinity ? 'more than 2^53' : this.skip} more bytes were announced`
            : 'the stream ends inside a pickle';
        this.error = reason;
        if (this.definitive) this.ctx.add('PICKLE_TRUNCATED', 'SUSPICIOUS', `truncated: ${reason}`, this.base0 + this.total, this.entry);
      }
      this.finished = true;
    }
    if ((this.options.mode === 'definitive' || this.options.mode === 'probe') && this.pickles > 0) {
      const protocols = [...this.protocols].sort().join(', ') || '0';
      this.ctx.add(
        'PICKLE_SUMMARY',
        'INFO',
        `${this.pickles} pickle${this.pickles === 1 ? '' : 's'} (protocol ${protocols}), ${this.opcodes} opcodes`,
        undefined,
        this.entry,
      );
    }
  }

  /** Ends the scan without a truncation finding (the bytes around it were cut off for another reason). */
  abort(): void {
    this.finished = true;
    this.shadows = [];
    this.nested = null;
  }

  private get definitive(): boolean {
    return this.options.mode === 'definitive' || this.options.mode === 'nested';
  }

  private consume(chunk: Buffer, chunkAt: number): number {
    let pos = 0;
    if (this.pending) {
      // An opcode cut by the end of the last chunk: joined with as few bytes of this one as it takes.
      const pend = this.pending;
      this.pending = null;
      const limits = this.ctx.limits;
      const most = Math.max(HEAD_BYTES, 2 * limits.maxPickleLine + limits.maxPickleString + 64);
      let head = pend;
      let p = 0;
      for (const extra of [64, 4096, most]) {
        head = Buffer.concat([pend, chunk.subarray(0, extra)]);
        p = this.run(head, 0, this.pendingAt);
        if (this.finished || p > 0 || extra >= chunk.length) break;
      }
      if (this.finished) return this.options.mode === 'nested' ? Math.max(0, p - pend.length) : chunk.length;
      if (p === 0) {
        // Still not one whole opcode: then all of the chunk is in head.
        this.pending = Buffer.from(head);
        return chunk.length;
      }
      pos = p - pend.length;
      if (pos >= chunk.length) return chunk.length;
    }
    const p = this.run(chunk, pos, chunkAt);
    if (this.finished) return this.options.mode === 'nested' ? p : chunk.length;
    if (p < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(p));
      this.pendingAt = chunkAt + p;
    }
    return chunk.length;
  }

  /** An error ended the scan: a finding in definitive mode. */
  private fail(err: unknown, chunkAt: number): void {
    const message = err instanceof PickleError ? err.message : `scanner error: ${String((err as Error)?.message ?? err)}`;
    this.finished = true;
    this.error = message;
    if (!(err instanceof PickleError)) {
      this.ctx.add('SCANNER_ERROR', 'DANGEROUS', message, this.base0 + chunkAt, this.entry);
    } else if (this.definitive && !err.reported) {
      if (this.pickles > 0 && this.errorAt === this.base0 + this.pickleStart) {
        this.ctx.add(
          'PICKLE_TRAILING_DATA',
          'INFO',
          `bytes after pickle ${this.pickles} are not a pickle (${message})`,
          this.errorAt,
          this.entry,
        );
      } else {
        this.ctx.add('PICKLE_MALFORMED', 'SUSPICIOUS', message, this.errorAt, this.entry);
      }
    }
  }

  private errorAt = 0;

  private malformed(message: string, at: number): never {
    this.errorAt = at;
    throw new PickleError(`${message} at offset ${at}`);
  }

  // ---- the stack ----

  private get fence(): number {
    return this.marks.length ? this.marks[this.marks.length - 1] : 0;
  }

  private push1(v: V): void {
    this.stack[this.sp++] = v;
    if (this.sp > this.ctx.limits.maxPickleStack) this.trimStack();
  }

  /** Forgets the bottom half of the stack (its entries then read as unknown). */
  private trimStack(): void {
    const drop = this.sp >> 1;
    this.stack.copyWithin(0, drop, this.sp);
    this.sp -= drop;
    this.base += drop;
    this.stack.length = this.sp;
  }

  private pop(at: number): V {
    if (this.base + this.sp <= this.fence) this.malformed('stack underflow', at);
    if (this.sp === 0) {
      this.base -= 1;
      return UNKNOWN;
    }
    return this.stack[--this.sp];
  }

  private top(at: number): V {
    if (this.base + this.sp <= this.fence) this.malformed('stack underflow', at);
    return this.sp ? this.stack[this.sp - 1] : UNKNOWN;
  }

  /** Index into `stack` of the first entry above the top MARK (the MARK is popped); -1 without a MARK. */
  private popMark(): number {
    const mark = this.marks.pop();
    if (mark === undefined) return -1;
    this.markLost = mark < this.base;
    if (!this.markLost) return mark - this.base;
    // Some entries above the mark were forgotten: what is left of them starts at 0.
    this.base = mark;
    return 0;
  }

  /** Whether the last popMark lost entries (then their count is unknown). */
  private markLost = false;

  private checkDepth(d: number, at: number): void {
    if (d > this.ctx.limits.maxPickleDepth) this.tooDeep(at);
  }

  private tooDeep(at: number): never {
    this.errorAt = at;
    const message = `nested deeper than ${this.ctx.limits.maxPickleDepth} (MARKs or containers) at offset ${at}: the rest of the pickle is not scanned`;
    this.ctx.add('PICKLE_TOO_DEEP', 'DANGEROUS', message, at, this.entry);
    this.counted = true;
    throw new PickleError(message, true);
  }

  // ---- the memo ----

  private memoPut(key: number | null, v: V): void {
    if (key === null || key < 0) {
      this.memoUnreliable = true;
      return;
    }
    if (key >= this.memoDense && !this.memoSparse.has(key)) {
      if (key === this.memoDense) {
        this.memoDense += 1;
        while (this.memoSparse.delete(this.memoDense)) this.memoDense += 1;
      } else {
        this.memoSparse.add(key);
        if (this.memoSparse.size > this.ctx.limits.maxPickleMemo) {
          this.memoUnreliable = true;
          this.memoSparse.clear();
        }
      }
    }
    if (typeof v === 'object' && (v.t === 'u' || v.t === 'b' || v.t === 'f' || v.t === 'n' || v.t === 'B')) {
      this.memo.delete(key);
    } else if (this.memo.size < this.ctx.limits.maxPickleMemo || this.memo.has(key)) {
      this.memo.set(key, keep(v));
    } else {
      this.memo.delete(key);
    }
  }

  private memoGet(key: number | null, at: number): V {
    if (key === null || this.memoUnreliable) return UNKNOWN;
    const v = this.memo.get(key);
    if (v !== undefined) return v;
    if (key < this.memoDense || this.memoSparse.has(key) || this.lenientMemo) return UNKNOWN;
    return this.malformed(`memo key ${key} was never stored`, at);
  }

  // ---- imports ----

  private importGlobal(module: string, name: string, opcode: string, at: number): GlobalV {
    if (this.strict && (!IDENTIFIER_PATH.test(module) || !IDENTIFIER_PATH.test(name))) this.malformed('not an importable name', at);
    const rec = this.ctx.importGlobal(module, name, opcode, at, this.entry);
    if (!this.counted && classifyImport(module, name).verdict === 'DANGEROUS') this.counted = true;
    return { t: 'g', d: 0, module, name, rec };
  }

  private unnamed(message: string, at: number): GlobalV {
    this.ctx.add('PICKLE_IMPORT_UNNAMED', 'DANGEROUS', message, at, this.entry);
    this.counted = true;
    return UNNAMED;
  }

  private called(v: V, opcode: number): void {
    if (typeof v === 'object' && v.t === 'g' && v.rec) v.rec.calledBy.add(OPCODE_NAMES[opcode]);
  }

  // ---- the opcodes ----

  /** Reads opcodes from buf[pos]; answers where it stopped (buf.length, or the start of an opcode not all there). */
  private run(buf: Buffer, pos: number, bufAt: number): number {
    const len = buf.length;
    const limits = this.ctx.limits;
    const maxStack = limits.maxPickleStack;
    const base = this.base0 + bufAt;
    let stack = this.stack;
    let ops = 0;
    try {
      while (pos < len) {
        if (this.skip > 0) {
          const n = Math.min(this.skip, len - pos);
          this.skip -= n;
          pos += n;
          continue;
        }
        if (this.special !== 0) {
          if (this.nested) {
            const nested = this.nested;
            pos += nested.push(buf.subarray(pos));
            if (nested.finished) {
              this.nested = null;
              if (nested.error) {
                // The unpickler joblib called failed: joblib.load stops there too.
                this.finished = true;
                this.error = nested.error;
                return pos;
              }
              nested.finish();
            }
          } else if (this.lineSkip) {
            pos = this.skipLines(buf, pos, bufAt);
            if (this.finished) return pos;
          } else if (this.joblibPad) {
            this.joblibPad = false;
            this.skip = buf[pos] + this.joblibData;
            pos += 1;
          } else if (this.between) {
            // After a STOP: another pickle may follow (joblib and torch.save write several).
            this.between = false;
            this.startPickle(bufAt + pos);
            stack = this.stack;
          }
          continue;
        }
        // The opcodes of numbers, most of a large pickle of numbers, in a loop of their own (none of them changes the
        // states above). They only push: onto the stack, whose top is `sp` here.
        let sp = this.sp;
        let op = buf[pos];
        while (op === 0x47 || op === 0x4b || op === 0x4a || op === 0x4d) {
          if (op === 0x47) {
            // BINFLOAT
            if (len - pos < 9) break;
            stack[sp++] = FLOAT;
            pos += 9;
          } else if (op === 0x4b) {
            // BININT1
            if (len - pos < 2) break;
            stack[sp++] = buf[pos + 1];
            pos += 2;
          } else if (op === 0x4a) {
            // BININT
            if (len - pos < 5) break;
            stack[sp++] = buf[pos + 1] | (buf[pos + 2] << 8) | (buf[pos + 3] << 16) | (buf[pos + 4] << 24);
            pos += 5;
          } else {
            // BININT2
            if (len - pos < 3) break;
            stack[sp++] = buf[pos + 1] | (buf[pos + 2] << 8);
            pos += 3;
          }
          ops += 1;
          if (sp > maxStack) {
            this.sp = sp;
            this.trimStack();
            sp = this.sp;
          }
          if (pos >= len) break;
          op = buf[pos];
        }
        this.sp = sp;
        if (pos >= len) return pos;
        if (op === 0x47 || op === 0x4b || op === 0x4a || op === 0x4d) return pos; // not all there yet
        const next = this.step(buf, pos, op, len - pos, base + pos, bufAt);
        if (next < 0) return -next - 1;
        pos = next;
        stack = this.stack;
        ops += 1;
        if (this.finished) return pos;
      }
      return pos;
    } finally {
      this.opcodes += ops;
    }
  }

  /** One opcode other than the number ones: answers the next position, or -(pos+1) when it is not all there. */
  private step(buf: Buffer, pos: number, op: number, avail: number, at: number, bufAt: number): number {
    const limits = this.ctx.limits;
    {
      switch (op) {
        case 0x28: // MARK
          if (this.marks.length >= limits.maxPickleDepth) this.tooDeep(at);
          this.marks.push(this.base + this.sp);
          pos += 1;
          break;
        case 0x2e: // STOP
          this.pop(at);
          pos += 1;
          this.stopped(at);
          break;
        case 0x30: {
          // POP: the top MARK when nothing is above it, else the top entry
          const size = this.base + this.sp;
          if (this.marks.length && this.marks[this.marks.length - 1] === size) this.marks.pop();
          else this.pop(at);
          pos += 1;
          break;
        }
        case 0x31: {
          // POP_MARK
          const i = this.popMark();
          if (i < 0) this.malformed('POP_MARK without MARK', at);
          this.sp = i;
          pos += 1;
          break;
        }
        case 0x32: // DUP
          this.push1(this.top(at));
          pos += 1;
          break;
        case 0x4e: // NONE
          this.push1(NONE);
          pos += 1;
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          this.push1(BOOL);
          pos += 1;
          break;
        case 0x4b: // BININT1
          if (avail < 2) return -pos - 1;
          this.push1(buf[pos + 1]);
          pos += 2;
          break;
        case 0x4d: // BININT2
          if (avail < 3) return -pos - 1;
          this.push1(buf.readUInt16LE(pos + 1));
          pos += 3;
          break;
        case 0x4a: // BININT
          if (avail < 5) return -pos - 1;
          this.push1(buf.readInt32LE(pos + 1));
          pos += 5;
          break;
        case 0x47: // BINFLOAT
          if (avail < 9) return -pos - 1;
          this.push1(FLOAT);
          pos += 9;
          break;
        case 0x8a: {
          // LONG1
          if (avail < 2) return -pos - 1;
          const n = buf[pos + 1];
          if (avail < 2 + n) return -pos - 1;
          if (n === 10 && this.pickles === 0 && this.options.legacyTorch && buf.subarray(pos + 2, pos + 12).equals(TORCH_LEGACY_MAGIC))
            this.legacyMagic = true;
          this.push1(n === 0 ? 0 : n <= 6 ? buf.readIntLE(pos + 2, n) : BIG_INT);
          pos += 2 + n;
          break;
        }
        case 0x8b: {
          // LONG4
          if (avail < 5) return -pos - 1;
          const n = buf.readInt32LE(pos + 1);
          if (n < 0) this.malformed('LONG4 with a negative length', at);
          if (n <= 6) {
            if (avail < 5 + n) return -pos - 1;
            this.push1(n === 0 ? 0 : buf.readIntLE(pos + 5, n));
            pos += 5 + n;
          } else {
            this.push1(BIG_INT);
            pos += 5;
            this.skip = n;
          }
          break;
        }
        case 0x55: // SHORT_BINSTRING
        case 0x43: // SHORT_BINBYTES
        case 0x8c: {
          // SHORT_BINUNICODE
          if (avail < 2) return -pos - 1;
          const n = buf[pos + 1];
          if (avail < 2 + n) return -pos - 1;
          this.push1(op === 0x43 ? BYTES : this.text(buf, pos + 2, n, op === 0x8c ? 'utf8' : 'latin1'));
          pos += 2 + n;
          break;
        }
        case 0x54: // BINSTRING
        case 0x42: // BINBYTES
        case 0x58: {
          // BINUNICODE
          if (avail < 5) return -pos - 1;
          const n = op === 0x54 ? buf.readInt32LE(pos + 1) : buf.readUInt32LE(pos + 1);
          if (n < 0) this.malformed('BINSTRING with a negative length', at);
          pos = this.counted8or4(buf, pos, 5, n, op === 0x42 ? null : op === 0x58 ? 'utf8' : 'latin1');
          if (pos < 0) return pos;
          break;
        }
        case 0x8d: // BINUNICODE8
        case 0x8e: // BINBYTES8
        case 0x96: {
          // BYTEARRAY8
          if (avail < 9) return -pos - 1;
          const n = this.u64(buf, pos + 1, at);
          pos = this.counted8or4(buf, pos, 9, n, op === 0x8d ? 'utf8' : null);
          if (pos < 0) return pos;
          break;
        }
        case 0x95: // FRAME
          if (avail < 9) return -pos - 1;
          this.u64(buf, pos + 1, at);
          pos += 9;
          break;
        case 0x80: {
          // PROTO
          if (avail < 2) return -pos - 1;
          const p = buf[pos + 1];
          if (p > 5) this.malformed(`unsupported pickle protocol ${p}`, at);
          this.proto = p;
          this.protocols.add(p);
          pos += 2;
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.push1({ t: 'l', d: 1 });
          pos += 1;
          break;
        case 0x8f: // EMPTY_SET
          this.push1({ t: 's', d: 1 });
          pos += 1;
          break;
        case 0x7d: // EMPTY_DICT
          this.push1({ t: 'd', d: 1, items: new Map(), setstate: null });
          pos += 1;
          break;
        case 0x29: // EMPTY_TUPLE
          this.push1({ t: 't', d: 1, items: [] });
          pos += 1;
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          const items: V[] = new Array(n);
          for (let i = n - 1; i >= 0; i -= 1) items[i] = this.pop(at);
          this.push1(this.tuple(items, at));
          pos += 1;
          break;
        }
        case 0x74: // TUPLE
        case 0x6c: // LIST
        case 0x91: {
          // FROZENSET
          const i = this.popMark();
          if (i < 0) this.malformed('no MARK', at);
          const items = this.stack.slice(i, this.sp);
          this.sp = i;
          if (op === 0x74) this.push1(this.tuple(items, at));
          else {
            const d = this.maxDepth(items) + 1;
            this.checkDepth(d, at);
            this.push1({ t: op === 0x6c ? 'l' : 's', d });
          }
          pos += 1;
          break;
        }
        case 0x61: {
          // APPEND
          const v = this.pop(at);
          this.grow(this.top(at), depthOf(v) + 1, at);
          pos += 1;
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const i = this.popMark();
          if (i < 0) this.malformed('no MARK', at);
          const d = this.maxDepthFrom(i) + 1;
          this.sp = i;
          this.grow(this.top(at), d, at);
          pos += 1;
          break;
        }
        case 0x64: {
          // DICT
          const i = this.popMark();
          if (i < 0) this.malformed('no MARK', at);
          const dict: DictV = { t: 'd', d: 1, items: new Map(), setstate: null };
          this.setItems(dict, i, at);
          this.sp = i;
          this.push1(dict);
          pos += 1;
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop(at);
          const key = this.pop(at);
          this.setItem(this.top(at), key, value, at);
          pos += 1;
          break;
        }
        case 0x75: {
          // SETITEMS
          const i = this.popMark();
          if (i < 0) this.malformed('no MARK', at);
          // The dict is the entry below the MARK.
          if (this.base + i - 1 < this.fence) this.malformed('stack underflow', at);
          const target = i > 0 ? this.stack[i - 1] : UNKNOWN;
          if (typeof target === 'object' && target.t === 'd') this.setItems(target, i, at);
          else this.grow(target, this.maxDepthFrom(i) + 1, at);
          this.sp = i;
          pos += 1;
          break;
        }
        case 0x68: // BINGET
        case 0x71: {
          // BINPUT
          if (avail < 2) return -pos - 1;
          if (op === 0x68) this.push1(this.memoGet(buf[pos + 1], at));
          else this.memoPut(buf[pos + 1], this.top(at));
          pos += 2;
          break;
        }
        case 0x6a: // LONG_BINGET
        case 0x72: {
          // LONG_BINPUT
          if (avail < 5) return -pos - 1;
          const key = buf.readUInt32LE(pos + 1);
          if (op === 0x6a) this.push1(this.memoGet(key, at));
          else this.memoPut(key, this.top(at));
          pos += 5;
          break;
        }
        case 0x94: // MEMOIZE
          this.memoPut(this.memoDense + this.memoSparse.size, this.top(at));
          pos += 1;
          break;
        case 0x63: // GLOBAL
        case 0x69: // INST
        case 0x53: // STRING
        case 0x56: // UNICODE
        case 0x49: // INT
        case 0x4c: // LONG
        case 0x46: // FLOAT
        case 0x50: // PERSID
        case 0x67: // GET
        case 0x70: {
          // PUT
          const next = this.lineOp(buf, pos, op, at);
          if (next < 0) return -pos - 1;
          pos = next;
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop(at);
          const module = this.pop(at);
          if (typeof module === 'string' && typeof name === 'string') this.push1(this.importGlobal(module, name, 'STACK_GLOBAL', at));
          else if (typeof module === 'number' || typeof name === 'number' || this.notStr(module) || this.notStr(name))
            this.malformed('STACK_GLOBAL requires str', at);
          else
            this.push1(
              this.unnamed(
                `STACK_GLOBAL of a module or name that is computed at load time or too long to keep, at offset ${at}: the import cannot be named`,
                at,
              ),
            );
          pos += 1;
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: {
          // EXT4
          const n = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
          if (avail < 1 + n) return -pos - 1;
          const code = n === 1 ? buf[pos + 1] : n === 2 ? buf.readUInt16LE(pos + 1) : buf.readInt32LE(pos + 1);
          if (code <= 0) this.malformed('EXT code <= 0', at);
          if (this.strict) this.malformed('EXT in a probe', at);
          this.ctx.add(
            'PICKLE_EXTENSION_IMPORT',
            'SUSPICIOUS',
            `imports extension code ${code} (copyreg's extension registry): the global is not named in the file`,
            at,
            this.entry,
          );
          this.push1(UNNAMED);
          pos += 1 + n;
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop(at);
          const fn = this.pop(at);
          this.called(fn, op);
          let cls: GlobalV | null = typeof fn === 'object' && fn.t === 'g' ? fn : null;
          if (cls && RECONSTRUCTORS.has(`${cls.module}.${cls.name}`) && typeof args === 'object' && args.t === 't' && args.items?.length) {
            // copyreg's reconstructors call the class they are given: it is what the object is an instance of.
            const first = args.items[0];
            cls = typeof first === 'object' && first.t === 'g' ? first : null;
            if (cls) this.called(cls, op);
          }
          this.push1(this.object(cls, args, at));
          pos += 1;
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop(at);
          const cls = this.pop(at);
          this.called(cls, op);
          this.push1(this.object(typeof cls === 'object' && cls.t === 'g' ? cls : null, args, at));
          pos += 1;
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          this.pop(at);
          const args = this.pop(at);
          const cls = this.pop(at);
          this.called(cls, op);
          this.push1(this.object(typeof cls === 'object' && cls.t === 'g' ? cls : null, args, at));
          pos += 1;
          break;
        }
        case 0x6f: {
          // OBJ
          const i = this.popMark();
          if (i < 0) this.malformed('no MARK', at);
          if (this.sp - i < 1) this.malformed('OBJ without a class', at);
          const cls = this.stack[i];
          const args = this.tuple(this.stack.slice(i + 1, this.sp), at);
          this.sp = i;
          this.called(cls, op);
          this.push1(this.object(typeof cls === 'object' && cls.t === 'g' ? cls : null, args, at));
          pos += 1;
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop(at);
          const inst = this.top(at);
          pos += 1;
          this.build(inst, state, at);
          if (this.arrayNext) this.joblibArrayStarts(buf, pos, bufAt, at);
          break;
        }
        case 0x51: // BINPERSID
          this.pop(at);
          this.push1(UNKNOWN);
          pos += 1;
          break;
        case 0x97: // NEXT_BUFFER
          this.push1(BYTES);
          pos += 1;
          break;
        case 0x98: // READONLY_BUFFER
          this.top(at);
          pos += 1;
          break;
        default:
          this.malformed(`invalid opcode 0x${op.toString(16).padStart(2, '0')}`, at);
      }
    }
    return pos;
  }

  private notStr(v: V): boolean {
    return (
      typeof v === 'object' &&
      (v.t === 'b' ||
        v.t === 'f' ||
        v.t === 'n' ||
        v.t === 'B' ||
        v.t === 'I' ||
        v.t === 't' ||
        v.t === 'd' ||
        v.t === 'l' ||
        v.t === 's' ||
        v.t === 'g')
    );
  }

  /** An 8-byte length; Infinity beyond 2^53 (no stream is that long, and arithmetic on it must stay exact). */
  private u64(buf: Buffer, off: number, at: number): number {
    const n = buf.readBigUInt64LE(off);
    if (n > 0x7fffffffffffffffn) this.malformed('a length beyond the largest size', at);
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(n);
  }

  /**
   * A counted string, bytes or bytearray (`headerSize` bytes of opcode and length, then `n` bytes): a str short
   * enough to keep is read whole (answers the next position, or -(pos+1) when not all there yet); anything else is
   * skipped as it streams.
   */
  private counted8or4(buf: Buffer, pos: number, headerSize: number, n: number, encoding: 'utf8' | 'latin1' | null): number {
    if (encoding && n <= this.ctx.limits.maxPickleString) {
      if (buf.length - pos < headerSize + n) return -pos - 1;
      this.push1(this.text(buf, pos + headerSize, n, encoding));
      return pos + headerSize + n;
    }
    this.push1(encoding ? LONG_STR : BYTES);
    this.skip = n;
    return pos + headerSize;
  }

  private text(buf: Buffer, start: number, n: number, encoding: 'utf8' | 'latin1'): V {
    if (n > this.ctx.limits.maxPickleString) return LONG_STR;
    return buf.toString(encoding, start, start + n);
  }

  private tuple(items: V[], at: number): TupleV {
    const d = this.maxDepth(items) + 1;
    this.checkDepth(d, at);
    return { t: 't', d, items: items.length <= TUPLE_ITEMS_KEPT ? items.map(keep) : null };
  }

  private object(cls: GlobalV | null, args: V, at: number): ObjV {
    const d = depthOf(args) + 1;
    this.checkDepth(d, at);
    return { t: 'o', d, cls, args: keep(args), state: null, setstate: null };
  }

  private maxDepth(items: readonly V[]): number {
    let d = 0;
    for (const v of items) if (typeof v === 'object' && v.d > d) d = v.d;
    return d;
  }

  private maxDepthFrom(i: number): number {
    const stack = this.stack;
    let d = 0;
    for (let j = i; j < this.sp; j += 1) {
      const v = stack[j];
      if (typeof v === 'object' && v.d > d) d = v.d;
    }
    return d;
  }

  /** A container that received items as deep as `d`. */
  private grow(target: V, d: number, at: number): void {
    if (typeof target === 'object' && (target.t === 'l' || target.t === 's' || target.t === 'd' || target.t === 'o') && d > target.d) {
      this.checkDepth(d, at);
      target.d = d;
    }
  }

  private setItems(dict: DictV, i: number, at: number): void {
    const stack = this.stack;
    if ((this.sp - i) % 2 !== 0 && !this.markLost) this.malformed('odd number of items for SETITEMS', at);
    for (let j = i; j + 1 < this.sp; j += 2) this.setItem(dict, stack[j], stack[j + 1], at);
  }

  private setItem(target: V, key: V, value: V, at: number): void {
    const d = Math.max(depthOf(key), depthOf(value)) + 1;
    if (typeof target !== 'object' || target.t !== 'd') {
      this.grow(target, d, at);
      return;
    }
    this.grow(target, d, at);
    if (typeof key !== 'string') return;
    if (key === '__setstate__') target.setstate = keep(value);
    const items = target.items;
    if (!items) return;
    if (items.has(key) || items.size < DICT_ITEMS_KEPT) items.set(key, keep(value));
    else target.items = null;
  }

  private build(inst: V, state: V, at: number): void {
    if (typeof inst !== 'object') return;
    if (inst.t === 'g') {
      // BUILD on a global object itself sets its attributes (or calls its __setstate__).
      this.called(inst, 0x62);
      return;
    }
    if (inst.t !== 'o') {
      this.grow(inst, depthOf(state) + 1, at);
      return;
    }
    if (inst.setstate) this.called(inst.setstate, 0x62);
    else if (inst.cls) this.called(inst.cls, 0x62);
    // A state that sets __setstate__ (in the dict, or in the slot state of a (dict, slots) pair): the next BUILD
    // on this object calls what it names.
    let injected: V | null = null;
    if (typeof state === 'object' && state.t === 'd') injected = state.setstate;
    else if (typeof state === 'object' && state.t === 't' && state.items?.length === 2) {
      for (const part of state.items) if (typeof part === 'object' && part.t === 'd' && part.setstate) injected = part.setstate;
    }
    if (injected) {
      this.ctx.add(
        'PICKLE_SETSTATE_OVERRIDE',
        'DANGEROUS',
        `BUILD sets __setstate__${typeof injected === 'object' && injected.t === 'g' ? ` to ${injected.module}.${injected.name}` : ''}: a later BUILD on the object calls it`,
        at,
        this.entry,
      );
      this.counted = true;
      inst.setstate = injected;
    }
    const d = depthOf(state) + 1;
    if (d > inst.d) {
      this.checkDepth(d, at);
      inst.d = d;
    }
    inst.state = keep(state);
    if (this.options.joblib && inst.cls && JOBLIB_WRAPPERS.has(`${inst.cls.module}.${inst.cls.name}`)) this.joblibArray(state, at);
  }

  // ---- joblib's inline arrays ----

  /**
   * joblib.load replaces a NumpyArrayWrapper, once built, by the array whose bytes follow it in the file: a padding
   * byte and that many padding bytes (when the wrapper names numpy_array_alignment_bytes), then shape × itemsize
   * bytes; or, for an array of objects, a whole pickle of its own. The scan skips the former, scans the latter, and
   * reads both as plain pickle.load would (a shadow), which would take them for opcodes.
   */
  private joblibArray(state: V, at: number): void {
    const unscannable = (why: string): never => {
      const message = `joblib array at offset ${at}: ${why}; the rest of the file cannot be followed`;
      this.ctx.add('PICKLE_UNSCANNABLE', 'DANGEROUS', message, at, this.entry);
      this.counted = true;
      this.errorAt = at;
      throw new PickleError(message, true);
    };
    const items = typeof state === 'object' && state.t === 'd' ? state.items : null;
    if (!items) return unscannable('its state is not a dict the scan kept');
    const shape = items.get('shape');
    const dtype = items.get('dtype');
    const alignment = items.get('numpy_array_alignment_bytes');
    if (typeof shape !== 'object' || shape.t !== 't' || !shape.items || !shape.items.every((n) => typeof n === 'number' && n >= 0))
      return unscannable('its shape is unknown');
    const count = (shape.items as number[]).reduce((a, b) => a * b, 1);
    const dt = this.dtypeOf(dtype);
    if (!dt) return unscannable('its dtype is unknown');
    const padded =
      alignment === undefined || alignment === NONE
        ? false
        : typeof alignment === 'number'
          ? true
          : unscannable('its alignment is unknown');
    this.ctx.add(
      'JOBLIB_ARRAY',
      'INFO',
      `joblib array ${JSON.stringify(shape.items)} of ${dt.descr}${dt.object ? ' (objects: a pickle, scanned)' : `: ${count * dt.itemsize} bytes skipped`}`,
      at,
      this.entry,
    );
    const bytes = count * dt.itemsize;
    this.arrayNext = { object: dt.object, padded, bytes: Number.isSafeInteger(bytes) ? bytes : Infinity };
  }

  /** The joblib array whose bytes start right after the BUILD being read. */
  private arrayNext: { object: boolean; padded: boolean; bytes: number } | null = null;

  private dtypeOf(v: V | undefined): { descr: string; itemsize: number; object: boolean } | null {
    if (
      typeof v !== 'object' ||
      v.t !== 'o' ||
      !v.cls ||
      !v.cls.module.startsWith('numpy') ||
      !(v.cls.name === 'dtype' || v.cls.name.endsWith('DType'))
    )
      return null;
    const args = v.args;
    const descr =
      typeof args === 'object' && args !== null && args.t === 't' && args.items && typeof args.items[0] === 'string' ? args.items[0] : null;
    if (descr === null) return null;
    const state = v.state;
    const fields = typeof state === 'object' && state !== null && state.t === 't' && state.items ? state.items : [];
    const elsize = fields[5];
    const flags = fields[7];
    const object = descr.startsWith('O') || (typeof flags === 'number' && (flags & 1) === 1);
    if (object) return { descr, itemsize: 8, object };
    if (typeof elsize === 'number' && elsize >= 0) return { descr, itemsize: elsize, object };
    const m = /^[a-zA-Z](\d+)$/.exec(descr);
    if (!m) return null;
    return { descr, itemsize: Number(m[1]) * (descr[0] === 'U' ? 4 : 1), object };
  }

  /** Right after a wrapper's BUILD: the array's bytes start, and plain pickle.load would read them as opcodes. */
  private joblibArrayStarts(buf: Buffer, pos: number, bufAt: number, at: number): void {
    const array = this.arrayNext as { object: boolean; padded: boolean; bytes: number };
    this.arrayNext = null;
    const startAt = bufAt + pos;
    if (array.object) this.nested = new PickleScanner(this.ctx, { mode: 'nested', entry: this.entry, baseOffset: this.base0 + startAt });
    else if (array.padded) {
      this.joblibPad = true;
      this.joblibData = array.bytes;
    } else this.skip = array.bytes;
    if (this.shadows.length >= MAX_SHADOWS) {
      const message = `more than ${MAX_SHADOWS} joblib arrays read as pickles at once at offset ${at}: the rest of the file cannot be followed`;
      this.ctx.add('PICKLE_UNSCANNABLE', 'DANGEROUS', message, at, this.entry);
      this.errorAt = at;
      throw new PickleError(message, true);
    }
    const shadow = new PickleScanner(this.ctx.fork(), { mode: 'shadow', entry: this.entry, baseOffset: this.base0 + startAt });
    shadow.adopt(this);
    const entry = { scanner: shadow, fedUntil: startAt, at: this.base0 + startAt };
    this.shadows.push(entry);
    if (pos < buf.length) {
      shadow.push(buf.subarray(pos));
      entry.fedUntil = bufAt + buf.length;
    }
  }

  /** A shadow starts from a copy of the state plain pickle.load would have at this point. */
  private adopt(from: PickleScanner): void {
    this.stack = from.stack.slice(0, from.sp);
    this.sp = from.sp;
    this.base = from.base;
    this.marks = from.marks.slice();
    this.memo = new Map(from.memo);
    this.memoDense = from.memoDense;
    this.memoSparse = new Set(from.memoSparse);
    this.memoUnreliable = from.memoUnreliable;
    this.proto = from.proto;
    this.pickleStart = -1;
  }

  private feedShadows(chunk: Buffer, chunkAt: number): void {
    for (const s of this.shadows) {
      if (s.fedUntil < chunkAt + chunk.length && !s.scanner.finished) {
        s.scanner.push(chunk.subarray(Math.max(0, s.fedUntil - chunkAt)));
        s.fedUntil = chunkAt + chunk.length;
      }
    }
    const ended = this.shadows.filter((s) => s.scanner.finished);
    if (ended.length) {
      this.shadows = this.shadows.filter((s) => !s.scanner.finished);
      for (const s of ended) this.settleShadow(s.scanner, s.at, false);
    }
  }

  /** What a shadow found counts when it imported anything not SAFE (or found something DANGEROUS). */
  private settleShadow(shadow: PickleScanner, at: number, atEnd: boolean): void {
    if (atEnd) shadow.finish();
    const found = shadow.ctx;
    if (!found.hasUnsafeImport && found.worstFinding !== 'DANGEROUS') return;
    this.ctx.add(
      'JOBLIB_ARRAY',
      'INFO',
      `the bytes after the joblib array wrapper at offset ${at}, read as plain pickle.load reads them, import what follows`,
      at,
      this.entry,
    );
    this.ctx.merge(found);
    this.counted = true;
  }

  // ---- protocol 0 lines ----

  /** An opcode followed by one or two text lines: answers the next position, or -1 when the lines are not all there. */
  private lineOp(buf: Buffer, pos: number, op: number, at: number): number {
    const lines = op === 0x63 || op === 0x69 ? 2 : 1;
    const max = this.ctx.limits.maxPickleLine;
    let from = pos + 1;
    let nl1 = -1;
    let nl2 = -1;
    for (let i = 0; i < lines; i += 1) {
      const nl = buf.indexOf(10, from);
      if ((nl < 0 ? buf.length : nl) - from > max) {
        // A line longer than anything the scan holds: read past it, its value unknown.
        this.lineSkip = { op, lines, at };
        return pos + 1;
      }
      if (nl < 0) return -1;
      if (i === 0) nl1 = nl;
      nl2 = nl;
      from = nl + 1;
    }
    const line1 = buf.subarray(pos + 1, nl1);
    switch (op) {
      case 0x63: // GLOBAL
        this.push1(this.importGlobal(line1.toString('utf8'), buf.toString('utf8', nl1 + 1, nl2), 'GLOBAL', at));
        break;
      case 0x69: {
        // INST
        const cls = this.importGlobal(line1.toString('utf8'), buf.toString('utf8', nl1 + 1, nl2), 'INST', at);
        this.inst(cls, at);
        break;
      }
      case 0x53: // STRING
        this.push1(this.quotedString(line1, at));
        break;
      case 0x56: // UNICODE
        this.push1(rawUnicodeEscape(line1.toString('latin1')));
        break;
      case 0x49: {
        // INT
        const s = line1.toString('latin1');
        this.push1(s === '00' || s === '01' ? BOOL : (intOf(s) ?? BIG_INT));
        break;
      }
      case 0x4c: // LONG
        this.push1(intOf(line1.toString('latin1').replace(/L$/, '')) ?? BIG_INT);
        break;
      case 0x46: // FLOAT
        this.push1(FLOAT);
        break;
      case 0x50: // PERSID
        this.push1(UNKNOWN);
        break;
      case 0x67: // GET
        this.push1(this.memoGet(intOf(line1.toString('latin1')), at));
        break;
      case 0x70: // PUT
        this.memoPut(intOf(line1.toString('latin1')), this.top(at));
        break;
    }
    return nl2 + 1;
  }

  private inst(cls: GlobalV, at: number): void {
    const i = this.popMark();
    if (i < 0) this.malformed('INST without MARK', at);
    const args = this.tuple(this.stack.slice(i, this.sp), at);
    this.sp = i;
    this.called(cls, 0x69);
    this.push1(this.object(cls, args, at));
  }

  /** Reading past an over-long line: then the opcode takes effect with an unknown value. */
  private skipLines(buf: Buffer, pos: number, bufAt: number): number {
    const skip = this.lineSkip as { op: number; lines: number; at: number };
    while (skip.lines > 0) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) return buf.length;
      pos = nl + 1;
      skip.lines -= 1;
    }
    this.lineSkip = null;
    const at = skip.at;
    void bufAt;
    switch (skip.op) {
      case 0x63:
      case 0x69: {
        if (this.strict) this.malformed('an over-long name', at);
        const g = this.unnamed(
          `${skip.op === 0x63 ? 'GLOBAL' : 'INST'} with a module or name longer than ${this.ctx.limits.maxPickleLine} bytes at offset ${at}: the import cannot be named`,
          at,
        );
        if (skip.op === 0x63) this.push1(g);
        else this.inst(g, at);
        break;
      }
      case 0x53:
      case 0x56:
        this.push1(LONG_STR);
        break;
      case 0x49:
      case 0x4c:
        this.push1(BIG_INT);
        break;
      case 0x46:
        this.push1(FLOAT);
        break;
      case 0x50:
      case 0x67:
        this.push1(UNKNOWN);
        break;
      case 0x70:
        this.top(at);
        this.memoUnreliable = true;
        break;
    }
    return pos;
  }

  /** The STRING opcode's argument: quoted, with Python's escape_decode. */
  private quotedString(line: Buffer, at: number): V {
    const n = line.length;
    if (n < 2 || line[0] !== line[n - 1] || (line[0] !== 0x27 && line[0] !== 0x22))
      this.malformed('the STRING opcode argument must be quoted', at);
    if (n - 2 > this.ctx.limits.maxPickleString) return LONG_STR;
    return escapeDecode(line.toString('latin1', 1, n - 1));
  }

  // ---- pickles one after another ----

  private stopped(at: number): void {
    this.pickles += 1;
    this.counted = true;
    if (this.options.mode === 'nested' || this.options.mode === 'shadow') {
      // One pickle.load: it returns at this STOP.
      this.finished = true;
      return;
    }
    if (this.legacyMagic && this.pickles === 5) {
      this.ctx.add(
        'PICKLE_LEGACY_TORCH',
        'INFO',
        `a legacy torch.save file: the bytes after offset ${at + 1} are raw tensor storage, not pickles`,
        at + 1,
        this.entry,
      );
      this.finished = true;
      this.skip = 0;
      return;
    }
    this.between = true;
  }

  private startPickle(at: number): void {
    this.pickleStart = at;
    this.stack = [];
    this.sp = 0;
    this.base = 0;
    this.marks = [];
    this.memo = new Map();
    this.memoDense = 0;
    this.memoSparse = new Set();
    this.memoUnreliable = false;
    this.proto = 0;
  }
}

/** A decimal integer as Python's int() reads it (with a sign, blanks and underscores), or null. */
function intOf(s: string): number | null {
  const t = s.trim().replace(/_/g, '');
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** Python's codecs.escape_decode, read as latin-1. */
function escapeDecode(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\n': '',
    };
    if (e in simple) out += simple[e];
    else if (e >= '0' && e <= '7') {
      let j = i;
      while (j < s.length && j < i + 3 && s[j] >= '0' && s[j] <= '7') j += 1;
      out += String.fromCharCode(parseInt(s.slice(i, j), 8) & 0xff);
      i = j - 1;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += `\\${e}`;
  }
  return out;
}

/** Python's raw-unicode-escape decoding of latin-1 text: \uXXXX and \UXXXXXXXX after an odd run of backslashes. */
function rawUnicodeEscape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/(\\+)(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (all, slashes: string, esc: string) => {
    if (slashes.length % 2 === 0) return all;
    const code = parseInt(esc.slice(1), 16);
    return slashes.slice(1) + (code <= 0x10ffff ? String.fromCodePoint(code) : esc);
  });
}
