import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Level } from './access.rules';

@Entity({ name: 'teams' })
export class TeamEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}

@Entity({ name: 'team_members' })
export class TeamMemberEntity {
  @PrimaryColumn('uuid', { name: 'team_id' })
  teamId: string;

  @PrimaryColumn('text')
  subject: string;

  @Column('text', { name: 'added_by' })
  addedBy: string;

  @Column('timestamptz', { name: 'added_at' })
  addedAt: Date;
}

/** A level on one model (by id), or on all models (modelId null), for a subject or a team. */
@Entity({ name: 'grants' })
export class GrantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { nullable: true })
  subject: string | null;

  @Column('uuid', { name: 'team_id', nullable: true })
  teamId: string | null;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId: string | null;

  @Column('text')
  level: Level;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}

/** Aliases matching `pattern` on one model (or all, modelId null) need APPROVE to move or delete. */
@Entity({ name: 'protected_aliases' })
export class ProtectedAliasEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId: string | null;

  @Column('text')
  pattern: string;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
