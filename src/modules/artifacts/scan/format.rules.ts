import { GGUF_MAGIC } from './gguf.rules';
import { NPY_MAGIC } from './numpy.rules';
import { looksLikeSafetensors } from './safetensors.rules';
import type { ScanFormat } from './scan.rules';
import { ZIP_EMPTY_MAGIC, ZIP_MAGIC } from './zip.rules';

/**
 * What a file's first bytes say it is (its magic), and what its extension says it should be. A file whose magic names
 * another format than its extension expects is FORMAT_MISMATCH; formats without magic (ONNX, protocol 0 and 1 pickles,
 * text) are recognised by parsing.
 */

/** Bytes the magic is read from (fewer when the file is shorter). */
export const SNIFF_BYTES = 16;

export type Magic = 'ZIP' | 'GGUF' | 'NUMPY' | 'PICKLE' | 'SAFETENSORS' | 'GZIP' | 'ZLIB' | 'XZ' | 'BZIP2' | 'LZ4' | 'ZSTD';

const starts = (head: Buffer, magic: Buffer | number[]) =>
  head.length >= magic.length && Buffer.from(magic).equals(head.subarray(0, magic.length));

export function sniff(head: Buffer, maxSafetensorsHeader: number): Magic | null {
  if (starts(head, ZIP_MAGIC) || starts(head, ZIP_EMPTY_MAGIC)) return 'ZIP';
  if (starts(head, GGUF_MAGIC)) return 'GGUF';
  if (starts(head, NPY_MAGIC)) return 'NUMPY';
  // PROTO: every pickle of protocol 2 or later starts with it.
  if (head.length >= 2 && head[0] === 0x80 && head[1] <= 5) return 'PICKLE';
  if (looksLikeSafetensors(head, maxSafetensorsHeader)) return 'SAFETENSORS';
  if (starts(head, [0x1f, 0x8b])) return 'GZIP';
  if (starts(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'XZ';
  if (starts(head, [0x42, 0x5a, 0x68])) return 'BZIP2';
  if (starts(head, [0x04, 0x22, 0x4d, 0x18])) return 'LZ4';
  if (starts(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'ZSTD';
  // zlib with a 32 KiB window, as zlib.compress and joblib write it ('x' is no pickle opcode).
  if (head.length >= 2 && head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1])) return 'ZLIB';
  return null;
}

const COMPRESSION_SUFFIX = /\.(gz|z|xz|bz2|lz4|zst|lzma)$/i;

/** The extension of a path's last segment, lower case, after any compression suffix (`model.pkl.gz` → `pkl`). */
export function extensionOf(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? '';
  const bare = file.replace(COMPRESSION_SUFFIX, '');
  const dot = bare.lastIndexOf('.');
  return dot > 0 ? bare.slice(dot + 1).toLowerCase() : '';
}

/** Extensions whose files are read as pickles when no magic says otherwise (torch.save, pickle.dump, joblib.dump). */
export const PICKLE_EXTENSIONS: ReadonlySet<string> = new Set(['pkl', 'pickle', 'joblib', 'pt', 'pth', 'ckpt', 'dill']);
/** Extensions of text files (a recognised binary format in one is a mismatch; binary content is not). */
const TEXT_EXTENSIONS = ['txt', 'md', 'json', 'jsonl', 'yaml', 'yml', 'cfg', 'ini', 'toml', 'py', 'csv', 'tsv', 'model_card', 'mlmodel'];

/** What each extension may hold; extensions not named (.bin, no extension …) may hold anything. */
export const EXPECTED_FORMATS: Readonly<Record<string, readonly ScanFormat[]>> = {
  safetensors: ['SAFETENSORS'],
  pkl: ['PICKLE'],
  pickle: ['PICKLE'],
  joblib: ['PICKLE'],
  dill: ['PICKLE'],
  pt: ['PYTORCH_ZIP', 'PICKLE', 'ZIP'],
  pth: ['PYTORCH_ZIP', 'PICKLE', 'ZIP'],
  ckpt: ['PYTORCH_ZIP', 'PICKLE', 'ZIP'],
  zip: ['ZIP', 'PYTORCH_ZIP'],
  npz: ['ZIP'],
  keras: ['ZIP'],
  gguf: ['GGUF'],
  onnx: ['ONNX'],
  npy: ['NUMPY'],
  ...Object.fromEntries(TEXT_EXTENSIONS.map((e) => [e, ['TEXT', 'JSON'] as const])),
};

/** Formats found by magic or structure: text and UNKNOWN are not (binary content in a .txt is no mismatch). */
const RECOGNISED: ReadonlySet<ScanFormat> = new Set<ScanFormat>(['PICKLE', 'PYTORCH_ZIP', 'ZIP', 'SAFETENSORS', 'GGUF', 'ONNX', 'NUMPY']);

/** Whether a file of this extension found to be `format` is a mismatch. */
export function mismatches(extension: string, format: ScanFormat): boolean {
  const expected = EXPECTED_FORMATS[extension];
  if (!expected || expected.includes(format)) return false;
  if (RECOGNISED.has(format)) return true;
  // A binary format's extension on something that is not it.
  return !expected.includes('TEXT');
}
