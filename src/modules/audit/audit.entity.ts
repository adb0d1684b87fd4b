import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Append-only: the database rejects UPDATE, DELETE and TRUNCATE on this table. */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  /** Gap-free: allocated under a lock inside the writing transaction, so a rollback leaves no hole. */
  @PrimaryColumn('bigint')
  seq: string;

  @Column('uuid')
  id: string;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;

  @Column('text')
  actor: string;

  @Column('text')
  action: string;

  @Column('text', { name: 'subject_type' })
  subjectType: string;

  @Column('text', { name: 'subject_id' })
  subjectId: string;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId: string | null;

  @Column('jsonb')
  payload: Record<string, unknown>;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('text', { name: 'client_request_id', nullable: true })
  clientRequestId: string | null;

  @Column('text', { name: 'prev_hash' })
  prevHash: string;

  @Column('text')
  hash: string;
}
