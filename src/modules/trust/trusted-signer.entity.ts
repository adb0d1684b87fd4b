import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TrustedSignerKind, TrustScope } from './signer.rules';

/**
 * A signer the registry trusts (`trusted_signers`): a public key, a certificate authority or a Sigstore identity,
 * for every model (GLOBAL), the models a team may contribute to (TEAM), or one model (MODEL). Revoking keeps the
 * row: the signatures verified against it still name it.
 */
@Entity({ name: 'trusted_signers' })
export class TrustedSignerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What a policy's `requiredSignatures.signers` names; unique per scope among unrevoked signers. */
  @Column('text')
  name: string;

  @Column('text')
  kind: TrustedSignerKind;

  @Column('text')
  scope: TrustScope;

  @Column('uuid', { name: 'team_id', nullable: true })
  teamId: string | null;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId: string | null;

  /** SIGNING_KEY: the PEM SubjectPublicKeyInfo. CERTIFICATE_AUTHORITY: the PEM certificate. */
  @Column('text', { name: 'public_key', nullable: true })
  publicKey: string | null;

  @Column('text', { nullable: true })
  certificate: string | null;

  /** SIGNING_KEY: the hint bundles name it by (SHA-256 of its PEM); CERTIFICATE_AUTHORITY: SHA-256 of its DER. */
  @Column('text', { nullable: true })
  fingerprint: string | null;

  /** CERTIFICATE_AUTHORITY: its subject's distinguished name. SIGSTORE_IDENTITY: the certificate subject, exact or a glob. */
  @Column('text', { nullable: true })
  subject: string | null;

  /** SIGSTORE_IDENTITY: the OIDC issuer. CERTIFICATE_AUTHORITY: the CA certificate's issuer. */
  @Column('text', { nullable: true })
  issuer: string | null;

  /** SIGNING_KEY: P-256, P-384 or P-521. */
  @Column('text', { nullable: true })
  curve: string | null;

  /** CERTIFICATE_AUTHORITY: the end of its validity. */
  @Column('timestamptz', { name: 'not_after', nullable: true })
  notAfter: Date | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('text', { name: 'revoked_by', nullable: true })
  revokedBy: string | null;

  @Column('text', { name: 'revoked_reason', nullable: true })
  revokedReason: string | null;
}
