// The SQL the webhook service and the worker share: claims, the events after a cursor, what an attempt writes,
// and which events a webhook's creator may see. The worker's statements run outside transactions (one statement each) unless noted.
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import type { Role } from '../../common/role';
import { hydrate } from '../../db/hydrate';
import type { AccessService } from '../access';
import { COMMITTED_EVENT_COLUMNS, toCommittedEvent, type CommittedEvent } from '../audit';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';

/** pg answers UPDATE and DELETE with [rows, count] and other statements with rows: the rows, either way. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  const array = result as unknown[];
  return (Array.isArray(array[0]) ? array[0] : array) as Array<Record<string, unknown>>;
}

/** The row an attempt names is gone (its webhook was deleted meanwhile). */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return (e?.driverError?.code ?? e?.code) === '23503';
}

/**
 * Claims up to `limit` webhooks that are due (active, past their backoff, not leased, with events after
 * their cursor) for the worker holding `token`, until `leaseMs` from now. FOR UPDATE SKIP LOCKED: two
 * instances claiming at once take different webhooks instead of waiting for each other; the lease then
 * keeps them apart while deliveries run, without a transaction held open across HTTP calls.
 */
export async function claimDue(m: EntityManager, token: string, limit: number, leaseMs: number): Promise<WebhookEntity[]> {
  const rows = rowsOf(
    await m.query(
      `WITH due AS (
       SELECT id FROM webhooks
       WHERE status = 'ACTIVE' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
         AND cursor_seq < (SELECT COALESCE(max(seq), 0) FROM audit_events)
       ORDER BY next_attempt_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE webhooks w SET lease_token = $1, lease_until = now() + make_interval(secs => $3)
     FROM due WHERE w.id = due.id
     RETURNING w.*`,
      [token, limit, leaseMs / 1000],
    ),
  );
  return rows.map((row) => hydrate(m, WebhookEntity, row));
}

export async function anyActiveWebhook(m: EntityManager): Promise<boolean> {
  const [{ active }] = (await m.query(`SELECT EXISTS (SELECT 1 FROM webhooks WHERE status = 'ACTIVE') AS active`)) as Array<{
    active: boolean;
  }>;
  return active;
}

/** The next `limit` events after `seq`, in order. The log commits in sequence order, so none is skipped. */
export async function eventsAfter(m: EntityManager, seq: number, limit: number): Promise<CommittedEvent[]> {
  const rows = (await m.query(`SELECT ${COMMITTED_EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [
    seq,
    limit,
  ])) as Array<Record<string, unknown>>;
  return rows.map(toCommittedEvent);
}

export async function eventAt(m: EntityManager, seq: number): Promise<CommittedEvent | null> {
  const [row] = (await m.query(`SELECT ${COMMITTED_EVENT_COLUMNS} FROM audit_events WHERE seq = $1`, [seq])) as Array<
    Record<string, unknown>
  >;
  return row ? toCommittedEvent(row) : null;
}

/** What one attempt produced, as recorded. */
export interface Attempt {
  webhookId: string;
  event: CommittedEvent;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  redelivery: boolean;
  /** When it was sent: a run records its deliveries later, together. */
  attemptedAt: Date;
}

/** The INSERT of an attempt, numbered after the earlier attempts at the same event: $1–$9. */
const INSERT_ATTEMPT = `
  INSERT INTO webhook_deliveries (webhook_id, event_seq, event_id, attempt, redelivery, status, response_status, latency_ms, error, attempted_at)
  SELECT $1::uuid, $2::bigint, $3::uuid, count(*) + 1, $4::boolean, $5::text, $6::int, $7::int, $8::text, $9::timestamptz
  FROM webhook_deliveries WHERE webhook_id = $1 AND event_seq = $2`;

function attemptParams(a: Attempt): unknown[] {
  const status = a.ok ? 'SUCCEEDED' : 'FAILED';
  return [a.webhookId, a.event.seq, a.event.id, a.redelivery, status, a.status, a.latencyMs, a.ok ? null : a.error, a.attemptedAt];
}

/** Records a redelivery (or any attempt outside the worker's lease), in the caller's transaction. */
export async function insertDelivery(m: EntityManager, attempt: Attempt): Promise<WebhookDeliveryEntity> {
  const [row] = rowsOf(await m.query(`${INSERT_ATTEMPT} RETURNING *`, attemptParams(attempt)));
  return hydrate(m, WebhookDeliveryEntity, row);
}

/**
 * What a worker's run got through, in one statement: records the delivered events (one attempt each),
 * moves the cursor past `passedSeq`, clears the failure count if anything was delivered, and either
 * renews the claim (`release` false: the run goes on) or releases it, due again at once (more may be
 * waiting). Answers the webhook as it now is (its secrets may have been rotated meanwhile), or null when
 * the claim is no longer this worker's (another instance took over after it lapsed).
 */
export async function recordRun(
  m: EntityManager,
  token: string,
  run: { webhookId: string; delivered: Attempt[]; passedSeq: number; release: boolean },
  leaseMs: number,
): Promise<WebhookEntity | null> {
  const { delivered } = run;
  const [row] = rowsOf(
    await m.query(
      `WITH attempts AS (
         INSERT INTO webhook_deliveries (webhook_id, event_seq, event_id, attempt, redelivery, status, response_status, latency_ms, attempted_at)
         SELECT $1::uuid, a.seq, a.id,
           (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = $1::uuid AND d.event_seq = a.seq) + 1,
           false, 'SUCCEEDED', a.status, a.latency, a.at
         FROM unnest($2::bigint[], $3::uuid[], $4::int[], $5::int[], $11::timestamptz[]) AS a(seq, id, status, latency, at))
       UPDATE webhooks SET cursor_seq = GREATEST(cursor_seq, $6::bigint),
         consecutive_failures = CASE WHEN $7::boolean THEN 0 ELSE consecutive_failures END,
         last_success_at = CASE WHEN $7::boolean THEN now() ELSE last_success_at END,
         lease_token = CASE WHEN $9::boolean THEN NULL ELSE lease_token END,
         lease_until = CASE WHEN $9::boolean THEN NULL ELSE now() + make_interval(secs => $10::float8) END,
         next_attempt_at = CASE WHEN $9::boolean THEN now() ELSE next_attempt_at END
       WHERE id = $1::uuid AND lease_token = $8::uuid
       RETURNING *`,
      [
        run.webhookId,
        delivered.map((a) => a.event.seq),
        delivered.map((a) => a.event.id),
        delivered.map((a) => a.status),
        delivered.map((a) => a.latencyMs),
        run.passedSeq,
        delivered.length > 0,
        token,
        run.release,
        leaseMs / 1000,
        delivered.map((a) => a.attemptedAt),
      ],
    ),
  );
  return row ? hydrate(m, WebhookEntity, row) : null;
}

/**
 * A failed attempt, in the caller's transaction: records it, moves the cursor to `passedSeq` (events
 * skipped before the failed one need no second look), counts the failure, schedules the retry after
 * `delayMs`, releases the claim, and pauses the webhook with `pausedReason` when one is given. Answers
 * the webhook as it now is, or null when the claim is no longer this worker's.
 */
export async function recordFailure(
  m: EntityManager,
  token: string,
  attempt: Attempt,
  next: { passedSeq: number; delayMs: number; pausedReason: string | null },
): Promise<WebhookEntity | null> {
  const [row] = rowsOf(
    await m.query(
      `WITH attempt AS (${INSERT_ATTEMPT})
       UPDATE webhooks SET cursor_seq = GREATEST(cursor_seq, $10::bigint), consecutive_failures = consecutive_failures + 1,
         last_failure_at = now(), last_error = $8, next_attempt_at = now() + make_interval(secs => $12::float8),
         lease_token = NULL, lease_until = NULL,
         status = CASE WHEN $13::text IS NULL THEN status ELSE 'PAUSED' END,
         paused_reason = COALESCE($13::text, paused_reason)
       WHERE id = $1 AND lease_token = $11::uuid
       RETURNING *`,
      [...attemptParams(attempt), next.passedSeq, token, next.delayMs / 1000, next.pausedReason],
    ),
  );
  return row ? hydrate(m, WebhookEntity, row) : null;
}

/** Deletes attempts older than `days`, a bounded batch at a time; answers how many went. */
export async function pruneDeliveries(m: EntityManager, days: number, batch = 10_000): Promise<number> {
  const [, count] = (await m.query(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE attempted_at < now() - make_interval(days => $1) LIMIT $2)`,
    [days, batch],
  )) as [unknown, number];
  return count;
}

/** The part of the access module's rule a webhook's deliveries need. */
export type CreatorVisibility = Pick<AccessService, 'seesEverything' | 'visibleAmong'>;

/**
 * Who a webhook's deliveries are read as: the subject that created it, with the role of the token it used. A
 * webhook is a standing read of the audit log on its creator's behalf, so it receives what that creator may see
 * (with MODELGRAPH_VISIBILITY=granted: the events of models the subject has a grant on, directly or through a
 * team, as the grants are when each event is delivered; events of no model only for ADMINs), whoever later
 * manages it.
 */
export function creatorOf(webhook: { id: string; createdBy: string; createdByRole: Role }): Caller {
  return { tokenId: `webhook:${webhook.id}`, subject: webhook.createdBy, role: webhook.createdByRole, requestId: `webhook:${webhook.id}` };
}

/** Which of `events` the webhook's creator may see: one statement for all of them, none when it sees everything. */
export async function creatorSees(
  access: CreatorVisibility,
  webhook: { id: string; createdBy: string; createdByRole: Role },
  events: ReadonlyArray<{ modelId: string | null }>,
): Promise<(event: { modelId: string | null }) => boolean> {
  const creator = creatorOf(webhook);
  if (access.seesEverything(creator)) return () => true;
  const modelIds = [...new Set(events.map((e) => e.modelId).filter((id): id is string => id !== null))];
  const visible = modelIds.length ? await access.visibleAmong(creator, modelIds) : new Set<string>();
  return (event) => event.modelId !== null && visible.has(event.modelId);
}
