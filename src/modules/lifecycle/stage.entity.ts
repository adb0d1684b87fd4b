import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Stage } from '../versions';

@Entity({ name: 'stage_transitions' })
export class StageTransitionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text', { name: 'from_stage' })
  fromStage: Stage;

  @Column('text', { name: 'to_stage' })
  toStage: Stage;

  @Column('text')
  reason: string;

  @Column('text')
  actor: string;

  /** The audit event recording this move. */
  @Column('bigint', { name: 'audit_seq' })
  auditSeq: string;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt: Date;
}
