import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyExportFiles } from '../../src/audit-verify';
import type { Caller } from '../../src/common/caller';
import { signerOf } from '../../src/common/ed25519';
import { Role } from '../../src/common/role';
import type { Settings } from '../../src/common/settings';
import { createServices, type Services } from '../../src/composition';
import { GENESIS_HASH, hashEvent, type StoredEvent } from '../../src/modules/audit/audit.rules';
import { checkpointVerifies, signCheckpoint, type SignedCheckpoint } from '../../src/modules/audit/checkpoint.rules';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';

const admin: Caller = { tokenId: 't', subject: 'root', role: Role.ADMIN, requestId: 'req' };
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'modelgraph-checkpoints-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

interface Registry {
  t: TestDatabase;
  s: Services;
  settings: { audit: NonNullable<Settings['audit']> };
}

/** A registry on a database of its own; `shared`: with another's key and checkpoint file (the same data folder). */
async function registry(shared?: Registry['settings']): Promise<Registry> {
  const t = await createTestDatabase();
  const settings = shared ?? {
    audit: { signer: signerOf(generateKeyPairSync('ed25519').privateKey), checkpointFile: path.join(folder, `${modelName('cp')}.jsonl`) },
  };
  return { t, s: createServices(t.db, settings), settings };
}

const events = (r: Registry, n: number) =>
  Promise.all(Array.from({ length: n }, () => r.s.models.create(admin, { name: modelName('cp'), owner: 'o' })));

/** What an attacker with the owner's login does: switch the append-only trigger off, change rows, switch it on. */
async function asAttacker(r: Registry, ...statements: Array<[string, unknown[]?]>): Promise<void> {
  await r.t.asOwner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
  try {
    for (const [sql, params] of statements) await r.t.asOwner(sql, params);
  } finally {
    await r.t.asOwner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
  }
}

async function stored(r: Registry): Promise<StoredEvent[]> {
  return r.s.audit.eventsAfter(0, 10_000);
}

/**
 * What an attacker with the owner's login can do: rewrite event `seq` (its payload marked forged, its id kept) and
 * recompute every hash from there on, so that every link of the chain checks out again.
 */
async function rewriteChainFrom(r: Registry, seq: number): Promise<void> {
  const chain = await stored(r);
  let prevHash = chain.find((e) => e.seq === seq - 1)?.hash ?? GENESIS_HASH;
  const rewrites: Array<[string, unknown[]]> = [];
  for (const event of chain.filter((e) => e.seq >= seq)) {
    const payload = event.seq === seq ? { ...(event.payload as object), forged: true } : event.payload;
    const { prevHash: _p, hash: _h, ...fields } = { ...event, payload };
    const hash = hashEvent(prevHash, fields);
    rewrites.push([
      'UPDATE audit_events SET payload = $2, prev_hash = $3, hash = $4 WHERE seq = $1',
      [event.seq, JSON.stringify(payload), prevHash, hash],
    ]);
    prevHash = hash;
  }
  await asAttacker(r, ...rewrites);
}

async function expectWritesRefused(r: Registry, brokenSeq: number): Promise<void> {
  await expect(r.s.models.create(admin, { name: modelName('cp'), owner: 'o' })).rejects.toMatchObject({
    code: 'AUDIT_CHAIN_BROKEN',
    details: { brokenSeq },
  });
}

test('a checkpoint signs the head, in the database and in the file, only when the head moved', async () => {
  const r = await registry();
  try {
    await events(r, 3);
    const first = await r.s.checkpoints.checkpoint();
    expect(first).toMatchObject({ seq: 3, keyFingerprint: r.settings.audit.signer.fingerprint });
    expect(await r.s.checkpoints.checkpoint()).toEqual(first); // nothing new: the same checkpoint
    await events(r, 2);
    expect((await r.s.checkpoints.checkpoint())?.seq).toBe(5);
    const lines = fs.readFileSync(r.settings.audit.checkpointFile, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([3, 5]);
    expect(await r.t.db.query('SELECT seq FROM audit_checkpoints ORDER BY id')).toEqual([{ seq: '3' }, { seq: '5' }]);
    expect(await r.s.audit.verifyChain()).toMatchObject({ ok: true, checkpointSeq: 5 });
  } finally {
    await r.t.drop();
  }
});

test('a deleted tail is found against the checkpoint; writes stop until an ADMIN acknowledges it', async () => {
  const r = await registry();
  try {
    await events(r, 6);
    await r.s.checkpoints.checkpoint(); // signs seq 6
    await asAttacker(r, ['DELETE FROM audit_events WHERE seq >= 5']);
    // The chain itself still links: only the checkpoint tells.
    const verification = await r.s.audit.verifyChain();
    expect(verification).toMatchObject({ ok: false, firstBrokenSeq: 6, checkpointSeq: 6 });
    expect(verification.reason).toMatch(/deleted/);
    await expectWritesRefused(r, 6);
    await expect(r.s.checkpoints.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });

    await expect(r.s.checkpoints.acknowledge(admin, 99, 'no such break')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const acknowledged = await r.s.checkpoints.acknowledge(admin, 6, 'restored from backup; incident INC-42');
    expect(acknowledged).toMatchObject({ seq: 6, acknowledgedBy: 'root', reason: expect.stringMatching(/deleted/) });
    await events(r, 1); // writes resume
    expect(await r.s.audit.verifyChain()).toMatchObject({ ok: true, acknowledgedBreaks: [6] });
    expect((await r.s.checkpoints.checkpoint())?.seq).toBe(6); // the acknowledgement event (5) and the new model (6)
    const [ack] = await r.t.db.query(`SELECT payload FROM audit_events WHERE action = 'audit.break_acknowledged'`);
    expect(ack.payload).toMatchObject({ seq: 6, acknowledgement: 'restored from backup; incident INC-42' });
  } finally {
    await r.t.drop();
  }
});

test('a rewrite that recomputes every hash after it is found against the checkpoint', async () => {
  const r = await registry();
  try {
    await events(r, 5);
    await r.s.checkpoints.checkpoint(); // signs seq 5
    // Rewrite event 2 and recompute the chain from there on, so that every link checks out.
    await rewriteChainFrom(r, 2);
    const verification = await r.s.audit.verifyChain();
    expect(verification).toMatchObject({ ok: false, firstBrokenSeq: 5, eventsChecked: 5 });
    expect(verification.reason).toMatch(/rewritten/);
    await expectWritesRefused(r, 5);
  } finally {
    await r.t.drop();
  }
});

test('a row inserted past a gap is found, and the server does not append after it', async () => {
  const r = await registry();
  try {
    await events(r, 3);
    const [head] = (await stored(r)).slice(-1);
    // The server's login may insert: a forged row two ahead.
    await r.t.db.query(
      `INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject_type, subject_id, payload, prev_hash, hash)
       VALUES (5, gen_random_uuid(), now(), 'mallory', 'x', 'X', 'x', '{}', $1, $2)`,
      [head.hash, 'f'.repeat(64)],
    );
    expect(await r.s.audit.verifyChain()).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: expect.stringMatching(/gap/) });
    await expectWritesRefused(r, 4);
    expect(await r.t.db.query('SELECT max(seq)::int AS n FROM audit_events')).toEqual([{ n: 5 }]);
  } finally {
    await r.t.drop();
  }
});

test('checkpoints deleted from the database still hold in the file; one signed with another key counts for nothing', async () => {
  const r = await registry();
  try {
    await events(r, 4);
    await r.s.checkpoints.checkpoint(); // signs seq 4
    // Someone with database access signs a checkpoint of their own, then removes ours and the tail.
    const forged = signCheckpoint(signerOf(generateKeyPairSync('ed25519').privateKey), {
      seq: 2,
      hash: 'x',
      signedAt: new Date().toISOString(),
    });
    await r.t.db.query(
      'INSERT INTO audit_checkpoints (seq, hash, signed_at, key_fingerprint, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)',
      [forged.seq, forged.hash, forged.signedAt, forged.keyFingerprint, forged.publicKey, forged.signature],
    );
    await r.t.asOwner('ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only');
    await r.t.asOwner('DELETE FROM audit_checkpoints WHERE seq = 4');
    await asAttacker(r, ['DELETE FROM audit_events WHERE seq = 4']);
    expect(await r.s.audit.verifyChain()).toMatchObject({ ok: false, firstBrokenSeq: 4, checkpointSeq: 4 });
  } finally {
    await r.t.drop();
  }
});

test('npm run audit:verify checks an export offline, against the checkpoints and the public key', async () => {
  const r = await registry();
  try {
    await events(r, 5);
    await r.s.checkpoints.checkpoint();
    const exportFile = path.join(folder, `${modelName('export')}.jsonl`);
    const publicKey = path.join(folder, `${modelName('key')}.pub`);
    fs.writeFileSync(exportFile, (await stored(r)).map((e) => JSON.stringify(e)).join('\n'));
    fs.writeFileSync(publicKey, r.settings.audit.signer.publicKeyPem);
    expect(await verifyExportFiles(exportFile, r.settings.audit.checkpointFile, publicKey)).toMatchObject({
      ok: true,
      eventsChecked: 5,
      checkpointsChecked: 1,
    });

    // A truncated export: the checkpoint at 5 says there was more.
    const lines = fs.readFileSync(exportFile, 'utf8').split('\n');
    fs.writeFileSync(exportFile, lines.slice(0, 3).join('\n'));
    expect(await verifyExportFiles(exportFile, r.settings.audit.checkpointFile, publicKey)).toMatchObject({ ok: false, firstBrokenSeq: 5 });
    // An edited event.
    fs.writeFileSync(exportFile, lines.map((l, i) => (i === 1 ? l.replace('"actor":"root"', '"actor":"mallory"') : l)).join('\n'));
    expect(await verifyExportFiles(exportFile, r.settings.audit.checkpointFile, publicKey)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    // Another key: the checkpoints are not trusted, and say so.
    fs.writeFileSync(exportFile, lines.join('\n'));
    fs.writeFileSync(publicKey, signerOf(generateKeyPairSync('ed25519').privateKey).publicKeyPem);
    expect(await verifyExportFiles(exportFile, r.settings.audit.checkpointFile, publicKey)).toMatchObject({
      ok: true,
      checkpointsChecked: 0,
      untrustedCheckpoints: 1,
    });
  } finally {
    await r.t.drop();
  }
});

const fileLines = (r: Registry): SignedCheckpoint[] =>
  fs
    .readFileSync(r.settings.audit.checkpointFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SignedCheckpoint);

test("a checkpoint carries the registry's identity, the id of its first event: signed, in the table and in the file", async () => {
  const r = await registry();
  try {
    await events(r, 3);
    const [first] = await stored(r);
    const checkpoint = (await r.s.checkpoints.checkpoint()) as SignedCheckpoint;
    expect(checkpoint).toMatchObject({ registryId: first.id, seq: 3 });
    expect(fileLines(r)).toEqual([checkpoint]);
    expect(await r.t.db.query('SELECT registry_id FROM audit_checkpoints')).toEqual([{ registry_id: first.id }]);
    const key = r.settings.audit.signer.publicKeyPem;
    expect(checkpointVerifies(checkpoint, key)).toBe(true);
    // The identity is signed: another one, or none, and the signature no longer verifies.
    expect(checkpointVerifies({ ...checkpoint, registryId: '00000000-0000-4000-8000-000000000000' }, key)).toBe(false);
    const { registryId: _dropped, ...withoutIdentity } = checkpoint;
    expect(checkpointVerifies(withoutIdentity, key)).toBe(false);
    expect(await r.s.checkpoints.foreignCheckpointFile()).toBeNull();
  } finally {
    await r.t.drop();
  }
});

test("another database with the same checkpoint file: its checkpoints are another registry's, said so, and never a tampering alarm", async () => {
  const first = await registry();
  const second = await registry(first.settings); // the database was dropped and recreated, the data folder kept
  const file = first.settings.audit.checkpointFile;
  try {
    await events(first, 3);
    const signed = (await first.s.checkpoints.checkpoint()) as SignedCheckpoint;

    // An empty database: start-up refuses with this, before anything is written.
    expect(await second.s.checkpoints.foreignCheckpointFile()).toBe(
      `the checkpoints in ${file} belong to registry ${signed.registryId}, and this database has no audit trail ` +
        `(a new database, or one whose trail was deleted): point MODELGRAPH_AUDIT_CHECKPOINT_FILE at this registry's file, ` +
        `or move the old file away if this database is meant to replace it`,
    );
    // Had it started anyway and written events: the other registry's checkpoints are named, not compared.
    await events(second, 4);
    const [secondFirst] = await stored(second);
    const mismatch =
      `the checkpoints in ${file} belong to registry ${signed.registryId}, this database is registry ${secondFirst.id}: ` +
      `point MODELGRAPH_AUDIT_CHECKPOINT_FILE at this registry's file, or move the old file away if this database is meant to replace it`;
    expect(await second.s.checkpoints.foreignCheckpointFile()).toBe(mismatch);
    await expect(second.s.checkpoints.checkpoint()).rejects.toMatchObject({ code: 'CONFLICT', message: mismatch });
    expect(await second.s.audit.verifyChain()).toMatchObject({ ok: true, checkpointSeq: null });
    await events(second, 1); // no break was recorded: writes go on
    expect(await second.t.db.query('SELECT count(*)::int AS n FROM audit_chain_breaks')).toEqual([{ n: 0 }]);
    expect(fileLines(first)).toEqual([signed]); // nothing of the second registry was added to the first's file

    // The first registry's own file still holds for it.
    expect(await first.s.checkpoints.foreignCheckpointFile()).toBeNull();
    expect(await first.s.audit.verifyChain()).toMatchObject({ ok: true, checkpointSeq: 3 });
  } finally {
    await first.t.drop();
    await second.t.drop();
  }
});

test('a rewrite of the same registry from its first event on is still tampering, not another registry', async () => {
  const r = await registry();
  try {
    await events(r, 4);
    await r.s.checkpoints.checkpoint(); // signs seq 4
    // Rewrite event 1 (its id, the registry's identity, kept) and recompute every hash after it.
    await rewriteChainFrom(r, 1);
    expect(await r.s.checkpoints.foreignCheckpointFile()).toBeNull();
    const verification = await r.s.audit.verifyChain();
    expect(verification).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(verification.reason).toMatch(/rewritten/);
    await expectWritesRefused(r, 4);
  } finally {
    await r.t.drop();
  }
});

test('checkpoints signed before registries had an identity still verify, and are adopted: the next one carries it', async () => {
  const r = await registry();
  const empty = await registry(r.settings);
  try {
    await events(r, 3);
    const [first, , third] = await stored(r);
    // What an earlier modelgraph signed: no identity, in the table and in the file.
    const legacy = signCheckpoint(r.settings.audit.signer, { seq: 3, hash: third.hash, signedAt: new Date().toISOString() });
    expect(legacy).not.toHaveProperty('registryId');
    expect(checkpointVerifies(legacy, r.settings.audit.signer.publicKeyPem)).toBe(true);
    await r.t.db.query(
      'INSERT INTO audit_checkpoints (seq, hash, signed_at, key_fingerprint, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)',
      [legacy.seq, legacy.hash, legacy.signedAt, legacy.keyFingerprint, legacy.publicKey, legacy.signature],
    );
    fs.writeFileSync(r.settings.audit.checkpointFile, `${JSON.stringify(legacy)}\n`);

    // An empty database cannot be the registry they were signed for.
    expect(await empty.s.checkpoints.foreignCheckpointFile()).toMatch(
      new RegExp(
        `^the checkpoints in ${r.settings.audit.checkpointFile} were signed before registries had an identity \\(up to event 3\\), and this database has no audit trail`,
      ),
    );
    // A database with a trail takes them as its own: compared as before, then signed again with its identity.
    expect(await r.s.checkpoints.foreignCheckpointFile()).toBeNull();
    expect(await r.s.audit.verifyChain()).toMatchObject({ ok: true, checkpointSeq: 3 });
    const adopted = await r.s.checkpoints.checkpoint();
    expect(adopted).toMatchObject({ seq: 3, hash: third.hash, registryId: first.id });
    expect(fileLines(r)).toEqual([legacy, adopted]);
    expect(await r.s.checkpoints.checkpoint()).toEqual(adopted); // once
  } finally {
    await r.t.drop();
    await empty.t.drop();
  }
});

test("npm run audit:verify knows the export's registry: another registry's checkpoints are counted apart, not compared", async () => {
  const first = await registry();
  const second = await registry(first.settings);
  try {
    await events(first, 3);
    await first.s.checkpoints.checkpoint();
    await events(second, 5);
    const exportFile = path.join(folder, `${modelName('export')}.jsonl`);
    const publicKey = path.join(folder, `${modelName('key')}.pub`);
    fs.writeFileSync(publicKey, first.settings.audit.signer.publicKeyPem);
    const [firstEvent] = await stored(first);
    fs.writeFileSync(exportFile, (await stored(first)).map((e) => JSON.stringify(e)).join('\n'));
    expect(await verifyExportFiles(exportFile, first.settings.audit.checkpointFile, publicKey)).toMatchObject({
      ok: true,
      registryId: firstEvent.id,
      checkpointsChecked: 1,
      otherRegistryCheckpoints: 0,
    });
    // The second registry's export against the first's checkpoints: not "rewritten", another registry.
    const [secondEvent] = await stored(second);
    fs.writeFileSync(exportFile, (await stored(second)).map((e) => JSON.stringify(e)).join('\n'));
    expect(await verifyExportFiles(exportFile, first.settings.audit.checkpointFile, publicKey)).toMatchObject({
      ok: true,
      registryId: secondEvent.id,
      checkpointsChecked: 0,
      otherRegistryCheckpoints: 1,
    });
    // A checkpoint from before registries had an identity is compared, as it always was.
    const [, , third] = await stored(first);
    const legacy = signCheckpoint(first.settings.audit.signer, { seq: 3, hash: third.hash, signedAt: new Date().toISOString() });
    fs.appendFileSync(first.settings.audit.checkpointFile, `${JSON.stringify(legacy)}\n`);
    fs.writeFileSync(exportFile, (await stored(first)).map((e) => JSON.stringify(e)).join('\n'));
    expect(await verifyExportFiles(exportFile, first.settings.audit.checkpointFile, publicKey)).toMatchObject({
      ok: true,
      checkpointsChecked: 2,
    });
  } finally {
    await first.t.drop();
    await second.t.drop();
  }
});
