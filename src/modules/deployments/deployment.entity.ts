import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DeploymentStatus, DeploymentStrategy } from './deployment.enums';

@Entity({ name: 'deployments' })
export class DeploymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text')
  environment: string;

  @Column('text')
  endpoint: string;

  @Column('text')
  strategy: DeploymentStrategy;

  @Column('double precision', { name: 'traffic_percent' })
  trafficPercent: number;

  @Column('text')
  status: DeploymentStatus;

  @Column('text', { name: 'override_reason', nullable: true })
  overrideReason: string | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt: Date | null;

  @Column('int')
  revision: number;
}
