import { randomUUID } from 'node:crypto';
import { createServices, type Services } from '../../src/composition';
import { Role } from '../../src/common/role';
import { ChainVerifier } from '../../src/modules/audit/audit.rules';
import {
  appendAudit,
  COMMITTED_EVENT_COLUMNS,
  STORED_EVENT_COLUMNS,
  toCommittedEvent,
  toStoredEvent,
} from '../../src/modules/audit/audit.store';
import type { Caller } from '../../src/common/caller';
import type { AuditReader } from '../../src/modules/audit/audit.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';

let t: TestDatabase;
let s: Services;
const caller: Caller = { tokenId: 'test', subject: 'alice', role: Role.ADMIN, requestId: 'req-1' };
let reader: AuditReader;

beforeAll(async () => {
  t = await createTestDatabase();
  s = createServices(t.db);
  reader = { caller, visibility: s.access };
});
afterAll(() => t.drop());

async function seqs(): Promise<number[]> {
  const rows = await t.db.query('SELECT seq FROM audit_events ORDER BY seq');
  return rows.map((r: { seq: string }) => Number(r.seq));
}

describe('audit chain', () => {
  test('concurrent writers get a gap-free sequence and one unforked chain', async () => {
    const before = (await seqs()).length;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => s.models.create(caller, { name: modelName('concurrent'), owner: `team-${i}` })),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const all = await seqs();
    expect(all.length).toBe(before + 40);
    expect(all).toEqual(all.map((_, i) => i + 1));
    const verification = await s.audit.verifyChain();
    expect(verification).toEqual({
      ok: true,
      eventsChecked: all.length,
      firstBrokenSeq: null,
      reason: null,
      checkpointSeq: null,
      acknowledgedBreaks: [],
    });
  });

  test('a failed mutation leaves no event and no hole in the sequence', async () => {
    const name = modelName('dup');
    await s.models.create(caller, { name, owner: 'team' });
    const count = (await seqs()).length;
    await expect(s.models.create(caller, { name, owner: 'team' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await s.models.create(caller, { name: modelName('after'), owner: 'team' });
    const all = await seqs();
    expect(all.length).toBe(count + 1);
    expect(all[all.length - 1]).toBe(count + 1);
  });

  test('each event records actor, action, subject, model, before/after and request id', async () => {
    const model = await s.models.create({ ...caller, requestId: 'req-xyz' }, { name: modelName('rec'), owner: 'team' });
    const page = await s.audit.list(reader, { modelId: model.id }, { first: 10 });
    expect(await s.audit.count(reader, { modelId: model.id })).toBe(1);
    const [event] = page.rows;
    expect(event).toMatchObject({
      actor: 'alice',
      action: 'model.created',
      subjectType: 'RegisteredModel',
      subjectId: model.id,
      modelId: model.id,
      requestId: 'req-xyz',
    });
    // The creator's grant is part of the creation, recorded with it.
    expect(event.payload).toMatchObject({
      before: null,
      after: { id: model.id, name: model.name },
      creatorGrant: { subject: 'alice', modelId: model.id, level: 'MANAGE' },
    });
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an event read from its row is one shape for every reader (toCommittedEvent), and the chain reads it with the time as hashed', async () => {
    const subjectId = randomUUID();
    const payload = { before: { n: 1 }, after: { n: 2 } };
    const appended = await t.db.transaction((m) =>
      appendAudit(m, { ...caller, requestId: 'req-read' }, { action: 'model.updated', subjectType: 'RegisteredModel', subjectId, payload }),
    );
    const [light] = await t.db.query(`SELECT ${COMMITTED_EVENT_COLUMNS} FROM audit_events WHERE seq = $1`, [appended.seq]);
    const event = toCommittedEvent(light);
    expect(event).toStrictEqual({
      seq: Number(appended.seq),
      id: appended.id,
      occurredAt: appended.occurredAt,
      actor: 'alice',
      action: 'model.updated',
      subjectType: 'RegisteredModel',
      subjectId,
      modelId: null,
      payload,
    });
    expect(event.occurredAt).toBeInstanceOf(Date);
    // The chain's reading is the same event, with the time as the text that was hashed and what else the hash covers.
    const [full] = await t.db.query(`SELECT ${STORED_EVENT_COLUMNS} FROM audit_events WHERE seq = $1`, [appended.seq]);
    expect(toCommittedEvent(full)).toStrictEqual(event);
    const stored = toStoredEvent(full);
    expect(stored).toStrictEqual({
      ...event,
      occurredAt: event.occurredAt.toISOString(),
      requestId: 'req-read',
      clientRequestId: undefined,
      prevHash: appended.prevHash,
      hash: appended.hash,
    });
    expect(new ChainVerifier({ seq: stored.seq - 1, hash: stored.prevHash }).check(stored)).toBeNull();
  });

  test('the database refuses UPDATE, DELETE and TRUNCATE on the audit table: the server login has no right, the owner hits the trigger', async () => {
    await expect(t.db.query(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(/permission denied/);
    await expect(t.db.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/permission denied/);
    await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/permission denied/);
    await expect(t.asOwner(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.asOwner('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.asOwner('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect((await s.audit.verifyChain()).ok).toBe(true);
  });

  test('the server login cannot switch the append-only triggers off', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await m.query('SET LOCAL session_replication_role = replica');
      }),
    ).rejects.toThrow(/permission denied/);
    await expect(t.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete')).rejects.toThrow(/must be owner/);
  });

  test('verification names the first tampered event', async () => {
    const total = (await seqs()).length;
    const target = Math.floor(total / 2);
    // Only someone with the owner's login could do this; the chain still tells.
    await t.asOwner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    try {
      await t.asOwner(`UPDATE audit_events SET payload = jsonb_set(payload, '{after,owner}', '"mallory"') WHERE seq = $1`, [target]);
    } finally {
      await t.asOwner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
    }
    const verification = await s.audit.verifyChain(7); // small batches: the break is found across batch edges
    expect(verification.ok).toBe(false);
    expect(verification.firstBrokenSeq).toBe(target);
    expect(verification.eventsChecked).toBe(target);
    expect(verification.reason).toMatch(/hash/);
  });

  test('appendAudit refuses to run outside a transaction', async () => {
    await expect(
      appendAudit(t.db.manager, caller, { action: 'x', subjectType: 'X', subjectId: randomUUID(), payload: {} }),
    ).rejects.toThrow(/inside a transaction/);
  });
});
