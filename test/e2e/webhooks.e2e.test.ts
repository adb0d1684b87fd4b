import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../src/common/caller';
import { Role } from '../../src/common/role';
import { createModelgraph, createModelgraphDataSource, type Services } from '../../src/composition';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { appendAudit } from '../../src/modules/audit/audit.store';
import { SYSTEM_CALLER } from '../../src/modules/tokens/token.service';
import { Level } from '../../src/modules/access/access.rules';
import { decodeEventCursor, EventKind } from '../../src/modules/events/event.rules';
import type { WebhookSettings } from '../../src/modules/webhooks/webhooks.module';
import { startServer } from '../../src/server/app';
import { createMetrics } from '../../src/server/metrics';
import {
  CreateModelDocument,
  CreateWebhookDocument,
  DeleteWebhookDocument,
  RedeliverEventDocument,
  ResumeWebhookDocument,
  RotateWebhookSecretDocument,
  WebhookDeliveriesDocument,
  WebhookDocument,
  WebhooksDocument,
  type CreateWebhookInput,
  type WebhookDeliveryFieldsFragment,
} from '../generated/graphql';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { modelName } from '../support/fixtures';
import { errorCode, ok, startTestServer, type GraphQLResponse, type TestServer } from '../support/server';

// ---- an instance of the registry: like startTestServer, with the webhook timings shortened ----

/** Retries after 40 ms doubling to 400 ms, polling every 50 ms: the tests see minutes of backoff in a second. */
const FAST: Partial<WebhookSettings> = { retryBaseMs: 40, retryMaxMs: 400, pollMs: 50 };

interface Instance {
  services: Services;
  db: DataSource;
  /** The database, when this instance made it (and drops it on close). */
  database: TestDatabase | null;
  adminToken: string;
  request<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars, token?: string): Promise<GraphQLResponse<TData>>;
  tokenFor(role: Role): Promise<string>;
  /** Stops serving and every background job, as a shutdown does; the database stays. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real HTTP server and every module's jobs over a database: a new one, or (`database`) the one
 * another instance uses, as a second instance or a restart would.
 */
async function startInstance(env: Record<string, string>, database?: TestDatabase): Promise<Instance> {
  const own = database ? null : await createTestDatabase();
  const db = own ? own.db : createModelgraphDataSource({ url: (database as TestDatabase).url, poolSize: 20 });
  if (!own) await db.initialize();
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const webhooks: WebhookSettings = { ...config.webhooks, ...FAST };
  const { services, application, jobs } = await createModelgraph(db, { access: config.access, events: config.events, webhooks });
  const server = await startServer(
    { config, db, logger: createLogger('silent'), metrics: createMetrics(), application },
    { port: 0, host: '127.0.0.1' },
  );
  for (const job of jobs) await job.start();
  const { secret: adminToken } = await services.tokens.create(SYSTEM_CALLER, { subject: 'admin', role: Role.ADMIN });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    for (const job of jobs) await job.stop();
  };
  return {
    services,
    db,
    database: own,
    adminToken,
    request: async (doc, variables, token = adminToken) => {
      const res = await fetch(`${server.url.replace('0.0.0.0', '127.0.0.1')}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      const json = (await res.json()) as { data?: never; errors?: GraphQLResponse<unknown>['errors'] };
      return { status: res.status, data: json.data, errors: json.errors, headers: res.headers };
    },
    tokenFor: async (role) => (await services.tokens.create(SYSTEM_CALLER, { subject: role.toLowerCase(), role })).secret,
    stop,
    close: async () => {
      await stop();
      if (own) await own.drop();
      else await db.destroy();
    },
  };
}

// ---- a receiver: a real HTTP server that records what it is sent and answers as a test tells it ----

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  event: { id: string; seq: number; cursor: string; kind: string; action: string; modelId: string | null } & Record<string, unknown>;
  at: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

class Receiver {
  readonly requests: Received[] = [];
  answer: (request: Received, index: number) => Answer = () => ({ status: 204 });
  private server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const received: Received = {
        url: req.url ?? '',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body,
        event: JSON.parse(body),
        at: Date.now(),
      };
      this.requests.push(received);
      const answer = this.answer(received, this.requests.length - 1);
      setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body ?? ''), answer.delayMs ?? 0);
    });
  });

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/modelgraph?source=test`;
  }

  seqs(): number[] {
    return this.requests.map((r) => r.event.seq);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---- helpers ----

/** What commit() writes by default (model.updated), and nothing about webhooks themselves (kind OTHER). */
const MODEL_EVENTS = { kinds: ['MODEL_CHANGED' as const] };

const ADMIN: Caller = { tokenId: 'test', subject: 'admin', role: Role.ADMIN, requestId: 'webhooks-e2e' };

/** Waits until `check` answers something truthy (polling), or fails the test naming `what`. */
async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Commits `count` audit events, one transaction each (as any change does): answers their seq and id. */
async function commit(db: DataSource, count: number, record: { action?: string; modelId?: string | null } = {}) {
  const events: Array<{ seq: number; id: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const event = await db.transaction((m) =>
      appendAudit(m, ADMIN, {
        action: record.action ?? 'model.updated',
        subjectType: 'RegisteredModel',
        subjectId: `subject-${i}`,
        modelId: record.modelId ?? null,
        payload: { test: true, i },
      }),
    );
    events.push({ seq: Number(event.seq), id: event.id });
  }
  return events;
}

function verifies(secret: string, received: Received): boolean {
  try {
    new StandardWebhook(secret).verify(received.body, received.headers);
    return true;
  } catch {
    return false;
  }
}

/** Every delivery of a webhook, oldest first. */
async function deliveriesOf(i: Instance, webhookId: string): Promise<WebhookDeliveryFieldsFragment[]> {
  const page = ok(await i.request(WebhookDeliveriesDocument, { webhookId, first: 500 })).webhookDeliveries;
  return page.edges.map((e) => e.node).reverse();
}

async function webhookOf(i: Instance, id: string) {
  return ok(await i.request(WebhookDocument, { id })).webhook;
}

async function auditOf(i: Instance, subjectId: string) {
  return (await i.db.query('SELECT seq, action, actor, payload FROM audit_events WHERE subject_id = $1 ORDER BY seq', [
    subjectId,
  ])) as Array<{
    seq: string;
    action: string;
    actor: string;
    payload: Record<string, unknown>;
  }>;
}

// ---- the main instance: receivers on 127.0.0.1 are allowed; 3 failures in a row pause a webhook ----

let t: Instance;
const receivers: Receiver[] = [];
const created: string[] = [];

beforeAll(async () => {
  t = await startInstance({
    MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    MODELGRAPH_WEBHOOK_MAX_FAILURES: '3',
    MODELGRAPH_WEBHOOK_TIMEOUT_MS: '1000',
  });
});
afterAll(() => t.close());

afterEach(async () => {
  // Each test's webhooks go, so that they do not receive (and fail on) the next test's events.
  for (const id of created.splice(0)) await t.services.webhooks.remove(ADMIN, id).catch(() => undefined);
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().listen();
  receivers.push(r);
  return r;
}

async function createWebhook(input: CreateWebhookInput, on: Instance = t) {
  const answer = ok(await on.request(CreateWebhookDocument, { input })).createWebhook;
  created.push(answer.webhook.id);
  return answer;
}

describe('createWebhook and the webhooks list', () => {
  test('answer the secret once, in the Standard Webhooks format; the list and the audit trail never show it', async () => {
    const r = await receiver();
    const { secret, webhook } = await createWebhook({ url: r.url, description: 'CI promotions' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    const [{ head }] = await t.db.query('SELECT max(seq)::int AS head FROM audit_events');
    expect(webhook).toMatchObject({
      url: r.url,
      description: 'CI promotions',
      filter: { modelIds: [], kinds: [] },
      status: 'ACTIVE',
      pausedReason: null,
      consecutiveFailures: 0,
      createdBy: 'admin',
      previousSecretExpiresAt: null,
      revision: 1,
    });
    // It starts at the head as it was: its own creation is the event just after.
    expect(webhook.cursorSeq).toBe(head - 1);
    expect(decodeEventCursor(webhook.cursor)).toBe(webhook.cursorSeq);

    const listed = ok(await t.request(WebhooksDocument, { first: 10 })).webhooks;
    expect(listed.edges.map((e) => e.node.id)).toContain(webhook.id);
    expect(listed.totalCount).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect(ok(await t.request(WebhookDocument, { id: webhook.id })).webhook?.id).toBe(webhook.id);
    expect(ok(await t.request(WebhookDocument, { id: '00000000-0000-4000-8000-000000000000' })).webhook).toBeNull();

    const rotated = ok(await t.request(RotateWebhookSecretDocument, { id: webhook.id, overlapSeconds: 60 })).rotateWebhookSecret;
    const audit = await auditOf(t, webhook.id);
    expect(audit.map((e) => e.action)).toEqual(['webhook.created', 'webhook.secret_rotated']);
    expect(audit[0].payload).toMatchObject({ before: null, after: { id: webhook.id, url: r.url, status: 'ACTIVE' } });
    for (const event of audit) {
      expect(JSON.stringify(event.payload)).not.toContain('whsec_');
      expect(JSON.stringify(event.payload)).not.toContain(secret.slice(6));
      expect(JSON.stringify(event.payload)).not.toContain(rotated.secret.slice(6));
    }
  });

  test('refuse what cannot be delivered to: a bad URL, an unknown model, a long description', async () => {
    const bad = async (input: CreateWebhookInput) => {
      const res = await t.request(CreateWebhookDocument, { input });
      // The message starts with the field at fault, which extensions.field names too.
      expect(res.errors?.[0].message.startsWith(`${String(res.errors?.[0].extensions?.field)}: `)).toBe(true);
      return `${errorCode(res)} ${res.errors?.[0].message}`;
    };
    expect(await bad({ url: 'ftp://127.0.0.1/x' })).toMatch(/^BAD_USER_INPUT url: .*http or https/);
    expect(await bad({ url: 'http://nowhere.invalid/x' })).toMatch(/^BAD_USER_INPUT url: nowhere\.invalid could not be resolved/);
    expect(await bad({ url: 'http://127.0.0.2/x' })).toMatch(/^BAD_USER_INPUT url: refused: 127\.0\.0\.2, a loopback address/);
    expect(await bad({ url: 'http://127.0.0.1/x', filter: { modelIds: ['00000000-0000-4000-8000-000000000000'] } })).toMatch(
      /^BAD_USER_INPUT filter\.modelIds: there is no model/,
    );
    expect(await bad({ url: 'http://127.0.0.1/x', description: 'x'.repeat(2001) })).toMatch(/^BAD_USER_INPUT description: /);
  });
});

describe('deliveries', () => {
  test('every event after its creation, in order, as Standard Webhooks: verified with the standardwebhooks package', async () => {
    const r = await receiver();
    ok(await t.request(CreateModelDocument, { input: { name: modelName('before'), owner: 'ml' } })); // before: not delivered
    const { secret, webhook } = await createWebhook({ url: r.url });
    const names = [1, 2, 3, 4, 5].map(() => modelName('hooked'));
    const models: Array<{ id: string }> = [];
    for (const name of names) models.push(ok(await t.request(CreateModelDocument, { input: { name, owner: 'ml' } })).createModel.model);
    await until('5 deliveries', () => r.requests.length >= 5);
    await sleep(100);
    expect(r.requests).toHaveLength(5);

    const stored = (await t.db.query(
      `SELECT seq::int AS seq, id FROM audit_events WHERE action = 'model.created' AND subject_id = ANY($1) ORDER BY seq`,
      [models.map((m) => m.id)],
    )) as Array<{ seq: number; id: string }>;
    expect(r.seqs()).toEqual(stored.map((e) => e.seq));
    r.requests.forEach((received, i) => {
      expect(verifies(secret, received)).toBe(true);
      expect(new StandardWebhook(secret).verify(received.body, received.headers)).toEqual(received.event);
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers['webhook-id']).toBe(stored[i].id);
      expect(Math.abs(Number(received.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
      expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(received.event).toMatchObject({
        id: stored[i].id,
        seq: stored[i].seq,
        kind: 'MODEL_CHANGED',
        action: 'model.created',
        modelId: models[i].id,
        subjectType: 'RegisteredModel',
        subjectId: models[i].id,
        actor: 'admin',
        payload: { after: { name: names[i] } },
      });
      expect(decodeEventCursor(received.event.cursor)).toBe(stored[i].seq);
      expect(new Date(received.event.occurredAt as string).toISOString()).toBe(received.event.occurredAt);
    });
    expect(verifies('whsec_' + Buffer.alloc(32, 1).toString('base64'), r.requests[0])).toBe(false);

    // The receiver answers before the worker records: wait for the record of the last one.
    const deliveries = await until('5 recorded deliveries', async () => {
      const d = await deliveriesOf(t, webhook.id);
      return d.length === 5 && d;
    });
    expect(deliveries.map((d) => [d.eventSeq, d.attempt, d.status, d.responseStatus, d.error, d.redelivery])).toEqual(
      stored.map((e) => [e.seq, 1, 'SUCCEEDED', 204, null, false]),
    );
    expect(deliveries.every((d) => d.latencyMs >= 0 && decodeEventCursor(d.eventCursor) === d.eventSeq)).toBe(true);
    expect(deliveries.map((d) => d.eventId)).toEqual(stored.map((e) => e.id));
    // Recorded in one go after the run, each with the time it was sent: before the receiver had it.
    deliveries.forEach((d, i) => expect(new Date(d.attemptedAt).getTime()).toBeLessThanOrEqual(r.requests[i].at));
    const after = await until('the cursor at the last event', async () => {
      const w = await webhookOf(t, webhook.id);
      return w?.cursorSeq === stored[4].seq && w;
    });
    expect(after).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(after.lastSuccessAt).not.toBeNull();
  });

  test('only what the filter wants; the other events just move the cursor', async () => {
    const r = await receiver();
    const [a, b] = await Promise.all(['a', 'b'].map((p) => t.services.models.create(ADMIN, { name: modelName(p), owner: 'ml' })));
    const { webhook } = await createWebhook({ url: r.url, filter: { modelIds: [a.id.toUpperCase()], kinds: ['MODEL_CHANGED'] } });
    expect(webhook.filter).toEqual({ modelIds: [a.id], kinds: ['MODEL_CHANGED'] });
    const [wanted1] = await commit(t.db, 1, { modelId: a.id });
    await commit(t.db, 1, { modelId: b.id }); // another model
    await commit(t.db, 1, { modelId: a.id, action: 'metrics.logged' }); // another kind
    await commit(t.db, 1, { action: 'token.created' }); // no model
    const [wanted2] = await commit(t.db, 1, { modelId: a.id, action: 'model.tags_set' });
    const [last] = await commit(t.db, 2, { modelId: b.id }).then((e) => e.slice(-1));
    await until(
      'the cursor past the last event, which is not for it',
      async () => (await webhookOf(t, webhook.id))?.cursorSeq === last.seq,
    );
    expect(r.seqs()).toEqual([wanted1.seq, wanted2.seq]);
    expect((await deliveriesOf(t, webhook.id)).map((d) => d.eventSeq)).toEqual([wanted1.seq, wanted2.seq]);
  });

  test('at least once: a 500 is retried, with the same webhook-id, and nothing after it goes first', async () => {
    const r = await receiver();
    r.answer = (_, i) => (i < 2 ? { status: 500, body: 'boom: database unavailable' } : { status: 200, body: 'ok' });
    const { secret, webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    const [e1, e2] = await commit(t.db, 2);
    await until('4 requests', () => r.requests.length >= 4);
    expect(r.seqs()).toEqual([e1.seq, e1.seq, e1.seq, e2.seq]);
    expect(r.requests.slice(0, 3).map((q) => q.headers['webhook-id'])).toEqual([e1.id, e1.id, e1.id]);
    expect(r.requests.every((q) => verifies(secret, q))).toBe(true);
    const deliveries = await until('4 recorded attempts', async () => {
      const d = await deliveriesOf(t, webhook.id);
      return d.length === 4 && d;
    });
    expect(deliveries.map((d) => [d.eventSeq, d.attempt, d.status, d.responseStatus])).toEqual([
      [e1.seq, 1, 'FAILED', 500],
      [e1.seq, 2, 'FAILED', 500],
      [e1.seq, 3, 'SUCCEEDED', 200],
      [e2.seq, 1, 'SUCCEEDED', 200],
    ]);
    expect(deliveries[0].error).toBe('HTTP 500: boom: database unavailable');
    expect(deliveries[2].error).toBeNull();
    const after = await webhookOf(t, webhook.id);
    expect(after).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 0, lastError: 'HTTP 500: boom: database unavailable' });
    expect(after?.lastFailureAt).not.toBeNull();
  });

  test("a receiver's Retry-After is honoured, in seconds and as an HTTP date, over the (much shorter) backoff", async () => {
    const seconds = await receiver();
    seconds.answer = (_, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 });
    const date = await receiver();
    date.answer = (_, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } } : { status: 204 };
    await createWebhook({ filter: MODEL_EVENTS, url: seconds.url });
    await createWebhook({ filter: MODEL_EVENTS, url: date.url });
    await commit(t.db, 1);
    await until('both retried', () => seconds.requests.length >= 2 && date.requests.length >= 2);
    expect(seconds.requests[1].at - seconds.requests[0].at).toBeGreaterThanOrEqual(950);
    // An HTTP date has whole seconds: 2 s ahead, less what the truncation took.
    expect(date.requests[1].at - date.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(seconds.requests[1].headers['webhook-id']).toBe(seconds.requests[0].headers['webhook-id']);
  });

  test('a receiver that does not answer in time, or refuses the connection, is a failed attempt with the reason', async () => {
    const slow = await receiver();
    slow.answer = (_, i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 });
    const { webhook } = await createWebhook({ filter: MODEL_EVENTS, url: slow.url });
    const closed = await new Receiver().listen();
    const down = await createWebhook({ filter: MODEL_EVENTS, url: closed.url });
    await closed.close();
    const [event] = await commit(t.db, 1);
    const [first] = await until('the timed-out attempt', async () => {
      const failed = (await deliveriesOf(t, webhook.id)).filter((d) => d.status === 'FAILED');
      return failed.length > 0 && failed;
    });
    expect(first).toMatchObject({ eventSeq: event.seq, attempt: 1, status: 'FAILED', responseStatus: null });
    expect(first.error).toBe('no answer within 1000 ms');
    expect(first.latencyMs).toBeGreaterThanOrEqual(990);
    await until('the retry', async () => (await deliveriesOf(t, webhook.id)).some((d) => d.status === 'SUCCEEDED'));
    const [refused] = await until('the refused attempt', () => deliveriesOf(t, down.webhook.id).then((d) => d.length > 0 && d));
    expect(refused).toMatchObject({ status: 'FAILED', responseStatus: null });
    expect(refused.error).toMatch(/ECONNREFUSED 127\.0\.0\.1/);
  });
});

describe('pausing, resuming, redelivering, rotating, deleting', () => {
  test('after maxFailures failures in a row the webhook pauses (audited); resumeWebhook delivers from its cursor', async () => {
    const r = await receiver();
    let healthy = false;
    r.answer = () => (healthy ? { status: 204 } : { status: 500, body: 'down for maintenance' });
    const { webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    const [e1, e2] = await commit(t.db, 2);
    const paused = await until('the webhook paused', async () => {
      const w = await webhookOf(t, webhook.id);
      return w?.status === 'PAUSED' && w;
    });
    expect(paused.consecutiveFailures).toBe(3);
    expect(paused.pausedReason).toBe('paused after 3 consecutive failed deliveries; the last: HTTP 500: down for maintenance');
    expect(paused.cursorSeq).toBe(e1.seq - 1);
    await sleep(300);
    expect(r.seqs()).toEqual([e1.seq, e1.seq, e1.seq]); // nothing more while paused
    const pausedEvent = (await auditOf(t, webhook.id)).find((e) => e.action === 'webhook.paused');
    expect(pausedEvent).toMatchObject({ actor: 'system', payload: { consecutiveFailures: 3, eventSeq: e1.seq } });

    healthy = true;
    const resumed = ok(await t.request(ResumeWebhookDocument, { id: webhook.id })).resumeWebhook.webhook;
    expect(resumed).toMatchObject({ status: 'ACTIVE', pausedReason: null, consecutiveFailures: 0, revision: 2 });
    await until('both events delivered', () => r.requests.length >= 5);
    expect(r.seqs()).toEqual([e1.seq, e1.seq, e1.seq, e1.seq, e2.seq]);
    const recorded = await until('5 recorded attempts', async () => {
      const d = await deliveriesOf(t, webhook.id);
      return d.length === 5 && d;
    });
    expect(recorded.map((d) => [d.attempt, d.status])).toEqual([
      [1, 'FAILED'],
      [2, 'FAILED'],
      [3, 'FAILED'],
      [4, 'SUCCEEDED'],
      [1, 'SUCCEEDED'],
    ]);
    expect((await auditOf(t, webhook.id)).map((e) => e.action)).toEqual(['webhook.created', 'webhook.paused', 'webhook.resumed']);
  });

  test('redeliverEvent sends one event again, by cursor or by seq, and records it; a failed one is recorded, not thrown', async () => {
    const r = await receiver();
    const { secret, webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    const [event] = await commit(t.db, 1);
    await until('the first delivery', () => r.requests.length === 1);
    const byCursor = ok(
      await t.request(RedeliverEventDocument, { input: { webhookId: webhook.id, eventCursor: r.requests[0].event.cursor } }),
    ).redeliverEvent.delivery;
    expect(byCursor).toMatchObject({ eventSeq: event.seq, eventId: event.id, attempt: 2, redelivery: true, status: 'SUCCEEDED' });
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1].headers['webhook-id']).toBe(event.id);
    expect(r.requests[1].body).toBe(r.requests[0].body);
    expect(verifies(secret, r.requests[1])).toBe(true);

    r.answer = () => ({ status: 500 });
    const bySeq = ok(await t.request(RedeliverEventDocument, { input: { webhookId: webhook.id, seq: event.seq } })).redeliverEvent.delivery;
    expect(bySeq).toMatchObject({ attempt: 3, redelivery: true, status: 'FAILED', responseStatus: 500, error: 'HTTP 500' });
    // A redelivery is no part of the worker's run: a failed one counts no failure and schedules no retry.
    expect(await webhookOf(t, webhook.id)).toMatchObject({
      status: 'ACTIVE',
      consecutiveFailures: 0,
      lastError: null,
      lastFailureAt: null,
    });
    expect(r.seqs()).toEqual([event.seq, event.seq, event.seq]);
    expect((await auditOf(t, webhook.id)).filter((e) => e.action === 'webhook.redelivered')).toHaveLength(2);

    const code = async (input: Parameters<typeof t.services.webhooks.redeliver>[1]) =>
      errorCode(await t.request(RedeliverEventDocument, { input }));
    expect(await code({ webhookId: webhook.id })).toBe('BAD_USER_INPUT');
    expect(await code({ webhookId: webhook.id, seq: event.seq, eventCursor: r.requests[0].event.cursor })).toBe('BAD_USER_INPUT');
    expect(await code({ webhookId: webhook.id, eventCursor: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
    expect(await code({ webhookId: webhook.id, seq: 0 })).toBe('BAD_USER_INPUT');
    expect(await code({ webhookId: webhook.id, seq: event.seq + 1_000_000 })).toBe('NOT_FOUND');
    expect(await code({ webhookId: '00000000-0000-4000-8000-000000000000', seq: event.seq })).toBe('NOT_FOUND');
    const filtered = await createWebhook({ url: r.url, filter: { kinds: ['STAGE_CHANGED'] } });
    const res = await t.request(RedeliverEventDocument, { input: { webhookId: filtered.webhook.id, seq: event.seq } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/not one this webhook's filter wants/);
  });

  test('rotateWebhookSecret: during the overlap deliveries verify with the old and the new secret; after it, only the new', async () => {
    const r = await receiver();
    const { secret: first, webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    const rotated = ok(await t.request(RotateWebhookSecretDocument, { id: webhook.id, overlapSeconds: 3600 })).rotateWebhookSecret;
    const second = rotated.secret;
    expect(second).not.toBe(first);
    expect(new Date(rotated.webhook.previousSecretExpiresAt as string).getTime() - Date.now()).toBeGreaterThan(3500_000);
    await commit(t.db, 1);
    await until('a delivery', () => r.requests.length === 1);
    expect(r.requests[0].headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(first, r.requests[0])).toBe(true);
    expect(verifies(second, r.requests[0])).toBe(true);

    // Rotating with no overlap: the secret before stops signing at once.
    const third = ok(await t.request(RotateWebhookSecretDocument, { id: webhook.id, overlapSeconds: 0 })).rotateWebhookSecret;
    expect(third.webhook.previousSecretExpiresAt).toBeNull();
    await commit(t.db, 1);
    await until('a second delivery', () => r.requests.length === 2);
    expect(r.requests[1].headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect([first, second, third.secret].map((s) => verifies(s, r.requests[1]))).toEqual([false, false, true]);

    for (const overlapSeconds of [-1, 7 * 24 * 3600 + 1]) {
      expect(errorCode(await t.request(RotateWebhookSecretDocument, { id: webhook.id, overlapSeconds }))).toBe('BAD_USER_INPUT');
    }
    expect(errorCode(await t.request(RotateWebhookSecretDocument, { id: '00000000-0000-4000-8000-000000000000', overlapSeconds: 0 }))).toBe(
      'NOT_FOUND',
    );
  });

  test('a claim held by a worker that went silent is left alone until it lapses, then taken over', async () => {
    const r = await receiver();
    const { webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    // Another instance claimed it and died mid-run: its lease still runs.
    await t.db.query(`UPDATE webhooks SET lease_token = gen_random_uuid(), lease_until = now() + interval '1 hour' WHERE id = $1`, [
      webhook.id,
    ]);
    const [event] = await commit(t.db, 1);
    await sleep(300);
    expect(r.requests).toHaveLength(0);
    await t.db.query(`UPDATE webhooks SET lease_until = now() - interval '1 second' WHERE id = $1`, [webhook.id]);
    await until('the delivery', () => r.requests.length === 1);
    expect(r.seqs()).toEqual([event.seq]);
  });

  test('deleteWebhook stops its deliveries and removes its history; the audit trail keeps what it was', async () => {
    const r = await receiver();
    const { webhook } = await createWebhook({ filter: MODEL_EVENTS, url: r.url });
    await commit(t.db, 1);
    await until('a delivery', () => r.requests.length === 1);
    expect(ok(await t.request(DeleteWebhookDocument, { id: webhook.id })).deleteWebhook.webhook).toEqual({ id: webhook.id, url: r.url });
    await commit(t.db, 2);
    await sleep(300);
    expect(r.requests).toHaveLength(1);
    expect(ok(await t.request(WebhookDocument, { id: webhook.id })).webhook).toBeNull();
    expect(errorCode(await t.request(WebhookDeliveriesDocument, { webhookId: webhook.id }))).toBe('NOT_FOUND');
    expect(errorCode(await t.request(DeleteWebhookDocument, { id: webhook.id }))).toBe('NOT_FOUND');
    expect(errorCode(await t.request(ResumeWebhookDocument, { id: webhook.id }))).toBe('NOT_FOUND');
    const audit = await auditOf(t, webhook.id);
    expect(audit.map((e) => e.action)).toEqual(['webhook.created', 'webhook.deleted']);
    expect(audit[1].payload).toMatchObject({ before: { id: webhook.id, url: r.url }, after: null });
  });
});

// ---- a registry as deployed by default: no allow-list ----

describe('the SSRF guard and roles, on a server with no allow-list', () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
  });
  afterAll(() => plain.close());

  test.each([
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1, a loopback address/],
    ['http://localhost:8080/hook', /localhost resolves to 127\.0\.0\.1, a loopback address/],
    ['http://[::1]/hook', /::1, a loopback address/],
    ['http://2130706433/hook', /127\.0\.0\.1, a loopback address/],
    ['http://[::ffff:127.0.0.1]/hook', /a loopback address/],
    ['http://10.0.0.1/hook', /10\.0\.0\.1, a private address/],
    ['http://192.168.1.10/hook', /a private address/],
    ['http://172.16.5.4/hook', /a private address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a link-local address/],
    ['http://[fe80::1]/hook', /a link-local address/],
    ['http://[fd00::1]/hook', /fd00::1, a unique-local address/],
    ['http://[fd12:3456::1]/hook', /a unique-local address/],
    ['http://224.0.0.1/hook', /a multicast address/],
    ['http://0.0.0.0:4000/hook', /the unspecified address/],
    ['http://[::]/hook', /the unspecified address/],
  ])('createWebhook refuses %s with BAD_USER_INPUT on url', async (url, reason) => {
    const res = await plain.request(CreateWebhookDocument, { input: { url } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.field).toBe('url');
    expect(res.errors?.[0].message).toMatch(reason);
    expect(res.errors?.[0].message).toMatch(/MODELGRAPH_WEBHOOK_ALLOWED_HOSTS/);
  });

  test('a public address is accepted', async () => {
    const { webhook } = ok(await plain.request(CreateWebhookDocument, { input: { url: 'https://93.184.216.34/hooks' } })).createWebhook;
    expect(webhook.url).toBe('https://93.184.216.34/hooks');
    ok(await plain.request(DeleteWebhookDocument, { id: webhook.id }));
  });

  test('only ADMINs manage webhooks or read their deliveries', async () => {
    const { webhook } = ok(await plain.request(CreateWebhookDocument, { input: { url: 'https://93.184.216.34/hooks' } })).createWebhook;
    try {
      for (const role of [Role.VIEWER, Role.CONTRIBUTOR, Role.APPROVER]) {
        const token = await plain.tokenFor(role);
        const id = webhook.id;
        const answers = [
          await plain.request(CreateWebhookDocument, { input: { url: 'https://93.184.216.34/x' } }, token),
          await plain.request(WebhooksDocument, {}, token),
          await plain.request(WebhookDocument, { id }, token),
          await plain.request(WebhookDeliveriesDocument, { webhookId: id }, token),
          await plain.request(RedeliverEventDocument, { input: { webhookId: id, seq: 1 } }, token),
          await plain.request(ResumeWebhookDocument, { id }, token),
          await plain.request(RotateWebhookSecretDocument, { id, overlapSeconds: 0 }, token),
          await plain.request(DeleteWebhookDocument, { id }, token),
        ];
        expect(answers.map(errorCode)).toEqual(answers.map(() => 'FORBIDDEN'));
      }
      expect(errorCode(await plain.request(WebhooksDocument, {}, null))).toBe('UNAUTHENTICATED');
      const caller = { tokenId: 'x', subject: 'ci', role: Role.CONTRIBUTOR, requestId: 'r' };
      await expect(plain.services.webhooks.create(caller, { url: 'https://93.184.216.34/x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      ok(await plain.request(DeleteWebhookDocument, { id: webhook.id }));
    }
  });
});

// ---- restarts: every bit of delivery state is in the database ----

describe('whose events a webhook receives', () => {
  test("with MODELGRAPH_VISIBILITY=granted, what its creator may see: a VIEWER's webhook never receives another team's model events", async () => {
    const g = await startInstance({ MODELGRAPH_VISIBILITY: 'granted', MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    try {
      const [toAdmin, toViewer] = [await receiver(), await receiver()];
      const ours = await g.services.models.create(ADMIN, { name: modelName('ours'), owner: 'vision' });
      const theirs = await g.services.models.create(ADMIN, { name: modelName('theirs'), owner: 'risk' });
      const team = await g.services.access.createTeam(ADMIN, { name: `vision-${Date.now()}` });
      await g.services.access.addMember(ADMIN, team.id, 'val');
      const grant = await g.services.access.grant(ADMIN, { modelId: ours.id, teamId: team.id, level: Level.VIEW });
      const byAdmin = (await g.services.webhooks.create(ADMIN, { url: toAdmin.url, filter: { kinds: [EventKind.MODEL_CHANGED] } })).webhook;
      const byViewer = (await g.services.webhooks.create(ADMIN, { url: toViewer.url, filter: { kinds: [EventKind.MODEL_CHANGED] } }))
        .webhook;
      // Only ADMINs may create webhooks today; the row is made to say that val, a VIEWER of the team, created it (as a
      // rule letting others create webhooks would): its deliveries are then what val's VIEWER token may read.
      await g.db.query(`UPDATE webhooks SET created_by = 'val', created_by_role = 'VIEWER' WHERE id = $1`, [byViewer.id]);

      const [own] = await commit(g.db, 1, { modelId: ours.id });
      const [other] = await commit(g.db, 1, { modelId: theirs.id });
      const [registryWide] = await commit(g.db, 1); // of no model: a VIEWER with grants does not see those either
      const [last] = await commit(g.db, 1, { modelId: ours.id });
      const past = async (id: string, seq: number) =>
        Number((await g.db.query('SELECT cursor_seq FROM webhooks WHERE id = $1', [id]))[0].cursor_seq) >= seq;
      await until(
        'both webhooks past the last event',
        async () => (await past(byAdmin.id, last.seq)) && (await past(byViewer.id, last.seq)),
      );
      expect(toAdmin.seqs()).toEqual([own.seq, other.seq, registryWide.seq, last.seq]);
      expect(toViewer.seqs()).toEqual([own.seq, last.seq]);

      // Nor by redelivery: an event its creator cannot see is not one it receives.
      const redelivered = await g.request(RedeliverEventDocument, { input: { webhookId: byViewer.id, seq: other.seq } });
      expect(errorCode(redelivered)).toBe('BAD_USER_INPUT');
      expect(toViewer.seqs()).toEqual([own.seq, last.seq]);

      // Grants are read at delivery: without the team's grant, the model's next events no longer reach val's webhook.
      await g.services.access.revoke(ADMIN, grant.id);
      const [after] = await commit(g.db, 1, { modelId: ours.id });
      await until(
        'both webhooks past the event after the revocation',
        async () => (await past(byAdmin.id, after.seq)) && (await past(byViewer.id, after.seq)),
      );
      expect(toAdmin.seqs()).toContain(after.seq);
      expect(toViewer.seqs()).toEqual([own.seq, last.seq]);
    } finally {
      await g.close();
    }
  });
});

describe('restarts', () => {
  test('two instances share the work: each event reaches each webhook once, in order', async () => {
    const env = { MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
    const a = await startInstance(env);
    let b: Instance | null = null;
    const r = await new Receiver().listen();
    try {
      b = await startInstance(env, a.database as TestDatabase);
      const hooks: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const { webhook } = await a.services.webhooks.create(ADMIN, {
          url: `${r.url}&hook=${i}`,
          filter: { kinds: [EventKind.MODEL_CHANGED] },
        });
        hooks.push(webhook.url);
      }
      const [fromA, fromB] = await Promise.all([commit(a.db, 15), commit(b.db, 15)]);
      const events = [...fromA, ...fromB].sort((x, y) => x.seq - y.seq);
      await until('every delivery', () => r.requests.length >= hooks.length * events.length);
      await sleep(200);
      expect(r.requests).toHaveLength(hooks.length * events.length);
      for (const url of hooks) {
        expect(r.requests.filter((q) => url.endsWith(q.url)).map((q) => q.event.seq)).toEqual(events.map((e) => e.seq));
      }
    } finally {
      await b?.close();
      await a.close();
      await r.close();
    }
  });

  test('deliveries go on from the cursor on a new instance; stop() lets the delivery in flight finish; the guard applies again', async () => {
    const env = { MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
    const first = await startInstance(env);
    const database = first.database as TestDatabase;
    let second: Instance | null = null;
    let third: Instance | null = null;
    const r = await new Receiver().listen();
    try {
      const { secret, webhook } = ok(
        await first.request(CreateWebhookDocument, { input: { url: r.url, filter: MODEL_EVENTS } }),
      ).createWebhook;
      const before = await commit(first.db, 3);
      await until('3 deliveries', () => r.requests.length === 3);

      // The first instance stops (as on shutdown): events committed meanwhile wait in the log.
      await first.stop();
      const during = await commit(first.db, 3);
      await sleep(300);
      expect(r.requests).toHaveLength(3);

      second = await startInstance(env, database);
      await until('the 3 waiting events', () => r.requests.length === 6);
      expect(r.seqs()).toEqual([...before, ...during].map((e) => e.seq));
      expect(r.requests.every((q) => verifies(secret, q))).toBe(true);

      // A slow answer while the worker stops: stop() waits for it, records it, and releases the claim.
      r.answer = () => ({ status: 200, delayMs: 400 });
      const [slow] = await commit(second.db, 1);
      await until('the slow delivery under way', () => r.requests.length === 7);
      const stopping = Date.now();
      await second.stop();
      expect(Date.now() - stopping).toBeGreaterThanOrEqual(300);
      const [row] = await first.db.query('SELECT cursor_seq::int AS cursor, lease_token FROM webhooks WHERE id = $1', [webhook.id]);
      expect(row).toEqual({ cursor: slow.seq, lease_token: null });
      const deliveries = await first.db.query('SELECT status FROM webhook_deliveries WHERE webhook_id = $1 AND event_seq = $2', [
        webhook.id,
        slow.seq,
      ]);
      expect(deliveries).toEqual([{ status: 'SUCCEEDED' }]);

      // A third instance without the allow-list: the address is checked again at delivery, and refused.
      r.answer = () => ({ status: 204 });
      third = await startInstance({}, database);
      const [refused] = await commit(third.db, 1);
      const failed = await until('the refused attempt', async () => {
        const rows = (await first.db.query(
          `SELECT status, error, response_status FROM webhook_deliveries WHERE webhook_id = $1 AND event_seq = $2`,
          [webhook.id, refused.seq],
        )) as Array<{ status: string; error: string; response_status: number | null }>;
        return rows[0];
      });
      expect(failed).toMatchObject({ status: 'FAILED', response_status: null });
      expect(failed.error).toMatch(/^refused: 127\.0\.0\.1, a loopback address, which webhooks may not reach/);
      expect(r.requests).toHaveLength(7);
    } finally {
      await third?.close();
      await second?.close();
      await first.close();
      await r.close();
    }
  });
});
