import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../common/caller';
import { badInput, conflict, DomainError, ErrorCode } from '../../common/errors';
import { hydrate, hydrateByKey, hydratePages } from '../../db/data-source';
import { keysetPages, SqlParams, type Page, type PageArgs } from '../../db/pagination';
import { isUniqueViolation } from '../../db/pg-errors';
import { appendAudit } from '../audit/audit.service';
import { hasRole } from '../auth/role';
import { validationValues } from '../metrics/metric.service';
import { RiskTier } from '../models/model.enums';
import { validateText } from '../models/model.rules';
import { lockModel, readModel } from '../models/model.service';
import { RegisteredModelEntity } from '../models/registered-model.entity';
import type { ModelVersionEntity } from '../versions/model-version.entity';
import { readVersion } from '../versions/model-version.service';
import { Stage } from '../versions/model-version.enums';
import { ALLOWED_MOVES } from '../versions/stage-machine';
import { approvalMessage, parsePublicKey, verifySignature } from './approval.signature';
import { evaluateGates, isGated, type GateReport } from './gates';
import {
  ApprovalEntity,
  ApproverKeyEntity,
  BaselineEntity,
  PolicyEntity,
  ValidationCheckEntity,
  ValidationReportEntity,
} from './governance.entities';
import { defaultPolicy, parsePolicy, type Comparator, type Policy } from './policy.rules';
import { validate, type BaselineReference } from './validation.rules';

/** How far the time in a signed approval may be from the server's clock. */
const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export type Decision = 'APPROVED' | 'REJECTED';

export interface EffectivePolicy {
  policy: Policy;
  /** The stored policy in force, or null when the tier's default applies. */
  source: PolicyEntity | null;
}

export interface SetBaselineInput {
  modelId: string;
  metric: string;
  comparator: Comparator;
  reference: BaselineReference;
  threshold?: number | null;
  tolerance?: number | null;
}

export interface DecisionInput {
  versionId: string;
  targetStage: Stage;
  signedAt: Date;
  signature: string;
  comment?: string | null;
}

export interface Readiness extends GateReport {
  versionId: string;
  currentStage: Stage;
  /** Whether currentStage → targetStage is a lifecycle move at all. */
  moveAllowed: boolean;
}

/** Baselines, policies, validation reports and signed approvals: what the lifecycle gates read. */
export class GovernanceService {
  constructor(private readonly db: DataSource) {}

  async setBaseline(caller: Caller, input: SetBaselineInput): Promise<BaselineEntity> {
    validateText(input.metric, 'metric', { required: true, max: 200 });
    const tolerance = input.tolerance ?? 0;
    if (!Number.isFinite(tolerance) || tolerance < 0) throw badInput('tolerance', 'must be a finite number of at least 0');
    if (input.reference === 'FIXED') {
      if (input.threshold === undefined || input.threshold === null || !Number.isFinite(input.threshold)) {
        throw badInput('threshold', 'a FIXED baseline needs a finite threshold');
      }
    } else if (input.threshold !== undefined && input.threshold !== null) {
      throw badInput('threshold', 'a PRODUCTION_VERSION baseline compares with the production version, not a threshold');
    }
    return this.db.transaction(async (m) => {
      await lockModel(m, input.modelId);
      const [current] = await m.query('SELECT * FROM baselines WHERE model_id = $1 AND metric = $2', [input.modelId, input.metric]);
      const [row] = await m.query(
        `INSERT INTO baselines (model_id, metric, comparator, reference, threshold, tolerance, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (model_id, metric) DO UPDATE SET comparator = EXCLUDED.comparator, reference = EXCLUDED.reference,
           threshold = EXCLUDED.threshold, tolerance = EXCLUDED.tolerance, updated_by = EXCLUDED.updated_by,
           updated_at = now(), revision = baselines.revision + 1
         RETURNING *`,
        [input.modelId, input.metric, input.comparator, input.reference, input.threshold ?? null, tolerance, caller.subject],
      );
      const after = hydrate(m, BaselineEntity, row);
      await appendAudit(m, caller, {
        action: 'baseline.set',
        subjectType: 'Baseline',
        subjectId: after.id,
        modelId: input.modelId,
        payload: { before: current ? hydrate(m, BaselineEntity, current) : null, after },
      });
      return after;
    });
  }

  /** Stores a new version of the policy for a model or for a risk tier; a bad document is refused, pointing at the bad part. */
  async setPolicy(caller: Caller, input: { modelId?: string | null; riskTier?: RiskTier | null; document: unknown }): Promise<PolicyEntity> {
    if (Boolean(input.modelId) === Boolean(input.riskTier)) throw badInput('modelId', 'give exactly one of modelId and riskTier');
    return this.db.transaction(async (m) => {
      let scope: 'MODEL' | 'RISK_TIER';
      let scopeKey: string;
      let modelId: string | null = null;
      if (input.modelId) {
        const model = await lockModel(m, input.modelId);
        parsePolicy(input.document, model.riskTier);
        [scope, scopeKey, modelId] = ['MODEL', model.id, model.id];
      } else {
        parsePolicy(input.document, input.riskTier as RiskTier);
        [scope, scopeKey] = ['RISK_TIER', input.riskTier as RiskTier];
      }
      let row: Record<string, unknown>;
      try {
        [row] = await m.query(
          `INSERT INTO policies (scope, scope_key, version, document, created_by)
           SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4 FROM policies WHERE scope = $1 AND scope_key = $2
           RETURNING *`,
          [scope, scopeKey, JSON.stringify(input.document), caller.subject],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('another policy version was stored at the same moment: retry');
        throw err;
      }
      const policy = hydrate(m, PolicyEntity, row);
      await appendAudit(m, caller, {
        action: 'policy.set',
        subjectType: 'Policy',
        subjectId: policy.id,
        modelId,
        payload: { scope, scopeKey, version: policy.version, document: policy.document },
      });
      return policy;
    });
  }

  /** The policy in force for a model: its own, else its risk tier's, else the tier's default. */
  async effectivePolicy(m: EntityManager, model: RegisteredModelEntity): Promise<EffectivePolicy> {
    return (await this.effectivePolicies(m, [model])).get(model.id) as EffectivePolicy;
  }

  /** effectivePolicy for many models in one statement (RegisteredModel.effectivePolicy, whose models are loaded already). */
  async effectivePoliciesOf(models: readonly RegisteredModelEntity[]): Promise<Map<string, EffectivePolicy>> {
    return this.effectivePolicies(this.db.manager, models);
  }

  private async effectivePolicies(m: EntityManager, models: readonly RegisteredModelEntity[]): Promise<Map<string, EffectivePolicy>> {
    const rows = await m.query(
      `SELECT DISTINCT ON (scope, scope_key) * FROM policies
       WHERE (scope = 'MODEL' AND scope_key = ANY($1::text[])) OR (scope = 'RISK_TIER' AND scope_key = ANY($2::text[]))
       ORDER BY scope, scope_key, version DESC`,
      [models.map((x) => x.id), [...new Set(models.map((x) => x.riskTier))]],
    );
    const latest = new Map<string, PolicyEntity>(
      rows.map((r: Record<string, unknown>) => [`${r.scope}/${r.scope_key}`, hydrate(m, PolicyEntity, r)]),
    );
    return new Map(
      models.map((model) => {
        const source = latest.get(`MODEL/${model.id}`) ?? latest.get(`RISK_TIER/${model.riskTier}`) ?? null;
        const policy = source ? parsePolicy(source.document, model.riskTier) : defaultPolicy(model.riskTier);
        return [model.id, { policy, source }];
      }),
    );
  }

  /**
   * Compares the version's VALIDATION metrics with every baseline of its model and every required
   * check of the policy in force, and stores the report. A missing metric is a failed check.
   */
  async validate(caller: Caller, versionId: string): Promise<ValidationReportEntity> {
    return this.db.transaction(async (m) => {
      const version = await readVersion(m, versionId);
      const model = await readModel(m, version.modelId);
      const { policy, source } = await this.effectivePolicy(m, model);
      const baselines = (await m.query('SELECT * FROM baselines WHERE model_id = $1 ORDER BY metric', [model.id])).map(
        (r: Record<string, unknown>) => hydrate(m, BaselineEntity, r),
      );
      const [production] = await m.query(`SELECT id FROM model_versions WHERE model_id = $1 AND stage = 'PRODUCTION' AND id <> $2`, [
        model.id,
        version.id,
      ]);
      const result = validate(
        baselines,
        policy.requiredChecks,
        await validationValues(m, version.id),
        production ? await validationValues(m, production.id) : null,
      );
      const [reportRow] = await m.query(
        `INSERT INTO validation_reports (version_id, passed, summary, policy_id, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [version.id, result.passed, result.summary, source?.id ?? null, caller.subject],
      );
      const report = hydrate(m, ValidationReportEntity, reportRow);
      if (result.checks.length) {
        const c = result.checks;
        await m.query(
          `INSERT INTO validation_checks (report_id, position, origin, metric, comparator, candidate_value, baseline_value, tolerance, passed, detail)
           SELECT $1, ord::int, origin, metric, comparator, candidate, baseline, tolerance, passed, detail
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::bool[], $9::text[])
             WITH ORDINALITY AS c(origin, metric, comparator, candidate, baseline, tolerance, passed, detail, ord)`,
          [
            report.id,
            c.map((x) => x.origin),
            c.map((x) => x.metric),
            c.map((x) => x.comparator),
            c.map((x) => x.candidateValue),
            c.map((x) => x.baselineValue),
            c.map((x) => x.tolerance),
            c.map((x) => x.passed),
            c.map((x) => x.detail),
          ],
        );
      }
      await appendAudit(m, caller, {
        action: 'version.validated',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: model.id,
        payload: { reportId: report.id, passed: result.passed, summary: result.summary, checks: result.checks },
      });
      return report;
    });
  }

  /** An approver's Ed25519 public key; a new one replaces the approver's previous key. */
  async registerApproverKey(caller: Caller, publicKey: string): Promise<ApproverKeyEntity> {
    const parsed = parsePublicKey(publicKey);
    return this.db.transaction(async (m) => {
      const [[previous]] = await m.query(
        'UPDATE approver_keys SET revoked_at = now() WHERE subject = $1 AND revoked_at IS NULL RETURNING fingerprint',
        [caller.subject],
      );
      const [row] = await m.query('INSERT INTO approver_keys (subject, public_key_pem, fingerprint) VALUES ($1, $2, $3) RETURNING *', [
        caller.subject,
        parsed.pem,
        parsed.fingerprint,
      ]);
      const key = hydrate(m, ApproverKeyEntity, row);
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
      const model = await readModel(m, version.modelId);
      const { policy } = await this.effectivePolicy(m, model);
      if (!hasRole(caller.role, policy.approverRole)) {
        throw new DomainError(ErrorCode.FORBIDDEN, `the policy needs the ${policy.approverRole} role to decide`, {
          requiredRole: policy.approverRole,
        });
      }
      if (policy.separationOfDuties && caller.subject === version.createdBy) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'separation of duties: the registrant of a version cannot decide on it');
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
      let row: Record<string, unknown>;
      try {
        [row] = await m.query(
          `INSERT INTO approvals (version_id, target_stage, decision, approver, approver_role, key_id, message, signature, comment, signed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [version.id, input.targetStage, decision, caller.subject, caller.role, key.id, message, input.signature, input.comment ?? '', input.signedAt],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`${caller.subject} has already decided on this version for ${input.targetStage}`);
        throw err;
      }
      const approval = hydrate(m, ApprovalEntity, row);
      await appendAudit(m, caller, {
        action: decision === 'APPROVED' ? 'version.approved' : 'version.rejected',
        subjectType: 'ModelVersion',
        subjectId: version.id,
        modelId: model.id,
        payload: { approvalId: approval.id, targetStage: input.targetStage, comment: approval.comment, keyFingerprint: key.fingerprint, signature: input.signature },
      });
      return approval;
    });
  }

  /** Every gate for moving a version to `targetStage`, evaluated now, changing nothing. */
  async readiness(versionId: string, targetStage: Stage): Promise<Readiness> {
    const m = this.db.manager;
    const version = await readVersion(m, versionId);
    const report = await this.gateReport(m, version, targetStage);
    return { ...report, versionId, currentStage: version.stage, moveAllowed: ALLOWED_MOVES[version.stage].includes(targetStage) };
  }

  /** The gates for a move, read through `m` (inside a transition's transaction, so they see its locks). */
  async gateReport(m: EntityManager, version: ModelVersionEntity, targetStage: Stage): Promise<GateReport> {
    const model = await readModel(m, version.modelId);
    const { policy } = await this.effectivePolicy(m, model);
    const [latest] = await m.query(
      'SELECT passed, created_at FROM validation_reports WHERE version_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
      [version.id],
    );
    const decisions = await m.query('SELECT approver, approver_role, decision FROM approvals WHERE version_id = $1 AND target_stage = $2', [
      version.id,
      targetStage,
    ]);
    return evaluateGates({
      targetStage,
      artifactStatus: version.artifactStatus,
      registrant: version.createdBy,
      latestValidation: latest ? { passed: latest.passed, createdAt: latest.created_at } : null,
      decisions: decisions.map((d: { approver: string; approver_role: string; decision: Decision }) => ({
        approver: d.approver,
        approverRole: d.approver_role,
        decision: d.decision,
      })),
      policy,
      now: new Date(),
    });
  }

  // ---- reads (batched) ----

  async baselinesByModels(modelIds: readonly string[], page: PageArgs): Promise<Map<string, Page<BaselineEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'baselines',
      where: [`x.model_id = ANY(${params.p(modelIds)})`],
      params,
      order: ['x.metric', 'x.id'],
      direction: 'ASC',
      partitionBy: 'x.model_id',
      ...page,
    });
    return hydratePages(this.db.manager, BaselineEntity, pages);
  }

  async latestReportsByVersions(versionIds: readonly string[]): Promise<Map<string, ValidationReportEntity>> {
    const rows = await this.db.query(
      'SELECT DISTINCT ON (version_id) * FROM validation_reports WHERE version_id = ANY($1) ORDER BY version_id, created_at DESC, id DESC',
      [versionIds],
    );
    return hydrateByKey(this.db.manager, ValidationReportEntity, rows, (r) => String(r.version_id));
  }

  async checksByReports(reportIds: readonly string[]): Promise<Map<string, ValidationCheckEntity[]>> {
    const rows = await this.db.query('SELECT * FROM validation_checks WHERE report_id = ANY($1) ORDER BY report_id, position', [reportIds]);
    const map = new Map<string, ValidationCheckEntity[]>();
    for (const r of rows) {
      const check = hydrate(this.db.manager, ValidationCheckEntity, r);
      map.set(check.reportId, [...(map.get(check.reportId) ?? []), check]);
    }
    return map;
  }

  async approvalsByVersions(versionIds: readonly string[], page: PageArgs): Promise<Map<string, Page<ApprovalEntity>>> {
    const params = new SqlParams();
    const pages = await keysetPages(this.db.manager, {
      table: 'approvals',
      where: [`x.version_id = ANY(${params.p(versionIds)})`],
      params,
      order: ['x.created_at', 'x.id'],
      direction: 'ASC',
      partitionBy: 'x.version_id',
      ...page,
    });
    return hydratePages(this.db.manager, ApprovalEntity, pages);
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
