import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RegistryAction, type Authorization } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { isUuid } from '../../common/uuid';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { Role, type Principal } from '../../common/role';
import { validateText } from '../../common/text';
import { hydrate, hydratePage } from '../../db/hydrate';
import { keysetCount, keysetPage, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { appendAudit } from '../audit';
import { ApiTokenEntity } from './token.entity';

const TOKEN_PREFIX = 'mg_';
const TOKENS: ListQuery = { from: 'api_tokens', order: ['x.created_at', 'x.id'], direction: 'DESC' };

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The identity the registry itself acts under at start-up. */
export const SYSTEM_CALLER: Caller = { tokenId: 'system', subject: 'system', role: Role.ADMIN, requestId: 'startup' };

export interface CreateTokenInput {
  subject: string;
  role: Role;
  description?: string | null;
  expiresAt?: Date | null;
}

/** API tokens: random secrets shown once, stored as sha256, revocable; managed with MANAGE_TOKENS. */
export class TokenService {
  constructor(
    private readonly db: DataSource,
    private readonly authorization: Authorization,
  ) {}

  /** Resolves `Authorization: Bearer <token>` to a principal, or throws UNAUTHENTICATED. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'send an API token: Authorization: Bearer <token>');
    const [row] = await this.db.query(
      `SELECT id, subject, role FROM api_tokens
       WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [hashToken(match[1])],
    );
    if (!row) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'the API token is unknown, revoked or expired');
    return { tokenId: row.id, subject: row.subject, role: row.role };
  }

  /** Which of these tokens are neither revoked nor expired (open subscriptions of the others are closed). */
  async activeAmong(tokenIds: readonly string[]): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [tokenIds.filter(isUuid)],
    )) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  async create(caller: Caller, input: CreateTokenInput, secret = newSecret()): Promise<{ token: ApiTokenEntity; secret: string }> {
    this.authorization.authorizeRegistry(caller, RegistryAction.MANAGE_TOKENS);
    validateText(input.subject, 'subject', { required: true, max: 200, identifier: true });
    validateText(input.description, 'description', { max: 1000 });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'must be in the future');
    return this.db.transaction(async (m) => {
      const [token] = await writeReturning(
        m,
        ApiTokenEntity,
        `INSERT INTO api_tokens (subject, description, role, token_hash, token_prefix, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          input.subject,
          input.description ?? '',
          input.role,
          hashToken(secret),
          secret.slice(0, 10),
          caller.subject,
          input.expiresAt ?? null,
        ],
      );
      await appendAudit(m, caller, {
        action: 'token.created',
        subjectType: 'ApiToken',
        subjectId: token.id,
        payload: { before: null, after: publicFields(token) },
      });
      return { token, secret };
    });
  }

  async revoke(caller: Caller, id: string): Promise<ApiTokenEntity> {
    this.authorization.authorizeRegistry(caller, RegistryAction.MANAGE_TOKENS);
    return this.db.transaction(async (m) => {
      // Every active ADMIN token is locked, so two revocations at once cannot each leave the other as the last.
      const admins = (await m.query(
        `SELECT id FROM api_tokens WHERE role = 'ADMIN' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE`,
      )) as Array<{ id: string }>;
      const [before] = await m.query('SELECT * FROM api_tokens WHERE id = $1 FOR UPDATE', [id]);
      if (!before) throw notFound('API token', id);
      if (before.revoked_at) return hydrate(m, ApiTokenEntity, before); // already revoked: nothing changes
      if (admins.length === 1 && admins[0].id === before.id) {
        throw conflict(
          'this is the last active ADMIN token: create another ADMIN token first (or, with every token lost, run npm run admin:token beside the database)',
        );
      }
      const [token] = await writeReturning(m, ApiTokenEntity, 'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING *', [id]);
      await appendAudit(m, caller, {
        action: 'token.revoked',
        subjectType: 'ApiToken',
        subjectId: token.id,
        payload: { before: publicFields(hydrate(m, ApiTokenEntity, before)), after: publicFields(token) },
      });
      return token;
    });
  }

  async list(caller: Caller, page: PageArgs): Promise<Page<ApiTokenEntity>> {
    this.authorization.authorizeRegistry(caller, RegistryAction.MANAGE_TOKENS);
    return hydratePage(this.db.manager, ApiTokenEntity, await keysetPage(this.db.manager, TOKENS, page));
  }

  count(): Promise<number> {
    return keysetCount(this.db.manager, TOKENS);
  }

  /**
   * On an empty registry, creates the first admin token and returns its secret (to print once);
   * returns null when tokens already exist. `preset` lets an operator choose the secret.
   */
  async bootstrapAdmin(preset?: string): Promise<string | null> {
    const [{ n }] = await this.db.query('SELECT count(*)::int AS n FROM api_tokens');
    if (n > 0) return null;
    const { secret } = await this.create(
      SYSTEM_CALLER,
      { subject: 'admin', role: Role.ADMIN, description: 'created on first start' },
      preset ?? newSecret(),
    );
    return secret;
  }
}

/** What an audit event may say about a token: never its hash. */
function publicFields(token: ApiTokenEntity): Omit<ApiTokenEntity, 'tokenHash'> {
  const { tokenHash: _hash, ...rest } = token;
  return rest;
}
