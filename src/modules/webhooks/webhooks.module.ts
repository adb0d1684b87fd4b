import { defineModule } from '../../common/module';
import type { AccessService } from '../access';
import type { Settings } from '../../common/settings';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { WebhookDeliveryFields, WebhookResolver } from './webhook.resolver';
import { parseAllowList } from './webhook.rules';
import { WebhookSender } from './webhook.sender';
import { WebhookService } from './webhook.service';
import { WebhookWorker, type WorkerTuning } from './webhook.worker';

/**
 * settings.webhooks as start-up reads it (allow-list, maxFailures, timeout), and timings the environment
 * does not set: tests shorten them, the benchmark may widen them.
 */
export interface WebhookSettings extends NonNullable<Settings['webhooks']> {
  /** First retry delay (default 5 s); it doubles with each consecutive failure… */
  retryBaseMs?: number;
  /** …up to this (default 1 hour). */
  retryMaxMs?: number;
  /** How often an idle worker looks for due webhooks (default 250 ms). */
  pollMs?: number;
  /** Webhooks delivered to in parallel per instance (default 64). */
  concurrency?: number;
  /** Events per claim of one webhook (default 100). */
  batchSize?: number;
  /** Attempts kept for this many days (default 30). */
  retentionDays?: number;
}

const DEFAULTS = { allowedHosts: [] as string[], maxFailures: 20, timeoutMs: 10_000 };

/** The worker's tuning from the settings, with the defaults filled in. */
export function webhookTuning(settings: WebhookSettings): WorkerTuning {
  return {
    pollMs: settings.pollMs ?? 250,
    concurrency: settings.concurrency ?? 64,
    batchSize: settings.batchSize ?? 100,
    retry: { baseMs: settings.retryBaseMs ?? 5000, maxMs: settings.retryMaxMs ?? 3_600_000 },
    maxFailures: settings.maxFailures,
    // A claim outlives one delivery's timeout: a worker renews it with every delivery it records.
    leaseMs: settings.timeoutMs + 30_000,
    retentionDays: settings.retentionDays ?? 30,
  };
}

/** Webhooks: lifecycle events POSTed to URLs, signed (Standard Webhooks), in order, at least once. */
export const webhooksModule = defineModule({
  name: 'webhooks',
  entities: [WebhookEntity, WebhookDeliveryEntity],
  resolvers: [WebhookResolver, WebhookDeliveryFields],
  services: (db, { access }: { access: AccessService }, settings) => {
    const options: WebhookSettings = { ...DEFAULTS, ...settings.webhooks };
    const sender = new WebhookSender(parseAllowList(options.allowedHosts), options.timeoutMs);
    // The worker is a service too: an events signal can wake it, and tests can stop it.
    const webhookWorker = new WebhookWorker(db, sender, webhookTuning(options), access);
    return { webhooks: new WebhookService(db, access, sender, () => webhookWorker.webhooksChanged()), webhookWorker };
  },
  jobs: ({ webhookWorker }) => [webhookWorker],
});
