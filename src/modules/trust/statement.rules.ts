/**
 * The DSSE payload of an OMS bundle: an in-toto Statement v1 whose predicate is OMS v1.0's (spec §5, §6.5, §8.3),
 * validated as the spec's JSON schemas (`statement`, `predicate`) say, plus what they leave to prose: names are
 * canonical relative paths (§6.1.2; for shards, `<path>:<start>:<end>`), sorted by code point without duplicates
 * (§5.2.1), each resource's algorithm is `serialization.hash_type`, `shard_size` is present exactly for shards (§5.2.2),
 * and `subject[0].digest.sha256` is the root digest of the resources (§6.5.1).
 */
import { createHash } from 'node:crypto';
import { badInput } from '../../common/errors';
import { compareCodePoints, HEX_LOWER, isObject, quote, refuse } from './trust.rules';

export const INTOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** model_signing 0.2.0's predicate (spec §5.1, §11): deprecated, refused here. */
export const OMS_V01_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

export type HashType = 'sha256' | 'blake2b' | 'blake3';
const HEX_LENGTH: Record<HashType, number> = { sha256: 64, blake2b: 128, blake3: 64 };

export interface ResourceDescriptor {
  readonly name: string;
  readonly digest: string;
  readonly algorithm: HashType;
}

export interface Serialization {
  readonly method: 'files' | 'shards';
  readonly hashType: HashType;
  readonly shardSize: number | null;
  readonly allowSymlinks: boolean;
  /** As signed; absent in pre-v1.1.0 bundles (then empty). */
  readonly ignorePaths: readonly string[];
}

export interface OmsStatement {
  /** `subject[0].name`: informational only (§6.5). */
  readonly modelName: string;
  /** `subject[0].digest.sha256`, checked against the resources. */
  readonly rootDigest: string;
  readonly resources: readonly ResourceDescriptor[];
  readonly serialization: Serialization;
}

export interface StatementLimits {
  readonly maxResources: number;
}

const STATEMENT_KEYS = new Set(['_type', 'subject', 'predicateType', 'predicate']);
const PREDICATE_KEYS = new Set(['resources', 'serialization']);
const SERIALIZATION_KEYS = new Set(['method', 'hash_type', 'shard_size', 'allow_symlinks', 'ignore_paths']);
const HASH_TYPES = new Set<string>(['sha256', 'blake2b', 'blake3']);

function unknownKey(value: Record<string, unknown>, allowed: Set<string>): string | undefined {
  return Object.keys(value).find((key) => !allowed.has(key));
}

/**
 * Why a path is not canonical (§6.1.2: relative, `/`-separated, no `.` or `..` component, no empty component, no
 * trailing `/`), or null. One pass over the path.
 */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return 'is empty';
  if (path.includes('\0')) return 'contains NUL';
  if (path.startsWith('/')) return 'is absolute';
  if (path.endsWith('/')) return 'ends with /';
  for (const part of path.split('/')) {
    if (part === '') return 'has an empty component (//)';
    if (part === '.' || part === '..') return `has a ${part} component`;
  }
  return null;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** A shard resource's name, `<path>:<start>:<end>`, split at its last two colons (a path may hold colons, §6.3.2). */
export function parseShardName(name: string): { path: string; start: number; end: number } | null {
  const second = name.lastIndexOf(':');
  const first = second > 0 ? name.lastIndexOf(':', second - 1) : -1;
  if (first <= 0) return null;
  const start = name.slice(first + 1, second);
  const end = name.slice(second + 1);
  if (!DECIMAL.test(start) || !DECIMAL.test(end)) return null;
  const range = { path: name.slice(0, first), start: Number(start), end: Number(end) };
  return Number.isSafeInteger(range.end) && range.start < range.end ? range : null;
}

/** The root digest (§6.5.1): SHA-256 over the resources' digests as bytes, in their order. */
export function rootDigestOf(resources: ReadonlyArray<{ digest: string }>): string {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(Buffer.from(r.digest, 'hex'));
  return hash.digest('hex');
}

/**
 * Reads the decoded payload as an OMS statement, or refuses naming the field. A manifest over `maxResources` throws
 * BAD_USER_INPUT before any resource is read (see trust.rules.ts for the convention).
 */
export function readStatement(statement: unknown, limits: StatementLimits): OmsStatement {
  if (!isObject(statement)) return refuse('statement', '', 'the payload is not a JSON object (an in-toto Statement)');
  if (statement._type !== INTOTO_STATEMENT_TYPE)
    return refuse('statement', '_type', `_type is ${quote(statement._type)}, not ${INTOTO_STATEMENT_TYPE}`);
  if (statement.predicateType === OMS_V01_PREDICATE_TYPE)
    return refuse(
      'statement',
      'predicateType',
      `predicateType is ${OMS_V01_PREDICATE_TYPE}, the deprecated v0.1 predicate of model_signing 0.2.0: re-sign with a current signer (${OMS_PREDICATE_TYPE})`,
    );
  if (statement.predicateType !== OMS_PREDICATE_TYPE)
    return refuse('statement', 'predicateType', `predicateType is ${quote(statement.predicateType)}, not ${OMS_PREDICATE_TYPE}`);
  const extra = unknownKey(statement, STATEMENT_KEYS);
  if (extra !== undefined)
    return refuse('statement', extra, `${quote(extra)} is not a field of an OMS statement (_type, subject, predicateType, predicate)`);

  const subject = statement.subject;
  if (!Array.isArray(subject) || subject.length !== 1)
    return refuse(
      'statement',
      'subject',
      `subject must hold exactly one entry, the model (it ${Array.isArray(subject) ? `holds ${subject.length}` : 'is not a list'})`,
    );
  const model = subject[0];
  if (!isObject(model)) return refuse('statement', 'subject[0]', 'subject[0] is not an object');
  if (typeof model.name !== 'string' || model.name.length === 0)
    return refuse('statement', 'subject[0].name', 'subject[0].name is not a non-empty string');
  if (!isObject(model.digest) || Object.keys(model.digest).length === 0)
    return refuse('statement', 'subject[0].digest', 'subject[0].digest is not a digest set');
  for (const [algorithm, value] of Object.entries(model.digest))
    if (typeof value !== 'string' || !HEX_LOWER.test(value))
      return refuse('statement', `subject[0].digest.${algorithm}`, `subject[0].digest.${algorithm} is not lowercase hex`);
  const rootDigest = model.digest.sha256;
  if (typeof rootDigest !== 'string' || rootDigest.length !== 64)
    return refuse('statement', 'subject[0].digest.sha256', 'subject[0].digest.sha256 (the root digest) is missing or not 64 hex digits');

  const predicate = statement.predicate;
  if (!isObject(predicate)) return refuse('statement', 'predicate', 'predicate is missing or not an object');
  const extraInPredicate = unknownKey(predicate, PREDICATE_KEYS);
  if (extraInPredicate !== undefined)
    return refuse(
      'statement',
      `predicate.${extraInPredicate}`,
      `predicate.${extraInPredicate} is not a field of the OMS predicate (resources, serialization)`,
    );
  const resources = predicate.resources;
  if (Array.isArray(resources) && resources.length > limits.maxResources)
    throw badInput('bundle', `predicate.resources lists ${resources.length} files, over the bound of ${limits.maxResources}`);
  const serialization = readSerialization(predicate.serialization, limits);
  if (!Array.isArray(resources)) return refuse('statement', 'predicate.resources', 'predicate.resources is missing or not a list');
  if (resources.length === 0)
    return refuse('statement', 'predicate.resources', 'predicate.resources is empty: a model has at least one file');
  const read: ResourceDescriptor[] = new Array(resources.length);
  for (let i = 0; i < resources.length; i += 1) {
    const at = `predicate.resources[${i}]`;
    const r: unknown = resources[i];
    if (!isObject(r)) return refuse('statement', at, `${at} is not an object`);
    const { name, digest, algorithm } = r;
    if (typeof name !== 'string' || name.length === 0) return refuse('statement', `${at}.name`, `${at}.name is not a non-empty string`);
    if (typeof algorithm !== 'string' || !HASH_TYPES.has(algorithm))
      return refuse('statement', `${at}.algorithm`, `${at}.algorithm is ${quote(algorithm)}, not sha256, blake2b or blake3`);
    if (algorithm !== serialization.hashType)
      return refuse(
        'statement',
        `${at}.algorithm`,
        `${at}.algorithm is ${algorithm}, not the serialization's hash_type ${serialization.hashType}`,
      );
    if (typeof digest !== 'string' || !HEX_LOWER.test(digest) || digest.length !== HEX_LENGTH[algorithm as HashType])
      return refuse(
        'statement',
        `${at}.digest`,
        `${at}.digest is not a ${algorithm} digest (${HEX_LENGTH[algorithm as HashType]} lowercase hex digits)`,
      );
    const path = serialization.method === 'files' ? name : parseShardName(name)?.path;
    if (path === undefined) return refuse('statement', `${at}.name`, `${at}.name ${quote(name)} is not <path>:<start>:<end> (shards)`);
    const problem = pathProblem(path);
    if (problem) return refuse('statement', `${at}.name`, `${at}.name ${quote(name)} ${problem}: not a canonical relative path`);
    if (i > 0 && compareCodePoints(read[i - 1].name, name) >= 0)
      return refuse(
        'statement',
        `${at}.name`,
        read[i - 1].name === name
          ? `${at}.name ${quote(name)} is listed twice`
          : `predicate.resources are not sorted by name: ${quote(read[i - 1].name)} comes before ${quote(name)}`,
      );
    read[i] = { name, digest, algorithm: algorithm as HashType };
  }
  if (rootDigestOf(read) !== rootDigest)
    return refuse(
      'statement',
      'subject[0].digest.sha256',
      'subject[0].digest.sha256 is not the root digest of predicate.resources (SHA-256 over their digests)',
    );
  return { modelName: model.name, rootDigest, resources: read, serialization };
}

function readSerialization(value: unknown, limits: StatementLimits): Serialization {
  const at = 'predicate.serialization';
  if (!isObject(value)) return refuse('statement', at, `${at} is missing or not an object`);
  const extra = unknownKey(value, SERIALIZATION_KEYS);
  if (extra !== undefined) return refuse('statement', `${at}.${extra}`, `${at}.${extra} is not a serialization field`);
  const { method, hash_type: hashType, shard_size: shardSize, allow_symlinks: allowSymlinks, ignore_paths: ignorePaths } = value;
  if (method !== 'files' && method !== 'shards')
    return refuse('statement', `${at}.method`, `${at}.method is ${quote(method)}, not files or shards`);
  if (typeof hashType !== 'string' || !HASH_TYPES.has(hashType))
    return refuse('statement', `${at}.hash_type`, `${at}.hash_type is ${quote(hashType)}, not sha256, blake2b or blake3`);
  if (typeof allowSymlinks !== 'boolean')
    return refuse('statement', `${at}.allow_symlinks`, `${at}.allow_symlinks is missing or not a boolean`);
  if (method === 'shards' && (typeof shardSize !== 'number' || !Number.isSafeInteger(shardSize) || shardSize <= 0))
    return refuse(
      'statement',
      `${at}.shard_size`,
      `${at}.shard_size is ${shardSize === undefined ? 'missing' : quote(shardSize)}: shards need a positive integer`,
    );
  if (method === 'files' && shardSize !== undefined)
    return refuse('statement', `${at}.shard_size`, `${at}.shard_size is set, but the method is files`);
  const paths: string[] = [];
  if (ignorePaths !== undefined) {
    if (!Array.isArray(ignorePaths)) return refuse('statement', `${at}.ignore_paths`, `${at}.ignore_paths is not a list`);
    if (ignorePaths.length > limits.maxResources)
      throw badInput(
        'bundle',
        `predicate.serialization.ignore_paths lists ${ignorePaths.length} paths, over the bound of ${limits.maxResources}`,
      );
    for (const [i, p] of ignorePaths.entries()) {
      if (typeof p !== 'string' || p.length === 0)
        return refuse('statement', `${at}.ignore_paths[${i}]`, `${at}.ignore_paths[${i}] is not a non-empty string`);
      paths.push(p);
    }
  }
  return {
    method,
    hashType: hashType as HashType,
    shardSize: method === 'shards' ? (shardSize as number) : null,
    allowSymlinks,
    ignorePaths: paths,
  };
}
