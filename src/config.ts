import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; when absent an embedded PostgreSQL is started with its data in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: LogLevel;
  nodeEnv: string;
  isProduction: boolean;
  /** Used once, on an empty registry, as the first admin token instead of a random one. */
  bootstrapAdminToken?: string;
  limits: {
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxTokens: number;
  };
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** Every setting, read from the environment in one place. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV || 'development';
  const bootstrap = env.MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN;
  if (bootstrap && !/^\S{20,}$/.test(bootstrap)) {
    throw new Error('MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN must be at least 20 characters with no spaces');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    port: int(env, 'PORT', 4000),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.MODELGRAPH_DATA_DIR || '.modelgraph'),
    embeddedPgPort: int(env, 'MODELGRAPH_EMBEDDED_PG_PORT', 54329),
    logLevel,
    nodeEnv,
    isProduction: nodeEnv === 'production',
    bootstrapAdminToken: env.MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN || undefined,
    limits: {
      maxDepth: int(env, 'MODELGRAPH_MAX_DEPTH', 12),
      maxCost: int(env, 'MODELGRAPH_MAX_COST', 1_000_000),
      maxAliases: int(env, 'MODELGRAPH_MAX_ALIASES', 30),
      maxTokens: int(env, 'MODELGRAPH_MAX_TOKENS', 5_000),
    },
  };
}
