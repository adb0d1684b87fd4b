/**
 * Lifecycle events over graphql-ws on the server's own /graphql: live, filtered, resumed from a cursor with
 * no gap and no duplicate, promotions with both versions, authentication and its failures, visibility.
 */
import WebSocket from 'ws';
import { CreateApiTokenDocument, RevokeApiTokenDocument } from '../generated/graphql';
import { Role } from '../../src/common/role';
import { Level } from '../../src/modules/access/access.rules';
import { RiskTier } from '../../src/modules/models/model.enums';
import { encodeEventCursor } from '../../src/modules/events/event.rules';
import { Stage } from '../../src/modules/versions/version.enums';
import { modelName } from '../support/fixtures';
import { aucBaseline, caller, readyRegistration, stagedVersion } from '../support/lifecycle';
import { ok, startTestServer, type TestServer } from '../support/server';
import { healthzDuring, STALL_BOUND_MS } from '../support/stall';
import { openSocket, subscribe, type RawSocket } from '../support/subscriber';

const admin = caller('admin', Role.ADMIN);

interface Event {
  cursor: string;
  seq: number;
  kind: string;
  action: string;
  modelId: string | null;
  subjectId: string;
  payload: Record<string, unknown>;
}

const EVENTS = `subscription($filter: LifecycleEventFilter, $after: String) {
  lifecycleEvents(filter: $filter, after: $after) { cursor seq kind action modelId subjectId payload }
}`;

const PROMOTIONS = `subscription($modelId: UUID!, $after: String) {
  promotions(modelId: $modelId, after: $after) { cursor modelId fromStage toStage reason version { versionId version } replaced { versionId version } }
}`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Waits until this instance serves `n` subscriptions: a live subscription sees only what commits after it started. */
async function subscribers(server: TestServer, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.services.eventDispatcher.size < n) {
    if (Date.now() > deadline) throw new Error(`${server.services.eventDispatcher.size} subscribers, waiting for ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function live<T>(server: TestServer, query: string, variables: Record<string, unknown>, field: string, token = server.adminToken) {
  const before = server.services.eventDispatcher.size;
  const received = subscribe<T>(server.baseUrl, token, query, variables, field);
  await subscribers(server, before + 1);
  return received;
}

async function newModel(riskTier = RiskTier.LOW) {
  const model = await t.services.models.create(admin, { name: modelName('events'), owner: 'ml', riskTier });
  await aucBaseline(t.services, admin, model.id);
  return model;
}

async function auditSeqs(modelId: string, after: number): Promise<number[]> {
  const rows = await t.database.db.query('SELECT seq FROM audit_events WHERE model_id = $1 AND seq > $2 ORDER BY seq', [modelId, after]);
  return rows.map((r: { seq: string }) => Number(r.seq));
}

describe('lifecycleEvents', () => {
  test('every committed change, live, in order, each with its cursor; filters by model and kind', async () => {
    const model = await newModel();
    const all = await live<Event>(t, EVENTS, { filter: { modelIds: [model.id] } }, 'lifecycleEvents');
    const stages = await live<Event>(t, EVENTS, { filter: { modelIds: [model.id], kinds: ['STAGE_CHANGED'] } }, 'lifecycleEvents');
    const other = await live<Event>(t, EVENTS, { filter: { modelIds: ['00000000-0000-4000-8000-000000000000'] } }, 'lifecycleEvents');

    const version = await stagedVersion(t.services, admin, model.id, []);
    const events = await all.waitFor(4);
    expect(events.map((e) => e.kind)).toEqual(['VERSION_REGISTERED', 'METRICS_LOGGED', 'VALIDATION_COMPLETED', 'STAGE_CHANGED']);
    expect(events.map((e) => e.seq)).toEqual((await auditSeqs(model.id, 0)).slice(-4));
    expect(events[0]).toMatchObject({ action: 'version.registered', modelId: model.id, subjectId: version.id });
    const [stage] = await stages.waitFor(1);
    expect(stage).toMatchObject({ kind: 'STAGE_CHANGED', payload: { fromStage: 'DEVELOPMENT', toStage: 'STAGING' } });
    expect(stages.items).toHaveLength(1);
    expect(other.items).toHaveLength(0);
    await Promise.all([all.close(), stages.close(), other.close()]);
  });

  test('resumed with `after`: exactly the events missed, then live, no gap and no duplicate at the seam', async () => {
    const model = await newModel();
    const filter = { modelIds: [model.id] };
    const first = await live<Event>(t, EVENTS, { filter }, 'lifecycleEvents');
    await t.services.versions.register(admin, readyRegistration(model.id));
    const [seen] = await first.waitFor(1);
    await first.close();

    // Missed while away…
    for (let i = 0; i < 3; i += 1) await t.services.versions.register(admin, readyRegistration(model.id));
    const resumed = subscribe<Event>(t.baseUrl, t.adminToken, EVENTS, { filter, after: seen.cursor }, 'lifecycleEvents');
    // …and committed while the replay runs: they must come once, after the replayed ones.
    const writes = Promise.all([0, 1, 2].map(() => t.services.versions.register(admin, readyRegistration(model.id))));
    await writes;
    const expected = await auditSeqs(model.id, seen.seq);
    expect(expected).toHaveLength(6);
    await resumed.waitFor(6);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.items.map((e) => e.seq)).toEqual(expected);
    await resumed.close();
  });

  test('a bad cursor, or a filter of ids that are no ids, is BAD_USER_INPUT', async () => {
    const bad = subscribe<Event>(t.baseUrl, t.adminToken, EVENTS, { after: 'nonsense' }, 'lifecycleEvents');
    await bad.completed;
    expect(bad.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    const ids = subscribe<Event>(t.baseUrl, t.adminToken, EVENTS, { filter: { modelIds: ['x'] } }, 'lifecycleEvents');
    await ids.completed;
    expect(ids.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await Promise.all([bad.close(), ids.close()]);
  });
});

describe('promotions', () => {
  test('into PRODUCTION with the version it replaced; the archive is part of it, not an event of its own', async () => {
    const model = await newModel();
    const promotions = await live<Record<string, unknown>>(t, PROMOTIONS, { modelId: model.id }, 'promotions');
    const v1 = await stagedVersion(t.services, admin, model.id, []);
    await t.services.transitions.transition(admin, {
      versionId: v1.id,
      toStage: Stage.PRODUCTION,
      expectedStage: Stage.STAGING,
      reason: 'first',
    });
    const v2 = await stagedVersion(t.services, admin, model.id, []);
    await t.services.transitions.transition(admin, {
      versionId: v2.id,
      toStage: Stage.PRODUCTION,
      expectedStage: Stage.STAGING,
      reason: 'better',
    });
    await t.services.transitions.transition(admin, {
      versionId: v2.id,
      toStage: Stage.ARCHIVED,
      expectedStage: Stage.PRODUCTION,
      reason: 'pulled',
    });
    const items = await promotions.waitFor(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(promotions.items).toHaveLength(3);
    expect(items.map(({ cursor: _c, ...rest }) => rest)).toEqual([
      {
        modelId: model.id,
        fromStage: 'STAGING',
        toStage: 'PRODUCTION',
        reason: 'first',
        version: { versionId: v1.id, version: 1 },
        replaced: null,
      },
      {
        modelId: model.id,
        fromStage: 'STAGING',
        toStage: 'PRODUCTION',
        reason: 'better',
        version: { versionId: v2.id, version: 2 },
        replaced: { versionId: v1.id, version: 1 },
      },
      {
        modelId: model.id,
        fromStage: 'PRODUCTION',
        toStage: 'ARCHIVED',
        reason: 'pulled',
        version: { versionId: v2.id, version: 2 },
        replaced: null,
      },
    ]);
    await promotions.close();
  });
});

test('a closed subscription is released at once, not at its next event', async () => {
  const model = await newModel();
  const before = t.services.eventDispatcher.size;
  const events = await live<Event>(t, EVENTS, { filter: { modelIds: [model.id] } }, 'lifecycleEvents');
  const promotions = await live<Record<string, unknown>>(t, PROMOTIONS, { modelId: model.id }, 'promotions');
  expect(t.services.eventDispatcher.size).toBe(before + 2);
  await Promise.all([events.close(), promotions.close()]);
  const deadline = Date.now() + 3000;
  while (t.services.eventDispatcher.size > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(t.services.eventDispatcher.size).toBe(before);
});

describe('authentication', () => {
  test('a bad token closes the socket with 4403; no connection_init in time with 4408', async () => {
    const bad = subscribe<Event>(t.baseUrl, 'mg_not_a_token', EVENTS, {}, 'lifecycleEvents');
    expect((await bad.closed).code).toBe(4403);
    const silent = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => silent.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });

  test('a revoked token: its open streams end within seconds', async () => {
    const created = ok(await t.request(CreateApiTokenDocument, { input: { subject: 'watcher', role: 'VIEWER' } })).createApiToken;
    const watcher = await live<Event>(t, EVENTS, {}, 'lifecycleEvents', created.token);
    ok(await t.request(RevokeApiTokenDocument, { input: { id: created.apiToken.id } }));
    const started = Date.now();
    const closed = await watcher.closed;
    expect(closed.code).toBe(4403);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('with MODELGRAPH_VISIBILITY=granted', () => {
  test('a subscriber hears only of the models it may see', async () => {
    const server = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    try {
      const s = server.services;
      const mine = await s.models.create(admin, { name: modelName('mine'), owner: 'a' });
      const theirs = await s.models.create(admin, { name: modelName('theirs'), owner: 'b' });
      await s.access.grant(admin, { modelId: mine.id, subject: 'ana', level: Level.VIEW });
      const ana = await server.tokenFor(Role.CONTRIBUTOR, 'ana');
      const heard = await live<Event>(server, EVENTS, {}, 'lifecycleEvents', ana);
      await s.versions.register(admin, readyRegistration(theirs.id));
      await s.versions.register(admin, readyRegistration(mine.id));
      const [event] = await heard.waitFor(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(heard.items.every((e) => e.modelId === mine.id)).toBe(true);
      expect(event.kind).toBe('VERSION_REGISTERED');

      // Replayed events are filtered the same way.
      const replay = subscribe<Event>(server.baseUrl, ana, EVENTS, { after: 'ZXZlbnQ6MA' }, 'lifecycleEvents');
      await new Promise((r) => setTimeout(r, 500));
      expect(replay.items.length).toBeGreaterThan(0);
      expect(replay.items.every((e) => e.modelId === mine.id)).toBe(true);

      const hidden = subscribe<Event>(server.baseUrl, ana, PROMOTIONS, { modelId: theirs.id }, 'promotions');
      await hidden.completed;
      expect(hidden.errors[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      await Promise.all([heard.close(), replay.close(), hidden.close()]);
    } finally {
      await server.close();
    }
  });

  test("visibility is the token's, not its subject's: an ADMIN and a VIEWER token of one subject, in either order", async () => {
    const server = await startTestServer({ MODELGRAPH_VISIBILITY: 'granted' });
    try {
      const s = server.services;
      const granted = await s.models.create(admin, { name: modelName('granted'), owner: 'a' });
      const hidden = await s.models.create(admin, { name: modelName('hidden'), owner: 'b' });
      await s.access.grant(admin, { modelId: granted.id, subject: 'sam', level: Level.VIEW });
      const samAdmin = await server.tokenFor(Role.ADMIN, 'sam');
      const samViewer = await server.tokenFor(Role.VIEWER, 'sam');
      // Both orders: the first subscriber of a subject used to decide what every other token of that subject saw.
      for (const order of [
        [samAdmin, samViewer],
        [samViewer, samAdmin],
      ]) {
        const first = await live<Event>(server, EVENTS, {}, 'lifecycleEvents', order[0]);
        const second = await live<Event>(server, EVENTS, {}, 'lifecycleEvents', order[1]);
        const [asAdmin, asViewer] = order[0] === samAdmin ? [first, second] : [second, first];
        await s.versions.register(admin, readyRegistration(hidden.id));
        await s.versions.register(admin, readyRegistration(granted.id));
        await asAdmin.waitFor(2);
        await asViewer.waitFor(1);
        await new Promise((r) => setTimeout(r, 300));
        expect(asAdmin.items.map((e) => e.modelId)).toEqual([hidden.id, granted.id]);
        expect(asViewer.items.map((e) => e.modelId)).toEqual([granted.id]);
        await Promise.all([first.close(), second.close()]);
        while (s.eventDispatcher.size > 0) await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await server.close();
    }
  });
});

describe('the socket', () => {
  test('origins outside the allow-list are refused at the upgrade; frames over the limit close the socket', async () => {
    const server = await startTestServer({ MODELGRAPH_ALLOWED_ORIGINS: 'https://console.example', MODELGRAPH_MAX_FRAME_BYTES: '2048' });
    try {
      const url = `${server.baseUrl.replace('http', 'ws')}/graphql`;
      const refused = await new Promise<string>((resolve) => {
        const ws = new WebSocket(url, 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('open', () => resolve('open'));
      });
      expect(refused).toBe('403');
      const ws = new WebSocket(url, 'graphql-transport-ws', { headers: { origin: 'https://console.example' } });
      await new Promise((resolve) => ws.on('open', resolve));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${server.adminToken}`, pad: 'x'.repeat(4000) } }),
      );
      expect(await closed).toBe(1009); // message too big
    } finally {
      await server.close();
    }
  });

  test('subscribers of one operation get its result as graphql-ws frames it: text frames, their own ids, the same bytes', async () => {
    // The server serialises a result shared by many subscribers once and writes it into each socket's message
    // (subscriptions.ts, standInFor): what arrives must be exactly the message graphql-ws would have sent.
    const model = await newModel();
    const before = t.services.eventDispatcher.size;
    const sockets = [openSocket(t.baseUrl, t.adminToken), openSocket(t.baseUrl, t.adminToken)];
    const raw = sockets.map((socket) => {
      const messages: { text: string; binary: boolean }[] = [];
      socket.ws.on('message', (data, binary) => messages.push({ text: data.toString(), binary }));
      return messages;
    });
    await Promise.all(sockets.map((s) => s.opened));
    // From the log's head: a live subscription starts from the head it reads once registered, which on a loaded
    // machine can come after the commit below; from a cursor, each gets every event after it either way.
    const [{ head }] = await t.database.db.query('SELECT COALESCE(max(seq), 0) AS head FROM audit_events');
    const variables = { filter: { modelIds: [model.id] }, after: encodeEventCursor(Number(head)) };
    // Two operations on one socket share the result, and so does the other socket's; ids are the client's own text.
    sockets[0].subscribe('one "quoted" ✓', EVENTS, variables);
    sockets[0].subscribe('two', EVENTS, variables);
    sockets[1].subscribe('1', EVENTS, variables);
    await subscribers(t, before + 3);
    const value = 'ünïcødé ✓ "quoted" \\ 𝔘 \u2028';
    await t.services.models.setTags(admin, { modelId: model.id, tags: [{ key: 'note', value }] });
    await sockets[0].until(() => sockets[0].of('next').length === 2, 10_000, 'two results');
    await sockets[1].until(() => sockets[1].of('next').length === 1, 10_000, 'one result');

    const nexts = raw.flat().filter((m) => m.text.includes('"type":"next"'));
    expect(nexts.map((m) => m.binary)).toEqual([false, false, false]);
    const frames = nexts.map((m) => JSON.parse(m.text) as { id: string; type: string; payload: unknown });
    expect(frames.map((f) => f.id).sort()).toEqual(['1', 'one "quoted" ✓', 'two'].sort());
    for (const [i, frame] of frames.entries()) {
      expect(nexts[i].text).toBe(JSON.stringify({ id: frame.id, type: 'next', payload: frame.payload }));
      expect(frame.payload).toEqual(frames[0].payload);
    }
    const event = (frames[0].payload as { data: { lifecycleEvents: Event } }).data.lifecycleEvents;
    expect(event).toMatchObject({ kind: 'MODEL_CHANGED', modelId: model.id, payload: { after: { tags: { note: value } } } });
    await Promise.all(sockets.map((s) => s.close()));
  });

  test('the query limits apply to subscriptions too', async () => {
    const deep = `subscription { lifecycleEvents { ${'cursor '.repeat(1)} } }`;
    const aliased = `subscription { lifecycleEvents { ${Array.from({ length: 40 }, (_, i) => `a${i}: cursor`).join(' ')} } }`;
    const ok1 = subscribe<Event>(t.baseUrl, t.adminToken, deep, {}, 'lifecycleEvents');
    const refused = subscribe<Event>(t.baseUrl, t.adminToken, aliased, {}, 'lifecycleEvents');
    await refused.completed;
    expect(refused.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', limit: 'aliases' } });
    await Promise.all([ok1.close(), refused.close()]);
  });

  test('shutting down closes sockets with 1001 (going away), after what they were sent', async () => {
    const server = await startTestServer();
    const model = await server.services.models.create(admin, { name: modelName('shutdown'), owner: 'ml' });
    const watcher = await live<Event>(server, EVENTS, { filter: { modelIds: [model.id] } }, 'lifecycleEvents');
    await server.services.versions.register(admin, readyRegistration(model.id));
    const [seen] = await watcher.waitFor(1);
    await server.close();
    expect((await watcher.closed).code).toBe(1001);
    expect(seen.kind).toBe('VERSION_REGISTERED');
  });
});

describe('bounds', () => {
  const subscribeFrame = (id: string, modelId: string) =>
    JSON.stringify({ id, type: 'subscribe', payload: { query: EVENTS, variables: { filter: { modelIds: [modelId] } } } });

  async function drained(server: TestServer, size: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (server.services.eventDispatcher.size !== size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.services.eventDispatcher.size).toBe(size);
  }

  test('20,000 subscribe messages on one socket: 100 served, the rest refused with RATE_LIMITED while /healthz answers; one event is 100 frames; the close frees them', async () => {
    const model = await newModel();
    const before = t.services.eventDispatcher.size;
    const socket = openSocket(t.baseUrl, await t.tokenFor(Role.VIEWER, 'flooder'));
    expect(await socket.opened).toEqual({ acknowledged: true });
    const N = 20_000;
    const report = await healthzDuring(t.baseUrl, '20,000 subscribe messages on one socket', async () => {
      // Sent in batches, so that this process (the server's too) is not busy sending all of them in one turn.
      for (let i = 0; i < N; i += 1) {
        socket.ws.send(subscribeFrame(String(i), model.id));
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
      }
      // Today's answer to each: a refusal, or a subscription that stays open (on the dispatcher).
      await socket.until(
        () => socket.of('error').length + (t.services.eventDispatcher.size - before) >= N,
        90_000,
        'every subscribe answered or served',
      );
    });
    expect(report.worstMs).toBeLessThan(STALL_BOUND_MS);
    expect(t.services.eventDispatcher.size - before).toBe(100);
    const refusals = socket.of('error');
    expect(refusals).toHaveLength(N - 100);
    expect(refusals[0].payload).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/at most 100 subscriptions/),
        extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 'subscriptionsPerSocket', max: 100 }),
      }),
    ]);
    expect(refusals.every((f) => f.payload[0].extensions.code === 'RATE_LIMITED')).toBe(true);

    // One event: one frame per subscription served, not per subscribe message.
    await t.services.versions.register(admin, readyRegistration(model.id));
    await socket.until(() => socket.of('next').length >= 100, 10_000, '100 events');
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.of('next')).toHaveLength(100);

    await socket.close();
    await drained(t, before);
  }, 180_000);

  test('per socket, per token across sockets and sockets per token, as configured; what a closed socket held is free again', async () => {
    const server = await startTestServer({
      MODELGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
      MODELGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN: '5',
      MODELGRAPH_MAX_SOCKETS_PER_TOKEN: '2',
    });
    const sockets: RawSocket[] = [];
    const open = async (token: string) => {
      const socket = openSocket(server.baseUrl, token);
      sockets.push(socket);
      return { socket, opened: await socket.opened };
    };
    /** Subscribes `ids` and waits until each is either served or refused: answers the refusals' limits. */
    const subscribeAll = async (socket: RawSocket, ids: string[]) => {
      const served = server.services.eventDispatcher.size;
      const refusedBefore = socket.of('error').length;
      for (const id of ids) socket.subscribe(id, EVENTS);
      await socket.until(
        () => socket.of('error').length - refusedBefore + server.services.eventDispatcher.size - served >= ids.length,
        5000,
        `${ids.join(', ')} answered`,
      );
      return socket
        .of('error')
        .slice(refusedBefore)
        .map((f) => `${f.id}: ${f.payload[0].extensions.code} ${f.payload[0].extensions.limit}`);
    };
    try {
      const token = await server.tokenFor(Role.VIEWER, 'bounded');
      const other = await server.tokenFor(Role.VIEWER, 'other');
      const a = await open(token);
      expect(await subscribeAll(a.socket, ['a1', 'a2', 'a3', 'a4'])).toEqual(['a4: RATE_LIMITED subscriptionsPerSocket']);
      const b = await open(token);
      expect(await subscribeAll(b.socket, ['b1', 'b2', 'b3'])).toEqual(['b3: RATE_LIMITED subscriptionsPerToken']);
      // A third socket of the token is refused at once; another token has budgets of its own.
      const c = await open(token);
      expect(c.opened).toMatchObject({ acknowledged: false, code: 4429 });
      const o = await open(other);
      expect(await subscribeAll(o.socket, ['o1', 'o2', 'o3'])).toEqual([]);
      expect(server.services.eventDispatcher.size).toBe(8);

      // A completed subscription gives its place back, to any socket of the token…
      a.socket.complete('a1');
      await drained(server, 7);
      expect(await subscribeAll(b.socket, ['b4'])).toEqual([]);
      // …and a closed socket everything it held: its subscriptions and its place among the token's sockets.
      await a.socket.close();
      await drained(server, 6);
      expect(await subscribeAll(b.socket, ['b5'])).toEqual(['b5: RATE_LIMITED subscriptionsPerSocket']);
      const d = await open(token);
      expect(d.opened).toEqual({ acknowledged: true });
      expect(await subscribeAll(d.socket, ['d1', 'd2', 'd3'])).toEqual(['d3: RATE_LIMITED subscriptionsPerToken']);

      for (const s of sockets) await s.close();
      await drained(server, 0);
      // Nothing of the closed sockets survives: the token has its whole budget again.
      const e = await open(token);
      expect(await subscribeAll(e.socket, ['e1', 'e2', 'e3'])).toEqual([]);
      await e.socket.close();
      await drained(server, 0);
    } finally {
      for (const s of sockets) await s.close();
      await server.close();
    }
  });
});

describe('an instance that does not publish events yet', () => {
  test('refuses sockets with 1013 (try again later), never an internal error; once it publishes, it serves them', async () => {
    const server = await startTestServer({}, { jobs: false });
    try {
      const early = subscribe<Event>(server.baseUrl, server.adminToken, EVENTS, {}, 'lifecycleEvents');
      const outcome = await Promise.race([early.closed, early.completed.then(() => ({ code: 0, reason: JSON.stringify(early.errors) }))]);
      expect(outcome).toMatchObject({ code: 1013 });
      expect(early.errors.filter((e) => JSON.stringify(e).includes('INTERNAL_SERVER_ERROR'))).toEqual([]);
      await early.close();

      await server.services.eventDispatcher.start();
      const model = await server.services.models.create(admin, { name: modelName('starting'), owner: 'ml' });
      const later = await live<Event>(server, EVENTS, { filter: { modelIds: [model.id] } }, 'lifecycleEvents');
      await server.services.versions.register(admin, readyRegistration(model.id));
      expect((await later.waitFor(1))[0].kind).toBe('VERSION_REGISTERED');
      await later.close();
    } finally {
      await server.services.eventDispatcher.stop(); // started here, not by the server: stopped before its database goes
      await server.close();
    }
  });
});
