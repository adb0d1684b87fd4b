/**
 * The backup drill an operator runs: pg_dump of a registry, pg_restore into a new database, a server started on it
 * with the same signing key and checkpoint file. Restored from the latest checkpoint's backup, the chain verifies and
 * writes continue. Restored from a backup older than the last checkpoint, start-up says exactly that (how many
 * checkpointed events are missing) instead of leaving it to look like tampering; writes wait for an ADMIN's
 * acknowledgement, then continue. Needs a pg_dump/pg_restore at least as new as the server (Debian's
 * postgresql-client); skipped, saying so, without one.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { signerOf } from '../../src/common/ed25519';
import { ok, startTestServer, type TestServer } from '../support/server';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'mg-backup-'));
const audit = { signer: signerOf(generateKeyPairSync('ed25519').privateKey), checkpointFile: path.join(dir, 'checkpoints.jsonl') };
const servers: TestServer[] = [];
const restored: string[] = [];

/** The newest PostgreSQL client tools on the machine (Debian installs them by major version). */
function clientTools(): { bin: string; major: number } | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .map(Number)
    .filter((v) => Number.isInteger(v) && existsSync(path.join(root, String(v), 'bin', 'pg_dump')))
    .sort((a, b) => b - a);
  return majors.length ? { bin: path.join(root, String(majors[0]), 'bin'), major: majors[0] } : null;
}

afterAll(async () => {
  for (const s of servers) await s.close();
  const admin = new Client({ connectionString: process.env.MODELGRAPH_TEST_ADMIN_URL });
  await admin.connect();
  for (const name of restored) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

it('restores a registry from pg_dump: it verifies and carries on; from an older backup it says so, and carries on once acknowledged', async () => {
  const first = await startTestServer({}, { audit });
  servers.push(first);
  const [{ server_version_num: version }] = (await first.database.asOwner('SHOW server_version_num')) as Array<{
    server_version_num: string;
  }>;
  const tools = clientTools();
  const serverMajor = Math.floor(Number(version) / 10000);
  if (!tools || tools.major < serverMajor) {
    console.warn(
      `backup drill SKIPPED: no pg_dump ${serverMajor} or newer (found ${tools ? tools.major : 'none'}; Debian package postgresql-client)`,
    );
    return;
  }
  const gql = async (s: TestServer, query: string) => ok(await s.post({ query })) as Record<string, unknown>;
  const create = (s: TestServer, name: string) =>
    gql(s, `mutation { createModel(input: { name: "${name}", owner: "ops" }) { model { id } } }`);

  await create(first, 'kept-1');
  await create(first, 'kept-2');
  const signed = await first.services.checkpoints.checkpoint();
  const backup = path.join(dir, 'registry.dump');
  await run(path.join(tools.bin, 'pg_dump'), ['--format=custom', '--file', backup, first.database.ownerUrl]);

  /** A new database of the same owner, the backup restored into it (its grants to the server's login with it). */
  const restore = async () => {
    const name = `${process.env.MODELGRAPH_TEST_PREFIX}restored_${randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: process.env.MODELGRAPH_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} OWNER ${process.env.MODELGRAPH_TEST_OWNER}`);
    await admin.end();
    restored.push(name);
    const at = (url: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();
    await run(path.join(tools.bin, 'pg_restore'), ['--exit-on-error', '--no-owner', '--dbname', at(first.database.ownerUrl), backup]);
    const s = await startTestServer({}, { audit, database: { url: at(first.database.url), ownerUrl: at(first.database.ownerUrl) } });
    servers.push(s);
    return s;
  };

  // 1. Restored from the backup of the latest checkpoint: nothing missing, the chain verifies, writes continue.
  const same = await restore();
  expect(await same.services.checkpoints.restoredBeforeLastCheckpoint()).toBeNull();
  expect(await gql(same, '{ verifyAuditChain { ok checkpointSeq } }')).toEqual({
    verifyAuditChain: { ok: true, checkpointSeq: signed?.seq },
  });
  await create(same, 'after-the-restore');
  expect(await gql(same, '{ models { totalCount } }')).toEqual({ models: { totalCount: 3 } });

  // 2. The original registry goes on and signs another checkpoint; then it is restored from the older backup.
  for (const n of [3, 4, 5]) await create(first, `kept-${n}`);
  const later = await first.services.checkpoints.checkpoint();
  const older = await restore();
  const report = await older.services.checkpoints.restoredBeforeLastCheckpoint();
  // The backup's head: the checkpoint it was taken after, and whatever the server appended before pg_dump began.
  const [{ head }] = (await older.database.asOwner('SELECT max(seq)::int AS head FROM audit_events')) as Array<{ head: number }>;
  expect(head).toBeGreaterThanOrEqual(signed?.seq ?? 0);
  const missing = (later?.seq ?? 0) - head;
  expect(missing).toBeGreaterThan(1);
  expect(report).toBe(
    `the audit trail ends at event ${head}, but checkpoint ${later?.seq} was signed at ${later?.signedAt}: ` +
      `the ${missing} checkpointed events after event ${head} are missing — a restore from a backup older than that checkpoint, or events deleted. ` +
      `Writes wait until an ADMIN acknowledges it: acknowledgeAuditBreak(input: { seq: ${later?.seq}, reason: "restored from the backup of …" }) ` +
      `(docs/operations.md, "Backups and restore")`,
  );
  const verified = await gql(older, '{ verifyAuditChain { ok firstBrokenSeq reason } }');
  expect(verified).toEqual({
    verifyAuditChain: { ok: false, firstBrokenSeq: later?.seq, reason: expect.stringContaining('a restore from a backup older') },
  });
  const refused = await older.post({ query: 'mutation { createModel(input: { name: "too-soon", owner: "ops" }) { model { id } } }' });
  expect(refused.errors?.[0]?.extensions?.code).toBe('AUDIT_CHAIN_BROKEN');

  await gql(
    older,
    `mutation { acknowledgeAuditBreak(input: { seq: ${later?.seq}, reason: "restored from the backup of the drill" }) { break { seq } } }`,
  );
  expect(await older.services.checkpoints.restoredBeforeLastCheckpoint()).toBeNull();
  await create(older, 'after-the-acknowledged-restore');
  expect(await older.services.checkpoints.checkpoint()).toMatchObject({ seq: expect.any(Number) });
  expect(await gql(older, '{ verifyAuditChain { ok } }')).toEqual({ verifyAuditChain: { ok: true } });
}, 120_000);
