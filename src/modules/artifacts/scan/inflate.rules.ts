import zlib from 'node:zlib';

/**
 * Synchronous streaming inflation with node's zlib: bytes in, inflated bytes out, as they arrive, with the output
 * bounded. Node offers zlib streams only asynchronously, and its synchronous calls only for whole buffers; the
 * synchronous step of its streams (`_processChunk`, what zlib.inflateSync itself runs) is used here as minizlib (npm's
 * own, under tar) uses it: with the engine's close made a no-op for the call, so the stream lives on to the next.
 * If a Node release changed that, `createInflater` answers null and the scanner says what it could not inflate.
 */

export type InflateKind = 'raw' | 'zlib' | 'gzip';

export interface Inflater {
  /**
   * Inflates `input`, handing the output to `out` in pieces. Answers how many input bytes the compressed stream
   * took: fewer than given once it ended (the rest follows it). Throws on corrupt data.
   */
  write(input: Buffer, out: (piece: Buffer) => void): number;
  /** Whether the compressed stream ended (known once bytes after it were offered, or after `end`). */
  readonly ended: boolean;
  /** No more input: answers whether the compressed stream is complete (its last bytes handed to `out`). */
  end(out: (piece: Buffer) => void): boolean;
  close(): void;
}

interface Engine extends zlib.Zlib {
  _handle: { close: () => void } | null;
  _processChunk(chunk: Buffer, flushFlag: number): Buffer | Buffer[];
  bytesWritten: number;
  close(callback?: () => void): void;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(event: 'error'): this;
}

/** Input handed to zlib per call: with deflate's 1,032:1 at most, no call inflates more than about 4 MiB. */
const STEP = 4096;
const ignore = () => undefined;

export function createInflater(kind: InflateKind): Inflater | null {
  const engine = (kind === 'raw'
    ? zlib.createInflateRaw()
    : kind === 'zlib'
      ? zlib.createInflate()
      : zlib.createGunzip()) as unknown as Engine;
  if (typeof engine._processChunk !== 'function' || !engine._handle || typeof engine._handle.close !== 'function') {
    engine.close();
    return null;
  }
  engine.on('error', ignore);
  let ended = false;
  let broken = false;

  const step = (input: Buffer, flush: number = zlib.constants.Z_SYNC_FLUSH): { out: Buffer | Buffer[]; took: number } => {
    const handle = engine._handle as { close: () => void };
    const closeHandle = handle.close;
    const closeEngine = engine.close;
    handle.close = ignore;
    engine.close = ignore;
    try {
      const out = engine._processChunk(input, flush);
      return { out, took: engine.bytesWritten };
    } finally {
      engine._handle = handle as Engine['_handle'];
      handle.close = closeHandle;
      engine.close = closeEngine;
      engine.removeAllListeners('error');
      engine.on('error', ignore);
    }
  };

  // Output is handed on at fixed points of the input (every STEP bytes from the stream's start, and at its end):
  // when zlib fails inside a step, that step's output is lost with the exception, so what is handed on must not
  // depend on how the input was cut into chunks.
  let held: Buffer[] = [];
  let fed = 0;
  const flush = (out: (piece: Buffer) => void) => {
    const pieces = held;
    held = [];
    for (const piece of pieces) out(piece);
  };

  return {
    get ended() {
      return ended;
    },
    write(input, out) {
      if (ended || broken) return 0;
      let taken = 0;
      while (taken < input.length && !ended) {
        const slice = input.subarray(taken, taken + (STEP - (fed % STEP)));
        let result: { out: Buffer | Buffer[]; took: number };
        try {
          result = step(slice);
        } catch (err) {
          broken = true;
          held = [];
          throw err;
        }
        // The first piece is a view of the engine's own output buffer, reused by the next call: copied.
        for (const piece of Array.isArray(result.out) ? result.out : [result.out]) if (piece.length) held.push(Buffer.from(piece));
        taken += result.took;
        fed += result.took;
        if (result.took < slice.length) ended = true;
        if (ended || fed % STEP === 0) flush(out);
      }
      return taken;
    },
    end(out) {
      if (ended) return true;
      if (broken) return false;
      flush(out);
      try {
        // Z_FINISH on no input: zlib answers "unexpected end of file" unless the stream is complete.
        const result = step(Buffer.alloc(0), zlib.constants.Z_FINISH);
        for (const piece of Array.isArray(result.out) ? result.out : [result.out]) if (piece.length) out(piece);
        ended = true;
      } catch {
        broken = true;
      }
      return ended;
    },
    close() {
      broken = true;
      try {
        engine.close();
      } catch {
        // closed either way
      }
    },
  };
}
