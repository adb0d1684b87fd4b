import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A model's objectives and its overrides of the default thresholds (null: the default): what every part of monitoring
 * reads, each applying its own defaults (objectives/objective.store.ts gathers them).
 */
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
