// `npm run admin:token [-- --subject <name>]`: when every ADMIN token is lost, issues a new one, run beside
// the database (the same DATABASE_URL, or the same data folder as the server, running or not). Audited.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Caller } from './common/caller';
import { Role } from './common/role';
import { createServices, createModelgraphDataSource } from './composition';
import { loadConfig } from './config';
import { closeDataSource } from './db/data-source';
import { runningEmbedded, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';

/** Creates an ADMIN token for `subject`, recorded in the audit trail as the command's doing; answers its secret. */
export async function issueAdminToken(databaseUrl: string, subject: string): Promise<string> {
  const db = createModelgraphDataSource({ url: databaseUrl });
  await db.initialize();
  try {
    const services = createServices(db);
    const caller: Caller = { tokenId: 'cli', subject: 'cli:admin-token', role: Role.ADMIN, requestId: randomUUID() };
    const { secret } = await services.tokens.create(caller, {
      subject,
      role: Role.ADMIN,
      description: 'issued by npm run admin:token beside the database',
    });
    return secret;
  } finally {
    await closeDataSource(db);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { subject: { type: 'string', default: 'admin-recovery' } } });
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl ?? runningEmbedded(config.dataDir)?.url;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, persistent: true });
    url = embedded.url;
  }
  try {
    const secret = await issueAdminToken(url, values.subject as string);
    process.stdout.write(`new ADMIN token for "${values.subject}" (shown once, store it now): ${secret}\n`);
  } finally {
    await embedded?.stop();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`admin:token failed: ${err.message}\n`);
    process.exit(1);
  });
}
