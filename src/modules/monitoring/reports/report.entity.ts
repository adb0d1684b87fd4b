import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

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
