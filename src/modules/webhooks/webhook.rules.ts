// Pure rules of webhook delivery: which addresses a webhook may reach (the SSRF guard), the allow-list,
// URLs, retry timing, Standard Webhooks signatures and the delivered body. No database, no network:
// the sender (webhook.sender.ts) and the worker (webhook.worker.ts) apply them.
import { createHmac, randomBytes } from 'node:crypto';
import { badInput } from '../../common/errors';
import { StartupError } from '../../common/startup-error';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import type { CommittedEvent } from '../audit/audit.hash';
import { encodeEventCursor, kindOf, matchesFilter, type EventKind } from '../events/event.rules';

// ---- addresses ----

/** What an IP address is, for the SSRF guard: only `public` addresses are reachable without the allow-list. */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unique-local' | 'multicast' | 'unspecified' | 'reserved';

/** An IP address as 16 bytes: an IPv4 address is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
interface Address {
  family: 4 | 6;
  bytes: number[];
}

const V4_DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseIpv4(text: string): number[] | null {
  const match = V4_DOTTED.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // The dotted IPv4 tail (::ffff:10.0.0.1) may only be the very last piece.
  const groups = (part: string, last: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i += 1) {
      const piece = pieces[i];
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return null;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    all = head;
  }
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Parses an IPv4 or IPv6 address (brackets and an IPv6 zone are dropped); null when it is not one. */
function parseAddress(text: string): Address | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const v4 = parseIpv4(bare);
  if (v4) return { family: 4, bytes: [...MAPPED_PREFIX, ...v4] };
  const v6 = bare.includes(':') ? parseIpv6(bare) : null;
  return v6 ? { family: 6, bytes: v6 } : null;
}

/** True when the first `bits` bits of `bytes` equal those of `prefix`. */
function hasPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < 16 && bits > 0; i += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

function v6(text: string): number[] {
  return parseIpv6(text) as number[];
}

const V4_SPECIAL: Array<[string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": connecting to 0.0.0.0 reaches the local host
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT: shared space, never a public endpoint
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes the cloud metadata service, 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // and the broadcast address
];
const V4_TABLE = V4_SPECIAL.map(([text, bits, cls]) => ({ prefix: parseIpv4(text) as number[], bits, cls }));

const V6_SPECIAL: Array<[string, number, AddressClass]> = [
  ['64:ff9b:1::', 48, 'private'], // local-use NAT64
  ['100::', 64, 'reserved'], // discard-only
  ['2001::', 32, 'reserved'], // Teredo: the IPv4 end is hidden in the address
  ['2001:10::', 28, 'reserved'],
  ['2001:20::', 28, 'reserved'],
  ['2001:db8::', 32, 'reserved'], // documentation
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'], // site-local, deprecated but still routed inside some networks
  ['ff00::', 8, 'multicast'],
];
const V6_TABLE = V6_SPECIAL.map(([text, bits, cls]) => ({ prefix: v6(text), bits, cls }));

/**
 * IPv6 forms that carry an IPv4 address, which decides what they reach: IPv4-mapped (::ffff:a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) and the old IPv4-compatible (::a.b.c.d).
 */
const EMBEDDED_V4: Array<{ prefix: number[]; bits: number; at: number }> = [
  { prefix: v6('::ffff:0:0'), bits: 96, at: 12 },
  { prefix: v6('64:ff9b::'), bits: 96, at: 12 },
  { prefix: v6('2002::'), bits: 16, at: 2 },
  { prefix: v6('::'), bits: 96, at: 12 },
];

function classifyV4(octets: number[]): AddressClass {
  const bytes = [...octets, ...new Array<number>(12).fill(0)];
  return V4_TABLE.find((r) => hasPrefix(bytes, r.prefix, r.bits))?.cls ?? 'public';
}

function classifyBytes(bytes: number[]): AddressClass {
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
  const embedded = EMBEDDED_V4.find((e) => hasPrefix(bytes, e.prefix, e.bits));
  if (embedded) return classifyV4(bytes.slice(embedded.at, embedded.at + 4));
  const special = V6_TABLE.find((r) => hasPrefix(bytes, r.prefix, r.bits));
  if (special) return special.cls;
  // Only 2000::/3 is allocated as global unicast; the rest of the space is reserved.
  return (bytes[0] & 0xe0) === 0x20 ? 'public' : 'reserved';
}

/**
 * classifyAddress('10.1.2.3') === 'private', classifyAddress('::ffff:127.0.0.1') === 'loopback',
 * classifyAddress('93.184.216.34') === 'public'; null when the text is not an IP address.
 */
export function classifyAddress(text: string): AddressClass | null {
  const address = parseAddress(text);
  return address ? classifyBytes(address.bytes) : null;
}

const DESCRIBED: Record<Exclude<AddressClass, 'public'>, string> = {
  private: 'a private address',
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  reserved: 'a reserved (special-purpose) address',
};

// ---- the allow-list ----

/** An address range: `bits` leading bits of `bytes` (an IPv4 range is held in its IPv4-mapped form). */
export interface AddressRange {
  bytes: number[];
  bits: number;
}

/** MODELGRAPH_WEBHOOK_ALLOWED_HOSTS, parsed: host names (exact, lower case) and address ranges. */
export interface AllowList {
  names: ReadonlySet<string>;
  ranges: readonly AddressRange[];
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** '10.0.0.0/8', 'fd00::/8', '127.0.0.1' (a /32), '[::1]' (a /128); null when the text is none of these. */
export function parseRange(text: string): AddressRange | null {
  const slash = text.lastIndexOf('/');
  const address = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!address) return null;
  const width = address.family === 4 ? 32 : 128;
  let bits = width;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix) || Number(suffix) > width) return null;
    bits = Number(suffix);
  }
  return { bytes: address.bytes, bits: address.family === 4 ? 96 + bits : bits };
}

export function rangeContains(range: AddressRange, address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && hasPrefix(parsed.bytes, range.bytes, range.bits);
}

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
  return { names, ranges };
}

/**
 * Whether a webhook may connect to `address`, which `host` (the URL's host) resolved to: yes when the
 * host is named in the allow-list, or the address is in one of its ranges, or the address is public.
 * Answers null when it may, or why not.
 */
export function refusal(allow: AllowList, host: string, address: string): string | null {
  if (allow.names.has(normalHost(host))) return null;
  const parsed = parseAddress(address);
  if (!parsed) return `${address} is not an IP address`;
  if (allow.ranges.some((r) => hasPrefix(parsed.bytes, r.bytes, r.bits))) return null;
  const cls = classifyBytes(parsed.bytes);
  if (cls === 'public') return null;
  const via = normalHost(host) === normalHost(address).replace(/^\[(.*)\]$/, '$1') ? '' : `${host} resolves to `;
  return `${via}${address}, ${DESCRIBED[cls]}, which webhooks may not reach unless MODELGRAPH_WEBHOOK_ALLOWED_HOSTS allows it`;
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
