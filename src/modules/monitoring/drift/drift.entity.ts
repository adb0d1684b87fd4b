import { Column, Entity, PrimaryColumn } from 'typeorm';

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
