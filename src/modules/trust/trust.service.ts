import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { RegistryAction } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { validateText } from '../../common/text';
import { isUuid } from '../../common/uuid';
import { hydrate, hydratePage, hydratePages, readById } from '../../db/hydrate';
import {
  keysetCount,
  keysetCounts,
  keysetPage,
  keysetPages,
  SqlParams,
  type ListQuery,
  type Page,
  type PageArgs,
} from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { appliesFrom } from '../governance';
import type { GateCheck, GateResult, GateSigner } from '../lifecycle';
import { ArtifactLayout, ArtifactStatus, readVersion, type ModelVersionEntity } from '../versions';
import { parseCertificateAuthority } from './certificate.rules';
import { parseSigningKey } from './key.rules';
import { ModelSignatureEntity } from './model-signature.entity';
import { verifyModelSignature, type TrustAnchors } from './signature.rules';
import {
  currentRootDigest,
  displayName,
  methodOf,
  signatureCounts,
  signerName,
  singleResourceName,
  SIGNER_BOUNDS,
  TrustedSignerKind,
  TrustScope,
  validateScope,
  validateSignerName,
  validateSigstoreIdentity,
  type RecordedSignature,
  type SignatureVerdict,
} from './signer.rules';
import { TrustedSignerEntity } from './trusted-signer.entity';

export interface TrustSettings {
  /** The largest bundle accepted, in bytes (MODELGRAPH_MAX_SIGNATURE_BYTES). */
  maxSignatureBytes: number;
  /** The operator's Sigstore trusted_root.json, parsed and checked at start; null: sigstore bundles are refused. */
  sigstoreTrustedRoot: unknown;
}

interface ScopeInput {
  name: string;
  scope: TrustScope;
  teamId?: string | null;
  modelId?: string | null;
}

export interface TrustedSignerFilter {
  scope?: TrustScope | null;
  teamId?: string | null;
  modelId?: string | null;
  includeRevoked?: boolean;
}

/** Every column of a signature but its bundle (bulky: read only to download it). */
const SIGNATURE_COLUMNS =
  'x.id, x.version_id, x.model_id, x.method, x.signer, x.signer_issuer, x.trusted_signer_id, x.signed_at, x.attached_at, x.attached_by, x.root_digest, x.bundle_sha256';

/**
 * The trusted signers that apply to a model (in `$1`): global ones, those of a team holding CONTRIBUTE or more on the
 * model (a grant on it or on all models), and the model's own. Oldest first, so that a key trusted twice is always
 * matched to the same signer.
 */
const APPLYING = `
  (x.scope = 'GLOBAL'
   OR (x.scope = 'MODEL' AND x.model_id = $1)
   OR (x.scope = 'TEAM' AND x.team_id IN (
     SELECT g.team_id FROM grants g
     WHERE g.team_id IS NOT NULL AND (g.model_id = $1 OR g.model_id IS NULL) AND g.level IN ('CONTRIBUTE', 'APPROVE', 'MANAGE'))))`;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Trusted signers (keys, certificate authorities, Sigstore identities; global, per team, per model; revocable) and
 * OpenSSF Model Signing signatures verified against them when they are attached to a version, with the SIGNED gate
 * they feed. Every change is one transaction with its audit event.
 */
export class TrustService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly settings: TrustSettings,
  ) {}

  // ---- trusted signers ----

  /** registerSigningKey({ name: 'release-key', publicKey: '-----BEGIN PUBLIC KEY-----…', scope: GLOBAL }): an ECDSA key. */
  registerSigningKey(caller: Caller, input: ScopeInput & { publicKey: string }): Promise<TrustedSignerEntity> {
    validateText(input.publicKey, 'publicKey', { required: true, max: SIGNER_BOUNDS.publicKey });
    const key = parseSigningKey(input.publicKey, 'publicKey');
    return this.trust(caller, input, TrustedSignerKind.SIGNING_KEY, {
      public_key: key.key.export({ type: 'spki', format: 'pem' }) as string,
      fingerprint: key.fingerprint,
      curve: key.curve,
    });
  }

  /** trustCertificateAuthority({ name, certificate: '-----BEGIN CERTIFICATE-----…', scope }): signing certificates chaining to it count. */
  trustCertificateAuthority(caller: Caller, input: ScopeInput & { certificate: string }): Promise<TrustedSignerEntity> {
    validateText(input.certificate, 'certificate', { required: true, max: SIGNER_BOUNDS.certificate });
    const facts = parseCertificateAuthority(input.certificate, 'certificate');
    return this.trust(caller, input, TrustedSignerKind.CERTIFICATE_AUTHORITY, {
      certificate: input.certificate,
      fingerprint: facts.fingerprint,
      subject: displayName(facts.subject),
      issuer: displayName(facts.issuer),
      not_after: facts.notAfter,
    });
  }

  /** trustSigstoreIdentity({ name, issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/*', scope }). */
  trustSigstoreIdentity(caller: Caller, input: ScopeInput & { issuer: string; subject: string }): Promise<TrustedSignerEntity> {
    validateSigstoreIdentity(input.issuer, input.subject);
    return this.trust(caller, input, TrustedSignerKind.SIGSTORE_IDENTITY, { issuer: input.issuer, subject: input.subject });
  }

  private async trust(
    caller: Caller,
    input: ScopeInput,
    kind: TrustedSignerKind,
    columns: Record<string, string | Date>,
  ): Promise<TrustedSignerEntity> {
    validateSignerName(input.name);
    validateScope(input.scope, input.teamId, input.modelId);
    return this.db.transaction(async (m) => {
      await this.authorizeScope(m, caller, input.scope, input.teamId ?? null, input.modelId ?? null);
      const names = ['name', 'kind', 'scope', 'team_id', 'model_id', 'created_by', ...Object.keys(columns)];
      const values = [
        input.name,
        kind,
        input.scope,
        input.teamId ?? null,
        input.modelId ?? null,
        caller.subject,
        ...Object.values(columns),
      ];
      const [signer] = await writeReturning(
        m,
        TrustedSignerEntity,
        `INSERT INTO trusted_signers (${names.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
        values,
        {
          constraint: 'trusted_signers_name_idx',
          error: () => conflict(`a trusted signer named "${input.name}" already exists in this scope: revoke it first`, { field: 'name' }),
        },
      );
      await appendAudit(m, caller, {
        action: 'trust.signer_trusted',
        subjectType: 'TrustedSigner',
        subjectId: signer.id,
        modelId: signer.modelId,
        payload: auditable(signer),
      });
      return signer;
    });
  }

  /** Revokes a trusted signer: it verifies nothing new, and signatures attached from now on never count. */
  async revoke(caller: Caller, id: string, reason: string): Promise<TrustedSignerEntity> {
    validateText(reason, 'reason', { required: true, max: SIGNER_BOUNDS.reason });
    return this.db.transaction(async (m) => {
      const signer = await readById(m, TrustedSignerEntity, id, 'trusted signer', 'FOR UPDATE');
      await this.authorizeScope(m, caller, signer.scope, signer.teamId, signer.modelId, notFound('trusted signer', id));
      if (signer.revokedAt) throw conflict(`trusted signer "${signer.name}" was already revoked at ${signer.revokedAt.toISOString()}`);
      const [revoked] = await writeReturning(
        m,
        TrustedSignerEntity,
        'UPDATE trusted_signers SET revoked_at = now(), revoked_by = $2, revoked_reason = $3 WHERE id = $1 RETURNING *',
        [id, caller.subject, reason],
      );
      await appendAudit(m, caller, {
        action: 'trust.signer_revoked',
        subjectType: 'TrustedSigner',
        subjectId: id,
        modelId: revoked.modelId,
        payload: { ...auditable(revoked), reason },
      });
      return revoked;
    });
  }

  /** GLOBAL and TEAM: MANAGE_TRUST (ADMIN); MODEL: TRUST_SIGNER on the model (MANAGE). */
  private async authorizeScope(
    m: EntityManager,
    caller: Caller,
    scope: TrustScope,
    teamId: string | null,
    modelId: string | null,
    missing?: DomainError,
  ): Promise<void> {
    if (scope === TrustScope.MODEL) {
      await this.access.authorize(m, caller, Action.TRUST_SIGNER, modelId as string, missing);
      return;
    }
    this.access.authorizeRegistry(caller, RegistryAction.MANAGE_TRUST);
    if (scope === TrustScope.TEAM) {
      const [team] = isUuid(teamId as string) ? await m.query('SELECT 1 FROM teams WHERE id = $1', [teamId]) : [];
      if (!team) throw notFound('team', teamId as string);
    }
  }

  /** The trusted signers a caller may see: global and team ones, and those of the models it sees. */
  async list(caller: Caller, filter: TrustedSignerFilter, page: PageArgs): Promise<Page<TrustedSignerEntity>> {
    return hydratePage(
      this.db.manager,
      TrustedSignerEntity,
      await keysetPage(this.db.manager, await this.signerList(caller, filter), page),
    );
  }

  async count(caller: Caller, filter: TrustedSignerFilter): Promise<number> {
    return keysetCount(this.db.manager, await this.signerList(caller, filter));
  }

  private async signerList(caller: Caller, filter: TrustedSignerFilter): Promise<ListQuery> {
    const params = new SqlParams();
    const where: string[] = [];
    if (filter.modelId) {
      await this.access.authorize(this.db.manager, caller, Action.VIEW, filter.modelId);
      // APPLYING reads the model from $1: the first parameter.
      params.p(filter.modelId);
      where.push(APPLYING);
    }
    const visible = this.access.visibleModels(caller, 'x.model_id', params);
    if (visible) where.push(`(x.model_id IS NULL OR ${visible})`);
    if (filter.scope) where.push(`x.scope = ${params.p(filter.scope)}`);
    if (filter.teamId) where.push(`x.team_id = ${params.p(filter.teamId)}`);
    if (!filter.includeRevoked) where.push('x.revoked_at IS NULL');
    return { from: 'trusted_signers', where, params, order: ['x.created_at', 'x.id'], direction: 'ASC' };
  }

  async signersByIds(ids: readonly string[]): Promise<Map<string, TrustedSignerEntity>> {
    const rows = (await this.db.query('SELECT * FROM trusted_signers WHERE id = ANY($1::uuid[])', [ids])) as Record<string, unknown>[];
    return new Map(rows.map((row) => [row.id as string, hydrate(this.db.manager, TrustedSignerEntity, row)]));
  }

  // ---- signatures ----

  /**
   * Verifies an OMS bundle against the version's stored files and the signers trusted for its model, and records it
   * (`artifact.signed`). The artifact must be READY (CONFLICT otherwise: there is nothing settled to sign); a bundle
   * over the bound is BAD_USER_INPUT naming `bundle`; a bundle that does not verify is BAD_USER_INPUT naming the field
   * that failed, its reason the message. The same bundle attached again answers the signature already recorded.
   */
  async attach(
    caller: Caller,
    versionId: string,
    bundle: string | Record<string, unknown>,
  ): Promise<{ signature: ModelSignatureEntity; created: boolean }> {
    const text = typeof bundle === 'string' ? bundle : JSON.stringify(bundle);
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, versionId, 'FOR SHARE');
      await this.access.authorize(m, caller, Action.ATTACH_SIGNATURE, version.modelId, notFound('model version', versionId));
      this.checkSize(Buffer.byteLength(text, 'utf8'));
      const files = this.renameSingleFile(version, await this.readyFiles(m, version), text);
      const bundleSha256 = sha256(text);
      const [existing] = await m.query(
        `SELECT ${SIGNATURE_COLUMNS} FROM model_signatures x WHERE x.version_id = $1 AND x.bundle_sha256 = $2`,
        [version.id, bundleSha256],
      );
      if (existing) return { signature: hydrate(m, ModelSignatureEntity, existing), created: false };

      const anchors = hydrateAll(
        m,
        await m.query(`SELECT * FROM trusted_signers x WHERE x.revoked_at IS NULL AND ${APPLYING} ORDER BY x.created_at, x.id`, [
          version.modelId,
        ]),
      );
      const attachedAt = new Date();
      const verdict = await verifyModelSignature(text, this.anchors(anchors), files, {
        at: attachedAt,
        limits: { maxBundleBytes: this.settings.maxSignatureBytes },
      });
      if (!verdict.valid) {
        const reason =
          verdict.layer === 'sigstore' && !this.settings.sigstoreTrustedRoot
            ? 'sigstore: this registry has no Sigstore trusted root (the operator sets MODELGRAPH_SIGSTORE_TRUSTED_ROOT): a sigstore-signed bundle cannot be verified offline; sign with a key or a certificate'
            : verdict.reason;
        throw new DomainError(ErrorCode.BAD_USER_INPUT, reason, { field: verdict.field || 'bundle', layer: verdict.layer });
      }
      const anchor = anchors.find((a) => a.id === verdict.anchor.id) as TrustedSignerEntity;
      const who = signerName(verdict.signer);
      const [signature] = await writeReturning(
        m,
        ModelSignatureEntity,
        `INSERT INTO model_signatures (version_id, model_id, method, signer, signer_issuer, trusted_signer_id, signed_at, attached_at,
           attached_by, root_digest, bundle_sha256, bundle)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${SIGNATURE_COLUMNS.replace(/x\./g, '')}`,
        [
          version.id,
          version.modelId,
          methodOf(verdict.method),
          who.signer,
          who.issuer,
          anchor.id,
          verdict.signedAt ?? attachedAt,
          attachedAt,
          caller.subject,
          verdict.rootDigest,
          bundleSha256,
          text,
        ],
      );
      await appendAudit(m, caller, {
        action: 'artifact.signed',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: version.modelId,
        payload: {
          versionId: version.id,
          signatureId: signature.id,
          method: signature.method,
          signer: signature.signer,
          signerIssuer: signature.signerIssuer,
          trustedSigner: anchor.name,
          trustedSignerId: anchor.id,
          rootDigest: signature.rootDigest,
          bundleSha256,
        },
      });
      return { signature, created: true };
    });
  }

  private checkSize(bytes: number): void {
    const max = this.settings.maxSignatureBytes;
    if (bytes > max) throw badInput('bundle', `is ${bytes} bytes, over the bound of ${max} (MODELGRAPH_MAX_SIGNATURE_BYTES)`);
  }

  /** The bound a route checks before it reads a body. */
  get maxSignatureBytes(): number {
    return this.settings.maxSignatureBytes;
  }

  /** The version's files as the verifier reads them; a single file under the name its bundle signs it by. */
  private async readyFiles(
    m: EntityManager,
    version: ModelVersionEntity,
  ): Promise<Array<{ path: string; sha256: string; sizeBytes: number }>> {
    const notReady = (what: string) =>
      conflict(`${what}: a signature is verified against the stored files, so every file must be uploaded and READY first`, {
        field: 'versionId',
        artifactStatus: version.artifactStatus,
      });
    if (version.artifactStatus !== ArtifactStatus.READY) throw notReady(`the version's artifact is ${version.artifactStatus}`);
    const rows = (await m.query('SELECT path, sha256, size_bytes, status FROM artifact_files WHERE version_id = $1', [
      version.id,
    ])) as Array<{
      path: string;
      sha256: string | null;
      size_bytes: string | null;
      status: string;
    }>;
    const pending = rows.find((r) => r.status !== ArtifactStatus.READY || !r.sha256);
    if (pending) throw notReady(`file "${pending.path}" is ${pending.status}`);
    return rows.map((r) => ({ path: r.path, sha256: r.sha256 as string, sizeBytes: Number(r.size_bytes ?? 0) }));
  }

  /** A single-file artifact is stored as `artifact`; OMS signs a single file by its basename: accept any one name. */
  private renameSingleFile(version: ModelVersionEntity, files: Array<{ path: string; sha256: string; sizeBytes: number }>, text: string) {
    if (version.artifactLayout !== ArtifactLayout.FILE || files.length !== 1) return files;
    const name = singleResourceName(text);
    return name === null ? files : [{ ...files[0], path: name }];
  }

  private anchors(signers: TrustedSignerEntity[]): TrustAnchors {
    const identities = signers
      .filter((s) => s.kind === TrustedSignerKind.SIGSTORE_IDENTITY)
      .map((s) => ({
        id: s.id,
        issuer: s.issuer as string,
        subject: s.subject as string,
        match: (s.subject as string).includes('*') ? ('glob' as const) : ('exact' as const),
      }));
    return {
      keys: signers.filter((s) => s.kind === TrustedSignerKind.SIGNING_KEY).map((s) => ({ id: s.id, publicKey: s.publicKey as string })),
      certificateAuthorities: signers
        .filter((s) => s.kind === TrustedSignerKind.CERTIFICATE_AUTHORITY)
        .map((s) => ({ id: s.id, certificate: s.certificate as string })),
      sigstore: this.settings.sigstoreTrustedRoot ? { trustedRoot: this.settings.sigstoreTrustedRoot, identities } : undefined,
    };
  }

  /**
   * A signature's bundle to download: the one asked for by id, else the newest that counts now (its signer not revoked
   * before it was attached, its root digest the version's). VIEW on the model; NOT_FOUND when there is none.
   */
  async bundleOf(
    caller: Caller,
    versionId: string,
    signatureId: string | null,
  ): Promise<{ signature: ModelSignatureEntity; bundle: string }> {
    const m = this.db.manager;
    const version = await readVersion(m, versionId);
    await this.access.authorize(m, caller, Action.VIEW, version.modelId, notFound('model version', versionId));
    if (signatureId !== null && !isUuid(signatureId)) throw notFound('model signature', signatureId);
    const rows = (await m.query(
      `SELECT ${SIGNATURE_COLUMNS}, x.bundle, t.name, t.scope, t.revoked_at FROM model_signatures x JOIN trusted_signers t ON t.id = x.trusted_signer_id
       WHERE x.version_id = $1 ${signatureId === null ? '' : 'AND x.id = $2'} ORDER BY x.attached_at DESC, x.id DESC`,
      signatureId === null ? [version.id] : [version.id, signatureId],
    )) as Record<string, unknown>[];
    const current = currentRootDigest(version.artifactLayout, version.artifactSha256);
    const row =
      signatureId === null ? rows.find((r) => signatureCounts(recorded(hydrate(m, ModelSignatureEntity, r), r), current).counts) : rows[0];
    if (!row)
      throw notFound(signatureId === null ? 'a signature that counts on model version' : 'model signature', signatureId ?? versionId);
    return { signature: hydrate(m, ModelSignatureEntity, row), bundle: row.bundle as string };
  }

  async signaturePages(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<ModelSignatureEntity>>> {
    return hydratePages(this.db.manager, ModelSignatureEntity, await keysetPages(this.db.manager, signatureList(versionIds), page));
  }

  /**
   * Every signature on a version, oldest first (as `ModelVersion.signatures` lists them), without the bundles; no
   * authorization: for a caller whose VIEW on the model was checked (the BOM).
   */
  async signaturesOfVersion(m: EntityManager, versionId: string): Promise<ModelSignatureEntity[]> {
    const rows = (await m.query(
      `SELECT ${SIGNATURE_COLUMNS} FROM model_signatures x WHERE x.version_id = $1 ORDER BY x.attached_at, x.id`,
      [versionId],
    )) as Record<string, unknown>[];
    return rows.map((r) => hydrate(m, ModelSignatureEntity, r));
  }

  signatureCounts(versionIds: readonly string[]): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, signatureList(versionIds));
  }

  /** Whether a signature counts now, and why, from its trusted signer and its version as loaded. */
  verdict(signature: ModelSignatureEntity, signer: TrustedSignerEntity, version: ModelVersionEntity): SignatureVerdict {
    return signatureCounts(
      recorded(signature, { name: signer.name, scope: signer.scope, revoked_at: signer.revokedAt }),
      currentRootDigest(version.artifactLayout, version.artifactSha256),
    );
  }

  /**
   * The SIGNED gate (lifecycle's addGate): when the policy's requiredSignatures applies to the move, it passes iff one
   * signature on the version counts (signatureCounts in signer.rules.ts) with a signer the rule names (any, when it
   * names none). Every signature is reported with whether it counts and why.
   */
  readonly signedGate: GateCheck = async (m, { version, targetStage, policy }) => {
    const rule = policy.requiredSignatures;
    if (!rule || !appliesFrom(rule.stage, targetStage)) return [];
    const rows = (await m.query(
      `SELECT ${SIGNATURE_COLUMNS}, t.name, t.scope, t.revoked_at FROM model_signatures x JOIN trusted_signers t ON t.id = x.trusted_signer_id
       WHERE x.version_id = $1 ORDER BY x.attached_at, x.id`,
      [version.id],
    )) as Record<string, unknown>[];
    const current = currentRootDigest(version.artifactLayout, version.artifactSha256);
    const signers: GateSigner[] = rows.map((row) => {
      const signature = recorded(hydrate(m, ModelSignatureEntity, row), row);
      const verdict = signatureCounts(signature, current, rule.signers);
      return {
        identity: signature.signer,
        method: signature.method,
        trustedAs: signature.trustedSigner.name,
        signedAt: signature.signedAt,
        counts: verdict.counts,
        reason: verdict.reason,
      };
    });
    const needed = rule.signers.length > 0 ? `one of ${rule.signers.join(', ')}` : 'a signer trusted for the model';
    const counting = signers.find((s) => s.counts);
    const result: GateResult = {
      gate: 'SIGNED',
      passed: counting !== undefined,
      detail: counting
        ? `signed by ${counting.identity} (trusted as ${counting.trustedAs})`
        : signers.length === 0
          ? `no signature attached: needs one by ${needed}`
          : `none of the ${signers.length} signature(s) counts: needs one by ${needed}`,
      signers,
    };
    return [result];
  };
}

function signatureList(versionIds: readonly string[]): ListQuery {
  return {
    from: 'model_signatures',
    columns: SIGNATURE_COLUMNS,
    parent: { column: 'x.version_id', keys: versionIds },
    order: ['x.attached_at', 'x.id'],
    direction: 'ASC',
  };
}

function hydrateAll(m: EntityManager, rows: Record<string, unknown>[]): TrustedSignerEntity[] {
  return rows.map((row) => hydrate(m, TrustedSignerEntity, row));
}

function recorded(signature: ModelSignatureEntity, signer: Record<string, unknown>): RecordedSignature {
  const revokedAt = signer.revoked_at;
  return {
    signer: signature.signer,
    method: signature.method,
    rootDigest: signature.rootDigest,
    attachedAt: signature.attachedAt,
    signedAt: signature.signedAt,
    trustedSigner: {
      name: signer.name as string,
      scope: signer.scope as TrustScope,
      revokedAt: revokedAt === null || revokedAt === undefined ? null : new Date(revokedAt as string | Date),
    },
  };
}

/** What the audit trail records of a trusted signer: what it trusts and where, not its PEM. */
function auditable(signer: TrustedSignerEntity): Record<string, unknown> {
  return {
    name: signer.name,
    kind: signer.kind,
    scope: signer.scope,
    teamId: signer.teamId,
    modelId: signer.modelId,
    fingerprint: signer.fingerprint,
    curve: signer.curve,
    subject: signer.subject,
    issuer: signer.issuer,
  };
}
