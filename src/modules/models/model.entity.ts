import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ModelStatus, RiskTier } from './model.enums';

@Entity({ name: 'registered_models' })
export class RegisteredModelEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { unique: true })
  name: string;

  @Column('text')
  description: string;

  @Column('text')
  owner: string;

  @Column('jsonb')
  tags: Record<string, string>;

  @Column('text', { name: 'risk_tier' })
  riskTier: RiskTier;

  @Column('text')
  status: ModelStatus;

  /** Last version number handed out: numbers are never reused, even for versions that fail later. */
  @Column('int', { name: 'version_counter' })
  versionCounter: number;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;

  @Column('timestamptz', { name: 'retired_at', nullable: true })
  retiredAt: Date | null;

  @Column('text', { name: 'retired_by', nullable: true })
  retiredBy: string | null;

  @Column('text', { name: 'retirement_reason', nullable: true })
  retirementReason: string | null;
}
