import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../common/role';
import type { BaselineReference, Comparator, Decision } from './governance.enums';
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
