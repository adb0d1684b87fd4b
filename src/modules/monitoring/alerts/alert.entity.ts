import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertKind, AlertSeverity, AlertStatus, Recommendation } from './alert.enums';

/** An alert: a breach found in production reports, deduplicated while open (alert.store.ts raises it). */
@Entity({ name: 'alerts' })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'deployment_id', nullable: true })
  deploymentId: string | null;

  @Column('text')
  kind: AlertKind;

  /** The feature or metric the alert is about. */
  @Column('text')
  subject: string;

  @Column('text')
  severity: AlertSeverity;

  @Column('text')
  status: AlertStatus;

  @Column('text')
  summary: string;

  @Column('jsonb')
  evidence: Record<string, unknown>;

  /** The latest window that breached. */
  @Column('timestamptz', { name: 'window_start' })
  windowStart: Date;

  @Column('timestamptz', { name: 'window_end' })
  windowEnd: Date;

  @Column('int')
  occurrences: number;

  @Column('text', { nullable: true })
  recommendation: Recommendation | null;

  @Column('timestamptz', { name: 'raised_at' })
  raisedAt: Date;

  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt: Date;

  @Column('text', { name: 'acknowledged_by', nullable: true })
  acknowledgedBy: string | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt: Date | null;

  @Column('text', { name: 'acknowledge_note', nullable: true })
  acknowledgeNote: string | null;

  @Column('text', { name: 'resolved_by', nullable: true })
  resolvedBy: string | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;

  @Column('text', { nullable: true })
  resolution: string | null;

  @Column('int')
  revision: number;
}
