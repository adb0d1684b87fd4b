import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { badInput } from '../../common/errors';
import { clip, parseRetryAfter, parseWebhookUrl, refusal, type AllowList, type WebhookTarget } from './webhook.rules';

/** Resolves a host name to every address it has (the system resolver by default; tests put in their own). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A resolver that does not answer is a failed lookup, not a delivery that hangs. */
const RESOLVE_TIMEOUT_MS = 5000;
/** What is read of an answer: enough for an error message; a larger body is cut off. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'modelgraph-webhooks/1';

/** The outcome of one delivery attempt. */
export interface SendResult {
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** The receiver's Retry-After, in ms, on a failed answer that had one. */
  retryAfterMs: number | null;
}

/** A connection the SSRF guard refused: the host resolves to (or is) an address webhooks may not reach. */
export class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: 'ETIMEOUT' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  const e = err as Error & { errors?: unknown[]; code?: string };
  // Happy eyeballs (several addresses) fails with an AggregateError whose own message may be empty.
  if (!e.message && Array.isArray(e.errors)) return e.errors.map(describe).join('; ');
  return e.message || String(e.code ?? err);
}

/**
 * Sends deliveries over HTTP(S), reaching only addresses the SSRF guard permits. Host names resolve
 * through `lookup` below, which checks every address before net may connect to one, so the answer that
 * was checked is the one connected to (a DNS answer that changes between check and use cannot smuggle
 * a private address past it); address literals, which skip `lookup`, are checked before the request;
 * and the peer of every socket, new or kept alive, is checked once more when it connects.
 */
export class WebhookSender {
  // Kept-alive connections: most deliveries go to a few receivers, and a new connection per event is slow.
  // Idle sockets are closed after 4 s, before receivers usually close them (Node's own default is 5 s).
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, timeout: 4000, maxFreeSockets: 64 }),
    https: new https.Agent({ keepAlive: true, timeout: 4000, maxFreeSockets: 64 }),
  };

  /** Parsed URLs, by URL: a webhook's URL is parsed once, not for every delivery. */
  private readonly targets = new Map<string, WebhookTarget>();
  /** Sockets whose peer has been checked: a kept-alive socket is checked once, when it connects. */
  private readonly checked = new WeakSet<object>();

  constructor(
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Every address `host` resolves to, when the guard permits all of them; otherwise RefusedAddressError naming one. */
  async permittedAddresses(host: string): Promise<Array<{ address: string; family: number }>> {
    const literal = net.isIP(host);
    const addresses = literal
      ? [{ address: host, family: literal }]
      : await withTimeout(this.resolve(host), RESOLVE_TIMEOUT_MS, `${host}: no DNS answer within ${RESOLVE_TIMEOUT_MS} ms`);
    if (!addresses.length) throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' });
    // Every address, not only the first: net may try any of them (happy eyeballs), and a name that mixes
    // public and private answers is refused outright.
    for (const { address } of addresses) {
      const why = refusal(this.allow, host, address);
      if (why) throw new RefusedAddressError(`refused: ${why}`);
    }
    return addresses;
  }

  /** net's `lookup` hook: answers only addresses that were checked. */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    this.permittedAddresses(hostname).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (!wanted.length) callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        else if (options.all) callback(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  /**
   * Whether a webhook may be created for this URL: it resolves, and to addresses the guard permits.
   * BAD_USER_INPUT on `url` otherwise.
   */
  async checkUrl(url: string): Promise<WebhookTarget> {
    const target = parseWebhookUrl(url);
    try {
      await this.permittedAddresses(target.hostname);
    } catch (err) {
      if (err instanceof RefusedAddressError) throw badInput('url', err.message);
      throw badInput('url', `${target.hostname} could not be resolved (${describe(err)})`);
    }
    return target;
  }

  /** One POST; never throws: a refusal, a timeout or a non-2xx answer is a failed result with its reason. */
  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const failed = (error: string): SendResult => ({
      ok: false,
      status: null,
      latencyMs: Math.round(performance.now() - started),
      error: clip(error),
      retryAfterMs: null,
    });
    let target = this.targets.get(url);
    if (!target) {
      try {
        target = parseWebhookUrl(url);
      } catch (err) {
        return failed(describe(err));
      }
      if (this.targets.size >= 10_000) this.targets.clear();
      this.targets.set(url, target);
    }
    if (net.isIP(target.hostname)) {
      const why = refusal(this.allow, target.hostname, target.hostname);
      if (why) return failed(`refused: ${why}`);
    }
    return this.attempt(target, headers, body, started, true);
  }

  /** Closes idle kept-alive connections (on stop: nothing is left holding the process open). */
  closeIdle(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private attempt(target: WebhookTarget, headers: Record<string, string>, body: string, started: number, first: boolean) {
    return new Promise<SendResult>((resolve) => {
      const elapsed = () => Math.round(performance.now() - started);
      let settled = false;
      const finish = (result: Omit<SendResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, latencyMs: elapsed() });
      };
      const request = (target.https ? https : http).request({
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
        agent: target.https ? this.agents.https : this.agents.http,
        lookup: this.lookup,
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        Math.max(1, this.timeoutMs - elapsed()),
      );
      request.on('socket', (socket) => {
        // The last word, whatever the path to it: the peer must be an address the guard permits.
        const check = () => {
          const why = socket.remoteAddress ? refusal(this.allow, target.hostname, socket.remoteAddress) : 'no peer address';
          if (why) request.destroy(new RefusedAddressError(`refused: ${why}`));
          else this.checked.add(socket);
        };
        if (socket.connecting) socket.once('connect', check);
        else if (!this.checked.has(socket)) check();
      });
      request.on('response', (response) => {
        let snippet = '';
        let size = 0;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          size += chunk.length;
          if (snippet.length < 300) snippet += chunk.slice(0, 300 - snippet.length);
          if (size > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish({
            ok,
            status: status >= 100 && status <= 599 ? status : null,
            error: ok ? null : clip(`HTTP ${status}${snippet.trim() ? `: ${snippet}` : ''}`),
            retryAfterMs: ok ? null : parseRetryAfter(response.headers['retry-after'], Date.now()),
          });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive connection the receiver closed just as it was reused: once more on a new one
        // (Node's documented pattern); it does not count as an attempt.
        if (first && request.reusedSocket && err.code === 'ECONNRESET') {
          settled = true;
          clearTimeout(timer);
          resolve(this.attempt(target, headers, body, started, false));
          return;
        }
        finish({ ok: false, status: null, error: clip(describe(err)), retryAfterMs: null });
      });
      request.end(body);
    });
  }
}
