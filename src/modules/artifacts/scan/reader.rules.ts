/**
 * A parser of a binary format written as a generator that asks for bytes, driven by the chunks of a stream as they
 * arrive: the parser reads like straight-line code, and the stream is never held.
 *
 *   function* parse(r: ByteReader): Parse {
 *     const header = yield* read(8);        // 8 bytes (null at the end of the stream)
 *     const skipped = yield* skip(1000);    // counted, not held (fewer at the end)
 *     const piped = yield* pipe(n, sink);   // handed on as they arrive
 *   }
 *
 * A request is held only as far as it asks (read(n) for a bounded n); skip and pipe hold nothing.
 */

export type Request =
  | { kind: 'read'; n: number }
  | { kind: 'skip'; n: number }
  /** Hands up to n bytes to `sink` as they arrive; the sink answers how many it took (fewer ends the pipe). */
  | { kind: 'pipe'; n: number; sink: (bytes: Buffer) => number };

export type Parse = Generator<Request, void, Buffer | number | null>;

/** n bytes, or null when the stream ends first. */
export function* read(n: number): Generator<Request, Buffer | null, Buffer | number | null> {
  if (n === 0) return Buffer.alloc(0);
  return (yield { kind: 'read', n }) as Buffer | null;
}

/** Skips n bytes (Infinity: to the end); answers how many there were. */
export function* skip(n: number): Generator<Request, number, Buffer | number | null> {
  if (n === 0) return 0;
  return (yield { kind: 'skip', n }) as number;
}

export function* pipe(n: number, sink: (bytes: Buffer) => number): Generator<Request, number, Buffer | number | null> {
  if (n === 0) return 0;
  return (yield { kind: 'pipe', n, sink }) as number;
}

/** Drives a parser with a stream's chunks. An exception in the parser ends it and is handed to `onError`. */
export class ByteReader {
  private gen: Parse | null = null;
  private request: Request | null = null;
  private parts: Buffer[] = [];
  private have = 0;
  private progress = 0;
  /** Bytes of the stream consumed by the parser so far (its position). */
  position = 0;
  /** Bytes pushed. */
  total = 0;
  done = false;

  constructor(
    parser: (r: ByteReader) => Parse,
    private readonly onError: (err: unknown, at: number) => void,
  ) {
    try {
      this.gen = parser(this);
      this.advance(undefined);
    } catch (err) {
      this.crash(err);
    }
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let pos = 0;
    try {
      while (pos < chunk.length && this.request) {
        const req = this.request;
        const avail = chunk.length - pos;
        if (req.kind === 'skip') {
          const n = Math.min(req.n - this.progress, avail);
          this.progress += n;
          pos += n;
          this.position += n;
          if (this.progress === req.n) this.advance(this.progress);
        } else if (req.kind === 'read') {
          if (this.have === 0 && avail >= req.n) {
            pos += req.n;
            this.position += req.n;
            this.advance(chunk.subarray(pos - req.n, pos));
            continue;
          }
          const n = Math.min(req.n - this.have, avail);
          this.parts.push(chunk.subarray(pos, pos + n));
          this.have += n;
          pos += n;
          this.position += n;
          if (this.have === req.n) {
            const whole = Buffer.concat(this.parts, this.have);
            this.parts = [];
            this.have = 0;
            this.advance(whole);
          } else {
            // Keep a copy: the chunk is the caller's and may be reused.
            this.parts[this.parts.length - 1] = Buffer.from(this.parts[this.parts.length - 1]);
          }
        } else {
          const give = chunk.subarray(pos, pos + Math.min(req.n - this.progress, avail));
          const took = Math.max(0, Math.min(give.length, req.sink(give)));
          this.progress += took;
          pos += took;
          this.position += took;
          if (took < give.length || this.progress === req.n) this.advance(this.progress);
        }
      }
    } catch (err) {
      this.crash(err);
    }
  }

  /** The end of the stream: the request waiting gets what there was (read: null), until the parser returns. */
  finish(): void {
    try {
      let rounds = 0;
      while (this.request) {
        if (++rounds > 10_000) throw new Error('the parser kept asking for bytes after the end of the stream');
        const req = this.request;
        if (req.kind === 'read') {
          this.parts = [];
          this.have = 0;
          this.advance(null);
        } else this.advance(this.progress);
      }
    } catch (err) {
      this.crash(err);
    }
    this.done = true;
  }

  private advance(value: Buffer | number | null | undefined): void {
    this.progress = 0;
    const next = (this.gen as Parse).next(value as Buffer | number | null);
    this.request = next.done ? null : next.value;
    if (next.done) this.done = true;
  }

  private crash(err: unknown): void {
    this.request = null;
    this.done = true;
    this.gen = null;
    this.onError(err, this.position);
  }
}

/** A little-endian unsigned 64-bit integer, as a number (Infinity beyond 2^53: no real size is that large). */
export function u64(buf: Buffer, off: number): number {
  const n = buf.readBigUInt64LE(off);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(n);
}
