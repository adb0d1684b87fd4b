import type { DataSource } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../../common/errors';
import { validateText } from '../../common/text';
import { hydrate, hydratePages } from '../../db/hydrate';
import { keysetCounts, keysetPages, type ListQuery, type Page, type PageArgs } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, levelRank, roleFloor, roleOfLevel, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { readModel } from '../models';
import { type ModelVersionEntity, Stage, readVersion } from '../versions';
import { approvalMessage, parsePublicKey, verifySignature } from './approval.rules';
import { ApprovalEntity, ApproverKeyEntity } from './approval.entity';
import { Decision } from './governance.enums';
import { isGated } from './policy.rules';
import { effectivePolicy } from './policy.store';

/** How far the time in a signed approval may be from the server's clock. */
const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export interface DecisionInput {
  versionId: string;
  targetStage: Stage;
  signedAt: Date;
  signature: string;
  comment?: string | null;
}

/**
 * Approvers' keys and their Ed25519-signed decisions on versions. Deciding needs APPROVE on the model
 * and at least the level of the policy's approver role; the approval records the role that level
 * stands for (an APPROVE grant decides as an APPROVER).
 */
export class ApprovalService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** An approver's Ed25519 public key; a new one replaces the approver's previous key. */
  async registerApproverKey(caller: Caller, publicKey: string): Promise<ApproverKeyEntity> {
    const parsed = parsePublicKey(publicKey);
    return this.db.transaction(async (m) => {
      // A key belongs to one approver at a time: otherwise one private key could sign as two approvers.
      const [holder] = await m.query('SELECT * FROM approver_keys WHERE fingerprint = $1 AND revoked_at IS NULL FOR UPDATE', [
        parsed.fingerprint,
      ]);
      if (holder && holder.subject === caller.subject) return hydrate(m, ApproverKeyEntity, holder); // already theirs
      if (holder)
        throw conflict('this public key is registered to another approver: each approver signs with a key of their own', {
          field: 'publicKey',
        });
      const [[previous]] = await m.query(
        'UPDATE approver_keys SET revoked_at = now() WHERE subject = $1 AND revoked_at IS NULL RETURNING fingerprint',
        [caller.subject],
      );
      const [key] = await writeReturning(
        m,
        ApproverKeyEntity,
        'INSERT INTO approver_keys (subject, public_key_pem, fingerprint) VALUES ($1, $2, $3) RETURNING *',
        [caller.subject, parsed.pem, parsed.fingerprint],
      );
      await appendAudit(m, caller, {
        action: 'approver_key.registered',
        subjectType: 'ApproverKey',
        subjectId: key.id,
        payload: { subject: caller.subject, fingerprint: key.fingerprint, replaced: previous?.fingerprint ?? null },
      });
      return key;
    });
  }

  /** The canonical message an approver signs for a decision, with the time to sign it at. */
  async challenge(caller: Caller, versionId: string, targetStage: Stage, decision: Decision): Promise<{ message: string; signedAt: Date }> {
    const version = await readVersion(this.db.manager, versionId);
    await this.access.authorize(this.db.manager, caller, Action.APPROVE, version.modelId, notFound('model version', versionId));
    const signedAt = new Date();
    return { message: this.message(version, targetStage, decision, caller.subject, signedAt), signedAt };
  }

  /**
   * Records a signed decision. Refused: a target that is not gated, a version without an artifact
   * digest, a role below the policy's, the registrant when duties are separated, a time outside
   * the signing window, a signature that does not verify, a second decision by the same approver.
   */
  async decide(caller: Caller, input: DecisionInput, decision: Decision): Promise<ApprovalEntity> {
    if (!isGated(input.targetStage)) throw badInput('targetStage', 'approvals are for STAGING or PRODUCTION');
    validateText(input.comment, 'comment', { max: 5000 });
    if (Math.abs(Date.now() - input.signedAt.getTime()) > SIGNATURE_WINDOW_MS) {
      throw badInput('signedAt', 'must be within 15 minutes of the server time: ask approvalChallenge for a fresh message');
    }
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, input.versionId, 'FOR UPDATE');
      const level = await this.access.authorize(m, caller, Action.APPROVE, version.modelId, notFound('model version', input.versionId));
      const model = await readModel(m, version.modelId);
      const { policy } = await effectivePolicy(m, model);
      const needed = roleFloor(policy.approverRole);
      if (levelRank(level) < levelRank(needed)) {
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          `the policy needs the ${policy.approverRole} role (${needed} on the model) to decide; you have ${level}`,
          {
            action: Action.APPROVE,
            requiredRole: policy.approverRole,
            requiredLevel: needed,
            level,
          },
        );
      }
      if (policy.separationOfDuties && caller.subject === version.createdBy) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'separation of duties: the registrant of a version cannot decide on it', {
          action: Action.APPROVE,
          rule: 'separationOfDuties',
        });
      }
      if ([Stage.RETIRED, Stage.REJECTED].includes(version.stage) || version.stage === input.targetStage) {
        throw conflict(`version ${version.version} is ${version.stage}: there is no decision to take on moving it to ${input.targetStage}`);
      }
      const [key] = await m.query('SELECT * FROM approver_keys WHERE subject = $1 AND revoked_at IS NULL', [caller.subject]);
      if (!key) throw badInput('signature', 'register your public key first (registerApproverKey)');
      const message = this.message(version, input.targetStage, decision, caller.subject, input.signedAt);
      if (!verifySignature(key.public_key_pem, message, input.signature)) {
        throw badInput('signature', 'does not verify against your registered key for this version, stage, decision and time');
      }
      const [approval] = await writeReturning(
        m,
        ApprovalEntity,
        `INSERT INTO approvals (version_id, target_stage, decision, approver, approver_role, key_id, key_fingerprint, message, signature,
           comment, signed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          version.id,
          input.targetStage,
          decision,
          caller.subject,
          roleOfLevel(level),
          key.id,
          key.fingerprint,
          message,
          input.signature,
          input.comment ?? '',
          input.signedAt,
        ],
        { error: () => conflict(`${caller.subject} has already decided on this version for ${input.targetStage}`) },
      );
      await appendAudit(m, caller, {
        action: decision === Decision.APPROVED ? 'version.approved' : 'version.rejected',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: model.id,
        payload: {
          approvalId: approval.id,
          targetStage: input.targetStage,
          comment: approval.comment,
          keyFingerprint: key.fingerprint,
          signature: input.signature,
        },
      });
      return approval;
    });
  }

  /**
   * Checks a recorded approval again, trusting nothing stored with it: the message is rebuilt from the
   * approval's fields and the version's artifact digest, and the signature verified with the key that
   * was registered when it was made. NOT_FOUND for an unknown approval.
   */
  async verify(
    caller: Caller,
    approvalId: string,
  ): Promise<{ approvalId: string; valid: boolean; keyFingerprint: string; detail: string }> {
    const m = this.db.manager;
    const [row] = await m.query(
      `SELECT a.*, k.public_key_pem, k.fingerprint AS registered_fingerprint, v.model_id AS version_model_id
       FROM approvals a JOIN approver_keys k ON k.id = a.key_id JOIN model_versions v ON v.id = a.version_id WHERE a.id = $1`,
      [approvalId],
    );
    if (!row) throw notFound('approval', approvalId);
    await this.access.authorize(m, caller, Action.VIEW, row.version_model_id, notFound('approval', approvalId));
    const approval = hydrate(m, ApprovalEntity, row);
    const answer = (valid: boolean, detail: string) => ({ approvalId, valid, keyFingerprint: approval.keyFingerprint, detail });
    if (row.registered_fingerprint !== approval.keyFingerprint)
      return answer(false, "the fingerprint recorded with the approval is not the signing key's");
    const version = await readVersion(m, approval.versionId);
    if (!version.artifactSha256) return answer(false, 'the version has no artifact digest');
    const expected = approvalMessage({
      versionId: version.id,
      artifactSha256: version.artifactSha256,
      targetStage: approval.targetStage,
      decision: approval.decision,
      approver: approval.approver,
      signedAt: approval.signedAt.toISOString(),
    });
    if (expected !== approval.message)
      return answer(false, 'the signed message does not match the approval and the version as they are now');
    if (!verifySignature(row.public_key_pem, expected, approval.signature))
      return answer(false, 'the signature does not verify with the key');
    return answer(true, `signed by ${approval.approver} with key ${approval.keyFingerprint}`);
  }

  // ---- reads (batched) ----

  async approvalPages(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<ApprovalEntity>>> {
    return hydratePages(this.db.manager, ApprovalEntity, await keysetPages(this.db.manager, approvalList(versionIds), page));
  }

  approvalCounts(versionIds: readonly string[]): Promise<Map<string, number>> {
    return keysetCounts(this.db.manager, approvalList(versionIds));
  }

  private message(version: ModelVersionEntity, targetStage: Stage, decision: Decision, approver: string, signedAt: Date): string {
    if (!version.artifactSha256) throw badInput('versionId', 'the version has no artifact digest yet: there is nothing to sign');
    return approvalMessage({
      versionId: version.id,
      artifactSha256: version.artifactSha256,
      targetStage,
      decision,
      approver,
      signedAt: signedAt.toISOString(),
    });
  }
}

function approvalList(versionIds: readonly string[]): ListQuery {
  return { from: 'approvals', parent: { column: 'x.version_id', keys: versionIds }, order: ['x.created_at', 'x.id'], direction: 'ASC' };
}
