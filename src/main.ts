import 'reflect-metadata';
import { createModelgraph, createModelgraphDataSource } from './composition';
import { loadConfig } from './config';
import { closeDataSource } from './db/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { createLogger } from './logger';
import { startServer } from './server/app';
import { createMetrics } from './server/metrics';

/** Any constant: the same for every instance of modelgraph. */
const STARTUP_LOCK = 7_406_923_002;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'no DATABASE_URL: starting embedded PostgreSQL');
    // The shutdown below stops it, after the server has drained.
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      persistent: true,
      stopOnSignals: false,
    });
    databaseUrl = embedded.url;
  }

  const db = createModelgraphDataSource({ url: databaseUrl, logger, onQuery: () => metrics.dbQueries.inc() });
  await db.initialize();
  const { services, application } = await createModelgraph(db);
  const server = await startServer({ config, db, logger, metrics, application }, { port: config.port });

  // Instances starting together on one database take turns: migrations and the first token run once.
  const lock = db.createQueryRunner();
  await lock.connect();
  let adminToken: string | null;
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    const applied = await db.runMigrations({ transaction: 'each' });
    logger.info({ applied: applied.map((m) => m.name) }, 'migrations up to date');
    adminToken = await services.tokens.bootstrapAdmin(config.bootstrapAdminToken);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
    await lock.release();
  }
  if (adminToken && !config.bootstrapAdminToken) {
    // Printed once, plainly, so a newcomer can copy it: only its hash is stored.
    process.stdout.write(`\nadmin token (shown once, store it now): ${adminToken}\n\n`);
  } else if (adminToken) {
    logger.info('first admin token created from MODELGRAPH_BOOTSTRAP_ADMIN_TOKEN');
  }
  logger.info({ url: server.url, pid: process.pid }, 'modelgraph is serving');
  process.stdout.write(`modelgraph ready at ${server.url}\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await server.close();
      logger.info('server drained');
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

main().catch((err) => {
  console.error('modelgraph failed to start:', err);
  process.exit(1);
});
