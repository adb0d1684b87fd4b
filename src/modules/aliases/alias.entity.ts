import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'model_aliases' })
export class ModelAliasEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text')
  name: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('text', { name: 'updated_by' })
  updatedBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('int')
  revision: number;
}

/** One row per move of an alias: where it pointed before and after (null after = deleted). */
@Entity({ name: 'model_alias_history' })
export class ModelAliasHistoryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text')
  alias: string;

  @Column('uuid', { name: 'version_id', nullable: true })
  versionId: string | null;

  @Column('uuid', { name: 'previous_version_id', nullable: true })
  previousVersionId: string | null;

  @Column('text')
  actor: string;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt: Date;
}
