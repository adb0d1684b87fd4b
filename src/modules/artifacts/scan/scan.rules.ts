/**
 * What the artifact scanner decides, and the report it answers: the formats it recognises, the findings and their
 * severities, the bounds it keeps to, and the lists that classify every global a pickle imports.
 *
 * Pure: no database, no GraphQL. The parsers are beside this file (pickle, zip, safetensors, gguf, onnx, numpy) and
 * `scanner.rules.ts` puts them together behind `createScanner`.
 *
 * SCANNER_VERSION is bumped whenever the lists or the rules change, so a stored report says which rules made it and
 * a stored version can be rescanned after a change (test/unit/scan.rules.test.ts keeps a fingerprint of the lists
 * and fails when they change without a bump).
 */

/** Bump when PICKLE_IMPORT_RULES, a bound's default or what a parser reports changes. */
export const SCANNER_VERSION = 1;

/** What a file was found to be, from its first bytes (and, where a format has no magic, its extension). */
export type ScanFormat = 'PICKLE' | 'PYTORCH_ZIP' | 'ZIP' | 'SAFETENSORS' | 'GGUF' | 'ONNX' | 'NUMPY' | 'JSON' | 'TEXT' | 'UNKNOWN';

export const SCAN_FORMATS: readonly ScanFormat[] = [
  'PICKLE',
  'PYTORCH_ZIP',
  'ZIP',
  'SAFETENSORS',
  'GGUF',
  'ONNX',
  'NUMPY',
  'JSON',
  'TEXT',
  'UNKNOWN',
];

/**
 * DANGEROUS: loading the file can run code or read or write files the model has no business with, or content a
 * common loader would execute could not be scanned. SUSPICIOUS: not known to be safe (an import outside the safe
 * list, a malformed or inconsistent file). INFO: what the scan saw, for the reader.
 */
export type ScanSeverity = 'DANGEROUS' | 'SUSPICIOUS' | 'INFO';

/** A report's verdict: its worst finding, INFO counting as CLEAN. */
export type ScanVerdict = 'DANGEROUS' | 'SUSPICIOUS' | 'CLEAN';

/** How an imported global is classified: by PICKLE_IMPORT_RULES, SUSPICIOUS when no rule names it. */
export type ImportVerdict = 'DANGEROUS' | 'SUSPICIOUS' | 'SAFE';

export interface ScanFinding {
  /** Stable code (see SCAN_FINDING_CODES). */
  code: ScanFindingCode;
  severity: ScanSeverity;
  message: string;
  /** Byte offset: in the file, or in `entry` when there is one. */
  offset?: number;
  /** The zip entry (or the decompressed stream, `(decompressed)`) the finding is in. */
  entry?: string;
}

/** A global a pickle imports, once per (entry, module, name), with how it was imported and what called it. */
export interface PickleImport {
  module: string;
  name: string;
  verdict: ImportVerdict;
  /** The pattern of PICKLE_IMPORT_RULES that classified it ('' when none did: SUSPICIOUS by default). */
  rule: string;
  why: string;
  /** GLOBAL, STACK_GLOBAL, INST: how it was imported. */
  opcodes: string[];
  /** REDUCE, OBJ, INST, NEWOBJ, NEWOBJ_EX, BUILD: what called it (BUILD: its instances' __setstate__, or it as one). */
  calledBy: string[];
  /** How many times it was imported. */
  count: number;
  /** Where it was first imported. */
  offset: number;
  entry?: string;
}

export interface ScanReport {
  path: string;
  format: ScanFormat;
  verdict: ScanVerdict;
  findings: ScanFinding[];
  imports: PickleImport[];
  scannerVersion: number;
  bytesScanned: number;
}

/** Every finding code, with the severity it has (some codes take either of two, as said). */
export const SCAN_FINDING_CODES = {
  PICKLE_IMPORT_DANGEROUS: 'DANGEROUS: a global on the dangerous list (see PICKLE_IMPORT_RULES)',
  PICKLE_IMPORT_SUSPICIOUS: 'SUSPICIOUS: a global on neither list',
  PICKLE_IMPORT_UNNAMED: 'DANGEROUS: an import whose name is computed at load time or cannot be read',
  PICKLE_EXTENSION_IMPORT: 'SUSPICIOUS: an import through the copyreg extension registry (EXT1/2/4), not named in the file',
  PICKLE_SETSTATE_OVERRIDE: 'DANGEROUS: a BUILD state that sets __setstate__, so the next BUILD calls what it names',
  PICKLE_TOO_DEEP: 'DANGEROUS: MARK or container nesting beyond maxPickleDepth; the rest is not scanned',
  PICKLE_UNSCANNABLE: 'DANGEROUS: the rest of the pickle cannot be followed (a joblib array of unknown size)',
  PICKLE_MALFORMED: 'SUSPICIOUS: an opcode the unpickler refuses (it stops there too)',
  PICKLE_TRUNCATED: 'SUSPICIOUS: the file ends inside a pickle',
  PICKLE_TRAILING_DATA: 'INFO: bytes after the last pickle that are not one',
  PICKLE_SUMMARY: 'INFO: pickles, protocols and imports seen',
  PICKLE_LEGACY_TORCH: 'INFO: a legacy (pre-1.6) torch.save file: raw tensor data after its fifth pickle',
  JOBLIB_ARRAY: 'INFO: joblib array data skipped (also read as plain pickle.load would read it)',
  ZIP_MALFORMED: 'DANGEROUS: bytes that are no zip record where one must be; the rest cannot be scanned',
  ZIP_TRUNCATED: 'SUSPICIOUS: the archive ends before its central directory',
  ZIP_ENCRYPTED: 'SUSPICIOUS: an encrypted entry, not scanned',
  ZIP_UNSUPPORTED_METHOD: 'DANGEROUS for a pickle or .npy entry (cannot be scanned), INFO otherwise',
  ZIP_INFLATE_ERROR: 'SUSPICIOUS: a deflated entry that does not inflate',
  ZIP_SIZE_MISMATCH: 'SUSPICIOUS: an entry that inflates beyond its declared size (not scanned further)',
  ZIP_BOMB: 'DANGEROUS: an entry that inflates beyond maxInflatedBytes, or declares a ratio beyond 1,000:1 over 100 MiB',
  ZIP_UNSTREAMABLE: 'DANGEROUS: a stored entry whose end cannot be found as the archive streams; the rest is not scanned',
  ZIP_HIDDEN_ENTRY: 'DANGEROUS: the central directory names an entry the stream of local headers did not show',
  ZIP_OVERLAP: 'SUSPICIOUS: two central directory entries share one local header (the overlapping zip-bomb pattern)',
  ZIP_TOO_MANY_ENTRIES: 'DANGEROUS: more entries than maxZipEntries; the rest is not scanned',
  ZIP_TRAILING_DATA: 'INFO: bytes after the end of central directory record',
  ZIP_SUMMARY: 'INFO: entries seen and scanned',
  NPY_OBJECT_ARRAY: 'INFO: an object array, stored as a pickle (scanned)',
  NPY_MALFORMED: 'SUSPICIOUS: a .npy header that does not parse',
  NPY_SIZE_MISMATCH: 'SUSPICIOUS: data that does not match the header shape and dtype',
  SAFETENSORS_HEADER_TOO_LARGE: 'SUSPICIOUS: a header length beyond maxSafetensorsHeader',
  SAFETENSORS_BAD_HEADER: 'SUSPICIOUS: a header that is not UTF-8 JSON object text, or a tensor entry of the wrong shape',
  SAFETENSORS_SIZE_MISMATCH: 'SUSPICIOUS: a tensor whose dtype and shape do not fill its data_offsets',
  SAFETENSORS_GAP: 'SUSPICIOUS: data_offsets that leave bytes no tensor owns',
  SAFETENSORS_OVERLAP: 'SUSPICIOUS: data_offsets of two tensors that overlap',
  SAFETENSORS_OUT_OF_BOUNDS: 'SUSPICIOUS: data_offsets past the end of the file',
  SAFETENSORS_TRAILING_DATA: 'SUSPICIOUS: bytes after the last tensor',
  SAFETENSORS_TRUNCATED: 'SUSPICIOUS: the file ends inside the header',
  SAFETENSORS_SUMMARY: 'INFO: tensors and dtypes',
  GGUF_MALFORMED: 'SUSPICIOUS: a GGUF header that does not parse or breaks a bound',
  GGUF_TRUNCATED: 'SUSPICIOUS: the file ends inside the header or a tensor',
  GGUF_SUMMARY: 'INFO: version, metadata and tensors',
  ONNX_MALFORMED: 'SUSPICIOUS: a ModelProto that does not parse',
  ONNX_TRUNCATED: 'SUSPICIOUS: the file ends inside a field',
  ONNX_EXTERNAL_DATA_PATH: 'SUSPICIOUS: external data named by an absolute path or one with ..',
  ONNX_SUMMARY: 'INFO: IR version, opsets, external data',
  FORMAT_MISMATCH: 'SUSPICIOUS, or DANGEROUS when the content is a pickle importing a dangerous global',
  COMPRESSED_UNSCANNABLE: 'DANGEROUS: a pickle-named file compressed with a codec the scanner cannot inflate',
  COMPRESSED: 'INFO: a gzip or zlib stream, scanned inflated',
  JSON_INVALID: 'INFO: a .json file (or JSON-looking text) that does not parse',
  EMPTY_FILE: 'INFO: no bytes',
  SCANNER_ERROR: 'DANGEROUS: the scanner failed on this file; what followed was not scanned',
  FINDINGS_TRUNCATED: 'the worst severity among findings left out beyond maxFindings',
} as const;

export type ScanFindingCode = keyof typeof SCAN_FINDING_CODES;

/**
 * The bounds the scanner keeps to. Memory stays within them whatever the file's size: nothing is held but what
 * they allow (a safetensors header, a .npy header, a bounded pickle stack and memo, a zip's entry list).
 */
export interface ScanLimits {
  /** MARKs open at once, or containers nested in one another, in a pickle: beyond it, PICKLE_TOO_DEEP and the scan stops. */
  maxPickleDepth: number;
  /** Pickle stack entries kept (deeper ones are forgotten: their values read as unknown). */
  maxPickleStack: number;
  /** Memo entries whose values are kept (strings, globals, small objects); beyond, a GET reads an unknown value. */
  maxPickleMemo: number;
  /** A str kept as a value (for STACK_GLOBAL's module and name), in bytes. */
  maxPickleString: number;
  /** A protocol-0 line (GLOBAL, INST, STRING …) held to be read, in bytes. */
  maxPickleLine: number;
  /** Distinct imports listed in a report, and findings: beyond, counted in FINDINGS_TRUNCATED. */
  maxImports: number;
  maxFindings: number;
  /** The safetensors header (the safetensors library's own bound). */
  maxSafetensorsHeader: number;
  /** Bytes inflated from one compressed pickle (a zip entry, a gzip or zlib joblib file). */
  maxInflatedBytes: number;
  /** Zip entries (local headers) in one archive. */
  maxZipEntries: number;
  /** A .npy header. */
  maxNpyHeader: number;
  /** GGUF: metadata pairs, tensors, and the length of a key or tensor name. */
  maxGgufKeyValues: number;
  maxGgufTensors: number;
  maxGgufName: number;
  /** An ONNX opset entry or external-data entry read to be checked. */
  maxOnnxMessage: number;
  /** JSON text validated whole (larger JSON is recognised, not parsed). */
  maxJsonValidated: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = {
  maxPickleDepth: 1000,
  maxPickleStack: 10_000,
  maxPickleMemo: 32_768,
  maxPickleString: 1024,
  maxPickleLine: 4096,
  maxImports: 1000,
  maxFindings: 1000,
  maxSafetensorsHeader: 100_000_000,
  maxInflatedBytes: 1024 ** 3,
  maxZipEntries: 100_000,
  maxNpyHeader: 1024 ** 2,
  maxGgufKeyValues: 1_000_000,
  maxGgufTensors: 1_000_000,
  maxGgufName: 65_535,
  maxOnnxMessage: 1024 ** 2,
  maxJsonValidated: 1024 ** 2,
};

const RANK: Record<ScanSeverity, number> = { INFO: 0, SUSPICIOUS: 1, DANGEROUS: 2 };

export function worse(a: ScanSeverity | null, b: ScanSeverity | null): ScanSeverity | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export function verdictOf(findings: readonly ScanFinding[]): ScanVerdict {
  let worst: ScanSeverity | null = null;
  for (const f of findings) worst = worse(worst, f.severity);
  return worst === 'DANGEROUS' ? 'DANGEROUS' : worst === 'SUSPICIOUS' ? 'SUSPICIOUS' : 'CLEAN';
}

// ---------------------------------------------------------------------------------------------------------------
// The import lists.
//
// A pickle runs code by importing a global (GLOBAL, STACK_GLOBAL, INST) and calling it (REDUCE, OBJ, INST, NEWOBJ,
// NEWOBJ_EX, or BUILD through __setstate__). Every callable it can reach is one it imported, so each import is
// classified, called or not (a dangerous global can be called later, e.g. set as __setstate__ by one BUILD and called
// by the next):
//
// - DANGEROUS: modules that run commands, load code or other pickles, open files or sockets (os, posix, nt,
//   subprocess, sys, socket, runpy, webbrowser, shutil, pty, importlib, pickle/_pickle, marshal, ctypes, …; every
//   name in them and their submodules), and single names elsewhere that do the same (builtins.eval/exec/compile/open/
//   __import__/getattr/setattr/globals …, types.CodeType/FunctionType, operator.attrgetter/methodcaller, io.open,
//   numpy.load, torch.load, joblib.load …).
// - SAFE: what benign scikit-learn, numpy, scipy.sparse, PyTorch and standard-library pickles import: constructors of
//   plain data (builtins.set/frozenset/bytearray/slice/complex …, collections.OrderedDict …, datetime, Decimal),
//   copyreg's reconstructors, _codecs.encode (protocol 2 bytes), numpy's array and dtype reconstructors and scalar
//   types, scikit-learn's classes (a CapitalisedName in any sklearn module) and Cython unpicklers, scipy.sparse's
//   classes, torch's tensor and storage rebuilders, storage classes, dtypes, Size, device, Parameter and nn modules,
//   and joblib's NumpyArrayWrapper.
// - SUSPICIOUS: everything else, including names with dots (protocol 4 resolves them attribute by attribute, which
//   reaches methods of safe classes: numpy.ndarray.tofile writes a file), and DANGEROUS when a segment of such a path
//   is a dangerous module, a dangerous builtin, or a dunder (__globals__, __builtins__, __subclasses__ …).
//
// Python 2 module names are mapped as the unpickler maps them (__builtin__ → builtins, copy_reg → copyreg,
// commands → subprocess, cPickle → pickle …) and the worse of the two classifications wins.
// ---------------------------------------------------------------------------------------------------------------

/** One row of the import lists, as the docs show it. */
export interface ImportRule {
  /** `module.name` (exact), `module.*` (every name in it and its submodules), `module.*.Capitalised` (class names in it and its submodules), `module.*.name` (that name in any of its submodules), `module.*.prefix*`. */
  pattern: string;
  verdict: Exclude<ImportVerdict, 'SUSPICIOUS'>;
  why: string;
}

interface CompiledRule extends ImportRule {
  test(module: string, name: string): boolean;
}

const inModule = (module: string, root: string) => module === root || module.startsWith(`${root}.`);
const CLASS_NAME = /^[A-Z][A-Za-z0-9_]*$/;

function anyIn(root: string, verdict: CompiledRule['verdict'], why: string): CompiledRule {
  return { pattern: `${root}.*`, verdict, why, test: (m) => inModule(m, root) };
}
function names(module: string, list: readonly string[], verdict: CompiledRule['verdict'], why: string): CompiledRule {
  const set = new Set(list);
  const pattern = list.length === 1 ? `${module}.${list[0]}` : `${module}.{${list.join(',')}}`;
  return { pattern, verdict, why, test: (m, n) => m === module && set.has(n) };
}
function classesIn(root: string, why: string): CompiledRule {
  return { pattern: `${root}.*.Capitalised`, verdict: 'SAFE', why, test: (m, n) => inModule(m, root) && CLASS_NAME.test(n) };
}
function nameIn(root: string, name: string, why: string): CompiledRule {
  return { pattern: `${root}.*.${name}`, verdict: 'SAFE', why, test: (m, n) => inModule(m, root) && n === name };
}
function prefixIn(root: string, prefix: string, why: string): CompiledRule {
  return {
    pattern: `${root}.*.${prefix}*`,
    verdict: 'SAFE',
    why,
    test: (m, n) => inModule(m, root) && n.startsWith(prefix) && /^\w+$/.test(n),
  };
}

const D = 'DANGEROUS' as const;
const S = 'SAFE' as const;

/** Modules every name of which is DANGEROUS (their top-level names also make a dotted path DANGEROUS). */
const DANGEROUS_MODULES: ReadonlyArray<[string, string]> = [
  ['os', 'runs commands, reads and writes files'],
  ['posix', 'os on POSIX (os.system pickles as posix.system)'],
  ['nt', 'os on Windows'],
  ['subprocess', 'runs commands'],
  ['_posixsubprocess', 'runs commands'],
  ['commands', 'Python 2 command runner'],
  ['popen2', 'Python 2 command runner'],
  ['pty', 'spawns processes'],
  ['sys', 'the interpreter: modules, hooks, exit'],
  ['socket', 'network'],
  ['_socket', 'network'],
  ['asyncio', 'subprocesses and network'],
  ['runpy', 'runs modules and scripts'],
  ['code', 'interactive interpreter: runs source'],
  ['codeop', 'compiles source'],
  ['importlib', 'imports anything'],
  ['imp', 'imports anything'],
  ['pkgutil', 'imports anything'],
  ['zipimport', 'imports code from archives'],
  ['webbrowser', 'opens URLs, runs browsers'],
  ['shutil', 'copies, moves and deletes files'],
  ['signal', 'signal handlers'],
  ['multiprocessing', 'processes'],
  ['ctypes', 'native calls'],
  ['_ctypes', 'native calls'],
  ['cffi', 'native calls'],
  ['pickle', 'loads another pickle'],
  ['_pickle', 'loads another pickle'],
  ['cPickle', 'loads another pickle'],
  ['marshal', 'loads code objects'],
  ['shelve', 'pickles on disk'],
  ['dill', 'pickles code'],
  ['cloudpickle', 'pickles code'],
  ['pdb', 'runs source'],
  ['bdb', 'runs source'],
  ['timeit', 'runs source'],
  ['profile', 'runs source'],
  ['cProfile', 'runs source'],
  ['trace', 'runs source'],
  ['doctest', 'runs source'],
  ['pydoc', 'imports by name, runs pagers'],
  ['pip', 'installs packages'],
  ['setuptools', 'builds and installs'],
  ['distutils', 'builds and installs'],
  ['ensurepip', 'installs packages'],
  ['venv', 'creates environments, runs pip'],
  ['urllib', 'network'],
  ['urllib2', 'network'],
  ['httplib', 'network'],
  ['http', 'network'],
  ['requests', 'network'],
  ['ftplib', 'network'],
  ['smtplib', 'network'],
  ['telnetlib', 'network'],
  ['xmlrpc', 'network'],
  ['socketserver', 'network'],
  ['_winapi', 'Windows processes'],
  ['msvcrt', 'Windows console and files'],
  ['winreg', 'Windows registry'],
  ['torch.hub', 'downloads and runs code'],
];

const DANGEROUS_BUILTINS = [
  'eval',
  'exec',
  'execfile',
  'compile',
  'open',
  '__import__',
  'getattr',
  'setattr',
  'delattr',
  'globals',
  'locals',
  'vars',
  'breakpoint',
  'input',
  'reload',
  'exit',
  'quit',
] as const;

const COMPILED_RULES: readonly CompiledRule[] = [
  ...DANGEROUS_MODULES.map(([m, why]) => anyIn(m, D, why)),
  names('builtins', DANGEROUS_BUILTINS, D, 'runs source, imports, opens files or reaches any attribute'),
  names('types', ['CodeType', 'FunctionType', 'LambdaType'], D, 'builds code and functions'),
  names('operator', ['attrgetter', 'methodcaller'], D, 'reaches any attribute or method'),
  names('_operator', ['attrgetter', 'methodcaller'], D, 'reaches any attribute or method'),
  names('io', ['open', 'open_code', 'FileIO'], D, 'opens files'),
  names('_io', ['open', 'open_code', 'FileIO'], D, 'opens files'),
  names('codecs', ['open'], D, 'opens files'),
  names('numpy', ['load'], D, 'loads files, pickles with allow_pickle'),
  names('numpy.lib.npyio', ['load'], D, 'loads files, pickles with allow_pickle'),
  names('numpy.lib._npyio_impl', ['load'], D, 'loads files, pickles with allow_pickle'),
  names('numpy.testing._private.utils', ['runstring'], D, 'runs source'),
  names('torch', ['load'], D, 'loads another pickle'),
  names('torch.serialization', ['load'], D, 'loads another pickle'),
  names('torch.storage', ['_load_from_bytes'], D, 'loads another pickle'),
  names('torch.jit', ['load'], D, 'loads TorchScript'),
  names('joblib', ['load'], D, 'loads another pickle'),
  names('joblib.numpy_pickle', ['load'], D, 'loads another pickle'),
  names('pandas', ['read_pickle'], D, 'loads another pickle'),
  names('pandas.io.pickle', ['read_pickle'], D, 'loads another pickle'),

  names(
    'builtins',
    [
      'set',
      'frozenset',
      'bytearray',
      'bytes',
      'slice',
      'complex',
      'range',
      'list',
      'dict',
      'tuple',
      'int',
      'float',
      'str',
      'bool',
      'object',
    ],
    S,
    'plain data',
  ),
  names('copyreg', ['_reconstructor', '__newobj__', '__newobj_ex__'], S, 'reconstructs instances of other (classified) globals'),
  names('_codecs', ['encode'], S, 'bytes in protocol 2 pickles'),
  names('collections', ['OrderedDict', 'defaultdict', 'deque', 'Counter'], S, 'plain data'),
  names('datetime', ['date', 'time', 'datetime', 'timedelta', 'timezone'], S, 'plain data'),
  names('decimal', ['Decimal'], S, 'plain data'),
  names('fractions', ['Fraction'], S, 'plain data'),
  names('uuid', ['UUID'], S, 'plain data'),
  names('numpy.core.multiarray', ['_reconstruct', 'scalar'], S, 'numpy arrays and scalars'),
  names('numpy._core.multiarray', ['_reconstruct', 'scalar'], S, 'numpy arrays and scalars (numpy 2)'),
  names('numpy.core.numeric', ['_frombuffer'], S, 'numpy arrays (protocol 5)'),
  names('numpy._core.numeric', ['_frombuffer'], S, 'numpy arrays (protocol 5, numpy 2)'),
  names(
    'numpy',
    [
      'ndarray',
      'dtype',
      'matrix',
      'bool_',
      'int8',
      'int16',
      'int32',
      'int64',
      'uint8',
      'uint16',
      'uint32',
      'uint64',
      'float16',
      'float32',
      'float64',
      'complex64',
      'complex128',
      'longlong',
      'ulonglong',
      'intc',
      'uintc',
      'half',
      'single',
      'double',
      'longdouble',
      'clongdouble',
      'str_',
      'bytes_',
      'void',
      'datetime64',
      'timedelta64',
    ],
    S,
    'numpy array, dtype and scalar types',
  ),
  classesIn('numpy.dtypes', 'numpy 2 dtype classes'),
  names('numpy.ma.core', ['_mareconstruct', 'MaskedArray'], S, 'numpy masked arrays'),
  names('numpy.random._pickle', ['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor'], S, 'numpy random states'),
  names('numpy.random.mtrand', ['RandomState'], S, 'numpy random states'),
  names('numpy.random._mt19937', ['MT19937'], S, 'numpy bit generators'),
  names('numpy.random._pcg64', ['PCG64', 'PCG64DXSM'], S, 'numpy bit generators'),
  names('numpy.random._philox', ['Philox'], S, 'numpy bit generators'),
  names('numpy.random._sfc64', ['SFC64'], S, 'numpy bit generators'),
  names('numpy.random._generator', ['Generator'], S, 'numpy random generators'),
  names('numpy.random.bit_generator', ['SeedSequence'], S, 'numpy seed sequences'),
  classesIn('scipy.sparse', 'scipy sparse matrices'),
  classesIn('sklearn', 'scikit-learn estimators, transformers and their helper classes'),
  prefixIn('sklearn', '__pyx_unpickle_', "scikit-learn's Cython unpicklers"),
  nameIn('sklearn', 'newObj', "scikit-learn's Cython reconstructor (trees, distance metrics)"),
  names('joblib.numpy_pickle', ['NumpyArrayWrapper'], S, "joblib's inline numpy arrays"),
  names(
    'torch._utils',
    [
      '_rebuild_tensor',
      '_rebuild_tensor_v2',
      '_rebuild_tensor_v3',
      '_rebuild_parameter',
      '_rebuild_parameter_with_state',
      '_rebuild_sparse_tensor',
      '_rebuild_nested_tensor',
      '_rebuild_qtensor',
      '_rebuild_device_tensor_from_numpy',
      '_rebuild_meta_tensor_no_storage',
      '_rebuild_wrapper_subclass',
    ],
    S,
    'torch tensor rebuilders',
  ),
  names('torch._tensor', ['_rebuild_from_type_v2'], S, 'torch tensor subclasses'),
  names(
    'torch',
    [
      'Size',
      'device',
      'Tensor',
      'FloatStorage',
      'DoubleStorage',
      'HalfStorage',
      'BFloat16Storage',
      'LongStorage',
      'IntStorage',
      'ShortStorage',
      'CharStorage',
      'ByteStorage',
      'BoolStorage',
      'ComplexFloatStorage',
      'ComplexDoubleStorage',
      'QInt8Storage',
      'QUInt8Storage',
      'QInt32Storage',
      'QUInt4x2Storage',
      'QUInt2x4Storage',
      'float32',
      'float',
      'float64',
      'double',
      'float16',
      'half',
      'bfloat16',
      'int64',
      'long',
      'int32',
      'int',
      'int16',
      'short',
      'int8',
      'uint8',
      'bool',
      'complex64',
      'complex128',
      'float8_e4m3fn',
      'float8_e5m2',
      'strided',
      'sparse_coo',
      'per_tensor_affine',
      'per_channel_affine',
    ],
    S,
    'torch storages, dtypes, sizes and devices',
  ),
  names('torch.storage', ['TypedStorage', 'UntypedStorage'], S, 'torch storages'),
  names('torch.nn.parameter', ['Parameter'], S, 'torch parameters'),
  classesIn('torch.nn.modules', 'torch nn modules (whole-model pickles)'),
];

/** The import lists, in the order they are tried (DANGEROUS rows first): the table the docs show. */
export const PICKLE_IMPORT_RULES: readonly ImportRule[] = COMPILED_RULES.map(({ pattern, verdict, why }) => ({ pattern, verdict, why }));

/** Python 2 module names the unpickler maps (protocols 0–2, fix_imports): the subset that matters here. */
const PY2_MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  cPickle: 'pickle',
  commands: 'subprocess',
  exceptions: 'builtins',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  urllib2: 'urllib.request',
  httplib: 'http.client',
  SocketServer: 'socketserver',
  thread: '_thread',
  Queue: 'queue',
  cStringIO: 'io',
  StringIO: 'io',
  Tkinter: 'tkinter',
  xmlrpclib: 'xmlrpc.client',
};

/** Path segments that make a dotted name DANGEROUS wherever they appear. */
const DANGEROUS_SEGMENTS = new Set<string>([
  ...DANGEROUS_MODULES.map(([m]) => m.split('.')[0]),
  ...DANGEROUS_BUILTINS,
  'system',
  'popen',
  'spawn',
  'execv',
  'execve',
  'execl',
  'fork',
  'load',
  'loads',
]);
DANGEROUS_SEGMENTS.delete('torch');

export interface ImportClassification {
  verdict: ImportVerdict;
  rule: string;
  why: string;
}

function classifyOne(module: string, name: string): ImportClassification {
  for (const rule of COMPILED_RULES)
    if (rule.verdict === 'DANGEROUS' && rule.test(module, name)) return { verdict: rule.verdict, rule: rule.pattern, why: rule.why };
  if (name.includes('.') || name === '') {
    const segments = `${module}.${name}`.split('.');
    const bad = segments.slice(1).find((s) => DANGEROUS_SEGMENTS.has(s) || /^__.+__$/.test(s));
    if (bad !== undefined) return { verdict: 'DANGEROUS', rule: '', why: `an attribute path through ${bad}` };
    return { verdict: 'SUSPICIOUS', rule: '', why: 'a dotted name reaches attributes of attributes; never on the safe list' };
  }
  for (const rule of COMPILED_RULES)
    if (rule.verdict === 'SAFE' && rule.test(module, name)) return { verdict: rule.verdict, rule: rule.pattern, why: rule.why };
  return { verdict: 'SUSPICIOUS', rule: '', why: 'on neither list' };
}

/**
 * How the global `module`.`name` is classified. A Python 2 module name is classified as the unpickler imports it
 * (mapped, as protocols 0–2 are), except that a DANGEROUS classification of the name as written wins.
 */
export function classifyImport(module: string, name: string): ImportClassification {
  const own = classifyOne(module, name);
  const mapped = PY2_MODULES[module];
  if (!mapped || own.verdict === 'DANGEROUS') return own;
  return classifyOne(mapped, name);
}

// ---------------------------------------------------------------------------------------------------------------
// What the parsers report into.
// ---------------------------------------------------------------------------------------------------------------

/** An import as it is being recorded (mutable until the report is built). */
export interface ImportRecord {
  module: string;
  name: string;
  classification: ImportClassification;
  opcodes: Set<string>;
  calledBy: Set<string>;
  count: number;
  offset: number;
  entry?: string;
}

/** Where one file's parsers put what they find; bounded by maxFindings and maxImports. */
export class ScanContext {
  private readonly findings: ScanFinding[] = [];
  private readonly imports = new Map<string, ImportRecord>();
  private omitted: ScanSeverity | null = null;
  private omittedCount = 0;
  private dangerousSeen = false;

  constructor(readonly limits: ScanLimits) {}

  add(code: ScanFindingCode, severity: ScanSeverity, message: string, offset?: number, entry?: string): void {
    if (this.findings.length >= this.limits.maxFindings) {
      this.omitted = worse(this.omitted, severity);
      this.omittedCount += 1;
      return;
    }
    const finding: ScanFinding = { code, severity, message };
    if (offset !== undefined) finding.offset = offset;
    if (entry !== undefined) finding.entry = entry;
    this.findings.push(finding);
  }

  /** Records one import; answers its record (null beyond maxImports: then it is counted by severity only). */
  importGlobal(module: string, name: string, opcode: string, offset: number, entry?: string): ImportRecord | null {
    const key = `${entry ?? ''}\u0000${module}\u0000${name}`;
    let record = this.imports.get(key);
    if (!record) {
      const classification = classifyImport(module, name);
      if (classification.verdict === 'DANGEROUS') this.dangerousSeen = true;
      if (this.imports.size >= this.limits.maxImports) {
        if (classification.verdict !== 'SAFE') {
          this.omitted = worse(this.omitted, classification.verdict);
          this.omittedCount += 1;
        }
        return null;
      }
      record = { module, name, classification, opcodes: new Set(), calledBy: new Set(), count: 0, offset, entry };
      this.imports.set(key, record);
    }
    record.opcodes.add(opcode);
    record.count += 1;
    return record;
  }

  /** Whether any import (listed or beyond maxImports) is DANGEROUS. */
  get hasDangerousImport(): boolean {
    return this.dangerousSeen;
  }

  /** Whether any import is not SAFE. */
  get hasUnsafeImport(): boolean {
    for (const r of this.imports.values()) if (r.classification.verdict !== 'SAFE') return true;
    return this.omitted !== null;
  }

  get worstFinding(): ScanSeverity | null {
    let worst: ScanSeverity | null = this.omitted;
    for (const f of this.findings) worst = worse(worst, f.severity);
    return worst;
  }

  /** A context of its own with the same bounds (for a probe whose findings count only if it turns out to matter). */
  fork(): ScanContext {
    return new ScanContext(this.limits);
  }

  /** Takes in what another context (a probe that turned out to matter) found. */
  merge(other: ScanContext): void {
    for (const f of other.findings) this.add(f.code, f.severity, f.message, f.offset, f.entry);
    for (const [key, r] of other.imports) {
      const mine = this.imports.get(key);
      if (mine) {
        r.opcodes.forEach((o) => mine.opcodes.add(o));
        r.calledBy.forEach((c) => mine.calledBy.add(c));
        mine.count += r.count;
        mine.offset = Math.min(mine.offset, r.offset);
      } else if (this.imports.size < this.limits.maxImports) {
        this.imports.set(key, r);
      } else if (r.classification.verdict !== 'SAFE') {
        this.omitted = worse(this.omitted, r.classification.verdict);
        this.omittedCount += 1;
      }
    }
    if (other.omitted) {
      this.omitted = worse(this.omitted, other.omitted);
      this.omittedCount += other.omittedCount;
    }
    this.dangerousSeen ||= other.dangerousSeen;
  }

  /** The findings (one per import that is not SAFE, after the others) and the imports, in the order first seen. */
  build(): { findings: ScanFinding[]; imports: PickleImport[] } {
    const imports: PickleImport[] = [];
    const importFindings: ScanFinding[] = [];
    for (const r of this.imports.values()) {
      const { verdict, rule, why } = r.classification;
      const item: PickleImport = {
        module: r.module,
        name: r.name,
        verdict,
        rule,
        why,
        opcodes: [...r.opcodes].sort(),
        calledBy: [...r.calledBy].sort(),
        count: r.count,
        offset: r.offset,
      };
      if (r.entry !== undefined) item.entry = r.entry;
      imports.push(item);
      if (verdict === 'SAFE') continue;
      const called = item.calledBy.length ? `, called by ${item.calledBy.join(', ')}` : ', not called';
      const finding: ScanFinding = {
        code: verdict === 'DANGEROUS' ? 'PICKLE_IMPORT_DANGEROUS' : 'PICKLE_IMPORT_SUSPICIOUS',
        severity: verdict,
        message: `imports ${r.module}.${r.name} (${item.opcodes.join(', ')}${called}): ${rule ? `${rule}, ` : ''}${why}`,
        offset: r.offset,
      };
      if (r.entry !== undefined) finding.entry = r.entry;
      importFindings.push(finding);
    }
    const findings: ScanFinding[] = [];
    let omitted = this.omitted;
    let omittedCount = this.omittedCount;
    for (const f of [...this.findings, ...importFindings]) {
      if (findings.length < this.limits.maxFindings) findings.push(f);
      else {
        omitted = worse(omitted, f.severity);
        omittedCount += 1;
      }
    }
    // The worst first (a stable sort: in the order seen within a severity).
    findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
    if (omitted) {
      findings.push({
        code: 'FINDINGS_TRUNCATED',
        severity: omitted,
        message: `${omittedCount} more findings or imports left out (beyond maxFindings ${this.limits.maxFindings} or maxImports ${this.limits.maxImports}); the worst of them is ${omitted}`,
      });
    }
    return { findings, imports };
  }
}
