import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../common/role';

@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The person or automation the token stands for; recorded as the actor of what it does. */
  @Column('text')
  subject: string;

  @Column('text')
  description: string;

  @Column('text')
  role: Role;

  /** sha256 of the secret: the secret itself is shown once and never stored. */
  @Column('text', { name: 'token_hash' })
  tokenHash: string;

  /** The first characters of the secret, so a holder can tell which token is which. */
  @Column('text', { name: 'token_prefix' })
  tokenPrefix: string;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
