import fs from 'node:fs';
import path from 'node:path';
import type { ArtifactSettings, TrustSettings } from './common/settings';
import { StartupError } from './common/startup-error';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** The server's PostgreSQL login; when absent an embedded PostgreSQL is started with its data in `dataDir`. */
  databaseUrl?: string;
  /** The owner's login, for migrations and grants; without it the migrations run as `databaseUrl`. */
  ownerDatabaseUrl?: string;
  /**
   * Read replicas of `databaseUrl`'s database, as the server's login: GraphQL queries may read there, unless their
   * token wrote within `readYourWritesSeconds`.
   */
  readDatabaseUrls: string[];
  readYourWritesSeconds: number;
  dataDir: string;
  /** The built governance console (`npm run build:ui`), served at /ui. */
  uiDir: string;
  embeddedPgPort: number;
  logLevel: LogLevel;
  nodeEnv: string;
  isProduction: boolean;
  /** Used once, on an empty registry, as the first admin token instead of a random one. */
  bootstrapAdminToken?: string;
  access: {
    visibility: 'all' | 'granted';
    creatorGrant: boolean;
  };
  audit: {
    /** The server's Ed25519 key (PEM, PKCS#8) that signs checkpoints; generated there when missing. */
    signingKeyFile: string;
    /** Where every checkpoint is also appended, one JSON line each: a record outside the database. */
    checkpointFile: string;
    /** How often the head of the chain is checkpointed (when it moved); 0: only on demand. */
    checkpointSeconds: number;
  };
  events: {
    /** Redis for event signals between instances; without it, PostgreSQL LISTEN/NOTIFY. */
    redisUrl?: string;
    redisChannel: string;
    /** Origins a websocket upgrade may come from (empty: any, as for plain HTTP clients). */
    allowedOrigins: string[];
    /** The largest websocket frame accepted, in bytes. */
    maxFrameBytes: number;
    /**
     * Operations one socket may hold at once (subscriptions, and queries or mutations sent over it while they
     * run); one more is refused with RATE_LIMITED. Each costs the server memory while it lives and a frame per event.
     */
    maxSubscriptionsPerSocket: number;
    /** The same across every socket of one API token, on this instance. */
    maxSubscriptionsPerToken: number;
    /** Sockets one API token may hold open on this instance; one more is closed with 4429. */
    maxSocketsPerToken: number;
  };
  webhooks: {
    /** Host names, addresses or CIDR ranges a webhook may reach although private or loopback. */
    allowedHosts: string[];
    /** Consecutive failed attempts after which a webhook is paused. */
    maxFailures: number;
    /** How long one delivery may take. */
    timeoutMs: number;
  };
  artifacts: ArtifactSettings;
  trust: TrustSettings;
  limits: {
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxTokens: number;
    /** Introspection: off in production. */
    introspection: boolean;
    /** Federation's `_service { sdl }`: off in production unless MODELGRAPH_FEDERATION_SDL=true. */
    serviceSdl: boolean;
  };
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new StartupError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!values.includes(raw as T)) throw new StartupError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** A comma-separated list; empty entries dropped. */
function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function postgresUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw ? checkedPostgresUrl(name, raw) : undefined;
}

function checkedPostgresUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StartupError(`${name} is not a URL: expected postgres://user:password@host:5432/database`);
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) throw new StartupError(`${name} must start with postgres://`);
  return raw;
}

/** MODELGRAPH_READ_DATABASE_URL: one replica's URL, or several separated by commas. */
function readDatabaseUrls(env: NodeJS.ProcessEnv): string[] {
  const urls = list(env, 'MODELGRAPH_READ_DATABASE_URL');
  if (urls.length && !env.DATABASE_URL)
    throw new StartupError('MODELGRAPH_READ_DATABASE_URL needs DATABASE_URL: replicas of which database?');
  return urls.map((url) => checkedPostgresUrl('MODELGRAPH_READ_DATABASE_URL', url));
}

/** Every setting, read from the environment in one place; a bad one stops the start with one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV || 'development';
  const bootstrap = env.MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN;
  if (bootstrap && !/^\S{20,}$/.test(bootstrap)) {
    throw new StartupError('MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN must be at least 20 characters with no spaces');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new StartupError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const dataDir = path.resolve(env.MODELGRAPH_DATA_DIR || '.modelgraph');
  return {
    port: int(env, 'PORT', 4000, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: postgresUrl(env, 'DATABASE_URL'),
    ownerDatabaseUrl: postgresUrl(env, 'MODELGRAPH_OWNER_DATABASE_URL'),
    readDatabaseUrls: readDatabaseUrls(env),
    readYourWritesSeconds: int(env, 'MODELGRAPH_READ_YOUR_WRITES_SECONDS', 5, 3600, 1),
    dataDir,
    uiDir: path.resolve(env.MODELGRAPH_UI_DIR || path.join(packageRoot(), 'dist', 'ui')),
    embeddedPgPort: int(env, 'MODELGRAPH_EMBEDDED_PG_PORT', 54329, 65535),
    logLevel,
    nodeEnv,
    isProduction: nodeEnv === 'production',
    bootstrapAdminToken: env.MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN || undefined,
    access: {
      visibility: oneOf(env, 'MODELGRAPH_VISIBILITY', ['all', 'granted'] as const, 'all'),
      creatorGrant: oneOf(env, 'MODELGRAPH_CREATOR_GRANT', ['true', 'false'] as const, 'true') === 'true',
    },
    audit: {
      signingKeyFile: path.resolve(env.MODELGRAPH_AUDIT_SIGNING_KEY_FILE || path.join(dataDir, 'audit-signing-key.pem')),
      checkpointFile: path.resolve(env.MODELGRAPH_AUDIT_CHECKPOINT_FILE || path.join(dataDir, 'audit-checkpoints.jsonl')),
      checkpointSeconds: int(env, 'MODELGRAPH_AUDIT_CHECKPOINT_SECONDS', 60, 86_400),
    },
    events: {
      redisUrl: env.REDIS_URL || undefined,
      redisChannel: env.MODELGRAPH_REDIS_CHANNEL || 'modelgraph:events',
      allowedOrigins: list(env, 'MODELGRAPH_ALLOWED_ORIGINS'),
      maxFrameBytes: int(env, 'MODELGRAPH_MAX_FRAME_BYTES', 1_048_576, 100 * 1_048_576),
      // A dashboard or a pipeline needs a handful of subscriptions per socket; 100 is far above that, and 1,000 sockets
      // of a token (about 16 KB each when idle) or 1,000 subscriptions are what one client may cost an instance.
      maxSubscriptionsPerSocket: int(env, 'MODELGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 10_000, 1),
      maxSubscriptionsPerToken: int(env, 'MODELGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN', 1000, 1_000_000, 1),
      maxSocketsPerToken: int(env, 'MODELGRAPH_MAX_SOCKETS_PER_TOKEN', 1000, 1_000_000, 1),
    },
    webhooks: {
      allowedHosts: list(env, 'MODELGRAPH_WEBHOOK_ALLOWED_HOSTS'),
      maxFailures: int(env, 'MODELGRAPH_WEBHOOK_MAX_FAILURES', 20, 1_000),
      timeoutMs: int(env, 'MODELGRAPH_WEBHOOK_TIMEOUT_MS', 10_000, 120_000),
    },
    artifacts: artifactSettings(env, dataDir),
    trust: {
      // 4 MiB by default (issue 21 says 1 MB, too little for a 10,000-file folder: see OMS_LIMITS); at most 64 MiB.
      maxSignatureBytes: int(env, 'MODELGRAPH_MAX_SIGNATURE_BYTES', 4 * 1024 * 1024, 64 * 1024 * 1024, 1024),
      sigstoreTrustedRootFile: env.MODELGRAPH_SIGSTORE_TRUSTED_ROOT ? path.resolve(env.MODELGRAPH_SIGSTORE_TRUSTED_ROOT) : undefined,
    },
    limits: {
      maxDepth: int(env, 'MODELGRAPH_MAX_DEPTH', 12),
      maxCost: int(env, 'MODELGRAPH_MAX_COST', 1_000_000),
      maxAliases: int(env, 'MODELGRAPH_MAX_ALIASES', 30),
      maxTokens: int(env, 'MODELGRAPH_MAX_TOKENS', 5_000),
      introspection: nodeEnv !== 'production',
      serviceSdl: nodeEnv !== 'production' || oneOf(env, 'MODELGRAPH_FEDERATION_SDL', ['true', 'false'] as const, 'false') === 'true',
    },
  };
}

/** The folder holding package.json: the same from src/ (tests) and from dist/src/ (built). */
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * MODELGRAPH_ARTIFACT_STORE=filesystem (default: MODELGRAPH_ARTIFACT_DIR, else <data dir>/artifacts) or s3
 * (MODELGRAPH_S3_BUCKET, and optionally MODELGRAPH_S3_PREFIX, MODELGRAPH_S3_REGION, MODELGRAPH_S3_ENDPOINT for
 * MinIO and other S3-compatible stores, MODELGRAPH_S3_FORCE_PATH_STYLE, MODELGRAPH_S3_ACCESS_KEY_ID and
 * MODELGRAPH_S3_SECRET_ACCESS_KEY; without keys, the AWS default credential chain).
 */
function artifactSettings(env: NodeJS.ProcessEnv, dataDir: string): ArtifactSettings {
  const store = oneOf(env, 'MODELGRAPH_ARTIFACT_STORE', ['filesystem', 's3'] as const, 'filesystem');
  const maxBytes = int(env, 'MODELGRAPH_ARTIFACT_MAX_BYTES', 100 * 1024 ** 3);
  if (store === 'filesystem') {
    return { store, directory: path.resolve(env.MODELGRAPH_ARTIFACT_DIR || path.join(dataDir, 'artifacts')), maxBytes };
  }
  const bucket = env.MODELGRAPH_S3_BUCKET;
  if (!bucket) throw new StartupError('MODELGRAPH_ARTIFACT_STORE=s3 needs MODELGRAPH_S3_BUCKET');
  const prefix = env.MODELGRAPH_S3_PREFIX ?? '';
  if (prefix && !prefix.endsWith('/')) throw new StartupError('MODELGRAPH_S3_PREFIX must end with / (e.g. modelgraph/)');
  const keyId = env.MODELGRAPH_S3_ACCESS_KEY_ID;
  const secret = env.MODELGRAPH_S3_SECRET_ACCESS_KEY;
  if (Boolean(keyId) !== Boolean(secret))
    throw new StartupError('set both MODELGRAPH_S3_ACCESS_KEY_ID and MODELGRAPH_S3_SECRET_ACCESS_KEY, or neither');
  return {
    store,
    maxBytes,
    s3: {
      bucket,
      prefix,
      region: env.MODELGRAPH_S3_REGION || 'us-east-1',
      endpoint: env.MODELGRAPH_S3_ENDPOINT || undefined,
      forcePathStyle:
        oneOf(env, 'MODELGRAPH_S3_FORCE_PATH_STYLE', ['true', 'false'] as const, env.MODELGRAPH_S3_ENDPOINT ? 'true' : 'false') === 'true',
      credentials: keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
    },
  };
}
