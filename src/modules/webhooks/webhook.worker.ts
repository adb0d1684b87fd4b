import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import type { BackgroundJob } from '../../common/module';
import { Role } from '../../common/role';
import { isDatabaseUnavailable } from '../../db/pg-errors';
import { appendAudit, type CommittedEvent } from '../audit';
import type { WebhookEntity } from './webhook.entity';
import {
  deliveryBody,
  deliveryHeaders,
  nextAttemptDelayMs,
  pauseReason,
  shouldDeliver,
  shouldPause,
  signingSecrets,
  type RetryPolicy,
} from './webhook.rules';
import type { WebhookSender } from './webhook.sender';
import {
  anyActiveWebhook,
  claimDue,
  creatorSees,
  eventsAfter,
  isForeignKeyViolation,
  pruneDeliveries,
  recordFailure,
  recordRun,
  type Attempt,
  type CreatorVisibility,
} from './webhook.store';

/** How the worker runs; the module fills it from settings (see webhookTuning in webhooks.module.ts). */
export interface WorkerTuning {
  /** How often an idle worker looks for due webhooks. */
  pollMs: number;
  /** Webhooks delivered to in parallel by one instance. */
  concurrency: number;
  /** Events read per claim of one webhook, delivered in order before it is released. */
  batchSize: number;
  retry: RetryPolicy;
  /** Consecutive failures that pause a webhook; 0: never. */
  maxFailures: number;
  /** How long a claim holds without news from its worker: one delivery's timeout and a margin. */
  leaseMs: number;
  /** Attempts older than this many days are deleted. */
  retentionDays: number;
}

const PRUNE_EVERY_MS = 3600_000;
/**
 * How often the worker looks whether there is any active webhook at all. Only while there is does it poll
 * for due ones every `pollMs`: a registry without webhooks (most test servers, many deployments) then
 * costs one statement every few seconds, not several a second. A webhook created or resumed on this
 * instance wakes it at once; one created on another instance is found within this time.
 */
const ACTIVE_CHECK_MS = 5000;
/** How often a long run records what it delivered (and renews its claim). */
const FLUSH_MS = 1000;

/**
 * Delivers webhooks, on every instance. It claims due webhooks (FOR UPDATE SKIP LOCKED, then a lease),
 * reads the events after each one's cursor, and delivers those its filter wants, in order, one at a
 * time per webhook and several webhooks at once. A 2xx moves the cursor; anything else is recorded,
 * retried after a backoff (or the receiver's Retry-After), and after `maxFailures` in a row pauses the
 * webhook. Everything lives in the database: after a restart, deliveries go on from each cursor.
 *
 * Delivery is at least once: an instance that dies between a receiver's 2xx and recording it leaves the
 * lease to expire, and the event is sent again; receivers deduplicate on webhook-id.
 *
 *   const worker = new WebhookWorker(db, sender, tuning, access);
 *   await worker.start(); // … worker.wake() when events are known to have committed … await worker.stop();
 */
export class WebhookWorker implements BackgroundJob {
  readonly name = 'webhooks';
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private woken = false;
  private wakeLoop: (() => void) | null = null;
  private prunedAt = 0;
  private anyActive = false;
  private checkedAt = 0;
  /**
   * Runs the database cut off before they could record what they delivered and release their claim: recorded and
   * released as soon as it is back, before anything is claimed, so deliveries go on then rather than when the
   * lease lapses (40 s by default), and nothing delivered is sent again.
   */
  private unsettled: Array<() => Promise<unknown>> = [];
  /** The last error the worker met (say, the database went away); it carries on, and the next poll tries again. */
  lastError: unknown = null;

  constructor(
    private readonly db: DataSource,
    private readonly sender: WebhookSender,
    private readonly tuning: WorkerTuning,
    /** The access module's rule: a webhook receives only what its creator may see. */
    private readonly access: CreatorVisibility,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops claiming; each webhook being delivered to finishes the delivery in flight (bounded by the
   * timeout), records it and releases its claim, so another instance, or this one restarted, goes on
   * from its cursor at once.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
    await Promise.all([...this.inFlight]);
    this.sender.closeIdle();
  }

  /** Looks for due webhooks now rather than at the next poll: for a signal that events have committed. */
  wake(): void {
    this.woken = true;
    this.wakeLoop?.();
  }

  /** A webhook was created or resumed: look again whether any is active, and for due ones, now. */
  webhooksChanged(): void {
    this.checkedAt = 0;
    this.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let full = false;
      const free = this.tuning.concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          if (Date.now() - this.checkedAt >= ACTIVE_CHECK_MS) {
            this.anyActive = await anyActiveWebhook(this.db.manager);
            this.checkedAt = Date.now();
          }
          if (!this.anyActive) {
            await this.prune();
            await this.idle(this.tuning.pollMs);
            continue;
          }
          await this.settle();
          const claimed = await claimDue(this.db.manager, randomUUID(), free, this.tuning.leaseMs);
          full = claimed.length === free;
          // Even when stopping meanwhile: each claim is then released at once, untouched.
          this.dispatch(claimed);
          await this.prune();
        } catch (err) {
          this.lastError = err;
        }
      }
      if (!this.running) break;
      // All slots taken: wait for one to free up (a finishing delivery wakes the loop); else for the next poll.
      await this.idle(full ? 10 * this.tuning.pollMs : this.tuning.pollMs);
    }
  }

  private async settle(): Promise<void> {
    while (this.unsettled.length) {
      try {
        await this.unsettled[0]();
      } catch (err) {
        if (isDatabaseUnavailable(err)) throw err; // still away: the next poll tries again
        this.lastError = err; // the webhook was deleted meanwhile, say: nothing left to settle
      }
      this.unsettled.shift();
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeLoop = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeLoop = done;
    });
  }

  /** Starts a delivery run per claimed webhook; webhooks at the same cursor share one read of the log. */
  private dispatch(claimed: WebhookEntity[]): void {
    const reads = new Map<string, Promise<CommittedEvent[]>>();
    for (const webhook of claimed) {
      let events = reads.get(webhook.cursorSeq);
      if (!events) {
        events = eventsAfter(this.db.manager, Number(webhook.cursorSeq), this.tuning.batchSize);
        events.catch(() => undefined); // observed by each run below
        reads.set(webhook.cursorSeq, events);
      }
      const run: Promise<void> = this.deliverRun(webhook, events)
        .catch((err) => {
          // A webhook deleted mid-run is simply done; anything else lets its claim lapse, and it is retried.
          if (!isForeignKeyViolation(err)) this.lastError = err;
        })
        .finally(() => {
          this.inFlight.delete(run);
          this.wake();
        });
      this.inFlight.add(run);
    }
  }

  /**
   * Delivers the claimed webhook's next events in order, until one fails, the batch ends or the worker
   * stops. Deliveries are recorded together (with the cursor) when the run ends, when one fails, and at
   * least every FLUSH_MS meanwhile (which also renews the claim): one statement for many deliveries. An
   * instance that dies mid-run sends at most that much again.
   */
  private async deliverRun(claimed: WebhookEntity, read: Promise<CommittedEvent[]>): Promise<void> {
    const token = claimed.leaseToken as string;
    let webhook = claimed;
    // The last event this webhook is past: delivered, or not one its filter wants.
    let passed = Number(claimed.cursorSeq);
    let delivered: Attempt[] = [];
    let flushedAt = Date.now();
    const record = async (release: boolean) => {
      const fresh = await recordRun(
        this.db.manager,
        token,
        { webhookId: webhook.id, delivered, passedSeq: passed, release },
        this.tuning.leaseMs,
      );
      delivered = [];
      flushedAt = Date.now();
      return fresh;
    };
    try {
      const events = await read;
      const filtered = events.filter((event) => shouldDeliver(webhook, event));
      const visible = await creatorSees(this.access, webhook, filtered);
      for (const event of events) {
        if (!this.running) break;
        // What the filter does not want, or what the webhook's creator may not see, it passes over.
        if (!shouldDeliver(webhook, event) || !visible(event)) {
          passed = event.seq;
          continue;
        }
        const body = bodyOf(event);
        const now = Date.now();
        const result = await this.sender.send(webhook.url, deliveryHeaders(signingSecrets(webhook, now), event.id, body, now), body);
        const attempt: Attempt = { webhookId: webhook.id, event, redelivery: false, attemptedAt: new Date(now), ...result };
        if (!result.ok) {
          await this.recordFailure(webhook, token, delivered, attempt, passed, result.retryAfterMs);
          return;
        }
        delivered.push(attempt);
        passed = event.seq;
        if (Date.now() - flushedAt >= FLUSH_MS) {
          const fresh = await record(false);
          if (!fresh) return; // its claim lapsed and another worker has it
          webhook = fresh;
        }
      }
      await record(true);
    } catch (err) {
      // The database went away mid-run: what was delivered is recorded and the claim released once it is back.
      if (isDatabaseUnavailable(err)) this.unsettled.push(() => record(true));
      else await record(true);
      throw err;
    }
  }

  /**
   * Records what the run delivered and the failed attempt, and schedules the retry, in one transaction;
   * a webhook that reaches maxFailures pauses, audited.
   */
  private async recordFailure(
    webhook: WebhookEntity,
    token: string,
    delivered: Attempt[],
    attempt: Attempt,
    passed: number,
    retryAfterMs: number | null,
  ): Promise<void> {
    // Deliveries earlier in this run reset the count: this failure is then the first in a row.
    const failures = (delivered.length ? 0 : webhook.consecutiveFailures) + 1;
    const delayMs = nextAttemptDelayMs(failures, this.tuning.retry, retryAfterMs);
    const pausedReason = shouldPause(failures, this.tuning.maxFailures) ? pauseReason(failures, attempt.error) : null;
    await this.db.transaction(async (m) => {
      if (delivered.length)
        await recordRun(m, token, { webhookId: webhook.id, delivered, passedSeq: passed, release: false }, this.tuning.leaseMs);
      const after = await recordFailure(m, token, attempt, { passedSeq: passed, delayMs, pausedReason });
      if (after && pausedReason) {
        await appendAudit(m, workerCaller(token), {
          action: 'webhook.paused',
          subjectType: 'Webhook',
          subjectId: webhook.id,
          payload: { reason: after.pausedReason, consecutiveFailures: after.consecutiveFailures, eventSeq: attempt.event.seq },
        });
      }
    });
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = Date.now();
    await pruneDeliveries(this.db.manager, this.tuning.retentionDays);
  }
}

/** Who pauses a webhook: the system, under the claim's token as its request id. */
function workerCaller(token: string): Caller {
  return { tokenId: 'system', subject: 'system', role: Role.ADMIN, requestId: `webhook-worker:${token}` };
}

/** Webhooks at the same cursor share the event objects of one read, so each body is serialised once. */
const bodies = new WeakMap<CommittedEvent, string>();
function bodyOf(event: CommittedEvent): string {
  let body = bodies.get(event);
  if (body === undefined) bodies.set(event, (body = deliveryBody(event)));
  return body;
}
