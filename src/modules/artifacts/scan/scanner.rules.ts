import { extensionOf, mismatches, PICKLE_EXTENSIONS, SNIFF_BYTES, sniff, type Magic } from './format.rules';
import { ggufParser } from './gguf.rules';
import { createInflater, type Inflater } from './inflate.rules';
import { npyParser } from './numpy.rules';
import { onnxParser } from './onnx.rules';
import { PickleScanner } from './pickle.rules';
import { ByteReader, type Parse } from './reader.rules';
import { safetensorsParser } from './safetensors.rules';
import {
  DEFAULT_SCAN_LIMITS,
  SCANNER_VERSION,
  ScanContext,
  verdictOf,
  type ScanFormat,
  type ScanLimits,
  type ScanReport,
} from './scan.rules';
import { zipParser, type ZipSummary } from './zip.rules';

/**
 * The scanner of one file, fed its bytes as they stream (an upload's chunks): `push` each chunk, then `finish` for
 * the report. It never holds the file: what it keeps is bounded by ScanLimits (a safetensors header, a .npy header,
 * a pickle's bounded stack and memo, a zip's entry list, the first 16 bytes, a text sample of 8 KiB and JSON text up
 * to maxJsonValidated). It never throws: what it cannot read is a finding, and an error of its own is SCANNER_ERROR.
 * The report is the same however the file is cut into chunks.
 *
 *   const scanner = createScanner('model/weights.safetensors');
 *   for await (const chunk of stream) scanner.push(chunk);
 *   const report = scanner.finish();
 */

export interface ScanOptions {
  /** Bounds other than DEFAULT_SCAN_LIMITS (tests use small ones). */
  limits?: Partial<ScanLimits>;
}

export interface Scanner {
  /** The next bytes of the file (read, never changed, never kept). */
  push(chunk: Buffer): void;
  /** The end of the file: the report (the same one if called again). */
  finish(): ScanReport;
}

export function createScanner(path: string, options: ScanOptions = {}): Scanner {
  return new FileScanner(path, { ...DEFAULT_SCAN_LIMITS, ...options.limits });
}

interface Sink {
  push(chunk: Buffer): void;
  finish(): void;
}

const TEXT_SAMPLE = 8192;

class FileScanner implements Scanner {
  private readonly ctx: ScanContext;
  private readonly extension: string;
  private head: Buffer[] = [];
  private headLength = 0;
  private decided = false;
  private total = 0;
  private report: ScanReport | null = null;
  private failed = false;

  /** The format decided from the magic (null until then, or when parsing decides it). */
  private format: ScanFormat | null = null;
  private sinks: Sink[] = [];
  private zip: ZipSummary | null = null;
  /** A pickle probe and a parser chosen by extension, each reporting into a context of its own until one counts. */
  private probe: { scanner: PickleScanner; ctx: ScanContext } | null = null;
  private byExtension: { format: ScanFormat; ctx: ScanContext; reader: ByteReader } | null = null;
  private text: TextSample | null = null;
  /** Content that could not be read at all (already a finding: no mismatch on top of it). */
  private unscannable = false;

  constructor(
    private readonly path: string,
    limits: ScanLimits,
  ) {
    this.ctx = new ScanContext(limits);
    this.extension = extensionOf(path);
  }

  push(chunk: Buffer): void {
    if (this.report || chunk.length === 0) return;
    this.total += chunk.length;
    if (this.failed) return;
    try {
      if (!this.decided) {
        this.head.push(Buffer.from(chunk.subarray(0, SNIFF_BYTES)));
        this.headLength += Math.min(chunk.length, SNIFF_BYTES);
        // Hold on to the few bytes until the magic can be read (the head is at most 16 bytes).
        if (this.headLength < SNIFF_BYTES) return;
        const head = Buffer.concat(this.head);
        this.head = [];
        this.decide(head);
        // The head holds the first bytes of this chunk too: hand on what came before it, then the chunk.
        const before = head.subarray(0, head.length - Math.min(chunk.length, SNIFF_BYTES));
        if (before.length) this.feed(before);
        this.feed(chunk);
        return;
      }
      this.feed(chunk);
    } catch (err) {
      this.crash(err);
    }
  }

  finish(): ScanReport {
    if (this.report) return this.report;
    try {
      if (!this.decided && !this.failed) {
        const head = Buffer.concat(this.head);
        this.head = [];
        this.decide(head);
        if (head.length) this.feed(head);
      }
      if (!this.failed) this.conclude();
    } catch (err) {
      this.crash(err);
    }
    const format = this.format ?? 'UNKNOWN';
    const { findings, imports } = this.ctx.build();
    this.report = {
      path: this.path,
      format,
      verdict: verdictOf(findings),
      findings,
      imports,
      scannerVersion: SCANNER_VERSION,
      bytesScanned: this.total,
    };
    return this.report;
  }

  private crash(err: unknown): void {
    this.failed = true;
    this.ctx.add(
      'SCANNER_ERROR',
      'DANGEROUS',
      `scanner error: ${String((err as Error)?.message ?? err)}; the rest of the file was not scanned`,
    );
  }

  private feed(chunk: Buffer): void {
    for (const sink of this.sinks) sink.push(chunk);
  }

  private reader(parser: (r: ByteReader) => Parse, ctx: ScanContext): ByteReader {
    const reader = new ByteReader(parser, (err, at) =>
      ctx.add('SCANNER_ERROR', 'DANGEROUS', `scanner error: ${String((err as Error)?.message ?? err)}`, at),
    );
    this.sinks.push(reader);
    return reader;
  }

  private pickle(ctx: ScanContext, mode: 'definitive' | 'probe', entry?: string): PickleScanner {
    const scanner = new PickleScanner(ctx, { mode, entry, joblib: true, legacyTorch: entry === undefined });
    return scanner;
  }

  /** Chooses the parsers from the first bytes and the extension. */
  private decide(head: Buffer): void {
    this.decided = true;
    const limits = this.ctx.limits;
    if (head.length === 0) return;
    const magic = sniff(head, limits.maxSafetensorsHeader);
    const pickleNamed = PICKLE_EXTENSIONS.has(this.extension);
    switch (magic) {
      case 'ZIP': {
        const zip: ZipSummary = { torch: false, entries: 0, scanned: 0 };
        this.zip = zip;
        this.reader((r) => zipParser(r, this.ctx, zip), this.ctx);
        return;
      }
      case 'GGUF':
        this.format = 'GGUF';
        this.reader((r) => ggufParser(r, this.ctx), this.ctx);
        return;
      case 'NUMPY':
        this.format = 'NUMPY';
        this.reader((r) => npyParser(r, this.ctx), this.ctx);
        return;
      case 'SAFETENSORS':
        this.format = 'SAFETENSORS';
        this.reader((r) => safetensorsParser(r, this.ctx), this.ctx);
        return;
      case 'PICKLE': {
        this.format = 'PICKLE';
        const scanner = this.pickle(this.ctx, 'definitive');
        this.sinks.push({ push: (b) => void scanner.push(b), finish: () => scanner.finish() });
        return;
      }
      case 'GZIP':
      case 'ZLIB':
      case 'XZ':
      case 'BZIP2':
      case 'LZ4':
      case 'ZSTD':
        if (pickleNamed) return this.compressed(magic);
        this.ctx.add('COMPRESSED', 'INFO', `${magic.toLowerCase()}-compressed: not a format the scanner reads inside`, 0);
        return;
    }
    if (pickleNamed) {
      // Protocol 0 and 1 pickles have no magic: a pickle's extension is enough.
      this.format = 'PICKLE';
      const scanner = this.pickle(this.ctx, 'definitive');
      this.sinks.push({ push: (b) => void scanner.push(b), finish: () => scanner.finish() });
      return;
    }
    // No magic: perhaps a pickle all the same (protocol 0 and 1 have none), what the extension says, or text.
    const probeCtx = this.ctx.fork();
    const probe = this.pickle(probeCtx, 'probe');
    this.probe = { scanner: probe, ctx: probeCtx };
    this.sinks.push({ push: (b) => void (probe.finished ? undefined : probe.push(b)), finish: () => probe.finish() });
    if (this.extension === 'safetensors' || this.extension === 'onnx') {
      const ctx = this.ctx.fork();
      const parser = this.extension === 'safetensors' ? safetensorsParser : onnxParser;
      this.byExtension = {
        format: this.extension === 'safetensors' ? 'SAFETENSORS' : 'ONNX',
        ctx,
        reader: this.reader((r) => parser(r, ctx), ctx),
      };
    }
    const text = new TextSample(limits.maxJsonValidated);
    this.text = text;
    this.sinks.push(text);
  }

  /** A compressed file with a pickle's name (joblib's compress=…, pickle.dump into gzip.open). */
  private compressed(magic: Magic): void {
    this.format = 'PICKLE';
    const entry = '(decompressed)';
    const inflater: Inflater | null = magic === 'GZIP' || magic === 'ZLIB' ? createInflater(magic === 'GZIP' ? 'gzip' : 'zlib') : null;
    if (!inflater) {
      this.format = 'UNKNOWN';
      this.unscannable = true;
      this.ctx.add(
        'COMPRESSED_UNSCANNABLE',
        'DANGEROUS',
        `${magic.toLowerCase()}-compressed ${this.extension ? `.${this.extension} ` : ''}file: the pickle inside cannot be inflated here, so it is not scanned (save it uncompressed, or with zlib or gzip)`,
        0,
      );
      return;
    }
    this.ctx.add('COMPRESSED', 'INFO', `${magic.toLowerCase()}-compressed: the pickle inside is scanned as it inflates`, 0);
    const scanner = this.pickle(this.ctx, 'definitive', entry);
    const limit = this.ctx.limits.maxInflatedBytes;
    let out = 0;
    let stopped = false;
    const deliver = (piece: Buffer) => {
      if (stopped) return;
      if (out + piece.length > limit) {
        scanner.push(piece.subarray(0, limit - out));
        stopped = true;
        scanner.abort();
        this.ctx.add(
          'ZIP_BOMB',
          'DANGEROUS',
          `the decompressed stream exceeds ${limit} bytes (maxInflatedBytes): not scanned further`,
          limit,
          entry,
        );
        return;
      }
      out += piece.length;
      scanner.push(piece);
    };
    let trailing = 0;
    this.sinks.push({
      push: (b) => {
        if (stopped) return;
        if (inflater.ended) {
          trailing += b.length;
          return;
        }
        try {
          const took = inflater.write(b, deliver);
          if (inflater.ended) trailing += b.length - took;
        } catch (err) {
          stopped = true;
          inflater.close();
          scanner.abort();
          this.ctx.add(
            'ZIP_INFLATE_ERROR',
            'SUSPICIOUS',
            `the compressed stream does not inflate: ${String((err as Error)?.message ?? err)}`,
            undefined,
            entry,
          );
        }
      },
      finish: () => {
        const complete = !stopped && inflater.end(deliver);
        inflater.close();
        if (stopped) return;
        if (!complete) this.ctx.add('ZIP_INFLATE_ERROR', 'SUSPICIOUS', 'the compressed stream ends before its end', undefined, entry);
        scanner.finish();
        if (trailing) this.ctx.add('PICKLE_TRAILING_DATA', 'INFO', `${trailing} bytes after the compressed stream`);
      },
    });
  }

  /** The end: parsers finish, the format is settled, and a mismatch with the extension is reported. */
  private conclude(): void {
    for (const sink of this.sinks) sink.finish();
    if (this.total === 0) {
      this.format = 'UNKNOWN';
      this.ctx.add('EMPTY_FILE', 'INFO', 'the file is empty');
      return;
    }
    if (this.zip) this.format = this.zip.torch ? 'PYTORCH_ZIP' : 'ZIP';
    if (this.format === null) {
      if (this.probe?.scanner.counted) {
        this.format = 'PICKLE';
        this.ctx.merge(this.probe.ctx);
      } else if (this.byExtension) {
        this.format = this.byExtension.format;
        this.ctx.merge(this.byExtension.ctx);
      } else {
        const text = this.text?.verdict(this.total);
        this.format = text?.format ?? 'UNKNOWN';
        if (text?.format === 'TEXT' && text.jsonError && (this.extension === 'json' || this.extension === 'jsonl')) {
          this.ctx.add('JSON_INVALID', 'INFO', `not JSON: ${text.jsonError}`);
        }
      }
    }
    if (this.extension && !this.unscannable && mismatches(this.extension, this.format)) {
      const pickled = this.format === 'PICKLE' || this.format === 'PYTORCH_ZIP' || this.format === 'ZIP';
      const dangerous = pickled && this.ctx.hasDangerousImport;
      this.ctx.add(
        'FORMAT_MISMATCH',
        dangerous ? 'DANGEROUS' : 'SUSPICIOUS',
        `a .${this.extension} file whose content is ${this.format === 'UNKNOWN' ? 'not recognised' : this.format}${dangerous ? ', importing dangerous globals' : ''}`,
        0,
      );
    }
  }
}

/** The first bytes of a file without magic: text (UTF-8, no NUL) or not, and JSON text validated when small. */
class TextSample implements Sink {
  private sample: Buffer[] = [];
  private sampled = 0;
  private json: Buffer[] | null = [];
  private jsonBytes = 0;

  constructor(private readonly maxJson: number) {}

  push(chunk: Buffer): void {
    if (this.sampled < TEXT_SAMPLE) {
      const part = Buffer.from(chunk.subarray(0, TEXT_SAMPLE - this.sampled));
      this.sample.push(part);
      this.sampled += part.length;
    }
    if (this.json) {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes > this.maxJson) this.json = null;
      else this.json.push(Buffer.from(chunk));
    }
  }

  finish(): void {}

  verdict(total: number): { format: ScanFormat; jsonError?: string } {
    const sample = Buffer.concat(this.sample);
    if (sample.includes(0)) return { format: 'UNKNOWN' };
    let text: string | null = null;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    // The sample may end inside a character when the file goes on.
    for (let cut = 0; cut <= (total > sample.length ? 3 : 0) && text === null; cut += 1) {
      try {
        text = decoder.decode(sample.subarray(0, sample.length - cut));
      } catch {
        text = null;
      }
    }
    if (text === null) return { format: 'UNKNOWN' };
    const first = text.trimStart()[0];
    if (first !== '{' && first !== '[') return { format: 'TEXT' };
    if (!this.json) return { format: 'JSON' };
    try {
      JSON.parse(Buffer.concat(this.json).toString('utf8'));
      return { format: 'JSON' };
    } catch (err) {
      return { format: 'TEXT', jsonError: (err as Error).message };
    }
  }
}
