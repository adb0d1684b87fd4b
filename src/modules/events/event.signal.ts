import Redis from 'ioredis';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { Notices } from '../../common/settings';

/**
 * Tells an instance that events were committed, on any instance. Only a nudge: the dispatcher then reads
 * what is new from the audit log, so a lost or merged signal costs at most a poll interval, never an event.
 */
export interface EventSignal {
  start(onSignal: () => void): Promise<void>;
  stop(): Promise<void>;
}

interface PgClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification' | 'error', listener: (...args: unknown[]) => void): void;
  removeAllListeners(event?: string): void;
}

/** The default: LISTEN on the channel the audit log's trigger NOTIFYs, over one connection of the pool. */
export class PostgresSignal implements EventSignal {
  private client: PgClient | null = null;
  private release: ((err?: unknown) => void) | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly db: DataSource) {}

  async start(onSignal: () => void): Promise<void> {
    this.stopped = false;
    const driver = this.db.driver as unknown as { obtainMasterConnection(): Promise<[PgClient, (err?: unknown) => void]> };
    const [client, release] = await driver.obtainMasterConnection();
    this.client = client;
    this.release = release;
    client.on('notification', () => onSignal());
    // A dropped connection: hand it back broken and listen again on a fresh one; the poll covers the gap.
    client.on('error', (err) => {
      this.drop(err);
      if (!this.stopped) this.retry = setTimeout(() => void this.start(onSignal).catch(() => undefined), 1000);
    });
    await client.query('LISTEN modelgraph_events');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.client) await this.client.query('UNLISTEN *').catch(() => undefined);
    this.drop();
  }

  private drop(err?: unknown): void {
    this.client?.removeAllListeners('notification');
    this.release?.(err);
    this.client = null;
    this.release = null;
  }
}

/**
 * With REDIS_URL: every instance publishes on the channel after each transaction it commits, and every
 * instance subscribes to it. Redis away (down, restarting, unreachable) costs only speed: the dispatcher's
 * per-second read of the log still finds every event, and ioredis reconnects by itself. The outage and the
 * recovery are reported once each, not once per failed publish or reconnection attempt.
 */
export class RedisSignal implements EventSignal {
  private subscriber: Redis | null = null;
  private publisher: Redis | null = null;
  private away = false;
  private readonly afterCommit: EntitySubscriberInterface = {
    afterTransactionCommit: () => void this.publisher?.publish(this.channel, 'commit').catch(() => undefined),
  };

  constructor(
    private readonly db: DataSource,
    private readonly url: string,
    private readonly channel: string,
    private readonly notices?: Notices,
  ) {}

  private readonly lost = (err: unknown): void => {
    if (this.away) return;
    this.away = true;
    this.notices?.warn({ err }, 'Redis is unreachable: events still reach subscribers, by the per-second read of the audit log');
  };

  private readonly found = (): void => {
    if (!this.away) return;
    this.away = false;
    this.notices?.info({}, 'Redis is back: events are signalled through it again');
  };

  async start(onSignal: () => void): Promise<void> {
    this.away = false;
    this.publisher = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(this.url, { lazyConnect: true });
    for (const connection of [this.publisher, this.subscriber]) connection.on('error', this.lost).on('ready', this.found);
    this.subscriber.on('message', () => onSignal());
    this.db.subscribers.push(this.afterCommit);
    // Redis away at start-up is an outage like any other: the instance starts, ioredis keeps trying.
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]).catch(this.lost);
    // Subscribed once connected (ioredis sends it when it connects, and again after each reconnection).
    void this.subscriber.subscribe(this.channel).catch(this.lost);
  }

  async stop(): Promise<void> {
    const at = this.db.subscribers.indexOf(this.afterCommit);
    if (at >= 0) this.db.subscribers.splice(at, 1);
    await Promise.all([this.subscriber?.quit().catch(() => undefined), this.publisher?.quit().catch(() => undefined)]);
    this.subscriber = null;
    this.publisher = null;
  }
}
