import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { LineageNodeKind } from '../../common/lineage';
import type { LineageRelation } from './lineage.rules';

@Entity({ name: 'lineage_nodes' })
export class LineageNodeEntity {
  /** A model version's or a deployment's node has its id. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  kind: LineageNodeKind;

  @Column('text', { name: 'natural_key' })
  naturalKey: string;

  @Column('text')
  name: string;

  @Column('jsonb')
  properties: Record<string, unknown>;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId: string | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

@Entity({ name: 'lineage_edges' })
export class LineageEdgeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'from_id' })
  fromId: string;

  @Column('uuid', { name: 'to_id' })
  toId: string;

  @Column('text')
  relation: LineageRelation;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('text', { name: 'removed_by', nullable: true })
  removedBy: string | null;

  @Column('timestamptz', { name: 'removed_at', nullable: true })
  removedAt: Date | null;
}
