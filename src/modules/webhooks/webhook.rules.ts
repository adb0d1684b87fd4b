// Pure rules of webhook delivery: which addresses a webhook may reach (the allow-list over the SSRF guard of
// src/common/address.ts), URLs, retry timing, Standard Webhooks signatures and the delivered body. No database, no network:
// the sender (webhook.sender.ts) and the worker (webhook.worker.ts) apply them.
import { createHmac, randomBytes } from 'node:crypto';
import { AddressRanges, classifyAddress, describeClass, parseRange, type AddressRange } from '../../common/address';
import { badInput } from '../../common/errors';
import { StartupError } from '../../common/startup-error';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import type { CommittedEvent } from '../audit/audit.rules';
import { encodeEventCursor, kindOf, matchesFilter, type EventKind } from '../events/event.rules';

// ---- the allow-list ----

/** MODELGRAPH_WEBHOOK_ALLOWED_HOSTS, parsed: host names (exact, lower case) and address ranges. */
export interface AllowList {
  names: ReadonlySet<string>;
  ranges: AddressRanges;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** Throws (naming the entry) when an entry is neither a host name, an address nor a CIDR range. */
export function parseAllowList(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const ranges: AddressRange[] = [];
  for (const entry of entries) {
    const text = normalHost(entry);
    const range = parseRange(text);
    if (range) ranges.push(range);
    else if (HOST_NAME.test(text)) names.add(text);
    else throw new StartupError(`MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: "${entry}" is not a host name, an IP address or a CIDR range`);
  }
  return { names, ranges: new AddressRanges(ranges) };
}

/**
 * Whether a webhook may connect to `address`, which `host` (the URL's host) resolved to: yes when the
 * host is named in the allow-list, or the address is in one of its ranges, or the address is public
 * (classifyAddress, src/common/address.ts: the SSRF guard). Answers null when it may, or why not.
 */
export function refusal(allow: AllowList, host: string, address: string): string | null {
  if (allow.names.has(normalHost(host))) return null;
  const cls = classifyAddress(address);
  if (cls === null) return `${address} is not an IP address`;
  if (cls === 'public' || allow.ranges.contains(address)) return null;
  const via = normalHost(host) === normalHost(address).replace(/^\[(.*)\]$/, '$1') ? '' : `${host} resolves to `;
  return `${via}${address}, ${describeClass(cls)}, which webhooks may not reach unless MODELGRAPH_WEBHOOK_ALLOWED_HOSTS allows it`;
}

// ---- URLs ----

export const MAX_URL_LENGTH = 2000;

/** Where a webhook delivers: its URL, normalised, and the host and port to connect to. */
export interface WebhookTarget {
  href: string;
  https: boolean;
  /** Without the brackets of an IPv6 literal. */
  hostname: string;
  port: number;
  path: string;
}

/**
 * Checks a webhook URL's form (http or https, no credentials, no fragment); BAD_USER_INPUT on `url`
 * otherwise. Where it may connect is checked apart, against the addresses its host resolves to.
 * Hosts written oddly (0x7f.1, 2130706433) come out of the URL parser in their plain dotted form.
 */
export function parseWebhookUrl(raw: string): WebhookTarget {
  validateText(raw, 'url', { required: true, max: MAX_URL_LENGTH, identifier: true });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput('url', 'is not a URL: expected https://host/path');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url', 'must be an http or https URL');
  if (url.username || url.password) throw badInput('url', 'must not carry credentials: each delivery is signed instead');
  if (url.hash) throw badInput('url', 'must not have a fragment');
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) throw badInput('url', 'must name a host');
  const https = url.protocol === 'https:';
  return { href: url.href, https, hostname, port: url.port ? Number(url.port) : https ? 443 : 80, path: `${url.pathname}${url.search}` };
}

// ---- filters and inputs ----

export const MAX_FILTER_MODELS = 100;
export const MAX_DESCRIPTION = 2000;
/** A rotated-out secret keeps signing for at most a week. */
export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;

export interface WebhookFilter {
  modelIds: string[];
  kinds: EventKind[];
}

/** Empty lists mean "any"; model ids lower case (as the audit log stores them), duplicates dropped. */
export function normalizeFilter(filter: { modelIds?: readonly string[] | null; kinds?: readonly EventKind[] | null } | null | undefined) {
  const modelIds = [...new Set((filter?.modelIds ?? []).map((id) => id.toLowerCase()))];
  if (modelIds.length > MAX_FILTER_MODELS) throw badInput('filter.modelIds', `at most ${MAX_FILTER_MODELS} models`);
  if (!modelIds.every(isUuid)) throw badInput('filter.modelIds', 'must be model ids');
  return { modelIds, kinds: [...new Set(filter?.kinds ?? [])] };
}

export function validateOverlap(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_OVERLAP_SECONDS) {
    throw badInput('overlapSeconds', `must be a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS}`);
  }
}

// ---- retries ----

export interface RetryPolicy {
  /** The delay after the first failure; it doubles with each further consecutive failure… */
  baseMs: number;
  /** …up to this. */
  maxMs: number;
}

/** A receiver's Retry-After is honoured up to a day: beyond that it is more likely a mistake than a plan. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * The wait before the next attempt after `failures` consecutive failures: base × 2^(failures−1), capped,
 * with "equal jitter" (between half and all of it) so that webhooks that failed together do not all
 * come back at the same instant. retryDelayMs(3, { baseMs: 5000, maxMs: 3_600_000 }) is 10–20 s.
 */
export function retryDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 40);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date names its day and month (Sun, 06 Nov 1994 08:49:37 GMT); Date.parse alone would read "-5" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** What the receiver asked for with Retry-After when it did, else the exponential backoff. */
export function nextAttemptDelayMs(failures: number, policy: RetryPolicy, retryAfterMs: number | null, random?: () => number): number {
  return retryAfterMs ?? retryDelayMs(failures, policy, random);
}

/** Whether `failures` consecutive failures pause a webhook; 0 means never. */
export function shouldPause(failures: number, maxFailures: number): boolean {
  return maxFailures > 0 && failures >= maxFailures;
}

/** What a paused webhook says about why. */
export function pauseReason(failures: number, lastError: string | null): string {
  return clip(`paused after ${failures} consecutive failed deliveries; the last: ${lastError ?? 'unknown'}`, 2000);
}

// ---- secrets and signatures (Standard Webhooks) ----

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** `whsec_` and the base64 of 32 random bytes, as Standard Webhooks libraries expect. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key of a secret: the base64 after the prefix, decoded. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/**
 * The webhook-signature header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each secret,
 * space-separated, so that during a rotation a receiver holding either secret can verify.
 */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`)
    .join(' ');
}

/** The secrets a delivery at `now` is signed with: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(
  webhook: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null },
  now: number,
) {
  const previous = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt.getTime() > now;
  return previous ? [webhook.secret, webhook.previousSecret as string] : [webhook.secret];
}

// ---- what is delivered ----

/** The JSON body of a delivery: the audit event as lifecycleEvents gives it, with its cursor and kind. */
export function deliveryBody(event: CommittedEvent): string {
  return JSON.stringify({
    id: event.id,
    seq: event.seq,
    cursor: encodeEventCursor(event.seq),
    kind: kindOf(event.action),
    action: event.action,
    modelId: event.modelId,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    actor: event.actor,
    occurredAt: event.occurredAt.toISOString(),
    payload: event.payload,
  });
}

/** Standard Webhooks headers: webhook-id is the event's id, the same on every retry, so receivers can deduplicate. */
export function deliveryHeaders(secrets: readonly string[], eventId: string, body: string, now: number): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, eventId, timestamp, body),
  };
}

/**
 * Whether a webhook receives an event: it matches the filter, and it is not the webhook's own creation
 * (a new webhook starts at the head of the log as it was; its own `webhook.created` comes just after).
 */
export function shouldDeliver(
  webhook: { id: string } & WebhookFilter,
  event: { action: string; subjectId: string; modelId: string | null },
) {
  if (event.action === 'webhook.created' && event.subjectId === webhook.id) return false;
  return matchesFilter(webhook, event);
}

/** Error text kept with a delivery: bounded, one line. */
export function clip(text: string, max = 500): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
