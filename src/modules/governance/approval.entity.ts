import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../common/role';
import type { Decision } from './governance.enums';

@Entity({ name: 'approver_keys' })
export class ApproverKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  subject: string;

  @Column('text', { name: 'public_key_pem' })
  publicKeyPem: string;

  @Column('text')
  fingerprint: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}

@Entity({ name: 'approvals' })
export class ApprovalEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('text', { name: 'target_stage' })
  targetStage: string;

  @Column('text')
  decision: Decision;

  @Column('text')
  approver: string;

  @Column('text', { name: 'approver_role' })
  approverRole: Role;

  @Column('uuid', { name: 'key_id' })
  keyId: string;

  /** The signing key's fingerprint, as registered when the decision was made. */
  @Column('text', { name: 'key_fingerprint' })
  keyFingerprint: string;

  /** The canonical message that was signed, kept so anyone can verify the signature again. */
  @Column('text')
  message: string;

  @Column('text')
  signature: string;

  @Column('text')
  comment: string;

  @Column('timestamptz', { name: 'signed_at' })
  signedAt: Date;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
