import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../common/role';
import type { EventKind } from '../events';
import type { WebhookDeliveryStatus, WebhookStatus } from './webhook.enums';

/**
 * A webhook: where to deliver, which events, how to sign them, and how far it has got in the audit log.
 * The secrets are stored as they are (deliveries are signed with them) and never leave through the API.
 */
@Entity({ name: 'webhooks' })
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  url: string;

  @Column('text')
  description: string;

  /** Only events of these models; empty: any. */
  @Column('uuid', { name: 'model_ids', array: true })
  modelIds: string[];

  /** Only events of these kinds; empty: any. */
  @Column('text', { array: true })
  kinds: EventKind[];

  @Column('text')
  secret: string;

  /** The secret before the last rotation, which keeps signing too until `previousSecretExpiresAt`. */
  @Column('text', { name: 'previous_secret', nullable: true })
  previousSecret: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column('text')
  status: WebhookStatus;

  @Column('text', { name: 'paused_reason', nullable: true })
  pausedReason: string | null;

  /** The sequence number of the last audit event it is past: delivered, or not one it wants (bigint, as text). */
  @Column('bigint', { name: 'cursor_seq' })
  cursorSeq: string;

  @Column('int', { name: 'consecutive_failures' })
  consecutiveFailures: number;

  /** Not claimed before then: the retry backoff. */
  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt: Date;

  /** Which worker delivers it now (a claim), and until when that claim holds if the worker goes silent. */
  @Column('uuid', { name: 'lease_token', nullable: true })
  leaseToken: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil: Date | null;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt: Date | null;

  @Column('timestamptz', { name: 'last_failure_at', nullable: true })
  lastFailureAt: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  /** The role of the token that created it: with `createdBy`, what its deliveries may show (see creatorSees in webhook.store.ts). */
  @Column('text', { name: 'created_by_role' })
  createdByRole: Role;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;
}

/** One attempt to deliver one event to one webhook, as the worker (or a redelivery) made it. */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  /** bigint, as text: also the order of the history. */
  @PrimaryColumn('bigint')
  id: string;

  @Column('uuid', { name: 'webhook_id' })
  webhookId: string;

  @Column('bigint', { name: 'event_seq' })
  eventSeq: string;

  @Column('uuid', { name: 'event_id' })
  eventId: string;

  /** 1 for the first attempt at this event for this webhook, 2 for the next… (redeliveries included). */
  @Column('int')
  attempt: number;

  /** Asked for with redeliverEvent, not made by the worker. */
  @Column('boolean')
  redelivery: boolean;

  @Column('text')
  status: WebhookDeliveryStatus;

  @Column('int', { name: 'response_status', nullable: true })
  responseStatus: number | null;

  @Column('int', { name: 'latency_ms' })
  latencyMs: number;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'attempted_at' })
  attemptedAt: Date;
}
