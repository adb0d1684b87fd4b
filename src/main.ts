import 'reflect-metadata';
import net from 'node:net';
import { loadOrCreateSigner } from './common/ed25519';
import { StartupError } from './common/startup-error';
import { createModelgraph, createModelgraphDataSource } from './composition';
import { loadConfig, type Config } from './config';
import { closeDataSource, createDataSource } from './db/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { auditTrailExposure, grantServerRole } from './db/roles';
import { createLogger, type Logger } from './logger';
import { startServer } from './server/app';
import { createMetrics } from './server/metrics';

/** Any constant: the same for every instance of modelgraph. */
const STARTUP_LOCK = 7_406_923_002;

/** The HTTP port is checked before anything starts, so a port in use costs nothing to find out. */
async function assertPortFree(config: Config): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${config.port} is in use: set PORT to a free one`
            : `port ${config.port} cannot be used: ${err.message}`,
        ),
      ),
    );
    probe.listen(config.port, config.host, () => probe.close(() => resolve()));
  });
}

/**
 * Runs the migrations as the owner and grants the server's login what it needs, then calls `more`,
 * all under a lock: instances starting together on one database take turns.
 */
async function migrateUnderLock(ownerUrl: string, serverRole: string | null, logger: Logger, more: () => Promise<void>): Promise<void> {
  const owner = createDataSource({ url: ownerUrl, logger });
  await owner.initialize();
  const lock = owner.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    const applied = await owner.runMigrations({ transaction: 'each' });
    logger.info({ applied: applied.map((m) => m.name) }, 'migrations up to date');
    if (serverRole) await grantServerRole(owner, serverRole);
    await more();
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => undefined);
    await lock.release();
    await closeDataSource(owner);
  }
}

/** Started by main, stopped by its shutdown, or here when start-up fails after it started. */
let embedded: EmbeddedDatabase | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  await assertPortFree(config);
  const signer = loadOrCreateSigner(config.audit.signingKeyFile);

  let databaseUrl = config.databaseUrl;
  let ownerUrl = config.ownerDatabaseUrl;
  if (!databaseUrl) {
    logger.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'no DATABASE_URL: starting embedded PostgreSQL');
    // The shutdown below stops it, after the server has drained.
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, persistent: true });
    databaseUrl = embedded.url;
    ownerUrl = embedded.ownerUrl;
  }

  const db = createModelgraphDataSource({
    url: databaseUrl,
    readUrls: config.readDatabaseUrls,
    logger,
    onQuery: () => metrics.dbQueries.inc(),
  });
  await db.initialize();
  const { services, application, jobs } = await createModelgraph(db, {
    access: config.access,
    audit: { signer, checkpointFile: config.audit.checkpointFile },
    events: config.events,
    webhooks: config.webhooks,
    artifacts: config.artifacts,
    trust: config.trust,
    notices: logger,
  });
  // Listening now, for probes: /readyz answers 503 "starting" until server.ready() below, and never writes.
  const server = await startServer({ config, db, logger, metrics, application }, { port: config.port, starting: true });

  let adminToken: string | null = null;
  await migrateUnderLock(ownerUrl ?? databaseUrl, ownerUrl ? decodeURIComponent(new URL(databaseUrl).username) : null, logger, async () => {
    // Signed checkpoints of another registry (a replaced database, or another's file): not tampering, but not
    // this database's either. The operator says which is right, before anything is written.
    const foreign = await services.checkpoints.foreignCheckpointFile();
    if (foreign) throw new StartupError(foreign);
    // A database restored from a backup older than the last checkpoint: said as that, not left to look like tampering.
    const restored = await services.checkpoints.restoredBeforeLastCheckpoint();
    if (restored) logger.error(restored);
    adminToken = await services.tokens.bootstrapAdmin(config.bootstrapAdminToken);
  });
  const exposure = await auditTrailExposure(db);
  if (exposure) {
    logger.warn(
      { exposure },
      `${exposure}: it could rewrite the audit trail. Connect as a login that owns nothing (DATABASE_URL) and migrate as the owner (MODELGRAPH_OWNER_DATABASE_URL): see docs/operations.md`,
    );
  }
  if (adminToken && !config.bootstrapAdminToken) {
    // Printed once, plainly, so a newcomer can copy it: only its hash is stored.
    process.stdout.write(`\nadmin token (shown once, store it now): ${adminToken}\n\n`);
  } else if (adminToken) {
    logger.info('first admin token created from MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN');
  }

  // Signed checkpoints of the audit chain: one now, then whenever the head moved, every interval.
  const checkpoint = () =>
    services.checkpoints.checkpoint().then(
      (c) => c && logger.debug({ seq: c.seq }, 'audit checkpoint'),
      (err) => logger.error({ err }, 'audit checkpoint failed'),
    );
  await checkpoint();
  const checkpoints = config.audit.checkpointSeconds > 0 ? setInterval(checkpoint, config.audit.checkpointSeconds * 1000) : undefined;
  checkpoints?.unref();

  for (const job of jobs) await job.start();

  server.ready();
  logger.info({ url: server.url, pid: process.pid, keyFingerprint: signer.fingerprint }, 'modelgraph is serving');
  process.stdout.write(`modelgraph ready at ${server.url}\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(checkpoints);
    logger.info({ signal }, 'shutting down');
    try {
      await server.close();
      logger.info('server drained');
      for (const job of jobs) await job.stop();
      await closeDataSource(db);
      logger.info('database connections closed');
      await embedded?.stop();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch(async (err: Error) => {
  // One line for what the person starting it can fix; the stack only for what they cannot, and asked for.
  process.stderr.write(`modelgraph cannot start: ${err.message}\n`);
  if (!(err instanceof StartupError) && process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack}\n`);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
