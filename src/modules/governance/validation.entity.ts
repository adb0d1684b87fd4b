import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Comparator } from './governance.enums';

@Entity({ name: 'validation_reports' })
export class ValidationReportEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('boolean')
  passed: boolean;

  @Column('text')
  summary: string;

  @Column('uuid', { name: 'policy_id', nullable: true })
  policyId: string | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}

@Entity({ name: 'validation_checks' })
export class ValidationCheckEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'report_id' })
  reportId: string;

  @Column('int')
  position: number;

  @Column('text')
  origin: 'BASELINE' | 'POLICY';

  @Column('text')
  metric: string;

  @Column('text')
  comparator: Comparator;

  @Column('double precision', { name: 'candidate_value', nullable: true })
  candidateValue: number | null;

  @Column('double precision', { name: 'baseline_value', nullable: true })
  baselineValue: number | null;

  @Column('double precision')
  tolerance: number;

  @Column('boolean')
  passed: boolean;

  @Column('text')
  detail: string;
}
