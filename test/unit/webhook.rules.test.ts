import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DomainError } from '../../src/common/errors';
import type { CommittedEvent } from '../../src/modules/audit/audit.rules';
import { decodeEventCursor, EventKind } from '../../src/modules/events/event.rules';
import {
  deliveryBody,
  deliveryHeaders,
  MAX_RETRY_AFTER_MS,
  newWebhookSecret,
  nextAttemptDelayMs,
  normalizeFilter,
  parseAllowList,
  parseRetryAfter,
  parseWebhookUrl,
  pauseReason,
  refusal,
  retryDelayMs,
  secretKey,
  shouldDeliver,
  shouldPause,
  signatureHeader,
  signingSecrets,
  validateOverlap,
} from '../../src/modules/webhooks/webhook.rules';
import { WebhookSender, type Resolver } from '../../src/modules/webhooks/webhook.sender';

describe('the allow-list and refusal', () => {
  const none = parseAllowList([]);

  it('refuses private, loopback, link-local, unique-local, multicast and unspecified addresses, and says why', () => {
    expect(refusal(none, '127.0.0.1', '127.0.0.1')).toMatch(/^127\.0\.0\.1, a loopback address, .*MODELGRAPH_WEBHOOK_ALLOWED_HOSTS/);
    expect(refusal(none, 'localhost', '127.0.0.1')).toMatch(/^localhost resolves to 127\.0\.0\.1, a loopback address/);
    expect(refusal(none, 'h', '10.1.2.3')).toMatch(/a private address/);
    expect(refusal(none, 'h', '169.254.169.254')).toMatch(/a link-local address/);
    expect(refusal(none, 'h', 'fd00::1')).toMatch(/a unique-local address/);
    expect(refusal(none, 'h', 'ff02::1')).toMatch(/a multicast address/);
    expect(refusal(none, 'h', '::')).toMatch(/the unspecified address/);
    expect(refusal(none, 'h', '::ffff:192.168.0.1')).toMatch(/a private address/);
    expect(refusal(none, 'h', 'garbage')).toMatch(/not an IP address/);
    expect(refusal(none, 'example.com', '93.184.216.34')).toBeNull();
  });

  it('lets through what it names: addresses, ranges and host names (any address of those)', () => {
    const allow = parseAllowList(['127.0.0.1', ' 10.0.0.0/8 ', 'fd00::/8', 'Hooks.Internal.', '[::1]']);
    expect(allow.names).toEqual(new Set(['hooks.internal']));
    expect(refusal(allow, '127.0.0.1', '127.0.0.1')).toBeNull();
    expect(refusal(allow, 'x', '::ffff:127.0.0.1')).toBeNull();
    expect(refusal(allow, 'x', '127.0.0.2')).not.toBeNull();
    expect(refusal(allow, 'x', '10.20.30.40')).toBeNull();
    expect(refusal(allow, 'x', '192.168.0.1')).not.toBeNull();
    expect(refusal(allow, 'x', 'fd12::1')).toBeNull();
    expect(refusal(allow, 'x', '::1')).toBeNull();
    expect(refusal(allow, 'hooks.internal', '192.168.7.7')).toBeNull();
    expect(refusal(allow, 'HOOKS.internal.', '172.16.0.1')).toBeNull();
    expect(refusal(allow, 'other.internal', '172.16.0.1')).not.toBeNull();
  });

  it('refuses an entry that is none of a host name, an address or a range, naming it', () => {
    expect(() => parseAllowList(['10.0.0.0/8', 'not a host!'])).toThrow(/"not a host!" is not a host name/);
    expect(() => parseAllowList(['10.0.0.0/40'])).toThrow(/MODELGRAPH_WEBHOOK_ALLOWED_HOSTS/);
  });
});

describe('parseWebhookUrl', () => {
  const field = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return err instanceof DomainError ? `${err.code} ${String(err.details.field)}: ${err.message}` : String(err);
    }
    return 'no error';
  };

  it('normalises http(s) URLs and finds the host and port to connect to', () => {
    expect(parseWebhookUrl('HTTPS://Hooks.Example.com/a?b=1')).toEqual({
      href: 'https://hooks.example.com/a?b=1',
      https: true,
      hostname: 'hooks.example.com',
      port: 443,
      path: '/a?b=1',
    });
    expect(parseWebhookUrl('http://[::1]:8080/x')).toMatchObject({ hostname: '::1', port: 8080, https: false });
    // Odd spellings of an address come out plain, so the guard sees what will be connected to.
    expect(parseWebhookUrl('http://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(parseWebhookUrl('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(parseWebhookUrl('http://[::ffff:127.0.0.1]/').hostname).toBe('::ffff:7f00:1');
  });

  it.each([
    ['ftp://example.com/x', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['https://user:pass@example.com/', /credentials/],
    ['https://example.com/#frag', /fragment/],
    ['not a url', /not a URL/],
    ['', /must not be empty/],
    ['https://example.com/aaa… (2,020 characters)', /at most 2000/],
    ['https://exa\u0000mple.com/', /NUL/],
  ])('refuses %j with BAD_USER_INPUT on url', (shown, message) => {
    const url = shown.endsWith('characters)') ? `https://example.com/${'a'.repeat(2000)}` : shown;
    const answer = field(() => parseWebhookUrl(url));
    expect(answer).toMatch(/^BAD_USER_INPUT url: /);
    expect(answer).toMatch(message);
  });
});

describe('retries', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('double with each consecutive failure, between half and all of the step (jitter), up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
    expect(retryDelayMs(20, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(10_000, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(0, policy, () => 1)).toBe(1000);
    for (let i = 0; i < 100; i += 1) {
      const delay = retryDelayMs(5, policy);
      expect(delay).toBeGreaterThanOrEqual(8000);
      expect(delay).toBeLessThanOrEqual(16_000);
    }
  });

  it('honour Retry-After in seconds or as an HTTP date, capped at a day', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(nextAttemptDelayMs(1, policy, 7000)).toBe(7000);
    expect(nextAttemptDelayMs(1, policy, null, () => 1)).toBe(1000);
  });

  it('pause after maxFailures in a row, never when it is 0, and say why', () => {
    expect(shouldPause(2, 3)).toBe(false);
    expect(shouldPause(3, 3)).toBe(true);
    expect(shouldPause(1000, 0)).toBe(false);
    expect(pauseReason(3, 'HTTP 500: down')).toBe('paused after 3 consecutive failed deliveries; the last: HTTP 500: down');
    expect(pauseReason(20, 'x'.repeat(5000))).toHaveLength(2000);
  });
});

describe('Standard Webhooks signatures', () => {
  const event: CommittedEvent = {
    seq: 42,
    id: '0b8e8a4e-6f5e-4c3b-9d1a-2f7e6c5d4b3a',
    action: 'version.stage_changed',
    modelId: '11111111-2222-3333-4444-555555555555',
    subjectType: 'ModelVersion',
    subjectId: 'v-1',
    actor: 'ci-pipeline',
    occurredAt: new Date('2026-01-01T00:00:00.000Z'),
    payload: { fromStage: 'STAGING', toStage: 'PRODUCTION' },
  };

  it('secrets are whsec_ and the base64 of 32 random bytes', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
    expect(() => secretKey('nope')).toThrow(/whsec_/);
  });

  it('sign as the standardwebhooks library does, and verify with it', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody(event);
    const now = Date.now();
    const headers = deliveryHeaders([secret], event.id, body, now);
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign(event.id, new Date(Math.floor(now / 1000) * 1000), body));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // Another secret, a changed body or another id do not verify.
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body.replace('42', '43'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'other' })).toThrow();
  });

  it('carry one signature per secret during a rotation, each verifying on its own', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = deliveryBody(event);
    const header = signatureHeader([current, previous], event.id, 1_700_000_000, body);
    expect(header.split(' ')).toHaveLength(2);
    expect(header).toMatch(/^v1,\S+ v1,\S+$/);
    const headers = deliveryHeaders([current, previous], event.id, body, Date.now());
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });

  it('use the previous secret only while its overlap lasts', () => {
    const now = Date.now();
    const base = { secret: 'whsec_new', previousSecret: 'whsec_old' };
    expect(signingSecrets({ ...base, previousSecretExpiresAt: new Date(now + 1000) }, now)).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets({ ...base, previousSecretExpiresAt: new Date(now - 1) }, now)).toEqual(['whsec_new']);
    expect(signingSecrets({ secret: 'whsec_new', previousSecret: null, previousSecretExpiresAt: null }, now)).toEqual(['whsec_new']);
  });
});

describe('what is delivered', () => {
  const event: CommittedEvent = {
    seq: 7,
    id: 'e-7',
    action: 'deployment.ended',
    modelId: 'aaaaaaaa-0000-0000-0000-000000000001',
    subjectType: 'Deployment',
    subjectId: 'd-1',
    actor: 'ops',
    occurredAt: new Date('2026-02-03T04:05:06.789Z'),
    payload: { before: { status: 'ACTIVE' }, after: { status: 'ENDED' } },
  };

  it('is the event with its cursor and kind', () => {
    const body = JSON.parse(deliveryBody(event));
    expect(body).toEqual({
      id: 'e-7',
      seq: 7,
      cursor: expect.any(String),
      kind: 'DEPLOYMENT_CHANGED',
      action: 'deployment.ended',
      modelId: event.modelId,
      subjectType: 'Deployment',
      subjectId: 'd-1',
      actor: 'ops',
      occurredAt: '2026-02-03T04:05:06.789Z',
      payload: event.payload,
    });
    expect(decodeEventCursor(body.cursor)).toBe(7);
  });

  it('goes where the filter says, and never a webhook its own creation', () => {
    const any = { id: 'w-1', modelIds: [], kinds: [] };
    expect(shouldDeliver(any, event)).toBe(true);
    expect(shouldDeliver({ ...any, kinds: [EventKind.STAGE_CHANGED] }, event)).toBe(false);
    expect(shouldDeliver({ ...any, kinds: [EventKind.DEPLOYMENT_CHANGED] }, event)).toBe(true);
    expect(shouldDeliver({ ...any, modelIds: ['aaaaaaaa-0000-0000-0000-000000000002'] }, event)).toBe(false);
    expect(shouldDeliver({ ...any, modelIds: [event.modelId as string] }, event)).toBe(true);
    expect(shouldDeliver(any, { action: 'webhook.created', subjectId: 'w-1', modelId: null })).toBe(false);
    expect(shouldDeliver(any, { action: 'webhook.created', subjectId: 'w-2', modelId: null })).toBe(true);
  });

  it('filters are normalised and bounded', () => {
    const id = 'AAAAAAAA-0000-0000-0000-000000000001';
    expect(normalizeFilter({ modelIds: [id, id.toLowerCase()], kinds: [EventKind.OTHER, EventKind.OTHER] })).toEqual({
      modelIds: [id.toLowerCase()],
      kinds: [EventKind.OTHER],
    });
    expect(normalizeFilter(null)).toEqual({ modelIds: [], kinds: [] });
    expect(() => normalizeFilter({ modelIds: ['x'] })).toThrow(/filter.modelIds: must be model ids/);
    const many = Array.from({ length: 101 }, (_, i) => `aaaaaaaa-0000-0000-0000-${String(i).padStart(12, '0')}`);
    expect(() => normalizeFilter({ modelIds: many })).toThrow(/at most 100/);
    expect(() => validateOverlap(-1)).toThrow(/overlapSeconds/);
    expect(() => validateOverlap(7 * 24 * 3600 + 1)).toThrow(/overlapSeconds/);
    expect(() => validateOverlap(1.5)).toThrow(/overlapSeconds/);
    expect(() => validateOverlap(0)).not.toThrow();
  });
});

describe('the sender connects only to checked addresses', () => {
  let receiver: http.Server;
  let port: number;
  let received = 0;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  /** A resolver with fixed answers: what a hostile DNS server could say. */
  const dns =
    (answers: Record<string, string[]>): Resolver =>
    async (host) =>
      (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name whose DNS answer hides a private address among public ones, without connecting', async () => {
    const sender = new WebhookSender(parseAllowList([]), 2000, dns({ 'hooks.example.com': ['93.184.216.34', '127.0.0.1'] }));
    const before = received;
    const result = await sender.send(`http://hooks.example.com:${port}/`, {}, '{}');
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/^refused: hooks\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
    expect(received).toBe(before);
    await expect(sender.permittedAddresses('hooks.example.com')).rejects.toThrow(/refused/);
    sender.closeIdle();
  });

  it('connects to the address it checked when the allow-list permits it', async () => {
    const sender = new WebhookSender(parseAllowList(['127.0.0.1']), 2000, dns({ 'hooks.example.com': ['127.0.0.1'] }));
    const before = received;
    const result = await sender.send(`http://hooks.example.com:${port}/`, {}, '{}');
    expect(result).toMatchObject({ ok: true, status: 204, error: null });
    expect(received).toBe(before + 1);
    sender.closeIdle();
  });

  it('checks address literals, which never go through DNS', async () => {
    const sender = new WebhookSender(parseAllowList([]), 2000, dns({}));
    const before = received;
    const result = await sender.send(`http://127.0.0.1:${port}/`, {}, '{}');
    expect(result.error).toMatch(/^refused: 127\.0\.0\.1, a loopback address/);
    expect((await sender.send(`http://[::ffff:127.0.0.1]:${port}/`, {}, '{}')).error).toMatch(/refused: .*loopback/);
    expect(received).toBe(before);
    sender.closeIdle();
  });

  it('answers the lookup callback in both of its forms, and by family', async () => {
    const sender = new WebhookSender(parseAllowList(['10.0.0.0/8', 'fd00::/8']), 2000, dns({ h: ['10.0.0.1', 'fd00::1'] }));
    const lookup = (options: object) =>
      new Promise<unknown[]>((resolve) => sender.lookup('h', options, (...args: unknown[]) => resolve(args)));
    expect(await lookup({ all: true })).toEqual([
      null,
      [
        { address: '10.0.0.1', family: 4 },
        { address: 'fd00::1', family: 6 },
      ],
    ]);
    expect(await lookup({})).toEqual([null, '10.0.0.1', 4]);
    expect(await lookup({ family: 6 })).toEqual([null, 'fd00::1', 6]);
    const [err] = await new Promise<unknown[]>((resolve) => sender.lookup('nowhere', {}, (...args: unknown[]) => resolve(args)));
    expect(String(err)).toMatch(/does not resolve/);
  });

  it('checkUrl refuses with BAD_USER_INPUT on url, and says whether the host is refused or does not resolve', async () => {
    const sender = new WebhookSender(parseAllowList([]), 2000, dns({ 'inside.example.com': ['10.1.1.1'] }));
    await expect(sender.checkUrl('https://inside.example.com/x')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'url' },
      message: expect.stringMatching(/inside\.example\.com resolves to 10\.1\.1\.1, a private address/),
    });
    await expect(sender.checkUrl('https://nowhere.example.com/x')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/could not be resolved/),
    });
    await expect(sender.checkUrl('https://93.184.216.34/x')).resolves.toMatchObject({ hostname: '93.184.216.34' });
  });
});
