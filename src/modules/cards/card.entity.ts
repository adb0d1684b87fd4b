import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CardSections } from './card.rules';

/** The people-written sections of one version's model card (`model_cards`), made by its first edit. */
@Entity({ name: 'model_cards' })
export class ModelCardEntity {
  @PrimaryColumn('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  /** Section field → value (card.rules.ts, CardSections); a section not written is absent. */
  @Column('jsonb')
  sections: CardSections;

  /** Section name (INTENDED_USE, …) → { at: ISO time, by: subject } of its last edit. */
  @Column('jsonb')
  edits: Record<string, { at: string; by: string }>;

  @Column('int')
  revision: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('text', { name: 'updated_by' })
  updatedBy: string;
}
