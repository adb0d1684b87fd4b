import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { signerOf } from '../../src/common/ed25519';
import { createModelgraph, type Services } from '../../src/composition';
import type { Notices, Signer } from '../../src/common/settings';
import { loadConfig, type LogLevel } from '../../src/config';
import { createLogger } from '../../src/logger';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import { Role } from '../../src/common/role';
import { startServer, type RunningServer } from '../../src/server/app';
import { createMetrics, type Metrics } from '../../src/server/metrics';
import { connectTestDatabase, createTestDatabase, type TestDatabase } from './database';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> & { code?: string } }>;
  headers: Headers;
}

export interface TestServer {
  server: RunningServer;
  /** The services behind the server, built by the same composition root. */
  services: Services;
  database: TestDatabase;
  metrics: Metrics;
  baseUrl: string;
  adminToken: string;
  /** A new token with this role (subject defaults to the role's name in lower case). */
  tokenFor(role: Role, subject?: string): Promise<string>;
  /** Sends a typed operation over real HTTP. */
  request<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars, token?: string | null): Promise<GraphQLResponse<TData>>;
  /** Sends any body to /graphql. */
  post(body: unknown, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<Record<string, unknown>>>;
  close(): Promise<void>;
}

/**
 * The real HTTP server on a free port, over a database of its own. `jobs: false` leaves the background loops
 * (event dispatch, webhook deliveries) stopped, for tests that count the SQL statements of one request.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    jobs?: boolean;
    /** true: a signing key of the server's own; or the key and checkpoint file of another (a restored registry). */
    audit?: boolean | { signer: Signer; checkpointFile: string };
    /** A database of the test's own (a cluster it restarts): the server's and the owner's logins, migrated. */
    database?: { url: string; ownerUrl: string; /** Its read replicas, as the server's login. */ readUrls?: string[] };
    /** Hears what the modules report to an operator (the server's log). */
    notices?: Notices;
    /** A fixed port (an instance restarted where a proxy expects it); a free one by default. */
    port?: number;
  } = {},
): Promise<TestServer> {
  const metrics = createMetrics();
  const onQuery = () => metrics.dbQueries.inc();
  const database = options.database
    ? await connectTestDatabase(options.database.url, options.database.ownerUrl, { onQuery, readUrls: options.database.readUrls })
    : await createTestDatabase({ onQuery });
  // Artifacts in a folder of this server's own, removed with it (unless the test chose a store).
  const artifactDir = env.MODELGRAPH_ARTIFACT_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'mg-artifacts-')));
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', MODELGRAPH_ARTIFACT_DIR: artifactDir, ...env });
  const { services, application, jobs } = await createModelgraph(database.db, {
    access: config.access,
    events: config.events,
    webhooks: config.webhooks,
    artifacts: config.artifacts,
    trust: config.trust,
    notices: options.notices,
    // `audit: true` gives the server a signing key of its own, for tests that sign checkpoints.
    audit:
      options.audit === true
        ? { signer: signerOf(generateKeyPairSync('ed25519').privateKey), checkpointFile: path.join(artifactDir, 'checkpoints.jsonl') }
        : options.audit || undefined,
  });
  const server = await startServer(
    { config, db: database.db, logger: createLogger((process.env.TEST_LOG ?? 'silent') as LogLevel), metrics, application },
    { port: options.port ?? 0, host: '127.0.0.1' },
  );
  const running = options.jobs === false ? [] : jobs;
  for (const job of running) await job.start();
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const { secret: adminToken } = await services.tokens.create(SYSTEM_CALLER, { subject: 'admin', role: Role.ADMIN });

  const post = async (body: unknown, token: string | null = adminToken, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: Record<string, unknown>; errors?: GraphQLResponse<unknown>['errors'] };
    return { status: res.status, data: json.data, errors: json.errors, headers: res.headers };
  };

  return {
    server,
    services,
    database,
    metrics,
    baseUrl,
    adminToken,
    tokenFor: async (role, subject = role.toLowerCase()) => (await services.tokens.create(SYSTEM_CALLER, { subject, role })).secret,
    request: async <TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars, token?: string | null) =>
      (await post({ query: print(doc), variables }, token === undefined ? adminToken : token)) as GraphQLResponse<TData>,
    post,
    close: async () => {
      await server.close();
      for (const job of running) await job.stop();
      await database.drop();
      if (!env.MODELGRAPH_ARTIFACT_DIR) await rm(artifactDir, { recursive: true, force: true });
    },
  };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function ok<T>(res: GraphQLResponse<T>): T {
  if (res.errors?.length || !res.data) throw new Error(`expected success, got ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** The error code of a response that must have failed. */
export function errorCode(res: GraphQLResponse<unknown>): string | undefined {
  if (!res.errors?.length) throw new Error(`expected an error, got data ${JSON.stringify(res.data)}`);
  return res.errors[0].extensions?.code;
}
