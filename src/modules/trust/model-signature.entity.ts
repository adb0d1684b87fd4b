import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SigningMethod } from './signer.rules';

/** A verified OMS signature on a version's artifact (`model_signatures`), with the bundle itself. */
@Entity({ name: 'model_signatures' })
export class ModelSignatureEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'version_id' })
  versionId: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text')
  method: SigningMethod;

  /** Who signed, for people: `SHA256:<fingerprint>` of a key, a certificate's subject, a Sigstore identity. */
  @Column('text')
  signer: string;

  /** A certificate's issuer, a Sigstore identity's OIDC issuer; null for a key. */
  @Column('text', { name: 'signer_issuer', nullable: true })
  signerIssuer: string | null;

  /** The trusted signer it was verified against. */
  @Column('uuid', { name: 'trusted_signer_id' })
  trustedSignerId: string;

  /** The bundle's verified time when it has one (sigstore), else the time it was attached. */
  @Column('timestamptz', { name: 'signed_at' })
  signedAt: Date;

  @Column('timestamptz', { name: 'attached_at' })
  attachedAt: Date;

  @Column('text', { name: 'attached_by' })
  attachedBy: string;

  /** The OMS root digest the statement signs (checked against the stored files when attached). */
  @Column('text', { name: 'root_digest' })
  rootDigest: string;

  /** SHA-256 of the bundle's bytes: the same bundle attached twice is one signature. */
  @Column('text', { name: 'bundle_sha256' })
  bundleSha256: string;

  /** The bundle as it was sent (JSON text); bulky, read only to download it. */
  @Column('text', { select: false })
  bundle: string;
}
