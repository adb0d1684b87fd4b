import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { DomainError, ErrorCode } from '../../common/errors';
import type { BackgroundJob } from '../../common/module';
import { visibilityKey } from '../../common/visibility';
import { SqlParams } from '../../db/pagination';
import type { AccessService } from '../access';
import { COMMITTED_EVENT_COLUMNS, toCommittedEvent, type CommittedEvent } from '../audit';
import { encodeEventCursor, eventMatcher, kindOf, type EventFilter, type EventKind } from './event.rules';
import type { EventSignal } from './event.signal';

/** A committed audit event, as every subscriber receives it (read once, shared by all): with its cursor and kind. */
export interface EventEnvelope extends CommittedEvent {
  cursor: string;
  kind: EventKind;
}

/** Events read per statement, when catching up or replaying. */
const BATCH = 500;
/** A subscriber that falls this far behind is ended: it resumes with its last cursor. */
const MAX_QUEUE = 10_000;
/** Signals can be lost (a dropped connection): the log is read at least this often anyway. */
const POLL_MS = 1000;
/** Subscribers served per turn of the event loop (see deliver). */
const DELIVERY_CHUNK = 500;

/** A row (COMMITTED_EVENT_COLUMNS) as subscribers receive it. */
function envelope(row: Record<string, unknown>): EventEnvelope {
  const event = toCommittedEvent(row);
  return { ...event, cursor: encodeEventCursor(event.seq), kind: kindOf(event.action) };
}

/** One subscription's queue: live events wait here until the client takes them. */
class Subscriber {
  private readonly queue: EventEnvelope[] = [];
  private waiting: { resolve(event: EventEnvelope | null): void; reject(err: Error): void } | null = null;
  private ended: Error | null | undefined = undefined;
  /** The filter compiled once: every event of a batch is matched against every subscriber. */
  readonly matches: (event: EventEnvelope) => boolean;
  /** What decides which events it may see (visibilityKey): subscribers with the same one share a lookup. */
  readonly visibility: string;

  constructor(
    readonly caller: Caller,
    readonly filter: EventFilter,
  ) {
    this.matches = eventMatcher(filter);
    this.visibility = visibilityKey(caller);
  }

  push(event: EventEnvelope): void {
    if (this.ended !== undefined) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(event);
      return;
    }
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUE) {
      this.end(
        new DomainError(ErrorCode.CONFLICT, `the subscriber fell ${MAX_QUEUE} events behind: subscribe again with your last cursor`),
      );
    }
  }

  /** The next event; null when the subscription ended; throws when it ended with an error. */
  next(): Promise<EventEnvelope | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    if (this.ended === null) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  end(error: Error | null = null): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    if (error) this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting && error) waiting.reject(error);
    else waiting?.resolve(null);
  }
}

/**
 * Publishes every committed audit event to the subscribers of this instance, in sequence order. The audit
 * log is the outbox: sequence numbers are gap-free and committed in order, so reading `seq > last` after
 * each signal misses nothing and repeats nothing. Each event is read once and shared by every subscriber;
 * who may see it is decided with the access module's rule, once per batch and visibilityKey (role and subject).
 */
export class EventDispatcher implements BackgroundJob {
  readonly name = 'events';
  private last = 0;
  private readonly subscribers = new Set<Subscriber>();
  private running: Promise<void> | null = null;
  private again = false;
  private poll: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly signal: EventSignal,
  ) {}

  async start(): Promise<void> {
    const [{ head }] = await this.db.query('SELECT COALESCE(max(seq), 0) AS head FROM audit_events');
    this.last = Number(head);
    await this.signal.start(() => this.wake());
    this.poll = setInterval(() => this.wake(), POLL_MS);
    this.poll.unref();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.poll) clearInterval(this.poll);
    await this.signal.stop();
    await this.running;
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  /**
   * Whether this instance publishes events: from start() (once the server serves and has migrated) to stop().
   * Until then the websocket transport refuses sockets with 1013 (try again later).
   */
  get publishing(): boolean {
    return this.started;
  }

  /** How many subscriptions this instance serves. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * The events the caller may see that match the filter: with `after` (a sequence number), first every one
   * committed after it, read from the audit log, then live; without, live from now. No gap and no duplicate
   * at the seam: live events are queued from the start, and those the replay already gave are skipped.
   *
   * Ending it (`return()`, as graphql-ws does when the socket closes or the client completes) ends the
   * subscription at once. An async generator waiting inside (here: for the next live event) only queues a
   * `return()` until its next `yield`, so without this a closed subscription whose filter matched nothing
   * more stayed registered, with everything its socket held, until a matching event came — possibly never.
   */
  stream(caller: Caller, filter: EventFilter, after: number | null): AsyncGenerator<EventEnvelope> {
    const subscriber = new Subscriber(caller, filter);
    const events = this.events(subscriber, after);
    const finish = events.return.bind(events);
    events.return = (value) => {
      subscriber.end(); // the pending next() answers null: the generator returns and unregisters the subscriber
      return finish(value);
    };
    return events;
  }

  private async *events(subscriber: Subscriber, after: number | null): AsyncGenerator<EventEnvelope> {
    if (!this.started) throw new DomainError(ErrorCode.CONFLICT, 'events are not being published on this instance');
    const { caller, filter } = subscriber;
    this.subscribers.add(subscriber);
    try {
      // Live means what commits from now: what committed before (and this instance has yet to publish) is skipped.
      let last = after ?? Number((await this.db.query('SELECT COALESCE(max(seq), 0) AS head FROM audit_events'))[0].head);
      if (after !== null) {
        for (;;) {
          const page = await this.replay(caller, filter, last);
          for (const event of page.events) yield event;
          last = page.last;
          if (page.done) break;
        }
      }
      for (;;) {
        const event = await subscriber.next();
        if (!event) return;
        if (event.seq <= last) continue;
        last = event.seq;
        yield event;
      }
    } finally {
      subscriber.end();
      this.subscribers.delete(subscriber);
    }
  }

  private wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch(() => undefined) // the next signal or poll reads again from where it stopped
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = (await this.db.query(`SELECT ${COMMITTED_EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        this.last,
        BATCH,
      ])) as Array<Record<string, unknown>>;
      if (rows.length === 0) return;
      const events = rows.map(envelope);
      if (this.subscribers.size) await this.deliver(events);
      this.last = events[events.length - 1].seq;
      if (rows.length < BATCH) return;
    }
  }

  private async deliver(events: EventEnvelope[]): Promise<void> {
    const modelIds = [...new Set(events.map((e) => e.modelId).filter((id): id is string => id !== null))];
    // The subscribers as they are now: one that subscribes from here on asked for the head of the log after
    // these events committed, so it skips them anyway; one that leaves ignores what it is still given.
    const subscribers = [...this.subscribers];
    // Who sees which models: asked once per batch for each role and subject (see visibilityKey: one subject may
    // hold an ADMIN and a VIEWER token, which see different models), only where visibility is restricted.
    const visibleTo = new Map<string, Set<string> | 'all'>();
    for (const subscriber of subscribers) {
      const key = subscriber.visibility;
      if (visibleTo.has(key)) continue;
      visibleTo.set(
        key,
        this.access.seesEverything(subscriber.caller) ? 'all' : await this.access.visibleAmong(subscriber.caller, modelIds),
      );
    }
    // Each subscriber given an event runs its whole delivery (execution, serialisation, the socket write) in
    // the microtasks that follow, about 50-100 µs each: thousands at once would hold the event loop for
    // hundreds of milliseconds, with every HTTP request and database answer waiting, the transactions that
    // commit the next events (and hold the audit lock) included. So they are served DELIVERY_CHUNK at a
    // time, with the event loop's I/O between chunks; each subscriber still gets the events in order.
    for (let i = 0; i < subscribers.length; i += 1) {
      if (i > 0 && i % DELIVERY_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
      const subscriber = subscribers[i];
      const visible = visibleTo.get(subscriber.visibility) as Set<string> | 'all';
      for (const event of events) {
        const seen = visible === 'all' || (event.modelId !== null && visible.has(event.modelId));
        if (seen && subscriber.matches(event)) subscriber.push(event);
      }
    }
  }

  /** One page of the events after `after` that the caller may see and the filter wants. */
  private async replay(
    caller: Caller,
    filter: EventFilter,
    after: number,
  ): Promise<{ events: EventEnvelope[]; last: number; done: boolean }> {
    const params = new SqlParams();
    const where = [`x.seq > ${params.p(after)}`];
    if (filter.modelIds?.length) where.push(`x.model_id = ANY(${params.p(filter.modelIds.map((id) => id.toLowerCase()))}::uuid[])`);
    if (!this.access.seesEverything(caller)) {
      where.push(`x.model_id IS NOT NULL AND ${this.access.visibleModels(caller, 'x.model_id', params) ?? 'true'}`);
    }
    const rows = (await this.db.query(
      `SELECT ${COMMITTED_EVENT_COLUMNS} FROM audit_events x WHERE ${where.join(' AND ')} ORDER BY x.seq LIMIT ${params.p(BATCH)}`,
      params.values,
    )) as Array<Record<string, unknown>>;
    const events = rows.map(envelope);
    return {
      events: events.filter(eventMatcher(filter)),
      last: events.length ? events[events.length - 1].seq : after,
      done: rows.length < BATCH,
    };
  }
}
