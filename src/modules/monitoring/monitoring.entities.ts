import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertKind, AlertSeverity, AlertStatus, Recommendation } from './monitoring.enums';

/** The distribution a version's feature was validated on: production is compared with it. */
@Entity({ name: 'reference_distributions' })
export class ReferenceDistributionEntity {
  @PrimaryColumn('uuid', { name: 'version_id' })
  versionId: string;

  @PrimaryColumn('text')
  feature: string;

  @Column('text')
  kind: 'NUMERIC' | 'CATEGORICAL';

  /** A histogram ({ binEdges, counts }) or category counts ({ categories }); a quantile sketch is stored as its histogram. */
  @Column('jsonb')
  distribution: Record<string, unknown>;

  @Column('double precision')
  observations: number;

  @Column('text', { name: 'set_by' })
  setBy: string;

  @Column('timestamptz', { name: 'set_at' })
  setAt: Date;
}

/** A model's objectives and its overrides of the default thresholds (null: the default). */
@Entity({ name: 'model_monitoring' })
export class ModelMonitoringEntity {
  @PrimaryColumn('uuid', { name: 'model_id' })
  modelId: string;

  @Column('jsonb')
  objectives: unknown[];

  @Column('jsonb', { name: 'drift_thresholds', nullable: true })
  driftThresholds: Record<string, unknown> | null;

  @Column('jsonb', { name: 'quality_tolerance', nullable: true })
  qualityTolerance: Record<string, unknown> | null;

  @Column('jsonb', { name: 'canary_rule', nullable: true })
  canaryRule: Record<string, unknown> | null;

  @Column('text', { name: 'updated_by' })
  updatedBy: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;
}

/** One report production sent for one window; `evaluation` is what the registry concluded from it. */
@Entity({ name: 'production_reports' })
export class ProductionReportEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'deployment_id', nullable: true })
  deploymentId: string | null;

  @Column('text')
  kind: 'FEATURES' | 'METRICS';

  @Column('timestamptz', { name: 'window_start' })
  windowStart: Date;

  @Column('timestamptz', { name: 'window_end' })
  windowEnd: Date;

  @Column('text', { name: 'input_hash' })
  inputHash: string;

  @Column('jsonb')
  evaluation: { features?: unknown[]; metrics?: unknown[]; driftRate?: number | null };

  @Column('text', { name: 'reported_by' })
  reportedBy: string;

  @Column('timestamptz', { name: 'reported_at' })
  reportedAt: Date;
}

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
