import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BaselineReference, Comparator } from './governance.enums';
import type { PolicyDocument } from './policy.rules';

@Entity({ name: 'baselines' })
export class BaselineEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text')
  metric: string;

  @Column('text')
  comparator: Comparator;

  @Column('text')
  reference: BaselineReference;

  @Column('double precision', { nullable: true })
  threshold: number | null;

  @Column('double precision')
  tolerance: number;

  @Column('text', { name: 'updated_by' })
  updatedBy: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;
}

@Entity({ name: 'policies' })
export class PolicyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  scope: 'MODEL' | 'RISK_TIER';

  /** The model id, or the risk tier's name. */
  @Column('text', { name: 'scope_key' })
  scopeKey: string;

  @Column('int')
  version: number;

  @Column('jsonb')
  document: PolicyDocument;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
