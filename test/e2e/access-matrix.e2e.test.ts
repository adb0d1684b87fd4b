/**
 * The permission matrix: every model-scoped operation × every level × (own team / other team / no grant),
 * over real HTTP, in both visibility modes. The expected outcome of each cell comes from the rights
 * table (RIGHTS), so the table the README prints is the one that is enforced.
 *
 * Callers are VIEWER-role tokens: their role floor is VIEW, and anything more comes from a grant to
 * their team. Each cell works on a fresh LOW-risk model created by an ADMIN.
 */
import {
  AccessOfDocument,
  ApprovalChallengeDocument,
  ApproveModelVersionDocument,
  AuditEventsDocument,
  DeleteModelAliasDocument,
  EndDeploymentDocument,
  GrantAccessDocument,
  LogMetricsDocument,
  ModelDocument,
  ModelsDocument,
  ModelVersionDocument,
  MyAccessDocument,
  PromotionReadinessDocument,
  ProtectAliasDocument,
  RecordDeploymentDocument,
  RegisterModelVersionDocument,
  RetireModelDocument,
  RevokeAccessDocument,
  RollbackModelDocument,
  SetBaselineDocument,
  SetModelAliasDocument,
  SetModelTagsDocument,
  SetPolicyDocument,
  TransitionModelVersionDocument,
  UpdateDeploymentDocument,
  UpdateModelDocument,
  ValidateModelVersionDocument,
  VerifyApprovalDocument,
} from '../generated/graphql';
import { Role } from '../../src/common/role';
import type { Services } from '../../src/composition';
import { Action, Level, LEVELS, mayDo } from '../../src/modules/access/access.rules';
import { approvalMessage } from '../../src/modules/governance/approval.signature';
import { Decision } from '../../src/modules/governance/governance.enums';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import type { RegisteredModelEntity } from '../../src/modules/models/registered-model.entity';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { Stage } from '../../src/modules/versions/model-version.enums';
import { modelName, registration } from '../support/fixtures';
import {
  aucBaseline,
  caller,
  decide,
  keyPair,
  newApprover,
  readyRegistration,
  signMessage,
  stagedVersion,
  type Approver,
} from '../support/lifecycle';
import { startTestServer, type GraphQLResponse, type TestServer } from '../support/server';

type Relation = 'own' | 'other' | 'none';
type Outcome = 'ALLOWED' | 'HIDDEN' | 'FORBIDDEN' | 'NOT_FOUND' | string;

const admin = caller('admin', Role.ADMIN);

interface Cell {
  t: TestServer;
  s: Services;
  model: RegisteredModelEntity;
  /** What prepare() made: a version id, a deployment id… */
  state: Record<string, string>;
  token: string;
  subject: string;
  keys: ReturnType<typeof keyPair>;
  gateApprover: Approver;
}

interface Op {
  name: string;
  /** The right the operation needs on the model. */
  action: Action;
  /** What a caller who cannot see the model gets in 'granted' mode: NOT_FOUND, or an answer without it. */
  invisible?: 'HIDDEN';
  /** Whether a successful answer left the model out (null, an empty list). */
  hidden?(data: Record<string, unknown>): boolean;
  /** Sets up what the operation acts on, as an ADMIN, through the services. */
  prepare?(c: Cell): Promise<Record<string, string>>;
  run(c: Cell): Promise<GraphQLResponse<unknown>>;
}

const version = async (c: Cell) => ({ versionId: (await c.s.versions.register(admin, readyRegistration(c.model.id))).version.id });
const validated = async (c: Cell) => {
  await aucBaseline(c.s, admin, c.model.id);
  const { versionId } = await version(c);
  await c.s.metrics.log(admin, { versionId, metrics: [{ name: 'auc', value: 0.9, source: MetricSource.VALIDATION }] });
  await c.s.validation.validate(admin, versionId);
  return { versionId };
};
const staged = async (c: Cell) => {
  await aucBaseline(c.s, admin, c.model.id);
  return { versionId: (await stagedVersion(c.s, admin, c.model.id, [])).id };
};
const deployed = async (c: Cell) => {
  const { versionId } = await version(c);
  const deployment = await c.s.deployments.record(admin, {
    versionId,
    environment: 'production',
    endpoint: 'https://serve.example/m',
    strategy: DeploymentStrategy.DIRECT,
    trafficPercent: 100,
    overrideReason: 'matrix',
  });
  return { deploymentId: deployment.id };
};
const promote = (c: Cell, versionId: string) =>
  c.s.transitions.transition(admin, { versionId, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
const protectedChampion = async (c: Cell) => {
  await c.s.access.protectAlias(admin, c.model.id, 'champion');
  return version(c);
};

const OPS: Op[] = [
  // ---- reads (VIEW) ----
  {
    name: 'model',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.model === null,
    run: (c) => c.t.request(ModelDocument, { id: c.model.id }, c.token),
  },
  {
    name: 'modelVersion',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.modelVersion === null,
    prepare: version,
    run: (c) => c.t.request(ModelVersionDocument, { id: c.state.versionId }, c.token),
  },
  {
    name: 'models (list and totalCount)',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d.models as { totalCount: number }).totalCount === 0,
    run: (c) => c.t.request(ModelsDocument, { filter: { owner: c.model.owner } }, c.token),
  },
  {
    name: '_entities',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d._entities as unknown[])[0] === null,
    run: (c) =>
      c.t.post(
        {
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on RegisteredModel { id } } }',
          variables: { r: [{ __typename: 'RegisteredModel', id: c.model.id }] },
        },
        c.token,
      ),
  },
  {
    name: 'auditEvents of the model',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d.auditEvents as { totalCount: number }).totalCount === 0,
    run: (c) => c.t.request(AuditEventsDocument, { filter: { modelId: c.model.id } }, c.token),
  },
  { name: 'myAccess', action: Action.VIEW, run: (c) => c.t.request(MyAccessDocument, { modelId: c.model.id }, c.token) },
  { name: 'accessOf', action: Action.VIEW, run: (c) => c.t.request(AccessOfDocument, { modelId: c.model.id }, c.token) },
  {
    name: 'promotionReadiness',
    action: Action.VIEW,
    prepare: version,
    run: (c) => c.t.request(PromotionReadinessDocument, { versionId: c.state.versionId, targetStage: 'STAGING' }, c.token),
  },
  {
    name: 'verifyApproval',
    action: Action.VIEW,
    prepare: async (c) => {
      const { versionId } = await staged(c);
      // With visibility 'granted' the approver too needs a grant on the model to see it.
      await c.s.access.grant(admin, { modelId: c.model.id, subject: c.gateApprover.caller.subject, level: Level.APPROVE });
      return { approvalId: (await decide(c.s, c.gateApprover, versionId, Stage.PRODUCTION)).id };
    },
    run: (c) => c.t.request(VerifyApprovalDocument, { id: c.state.approvalId }, c.token),
  },
  // ---- CONTRIBUTE ----
  {
    name: 'updateModel description',
    action: Action.EDIT_MODEL,
    run: (c) =>
      c.t.request(UpdateModelDocument, { input: { id: c.model.id, expectedRevision: c.model.revision, description: 'x' } }, c.token),
  },
  {
    name: 'setModelTags',
    action: Action.EDIT_MODEL,
    run: (c) => c.t.request(SetModelTagsDocument, { input: { modelId: c.model.id, tags: [{ key: 'team', value: 'x' }] } }, c.token),
  },
  {
    name: 'registerModelVersion',
    action: Action.REGISTER_VERSION,
    run: (c) => c.t.request(RegisterModelVersionDocument, { input: registration({ modelId: c.model.id }) }, c.token),
  },
  {
    name: 'logMetrics',
    action: Action.LOG_METRICS,
    prepare: version,
    run: (c) =>
      c.t.request(
        LogMetricsDocument,
        { input: { versionId: c.state.versionId, metrics: [{ name: 'auc', value: 0.9, source: 'VALIDATION' }] } },
        c.token,
      ),
  },
  {
    name: 'validateModelVersion',
    action: Action.VALIDATE,
    prepare: version,
    run: (c) => c.t.request(ValidateModelVersionDocument, { input: { versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'transition DEVELOPMENT → STAGING',
    action: Action.MOVE_TO_STAGING,
    prepare: validated,
    run: (c) =>
      c.t.request(
        TransitionModelVersionDocument,
        { input: { versionId: c.state.versionId, toStage: 'STAGING', expectedStage: 'DEVELOPMENT' } },
        c.token,
      ),
  },
  {
    name: 'setModelAlias (unprotected)',
    action: Action.SET_ALIAS,
    prepare: version,
    run: (c) =>
      c.t.request(SetModelAliasDocument, { input: { modelId: c.model.id, alias: 'candidate', versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'deleteModelAlias (unprotected)',
    action: Action.SET_ALIAS,
    prepare: async (c) => {
      const { versionId } = await version(c);
      await c.s.aliases.set(admin, { modelId: c.model.id, alias: 'candidate', versionId });
      return {};
    },
    run: (c) => c.t.request(DeleteModelAliasDocument, { input: { modelId: c.model.id, alias: 'candidate' } }, c.token),
  },
  {
    name: 'recordDeployment',
    action: Action.RECORD_DEPLOYMENT,
    prepare: version,
    run: (c) =>
      c.t.request(
        RecordDeploymentDocument,
        { input: { versionId: c.state.versionId, environment: 'staging', endpoint: 'https://s.example/m', overrideReason: 'matrix' } },
        c.token,
      ),
  },
  {
    name: 'updateDeployment',
    action: Action.RECORD_DEPLOYMENT,
    prepare: deployed,
    run: (c) => c.t.request(UpdateDeploymentDocument, { input: { id: c.state.deploymentId, trafficPercent: 50 } }, c.token),
  },
  {
    name: 'endDeployment',
    action: Action.RECORD_DEPLOYMENT,
    prepare: deployed,
    run: (c) => c.t.request(EndDeploymentDocument, { input: { id: c.state.deploymentId } }, c.token),
  },
  // ---- APPROVE ----
  {
    name: 'approvalChallenge',
    action: Action.APPROVE,
    prepare: staged,
    run: (c) =>
      c.t.request(
        ApprovalChallengeDocument,
        { input: { versionId: c.state.versionId, targetStage: 'PRODUCTION', decision: 'APPROVED' } },
        c.token,
      ),
  },
  {
    name: 'approveModelVersion',
    action: Action.APPROVE,
    prepare: staged,
    run: async (c) => {
      // Signed as the approver's own tool would, without asking the server (which may refuse the challenge).
      const [row] = await c.t.database.db.query('SELECT artifact_sha256 FROM model_versions WHERE id = $1', [c.state.versionId]);
      const signedAt = new Date().toISOString();
      const message = approvalMessage({
        versionId: c.state.versionId,
        artifactSha256: row.artifact_sha256,
        targetStage: 'PRODUCTION',
        decision: Decision.APPROVED,
        approver: c.subject,
        signedAt,
      });
      const input = {
        versionId: c.state.versionId,
        targetStage: 'PRODUCTION' as const,
        signedAt,
        signature: signMessage(message, c.keys.privateKey),
      };
      return c.t.request(ApproveModelVersionDocument, { input }, c.token);
    },
  },
  {
    name: 'transition STAGING → PRODUCTION',
    action: Action.MOVE_BEYOND_STAGING,
    prepare: staged,
    run: (c) =>
      c.t.request(
        TransitionModelVersionDocument,
        { input: { versionId: c.state.versionId, toStage: 'PRODUCTION', expectedStage: 'STAGING' } },
        c.token,
      ),
  },
  {
    name: 'rollbackModel',
    action: Action.ROLL_BACK,
    prepare: async (c) => {
      await promote(c, (await staged(c)).versionId);
      await promote(c, (await staged(c)).versionId);
      return {};
    },
    run: (c) => c.t.request(RollbackModelDocument, { input: { modelId: c.model.id } }, c.token),
  },
  {
    name: 'setModelAlias champion (protected)',
    action: Action.MOVE_PROTECTED_ALIAS,
    prepare: protectedChampion,
    run: (c) =>
      c.t.request(SetModelAliasDocument, { input: { modelId: c.model.id, alias: 'champion', versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'deleteModelAlias champion (protected)',
    action: Action.MOVE_PROTECTED_ALIAS,
    prepare: async (c) => {
      const { versionId } = await protectedChampion(c);
      await c.s.aliases.set(admin, { modelId: c.model.id, alias: 'champion', versionId });
      return {};
    },
    run: (c) => c.t.request(DeleteModelAliasDocument, { input: { modelId: c.model.id, alias: 'champion' } }, c.token),
  },
  // ---- MANAGE ----
  {
    name: 'updateModel riskTier',
    action: Action.EDIT_POLICY,
    run: (c) =>
      c.t.request(UpdateModelDocument, { input: { id: c.model.id, expectedRevision: c.model.revision, riskTier: 'MEDIUM' } }, c.token),
  },
  {
    name: 'updateModel name (rename)',
    action: Action.RENAME_MODEL,
    run: (c) =>
      c.t.request(
        UpdateModelDocument,
        { input: { id: c.model.id, expectedRevision: c.model.revision, name: modelName('renamed') } },
        c.token,
      ),
  },
  {
    name: 'setBaseline',
    action: Action.EDIT_POLICY,
    run: (c) =>
      c.t.request(
        SetBaselineDocument,
        { input: { modelId: c.model.id, metric: 'auc', comparator: 'GTE', reference: 'FIXED', threshold: 0.8, tolerance: 0 } },
        c.token,
      ),
  },
  {
    name: 'setPolicy (model)',
    action: Action.EDIT_POLICY,
    run: (c) => c.t.request(SetPolicyDocument, { input: { modelId: c.model.id, document: { approvals: { PRODUCTION: 1 } } } }, c.token),
  },
  {
    name: 'grantAccess',
    action: Action.GRANT,
    run: (c) => c.t.request(GrantAccessDocument, { input: { modelId: c.model.id, subject: 'newcomer', level: 'VIEW' } }, c.token),
  },
  {
    name: 'revokeAccess',
    action: Action.GRANT,
    prepare: async (c) => ({
      grantId: (await c.s.access.grant(admin, { modelId: c.model.id, subject: 'newcomer', level: Level.VIEW })).id,
    }),
    run: (c) => c.t.request(RevokeAccessDocument, { input: { grantId: c.state.grantId } }, c.token),
  },
  {
    name: 'protectAlias (model)',
    action: Action.GRANT,
    run: (c) => c.t.request(ProtectAliasDocument, { input: { modelId: c.model.id, pattern: 'prod-*' } }, c.token),
  },
  {
    name: 'retireModel',
    action: Action.RETIRE,
    run: (c) => c.t.request(RetireModelDocument, { input: { modelId: c.model.id, reason: 'matrix' } }, c.token),
  },
];

function expected(op: Op, mode: 'all' | 'granted', relation: Relation, level: Level | null): Outcome {
  if (relation === 'own') return mayDo(level, op.action) ? 'ALLOWED' : 'FORBIDDEN';
  if (mode === 'granted') return op.invisible ?? 'NOT_FOUND';
  return mayDo(Level.VIEW, op.action) ? 'ALLOWED' : 'FORBIDDEN'; // the VIEWER role's floor
}

function outcome(op: Op, res: GraphQLResponse<unknown>): Outcome {
  if (res.errors?.length) return String(res.errors[0].extensions?.code);
  return op.hidden?.(res.data as Record<string, unknown>) ? 'HIDDEN' : 'ALLOWED';
}

const RELATIONS: Array<[Relation, Level | null]> = [
  ...LEVELS.map((l): [Relation, Level] => ['own', l]),
  ...LEVELS.map((l): [Relation, Level] => ['other', l]),
  ['none', null],
];

describe.each(['all', 'granted'] as const)('MODELGRAPH_VISIBILITY=%s', (mode) => {
  let t: TestServer;
  let gateApprover: Approver;
  let otherTeam: string;
  const members = new Map<Level | null, { token: string; subject: string; teamId: string | null; keys: ReturnType<typeof keyPair> }>();

  beforeAll(async () => {
    t = await startTestServer({ MODELGRAPH_VISIBILITY: mode });
    const s = t.services;
    gateApprover = await newApprover(s, 'gate-approver');
    otherTeam = (await s.access.createTeam(admin, { name: 'team-other' })).id;
    const home = await s.models.create(admin, { name: modelName('home'), owner: 'home' });
    for (const level of [...LEVELS, null]) {
      const subject = level ? `member-${level.toLowerCase()}` : 'loner';
      let teamId: string | null = null;
      if (level) {
        teamId = (await s.access.createTeam(admin, { name: `team-${level.toLowerCase()}` })).id;
        await s.access.addMember(admin, teamId, subject);
        // Every member sees some model of its own team, so "other" differs from "none" by that.
        await s.access.grant(admin, { modelId: home.id, teamId, level });
      }
      const keys = keyPair();
      await s.approvals.registerApproverKey(caller(subject, Role.VIEWER), keys.publicKeyPem);
      members.set(level, { token: await t.tokenFor(Role.VIEWER, subject), subject, teamId, keys });
    }
  });
  afterAll(() => t.close());

  const cells = OPS.flatMap((op) => RELATIONS.map(([relation, level]) => ({ op, relation, level })));

  test.each(cells.map((c) => [`${c.op.name} · ${c.relation}${c.level ? ` ${c.level}` : ''}`, c] as const))(
    '%s',
    async (_title, { op, relation, level }) => {
      const s = t.services;
      const member = members.get(relation === 'none' ? null : level)!;
      const model = await s.models.create(admin, { name: modelName('matrix'), owner: modelName('owner'), riskTier: RiskTier.LOW });
      if (relation === 'own') await s.access.grant(admin, { modelId: model.id, teamId: member.teamId, level: level! });
      else await s.access.grant(admin, { modelId: model.id, teamId: otherTeam, level: Level.MANAGE });
      const cell: Cell = { t, s, model, state: {}, token: member.token, subject: member.subject, keys: member.keys, gateApprover };
      cell.state = (await op.prepare?.(cell)) ?? {};
      const eventsBefore = await auditCount(t, model.id);

      const res = await op.run(cell);
      const got = outcome(op, res);
      const want = expected(op, mode, relation, level);
      expect({ got, errors: got === want ? undefined : res }).toEqual({ got: want, errors: undefined });
      // A refused write writes nothing, its audit event included.
      if (want !== 'ALLOWED') expect(await auditCount(t, model.id)).toBe(eventsBefore);
    },
  );
});

async function auditCount(t: TestServer, modelId: string): Promise<number> {
  const [row] = await t.database.db.query('SELECT count(*)::int AS n FROM audit_events WHERE model_id = $1', [modelId]);
  return row.n;
}
