import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MetricSource } from './metric.enums';

@Entity({ name: 'metrics' })
export class MetricEntity {
  /** bigserial: comes back from pg as a string. */
  @PrimaryColumn('bigint')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('text')
  name: string;

  @Column('double precision')
  value: number;

  @Column('int')
  step: number;

  @Column('text')
  source: MetricSource;

  /** '' is the whole population; otherwise a dataset or segment. */
  @Column('text')
  slice: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;
}
