import type { DataSource, EntityManager } from 'typeorm';
import { RegistryAction } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { badInput, notFound } from '../../common/errors';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { hydrate, hydratePage, readById } from '../../db/hydrate';
import { keysetCount, keysetPage, SqlParams, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { appendAudit } from '../audit';
import { decodeEventCursor, type EventKind } from '../events';
import type { AccessService } from '../access';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import {
  deliveryBody,
  deliveryHeaders,
  MAX_DESCRIPTION,
  newWebhookSecret,
  normalizeFilter,
  shouldDeliver,
  signingSecrets,
  validateOverlap,
} from './webhook.rules';
import type { WebhookSender } from './webhook.sender';
import { creatorSees, eventAt, insertDelivery, isForeignKeyViolation } from './webhook.store';

export interface CreateWebhookInput {
  url: string;
  filter?: { modelIds?: string[] | null; kinds?: EventKind[] | null } | null;
  description?: string | null;
}

export interface RedeliverInput {
  webhookId: string;
  /** The event, by its cursor (as deliveries and lifecycleEvents carry it)… */
  eventCursor?: string | null;
  /** …or by its sequence number: exactly one of the two. */
  seq?: number | null;
}

/** A webhook with the secret that signs its deliveries: answered once, when the secret is made. */
export interface WebhookWithSecret {
  webhook: WebhookEntity;
  secret: string;
}

/** What the audit trail records of a webhook: everything but its secrets and the worker's claim. */
function audited(webhook: WebhookEntity) {
  const { secret: _secret, previousSecret: _previous, leaseToken: _token, leaseUntil: _until, ...rest } = webhook;
  return rest;
}

const webhookList = (): ListQuery => ({ from: 'webhooks', order: ['x.created_at', 'x.id'], direction: 'DESC' });

function deliveryList(webhookId: string): ListQuery {
  const params = new SqlParams();
  return { from: 'webhook_deliveries', where: [`x.webhook_id = ${params.p(webhookId)}`], params, order: ['x.id'], direction: 'DESC' };
}

/**
 * Webhooks, for ADMINs: created with a URL the SSRF guard accepts and a filter, each change audited in
 * its own transaction (never with a secret in it). The worker (webhook.worker.ts) does the delivering.
 *
 *   const { webhook, secret } = await webhooks.create(admin, { url: 'https://ci.example.com/hooks/modelgraph',
 *     filter: { kinds: [EventKind.STAGE_CHANGED] } });
 */
export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly sender: WebhookSender,
    /** Told after a webhook is created or resumed (the worker, so that it delivers without waiting). */
    private readonly changed: () => void = () => undefined,
  ) {}

  /** A new webhook, starting at the head of the audit log: it receives only what happens after it. */
  async create(caller: Caller, input: CreateWebhookInput): Promise<WebhookWithSecret> {
    this.access.authorizeRegistry(caller, RegistryAction.MANAGE_WEBHOOKS);
    validateText(input.description, 'description', { max: MAX_DESCRIPTION });
    const filter = normalizeFilter(input.filter);
    const target = await this.sender.checkUrl(input.url);
    const secret = newWebhookSecret();
    const created = await this.db.transaction(async (m) => {
      if (filter.modelIds.length) {
        const found = new Set(
          ((await m.query('SELECT id FROM registered_models WHERE id = ANY($1::uuid[])', [filter.modelIds])) as Array<{ id: string }>).map(
            (r) => r.id,
          ),
        );
        const missing = filter.modelIds.find((id) => !found.has(id));
        if (missing) throw badInput('filter.modelIds', `there is no model ${missing}`);
      }
      const [webhook] = await writeReturning(
        m,
        WebhookEntity,
        `INSERT INTO webhooks (url, description, model_ids, kinds, secret, cursor_seq, created_by, created_by_role)
         VALUES ($1, $2, $3::uuid[], $4::text[], $5, (SELECT COALESCE(max(seq), 0) FROM audit_events), $6, $7) RETURNING *`,
        [target.href, input.description ?? '', filter.modelIds, filter.kinds, secret, caller.subject, caller.role],
      );
      await appendAudit(m, caller, {
        action: 'webhook.created',
        subjectType: 'Webhook',
        subjectId: webhook.id,
        payload: { before: null, after: audited(webhook) },
      });
      return { webhook, secret };
    });
    this.changed();
    return created;
  }

  async byId(caller: Caller, id: string): Promise<WebhookEntity | null> {
    this.access.authorizeRegistry(caller, RegistryAction.MANAGE_WEBHOOKS);
    if (!isUuid(id)) return null;
    const [row] = (await this.db.query('SELECT * FROM webhooks WHERE id = $1', [id])) as Array<Record<string, unknown>>;
    return row ? hydrate(this.db.manager, WebhookEntity, row) : null;
  }

  /** Every webhook, newest first. */
  async list(caller: Caller, page: PageArgs): Promise<Page<WebhookEntity>> {
    this.access.authorizeRegistry(caller, RegistryAction.MANAGE_WEBHOOKS);
    return hydratePage(this.db.manager, WebhookEntity, await keysetPage(this.db.manager, webhookList(), page));
  }

  count(): Promise<number> {
    return keysetCount(this.db.manager, webhookList());
  }

  /** The attempts to deliver to a webhook, newest first (a retried event appears once per attempt). */
  async deliveries(caller: Caller, webhookId: string, page: PageArgs): Promise<Page<WebhookDeliveryEntity>> {
    await this.require(caller, this.db.manager, webhookId);
    return hydratePage(this.db.manager, WebhookDeliveryEntity, await keysetPage(this.db.manager, deliveryList(webhookId), page));
  }

  countDeliveries(webhookId: string): Promise<number> {
    return keysetCount(this.db.manager, deliveryList(webhookId));
  }

  /** Delivers again, from its cursor, at once: un-pauses a paused webhook and forgets its failures. */
  async resume(caller: Caller, id: string): Promise<WebhookEntity> {
    const resumed = await this.db.transaction(async (m) => {
      const before = await this.require(caller, m, id, true);
      const [after] = await writeReturning(
        m,
        WebhookEntity,
        `UPDATE webhooks SET status = 'ACTIVE', paused_reason = NULL, consecutive_failures = 0, next_attempt_at = now(),
           updated_at = now(), revision = revision + 1
         WHERE id = $1 RETURNING *`,
        [id],
      );
      await appendAudit(m, caller, {
        action: 'webhook.resumed',
        subjectType: 'Webhook',
        subjectId: id,
        payload: { before: audited(before), after: audited(after) },
      });
      return after;
    });
    this.changed();
    return resumed;
  }

  /**
   * A new signing secret, answered once. For `overlapSeconds` the previous one signs too (each delivery
   * then carries both signatures), so receivers can switch without losing a delivery; a rotation within
   * the overlap drops the older secret at once.
   */
  async rotateSecret(caller: Caller, id: string, overlapSeconds: number): Promise<WebhookWithSecret> {
    validateOverlap(overlapSeconds);
    const secret = newWebhookSecret();
    return this.db.transaction(async (m) => {
      await this.require(caller, m, id, true);
      const [webhook] = await writeReturning(
        m,
        WebhookEntity,
        `UPDATE webhooks SET
           previous_secret = CASE WHEN $3 > 0 THEN secret END,
           previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END,
           secret = $2, updated_at = now(), revision = revision + 1
         WHERE id = $1 RETURNING *`,
        [id, secret, overlapSeconds],
      );
      await appendAudit(m, caller, {
        action: 'webhook.secret_rotated',
        subjectType: 'Webhook',
        subjectId: id,
        payload: { overlapSeconds, previousSecretExpiresAt: webhook.previousSecretExpiresAt, revision: webhook.revision },
      });
      return { webhook, secret };
    });
  }

  /** Deletes a webhook and its delivery history (the audit trail keeps what it was); answers it as it was. */
  async remove(caller: Caller, id: string): Promise<WebhookEntity> {
    return this.db.transaction(async (m) => {
      const before = await this.require(caller, m, id, true);
      await m.query('DELETE FROM webhooks WHERE id = $1', [id]);
      await appendAudit(m, caller, {
        action: 'webhook.deleted',
        subjectType: 'Webhook',
        subjectId: id,
        payload: { before: audited(before), after: null },
      });
      return before;
    });
  }

  /**
   * Sends one event to a webhook again, now, whatever its cursor or status (a paused webhook too: a way
   * to check a fixed receiver), and records the attempt. The event must be one its filter wants. The
   * answer is the recorded attempt, failed or not.
   */
  async redeliver(caller: Caller, input: RedeliverInput): Promise<WebhookDeliveryEntity> {
    const seq = eventSeq(input);
    const webhook = await this.require(caller, this.db.manager, input.webhookId);
    const event = await eventAt(this.db.manager, seq);
    if (!event) throw notFound('event', String(seq));
    if (!shouldDeliver(webhook, event)) {
      throw badInput(input.eventCursor ? 'eventCursor' : 'seq', `event ${seq} is not one this webhook's filter wants`);
    }
    // Nor what its creator may not see: a webhook receives only that (creatorSees in webhook.store.ts), redelivered or not.
    if (!(await creatorSees(this.access, webhook, [event]))(event)) {
      throw badInput(input.eventCursor ? 'eventCursor' : 'seq', `event ${seq} is not one this webhook's creator may see`);
    }
    const body = deliveryBody(event);
    const now = Date.now();
    const result = await this.sender.send(webhook.url, deliveryHeaders(signingSecrets(webhook, now), event.id, body, now), body);
    return this.db.transaction(async (m) => {
      let delivery: WebhookDeliveryEntity;
      try {
        delivery = await insertDelivery(m, { webhookId: webhook.id, event, redelivery: true, attemptedAt: new Date(now), ...result });
      } catch (err) {
        if (isForeignKeyViolation(err)) throw notFound('webhook', webhook.id); // deleted while we were sending
        throw err;
      }
      await appendAudit(m, caller, {
        action: 'webhook.redelivered',
        subjectType: 'Webhook',
        subjectId: webhook.id,
        payload: { eventSeq: seq, eventId: event.id, status: delivery.status, responseStatus: delivery.responseStatus },
      });
      return delivery;
    });
  }

  /** The webhook, or NOT_FOUND; `lock`: FOR UPDATE, in the caller's transaction. */
  private async require(caller: Caller, m: EntityManager, id: string, lock = false): Promise<WebhookEntity> {
    this.access.authorizeRegistry(caller, RegistryAction.MANAGE_WEBHOOKS);
    return readById(m, WebhookEntity, id, 'webhook', lock ? 'FOR UPDATE' : '');
  }
}

/** The sequence number a redelivery names, by cursor or by number (exactly one). */
function eventSeq(input: RedeliverInput): number {
  const byCursor = input.eventCursor !== undefined && input.eventCursor !== null;
  const bySeq = input.seq !== undefined && input.seq !== null;
  if (byCursor === bySeq) throw badInput('eventCursor', 'give exactly one of eventCursor and seq');
  if (byCursor) {
    const seq = decodeEventCursor(input.eventCursor as string);
    if (seq === null) throw badInput('eventCursor', 'is not an event cursor');
    return seq;
  }
  const seq = input.seq as number;
  if (!Number.isSafeInteger(seq) || seq < 1) throw badInput('seq', 'must be an event sequence number, from 1');
  return seq;
}
