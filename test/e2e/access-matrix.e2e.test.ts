/**
 * The permission matrix, over real HTTP and real websockets, in both visibility modes:
 *
 * - OPS: every model-scoped operation (subscriptions included) × every level × (own team / other team / no
 *   grant). Callers are VIEWER-role tokens: their role floor is VIEW, and anything more comes from a grant to
 *   their team. Each cell works on a fresh LOW-risk model created by an ADMIN; its expected outcome comes from
 *   the rights table (RIGHTS), so the table the README prints is the one that is enforced.
 * - EVERYWHERE_OPS: what needs a level on all models (CREATE_MODEL, EDIT_LINEAGE): a grant on one model never
 *   gives it; the role's floor or an all-models grant does.
 * - OPEN_OPS: what concerns only the caller itself, open to every token.
 * - REGISTRY_OPS: the rights over the registry itself (REGISTRY_RIGHTS, by role alone) × every role.
 *
 * The schema's root fields are read by introspection: a field no table names fails the run, so an operation
 * cannot be added without saying who may call it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { getIntrospectionQuery, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import {
  AccessOfDocument,
  AcknowledgeAlertDocument,
  AddLineageEdgesDocument,
  AddTeamMemberDocument,
  AlertsDocument,
  AttachModelSignatureDocument,
  ApiTokensDocument,
  ApplyRetentionDocument,
  ApprovalChallengeDocument,
  ApproveModelVersionDocument,
  AuditEventsDocument,
  CanaryAnalysisDocument,
  CreateApiTokenDocument,
  CreateModelDocument,
  CreateTeamDocument,
  CreateWebhookDocument,
  DeleteModelAliasDocument,
  DeleteWebhookDocument,
  EndDeploymentDocument,
  GrantAccessDocument,
  ImpactDocument,
  LineageDocument,
  LineageNodeDocument,
  LineagePathsDocument,
  LogMetricsDocument,
  ModelDocument,
  ModelsDocument,
  ModelCardDocument,
  ModelVersionDocument,
  MyAccessDocument,
  ObjectiveStatusDocument,
  PromotionReadinessDocument,
  ProtectAliasDocument,
  RecordDeploymentDocument,
  RedeliverEventDocument,
  RegisterApproverKeyDocument,
  RegisterModelVersionDocument,
  RegisterSigningKeyDocument,
  RejectModelVersionDocument,
  ReleaseLegalHoldDocument,
  RemoveLineageEdgeDocument,
  RemoveTeamMemberDocument,
  ReportFeatureDistributionDocument,
  ReportFeatureDistributionsDocument,
  ReportProductionMetricsDocument,
  ResolveAlertDocument,
  RescanArtifactDocument,
  RestoreArtifactDocument,
  ResumeWebhookDocument,
  RetentionPlanDocument,
  RetireModelDocument,
  RevokeAccessDocument,
  RevokeApiTokenDocument,
  RevokeTrustedSignerDocument,
  RollbackModelDocument,
  RotateWebhookSecretDocument,
  SetBaselineDocument,
  SetLegalHoldDocument,
  SetModelAliasDocument,
  SetModelObjectivesDocument,
  SetModelTagsDocument,
  SetPolicyDocument,
  SetReferenceDistributionDocument,
  SetRetentionPolicyDocument,
  SweepArtifactsDocument,
  TeamsDocument,
  TransitionModelVersionDocument,
  TrustCertificateAuthorityDocument,
  TrustedSignersDocument,
  TrustSigstoreIdentityDocument,
  UpdateDeploymentDocument,
  UpdateModelCardDocument,
  UpdateModelDocument,
  UpsertLineageNodesDocument,
  ValidateModelVersionDocument,
  VerifyApprovalDocument,
  VerifyArtifactDocument,
  VerifyAuditChainDocument,
  ViewerDocument,
  WebhookDeliveriesDocument,
  WebhookDocument,
  WebhooksDocument,
} from '../generated/graphql';
import { RegistryAction } from '../../src/common/authorization';
import { LineageNodeKind } from '../../src/common/lineage';
import { hasRole, Role } from '../../src/common/role';
import type { Services } from '../../src/composition';
import { Action, Level, LEVELS, levelRank, mayDo, registryRole, RIGHTS, roleFloor } from '../../src/modules/access/access.rules';
import { approvalMessage } from '../../src/modules/governance/approval.rules';
import { Decision } from '../../src/modules/governance/governance.enums';
import { LineageRelation } from '../../src/modules/lineage/lineage.rules';
import { MetricSource } from '../../src/modules/metrics/metric.enums';
import { RiskTier } from '../../src/modules/models/model.enums';
import type { RegisteredModelEntity } from '../../src/modules/models/model.entity';
import { DeploymentStrategy } from '../../src/modules/deployments/deployment.enums';
import { TrustScope } from '../../src/modules/trust/signer.rules';
import { Stage } from '../../src/modules/versions/version.enums';
import { modelName, registration, SHA } from '../support/fixtures';
import { ecKey, makeChain, publicKeyPem, signModel } from '../support/oms';
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
import { ok, startTestServer, type GraphQLResponse, type TestServer } from '../support/server';
import { subscribe } from '../support/subscriber';

type Mode = 'all' | 'granted';
type Relation = 'own' | 'other' | 'none';
type Outcome = 'ALLOWED' | 'HIDDEN' | 'FORBIDDEN' | 'NOT_FOUND' | string;
type Answer = GraphQLResponse<unknown>;

const admin = caller('admin', Role.ADMIN);
const ROLES: readonly Role[] = [Role.VIEWER, Role.CONTRIBUTOR, Role.APPROVER, Role.ADMIN];
const ROOT = path.join(__dirname, '..', '..');

/**
 * Root fields whose rights are tested by a file of their own rather than here, each with the reason. Keep this
 * short: a field belongs in a table below unless it concerns no model, no token's rights and no registry right.
 */
const COVERED_ELSEWHERE: Record<string, { file: string; reason: string }> = {
  _service: {
    file: 'test/e2e/federation.e2e.test.ts',
    reason:
      "federation's subgraph SDL: the schema, no model's or registry's data, so no right here applies; who may fetch it is tested there",
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Cells on one model

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
  artifactDir: string;
}

interface Op {
  name: string;
  /** The schema's root field the operation exercises. */
  field: string;
  /** The right the operation needs on the model. */
  action: Action;
  /** What a caller who cannot see the model gets in 'granted' mode: NOT_FOUND, or an answer without it. */
  invisible?: 'HIDDEN';
  /** Whether a successful answer left the model out (null, an empty list, an event not delivered). */
  hidden?(data: Record<string, unknown>, c: Cell): boolean;
  /** Sets up what the operation acts on, as an ADMIN, through the services. */
  prepare?(c: Cell): Promise<Record<string, string>>;
  run(c: Cell): Promise<Answer>;
  /** The run itself has an ADMIN write on the model (a subscription waiting for an event): no audit check. */
  makesEvents?: true;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

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
const promote = (c: { s: Services }, versionId: string) =>
  c.s.transitions.transition(admin, { versionId, toStage: Stage.PRODUCTION, expectedStage: Stage.STAGING });
const inProduction = async (c: Cell) => {
  const { versionId } = await staged(c);
  await promote(c, versionId);
  return { versionId };
};
/** Version 1 ARCHIVED by version 2's promotion: what a rollback puts back. */
const archived = async (c: Cell) => {
  const first = (await staged(c)).versionId;
  await promote(c, first);
  await promote(c, (await staged(c)).versionId);
  return { versionId: first };
};
const deployed = async (c: Cell, strategy = DeploymentStrategy.DIRECT) => {
  const { versionId } = await version(c);
  const deployment = await c.s.deployments.record(admin, {
    versionId,
    environment: 'production',
    endpoint: `https://serve.example/${c.model.name}`,
    strategy,
    trafficPercent: strategy === DeploymentStrategy.DIRECT ? 100 : 10,
    overrideReason: 'matrix',
  });
  return { deploymentId: deployment.id };
};
const protectedChampion = async (c: Cell) => {
  await c.s.access.protectAlias(admin, c.model.id, 'champion');
  return version(c);
};
/** A version whose bytes were uploaded into the registry's store (READY). */
const uploaded = async (c: Cell) => {
  const body = Buffer.from(`weights of ${c.model.name} `.repeat(20));
  const { version: v } = await c.s.versions.register(
    admin,
    readyRegistration(c.model.id, { artifact: { format: 'ONNX' as never, sha256: sha256(body), sizeBytes: body.length } }),
  );
  await c.s.artifacts.upload(admin, v.id, Readable.from([body]), { sha256: null, sizeBytes: null });
  return { versionId: v.id, key: `${v.artifactStoragePath}artifact` };
};
/** An uploaded artifact moved to cold storage, as the artifact worker leaves it (without waiting for retention). */
const cold = async (c: Cell) => {
  const { versionId, key } = await uploaded(c);
  const coldPath = path.join(c.artifactDir, 'cold', key);
  await mkdir(path.dirname(coldPath), { recursive: true });
  await rename(path.join(c.artifactDir, key), coldPath);
  await c.t.database.db.query(`UPDATE model_versions SET artifact_status = 'COLD' WHERE id = $1`, [versionId]);
  return { versionId };
};
/** A version trained on a dataset of its own: the lineage graph around it belongs to this cell only. */
const traced = async (c: Cell) => {
  const { version: v } = await c.s.versions.register(
    admin,
    readyRegistration(c.model.id, { datasetVersions: [`s3://datasets/${c.model.name}@v1`] }),
  );
  const [dataset] = await c.t.database.db.query(
    `SELECT n.id FROM lineage_edges e JOIN lineage_nodes n ON n.id = e.from_id WHERE e.to_id = $1 AND n.kind = 'DATASET_VERSION'`,
    [v.id],
  );
  return { versionId: v.id, datasetId: dataset.id as string };
};

// ---- trust (OpenSSF Model Signing) ----

/** One CA certificate for every cell that trusts one (openssl makes it, once). */
let matrixCa: string | undefined;
const caCertificate = (): string => (matrixCa ??= makeChain({ name: 'Matrix' }).root.certificate);
/** A READY version and a bundle signing its one file with a key trusted for the cell's model. */
const signable = async (c: Cell) => {
  const { versionId } = await version(c);
  const key = ecKey();
  await c.s.trust.registerSigningKey(admin, {
    name: modelName('matrix-key'),
    publicKey: publicKeyPem(key),
    scope: TrustScope.MODEL,
    modelId: c.model.id,
  });
  const bundle = signModel([{ path: 'm.onnx', sha256: SHA('e'), sizeBytes: 4096 }], { method: 'key', privateKey: key });
  return { versionId, bundle: JSON.stringify(bundle) };
};
const modelSigner = async (c: Cell) => ({
  signerId: (
    await c.s.trust.registerSigningKey(admin, {
      name: modelName('matrix-key'),
      publicKey: publicKeyPem(ecKey()),
      scope: TrustScope.MODEL,
      modelId: c.model.id,
    })
  ).id,
});

// ---- production monitoring ----

const HOUR = 3600_000;
/** The window of `hoursAgo` hours ago, one hour long, on whole hours. */
function window(hoursAgo: number): { start: Date; end: Date } {
  const end = Math.floor(Date.now() / HOUR) * HOUR - (hoursAgo - 1) * HOUR;
  return { start: new Date(end - HOUR), end: new Date(end) };
}
const isoWindow = (hoursAgo: number) => {
  const { start, end } = window(hoursAgo);
  return { start: start.toISOString(), end: end.toISOString() };
};
const numeric = (name: string, counts: number[]) => ({ name, histogram: { binEdges: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], counts } });
const UNIFORM = Array(10).fill(100);
/** PSI 0.275 against UNIFORM: a CRITICAL drift. */
const CRITICAL_SHIFT = [150, 150, 150, 150, 150, 50, 50, 50, 50, 50];

/** A version of the model with a reference distribution for `age`; answers its id. */
async function referenced(s: Services, modelId: string): Promise<string> {
  const { version: v } = await s.versions.register(admin, readyRegistration(modelId));
  await s.drift.setReference(admin, { versionId: v.id, features: [numeric('age', UNIFORM)] });
  return v.id;
}
/** A drift report that raises a CRITICAL DATA_DRIFT alert on the version; answers the model's alert ids. */
async function raiseAlert(t: TestServer, versionId: string): Promise<Set<string>> {
  await t.services.reports.reportFeatures(admin, { versionId, window: window(1), features: [numeric('age', CRITICAL_SHIFT)] });
  const rows = (await t.database.db.query('SELECT a.id FROM alerts a JOIN model_versions v ON v.model_id = a.model_id WHERE v.id = $1', [
    versionId,
  ])) as Array<{ id: string }>;
  return new Set(rows.map((r) => r.id));
}
const alerted = async (c: Cell) => {
  const versionId = await referenced(c.s, c.model.id);
  const [alertId] = await raiseAlert(c.t, versionId);
  return { versionId, alertId };
};

// ---- approvals ----

/** A decision signed as the caller's own tool would sign it, without asking the server (which may refuse the challenge). */
function signedDecision(decision: Decision) {
  return async (c: Cell): Promise<Answer> => {
    const [row] = await c.t.database.db.query('SELECT artifact_sha256 FROM model_versions WHERE id = $1', [c.state.versionId]);
    const signedAt = new Date().toISOString();
    const message = approvalMessage({
      versionId: c.state.versionId,
      artifactSha256: row.artifact_sha256,
      targetStage: 'PRODUCTION',
      decision,
      approver: c.subject,
      signedAt,
    });
    const input = {
      versionId: c.state.versionId,
      targetStage: 'PRODUCTION' as const,
      signedAt,
      signature: signMessage(message, c.keys.privateKey),
    };
    return decision === Decision.APPROVED
      ? c.t.request(ApproveModelVersionDocument, { input }, c.token)
      : c.t.request(RejectModelVersionDocument, { input }, c.token);
  };
}

const transition = (from: string, to: string) => (c: Cell) =>
  c.t.request(
    TransitionModelVersionDocument,
    { input: { versionId: c.state.versionId, toStage: to, expectedStage: from } as never },
    c.token,
  );

// ---- live events ----

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Watch<T> {
  query: string;
  variables?: Record<string, unknown>;
  field: string;
  /** What identifies an item: compared with what cause() and sentinel() answer. */
  key(item: T): string | null | undefined;
  /** Makes the event the cell is about; answers the keys its items carry. */
  cause(): Promise<Set<string>>;
  /** Makes an event the token does see; answers the keys its items carry. */
  sentinel(): Promise<Set<string>>;
}

/**
 * Subscribes with the cell's token over a real websocket, waits until the server serves the subscription (or refused
 * it), then makes the cell's event and, after it, the sentinel: events are delivered in order, so receiving the
 * sentinel without the first proves the first was filtered, with no timeout to guess. The answer says whether the
 * cell's event was delivered (data.delivered) or carries the refusal.
 */
async function watch<T>(c: { t: TestServer; token: string }, w: Watch<T>): Promise<Answer> {
  const dispatcher = c.t.services.eventDispatcher;
  const before = dispatcher.size;
  const received = subscribe<T>(c.t.baseUrl, c.token, w.query, w.variables ?? {}, w.field);
  try {
    await until(() => dispatcher.size > before || received.errors.length > 0, 'the subscription to be served or refused');
    if (received.errors.length) return { status: 200, headers: new Headers(), errors: received.errors as Answer['errors'] };
    const caused = await w.cause();
    const sentinel = await w.sentinel();
    await until(() => received.items.some((i) => sentinel.has(String(w.key(i)))) || received.errors.length > 0, 'the sentinel event');
    const delivered = received.items.some((i) => caused.has(String(w.key(i))));
    return {
      status: 200,
      headers: new Headers(),
      data: { delivered },
      errors: received.errors.length ? (received.errors as Answer['errors']) : undefined,
    };
  } finally {
    await received.close();
    // The next cell waits for its own subscription by this count: this one must be gone first.
    await until(() => dispatcher.size <= before, 'the subscription to be released');
  }
}

/** A model the cell's token sees in either mode (a grant to its subject), for the sentinel; the grant goes after. */
async function withSentinel(
  c: Cell,
  use: (modelId: string) => Promise<Answer>,
  ready?: (modelId: string) => Promise<void>,
): Promise<Answer> {
  const sentinel = await c.s.models.create(admin, { name: modelName('sentinel'), owner: 'sentinel', riskTier: RiskTier.LOW });
  const grant = await c.s.access.grant(admin, { modelId: sentinel.id, subject: c.subject, level: Level.VIEW });
  try {
    await ready?.(sentinel.id);
    return await use(sentinel.id);
  } finally {
    await c.s.access.revoke(admin, grant.id);
  }
}

const tagged = async (s: Services, modelId: string) => {
  await s.models.setTags(admin, { modelId, tags: [{ key: 'touched', value: String(Date.now()) }] });
  return new Set([modelId]);
};

const LIFECYCLE_EVENTS = 'subscription { lifecycleEvents { seq modelId subjectId action } }';
const PROMOTIONS = 'subscription($modelId: UUID!) { promotions(modelId: $modelId) { seq modelId toStage } }';
const DRIFT_ALERTS = 'subscription { driftAlerts { cursor alert { id } } }';

const OPS: Op[] = [
  // ---- reads (VIEW) ----
  {
    name: 'model',
    field: 'model',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.model === null,
    run: (c) => c.t.request(ModelDocument, { id: c.model.id }, c.token),
  },
  {
    name: 'modelVersion',
    field: 'modelVersion',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.modelVersion === null,
    prepare: version,
    run: (c) => c.t.request(ModelVersionDocument, { id: c.state.versionId }, c.token),
  },
  {
    name: 'models (list and totalCount)',
    field: 'models',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d.models as { totalCount: number }).totalCount === 0,
    run: (c) => c.t.request(ModelsDocument, { filter: { owner: c.model.owner } }, c.token),
  },
  {
    name: '_entities',
    field: '_entities',
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
    field: 'auditEvents',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d.auditEvents as { totalCount: number }).totalCount === 0,
    run: (c) => c.t.request(AuditEventsDocument, { filter: { modelId: c.model.id } }, c.token),
  },
  { name: 'myAccess', field: 'myAccess', action: Action.VIEW, run: (c) => c.t.request(MyAccessDocument, { modelId: c.model.id }, c.token) },
  { name: 'accessOf', field: 'accessOf', action: Action.VIEW, run: (c) => c.t.request(AccessOfDocument, { modelId: c.model.id }, c.token) },
  {
    name: 'promotionReadiness',
    field: 'promotionReadiness',
    action: Action.VIEW,
    prepare: version,
    run: (c) => c.t.request(PromotionReadinessDocument, { versionId: c.state.versionId, targetStage: 'STAGING' }, c.token),
  },
  {
    name: 'verifyApproval',
    field: 'verifyApproval',
    action: Action.VIEW,
    prepare: async (c) => {
      const { versionId } = await staged(c);
      // With visibility 'granted' the approver too needs a grant on the model to see it.
      await c.s.access.grant(admin, { modelId: c.model.id, subject: c.gateApprover.caller.subject, level: Level.APPROVE });
      return { approvalId: (await decide(c.s, c.gateApprover, versionId, Stage.PRODUCTION)).id };
    },
    run: (c) => c.t.request(VerifyApprovalDocument, { id: c.state.approvalId }, c.token),
  },
  {
    name: 'lineage around a version',
    field: 'lineage',
    action: Action.VIEW,
    prepare: traced,
    run: (c) => c.t.request(LineageDocument, { nodeId: c.state.versionId, maxDepth: 1 }, c.token),
  },
  {
    name: 'lineage around its dataset (the version left out)',
    field: 'lineage',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d, c) => !(d.lineage as { nodes: Array<{ node: { id: string } }> }).nodes.some((n) => n.node.id === c.state.versionId),
    prepare: traced,
    run: (c) => c.t.request(LineageDocument, { nodeId: c.state.datasetId, maxDepth: 1 }, c.token),
  },
  {
    name: 'lineagePaths from its dataset to the version',
    field: 'lineagePaths',
    action: Action.VIEW,
    prepare: traced,
    run: (c) => c.t.request(LineagePathsDocument, { fromId: c.state.datasetId, toId: c.state.versionId }, c.token),
  },
  {
    name: 'impact of a version',
    field: 'impact',
    action: Action.VIEW,
    prepare: traced,
    run: (c) => c.t.request(ImpactDocument, { nodeId: c.state.versionId }, c.token),
  },
  {
    name: 'impact of its dataset (the model left out)',
    field: 'impact',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d, c) => !(d.impact as { models: Array<{ model: { id: string } }> }).models.some((m) => m.model.id === c.model.id),
    prepare: traced,
    run: (c) => c.t.request(ImpactDocument, { nodeId: c.state.datasetId }, c.token),
  },
  {
    name: "lineageNode (a version's node)",
    field: 'lineageNode',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.lineageNode === null,
    prepare: version,
    run: (c) => c.t.request(LineageNodeDocument, { id: c.state.versionId }, c.token),
  },
  {
    name: 'modelObjectives',
    field: 'modelObjectives',
    action: Action.VIEW,
    run: (c) =>
      c.t.post({ query: 'query($m: UUID!) { modelObjectives(modelId: $m) { modelId revision } }', variables: { m: c.model.id } }, c.token),
  },
  {
    name: 'objectiveStatus',
    field: 'objectiveStatus',
    action: Action.VIEW,
    run: (c) => c.t.request(ObjectiveStatusDocument, { modelId: c.model.id }, c.token),
  },
  {
    name: 'canaryAnalysis',
    field: 'canaryAnalysis',
    action: Action.VIEW,
    prepare: (c) => deployed(c, DeploymentStrategy.CANARY),
    run: (c) => c.t.request(CanaryAnalysisDocument, { deploymentId: c.state.deploymentId }, c.token),
  },
  {
    name: 'alerts of the model (list and totalCount)',
    field: 'alerts',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => (d.alerts as { totalCount: number }).totalCount === 0,
    prepare: alerted,
    run: (c) => c.t.request(AlertsDocument, { filter: { modelIds: [c.model.id] } }, c.token),
  },
  {
    name: 'alert',
    field: 'alert',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.alert === null,
    prepare: alerted,
    run: (c) => c.t.post({ query: 'query($id: UUID!) { alert(id: $id) { id status } }', variables: { id: c.state.alertId } }, c.token),
  },
  {
    name: 'retentionPlan',
    field: 'retentionPlan',
    action: Action.VIEW,
    prepare: version,
    run: (c) => c.t.request(RetentionPlanDocument, { modelId: c.model.id }, c.token),
  },
  {
    name: 'legalHolds',
    field: 'legalHolds',
    action: Action.VIEW,
    prepare: async (c) => {
      await c.s.retention.setHold(admin, { modelId: c.model.id, reason: 'litigation', reference: 'case-1' });
      return {};
    },
    run: (c) => c.t.post({ query: 'query($m: UUID!) { legalHolds(modelId: $m) { id reason } }', variables: { m: c.model.id } }, c.token),
  },
  // ---- live events (VIEW): delivered, or filtered out when the model is invisible ----
  {
    name: 'lifecycleEvents (live, every model the token sees)',
    field: 'lifecycleEvents',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.delivered === false,
    makesEvents: true,
    run: (c) =>
      withSentinel(c, (sentinel) =>
        watch<{ subjectId: string }>(c, {
          query: LIFECYCLE_EVENTS,
          field: 'lifecycleEvents',
          key: (e) => e.subjectId,
          cause: () => tagged(c.s, c.model.id),
          sentinel: () => tagged(c.s, sentinel),
        }),
      ),
  },
  {
    name: 'promotions of the model',
    field: 'promotions',
    action: Action.VIEW,
    hidden: (d) => d.delivered === false,
    makesEvents: true,
    prepare: staged,
    run: (c) =>
      watch<{ modelId: string }>(c, {
        query: PROMOTIONS,
        variables: { modelId: c.model.id },
        field: 'promotions',
        key: (e) => e.modelId,
        cause: async () => {
          await promote(c, c.state.versionId);
          return new Set([c.model.id]);
        },
        // No other model's promotion reaches a subscription to this one: a subscription that was accepted must
        // deliver this promotion itself, and one that was not has answered its refusal already.
        sentinel: async () => new Set([c.model.id]),
      }),
  },
  {
    name: 'driftAlerts (live, every model the token sees)',
    field: 'driftAlerts',
    action: Action.VIEW,
    invisible: 'HIDDEN',
    hidden: (d) => d.delivered === false,
    makesEvents: true,
    prepare: async (c) => ({ versionId: await referenced(c.s, c.model.id) }),
    run: (c) => {
      let sentinelVersion = '';
      return withSentinel(
        c,
        () =>
          watch<{ alert: { id: string } }>(c, {
            query: DRIFT_ALERTS,
            field: 'driftAlerts',
            key: (e) => e.alert.id,
            cause: () => raiseAlert(c.t, c.state.versionId),
            sentinel: () => raiseAlert(c.t, sentinelVersion),
          }),
        async (sentinel) => {
          sentinelVersion = await referenced(c.s, sentinel);
        },
      );
    },
  },
  // ---- CONTRIBUTE ----
  {
    name: 'updateModel description',
    field: 'updateModel',
    action: Action.EDIT_MODEL,
    run: (c) =>
      c.t.request(UpdateModelDocument, { input: { id: c.model.id, expectedRevision: c.model.revision, description: 'x' } }, c.token),
  },
  {
    name: 'setModelTags',
    field: 'setModelTags',
    action: Action.EDIT_MODEL,
    run: (c) => c.t.request(SetModelTagsDocument, { input: { modelId: c.model.id, tags: [{ key: 'team', value: 'x' }] } }, c.token),
  },
  {
    name: 'registerModelVersion',
    field: 'registerModelVersion',
    action: Action.REGISTER_VERSION,
    run: (c) => c.t.request(RegisterModelVersionDocument, { input: registration({ modelId: c.model.id }) }, c.token),
  },
  {
    name: 'verifyArtifact',
    field: 'verifyArtifact',
    action: Action.REGISTER_VERSION,
    prepare: uploaded,
    run: (c) => c.t.request(VerifyArtifactDocument, { input: { versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'logMetrics',
    field: 'logMetrics',
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
    field: 'validateModelVersion',
    action: Action.VALIDATE,
    prepare: version,
    run: (c) => c.t.request(ValidateModelVersionDocument, { input: { versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'transition DEVELOPMENT → STAGING',
    field: 'transitionModelVersion',
    action: Action.MOVE_TO_STAGING,
    prepare: validated,
    run: transition('DEVELOPMENT', 'STAGING'),
  },
  {
    name: 'transition STAGING → DEVELOPMENT',
    field: 'transitionModelVersion',
    action: Action.MOVE_TO_STAGING,
    prepare: staged,
    run: transition('STAGING', 'DEVELOPMENT'),
  },
  {
    name: 'setModelAlias (unprotected)',
    field: 'setModelAlias',
    action: Action.SET_ALIAS,
    prepare: version,
    run: (c) =>
      c.t.request(SetModelAliasDocument, { input: { modelId: c.model.id, alias: 'candidate', versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'deleteModelAlias (unprotected)',
    field: 'deleteModelAlias',
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
    field: 'recordDeployment',
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
    field: 'updateDeployment',
    action: Action.RECORD_DEPLOYMENT,
    prepare: (c) => deployed(c),
    run: (c) => c.t.request(UpdateDeploymentDocument, { input: { id: c.state.deploymentId, trafficPercent: 50 } }, c.token),
  },
  {
    name: 'endDeployment',
    field: 'endDeployment',
    action: Action.RECORD_DEPLOYMENT,
    prepare: (c) => deployed(c),
    run: (c) => c.t.request(EndDeploymentDocument, { input: { id: c.state.deploymentId } }, c.token),
  },
  {
    name: 'setReferenceDistribution',
    field: 'setReferenceDistribution',
    action: Action.REPORT_PRODUCTION,
    prepare: version,
    run: (c) =>
      c.t.request(
        SetReferenceDistributionDocument,
        { input: { versionId: c.state.versionId, features: [numeric('age', UNIFORM)] } },
        c.token,
      ),
  },
  {
    name: 'reportFeatureDistribution',
    field: 'reportFeatureDistribution',
    action: Action.REPORT_PRODUCTION,
    prepare: async (c) => ({ versionId: await referenced(c.s, c.model.id) }),
    run: (c) =>
      c.t.request(
        ReportFeatureDistributionDocument,
        { input: { versionId: c.state.versionId, window: isoWindow(1), features: [numeric('age', UNIFORM)] } },
        c.token,
      ),
  },
  {
    name: 'reportFeatureDistributions',
    field: 'reportFeatureDistributions',
    action: Action.REPORT_PRODUCTION,
    prepare: async (c) => ({ versionId: await referenced(c.s, c.model.id) }),
    run: (c) =>
      c.t.request(
        ReportFeatureDistributionsDocument,
        { inputs: [{ versionId: c.state.versionId, window: isoWindow(1), features: [numeric('age', UNIFORM)] }] },
        c.token,
      ),
  },
  {
    name: 'reportProductionMetrics',
    field: 'reportProductionMetrics',
    action: Action.REPORT_PRODUCTION,
    prepare: version,
    run: (c) =>
      c.t.request(
        ReportProductionMetricsDocument,
        {
          input: {
            versionId: c.state.versionId,
            window: isoWindow(1),
            metrics: [{ name: 'latency_p99_ms', kind: 'LATENCY_MS', value: 120, observations: 1000 }],
          },
        },
        c.token,
      ),
  },
  {
    name: 'acknowledgeAlert',
    field: 'acknowledgeAlert',
    action: Action.HANDLE_ALERT,
    prepare: alerted,
    run: (c) => c.t.request(AcknowledgeAlertDocument, { input: { id: c.state.alertId, note: 'on it' } }, c.token),
  },
  {
    name: 'resolveAlert',
    field: 'resolveAlert',
    action: Action.HANDLE_ALERT,
    prepare: alerted,
    run: (c) => c.t.request(ResolveAlertDocument, { input: { id: c.state.alertId, resolution: 'retrained' } }, c.token),
  },
  // ---- APPROVE ----
  {
    name: 'approvalChallenge',
    field: 'approvalChallenge',
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
    field: 'approveModelVersion',
    action: Action.APPROVE,
    prepare: staged,
    run: signedDecision(Decision.APPROVED),
  },
  {
    name: 'rejectModelVersion',
    field: 'rejectModelVersion',
    action: Action.APPROVE,
    prepare: staged,
    run: signedDecision(Decision.REJECTED),
  },
  {
    name: 'transition STAGING → PRODUCTION',
    field: 'transitionModelVersion',
    action: Action.MOVE_BEYOND_STAGING,
    prepare: staged,
    run: transition('STAGING', 'PRODUCTION'),
  },
  {
    name: 'transition STAGING → REJECTED',
    field: 'transitionModelVersion',
    action: Action.MOVE_BEYOND_STAGING,
    prepare: staged,
    run: transition('STAGING', 'REJECTED'),
  },
  {
    name: 'transition PRODUCTION → ARCHIVED',
    field: 'transitionModelVersion',
    action: Action.MOVE_BEYOND_STAGING,
    prepare: inProduction,
    run: transition('PRODUCTION', 'ARCHIVED'),
  },
  {
    name: 'transition ARCHIVED → PRODUCTION',
    field: 'transitionModelVersion',
    action: Action.ROLL_BACK,
    prepare: archived,
    run: transition('ARCHIVED', 'PRODUCTION'),
  },
  {
    name: 'rollbackModel',
    field: 'rollbackModel',
    action: Action.ROLL_BACK,
    prepare: async (c) => {
      await archived(c);
      return {};
    },
    run: (c) => c.t.request(RollbackModelDocument, { input: { modelId: c.model.id } }, c.token),
  },
  {
    name: 'setModelAlias champion (protected)',
    field: 'setModelAlias',
    action: Action.MOVE_PROTECTED_ALIAS,
    prepare: protectedChampion,
    run: (c) =>
      c.t.request(SetModelAliasDocument, { input: { modelId: c.model.id, alias: 'champion', versionId: c.state.versionId } }, c.token),
  },
  {
    name: 'deleteModelAlias champion (protected)',
    field: 'deleteModelAlias',
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
    field: 'updateModel',
    action: Action.EDIT_POLICY,
    run: (c) =>
      c.t.request(UpdateModelDocument, { input: { id: c.model.id, expectedRevision: c.model.revision, riskTier: 'MEDIUM' } }, c.token),
  },
  {
    name: 'updateModel name (rename)',
    field: 'updateModel',
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
    field: 'setBaseline',
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
    field: 'setPolicy',
    action: Action.EDIT_POLICY,
    run: (c) => c.t.request(SetPolicyDocument, { input: { modelId: c.model.id, document: { approvals: { PRODUCTION: 1 } } } }, c.token),
  },
  {
    name: 'setRetentionPolicy (model)',
    field: 'setRetentionPolicy',
    action: Action.EDIT_POLICY,
    run: (c) =>
      c.t.request(
        SetRetentionPolicyDocument,
        { input: { modelId: c.model.id, maxAgeDays: 365, keepAtLeast: 2, artifactAction: 'COLD_STORAGE' } },
        c.token,
      ),
  },
  {
    name: 'setModelObjectives',
    field: 'setModelObjectives',
    action: Action.SET_OBJECTIVES,
    run: (c) =>
      c.t.request(
        SetModelObjectivesDocument,
        {
          input: {
            modelId: c.model.id,
            objectives: [{ metric: 'latency_p99_ms', comparator: 'LTE', target: 500, budget: 0.5, windowDays: 1 }],
          },
        },
        c.token,
      ),
  },
  {
    name: 'grantAccess',
    field: 'grantAccess',
    action: Action.GRANT,
    run: (c) => c.t.request(GrantAccessDocument, { input: { modelId: c.model.id, subject: 'newcomer', level: 'VIEW' } }, c.token),
  },
  {
    name: 'revokeAccess',
    field: 'revokeAccess',
    action: Action.GRANT,
    prepare: async (c) => ({
      grantId: (await c.s.access.grant(admin, { modelId: c.model.id, subject: 'newcomer', level: Level.VIEW })).id,
    }),
    run: (c) => c.t.request(RevokeAccessDocument, { input: { grantId: c.state.grantId } }, c.token),
  },
  {
    name: 'protectAlias (model)',
    field: 'protectAlias',
    action: Action.GRANT,
    run: (c) => c.t.request(ProtectAliasDocument, { input: { modelId: c.model.id, pattern: 'prod-*' } }, c.token),
  },
  {
    name: 'retireModel',
    field: 'retireModel',
    action: Action.RETIRE,
    run: (c) => c.t.request(RetireModelDocument, { input: { modelId: c.model.id, reason: 'matrix' } }, c.token),
  },
  {
    name: 'restoreArtifact',
    field: 'restoreArtifact',
    action: Action.RETIRE,
    prepare: cold,
    run: (c) => c.t.request(RestoreArtifactDocument, { input: { versionId: c.state.versionId } }, c.token),
  },
  // ---- trust: signatures (CONTRIBUTE), signers for one model (MANAGE), which apply to it (VIEW) ----
  {
    name: 'attachModelSignature',
    field: 'attachModelSignature',
    action: Action.ATTACH_SIGNATURE,
    prepare: signable,
    run: (c) =>
      c.t.request(AttachModelSignatureDocument, { input: { versionId: c.state.versionId, bundle: JSON.parse(c.state.bundle) } }, c.token),
  },
  // ---- cards: read (VIEW), edit (CONTRIBUTE) ----
  {
    name: 'modelCard',
    field: 'modelCard',
    action: Action.VIEW,
    prepare: version,
    run: (c) => c.t.request(ModelCardDocument, { versionId: c.state.versionId }, c.token),
  },
  {
    name: 'updateModelCard',
    field: 'updateModelCard',
    action: Action.EDIT_CARD,
    prepare: version,
    run: (c) =>
      c.t.request(
        UpdateModelCardDocument,
        { input: { versionId: c.state.versionId, expectedRevision: 0, sections: { useCases: ['matrix'] } } },
        c.token,
      ),
  },
  {
    name: 'trustedSigners of a model',
    field: 'trustedSigners',
    action: Action.VIEW,
    run: (c) => c.t.request(TrustedSignersDocument, { modelId: c.model.id, first: 5 }, c.token),
  },
  {
    name: 'registerSigningKey for the model',
    field: 'registerSigningKey',
    action: Action.TRUST_SIGNER,
    run: (c) =>
      c.t.request(
        RegisterSigningKeyDocument,
        { input: { name: modelName('key'), scope: 'MODEL', modelId: c.model.id, publicKey: publicKeyPem(ecKey()) } },
        c.token,
      ),
  },
  {
    name: 'trustCertificateAuthority for the model',
    field: 'trustCertificateAuthority',
    action: Action.TRUST_SIGNER,
    run: (c) =>
      c.t.request(
        TrustCertificateAuthorityDocument,
        { input: { name: modelName('ca'), scope: 'MODEL', modelId: c.model.id, certificate: caCertificate() } },
        c.token,
      ),
  },
  {
    name: 'trustSigstoreIdentity for the model',
    field: 'trustSigstoreIdentity',
    action: Action.TRUST_SIGNER,
    run: (c) =>
      c.t.request(
        TrustSigstoreIdentityDocument,
        {
          input: {
            name: modelName('ci'),
            scope: 'MODEL',
            modelId: c.model.id,
            issuer: 'https://token.actions.githubusercontent.com',
            subject: 'https://github.com/acme/models/*',
          },
        },
        c.token,
      ),
  },
  {
    name: "revokeTrustedSigner of the model's own",
    field: 'revokeTrustedSigner',
    action: Action.TRUST_SIGNER,
    prepare: modelSigner,
    run: (c) => c.t.request(RevokeTrustedSignerDocument, { input: { id: c.state.signerId, reason: 'matrix' } }, c.token),
  },
];

function expected(op: Op, mode: Mode, relation: Relation, level: Level | null): Outcome {
  if (relation === 'own') return mayDo(level, op.action) ? 'ALLOWED' : 'FORBIDDEN';
  if (mode === 'granted') return op.invisible ?? 'NOT_FOUND';
  return mayDo(Level.VIEW, op.action) ? 'ALLOWED' : 'FORBIDDEN'; // the VIEWER role's floor
}

/** The caller's level on the cell's model: its team's grant, or the VIEWER floor where every model is visible. */
function levelOf(mode: Mode, relation: Relation, level: Level | null): Level | null {
  if (relation === 'own') return level;
  return mode === 'all' ? Level.VIEW : null;
}

function outcome(res: Answer, hidden?: (data: Record<string, unknown>) => boolean): Outcome {
  if (res.errors?.length) return String(res.errors[0].extensions?.code);
  return hidden?.(res.data as Record<string, unknown>) ? 'HIDDEN' : 'ALLOWED';
}

/**
 * What a model-right refusal says: the caller's level, and a level it lacks that is no more than the right needs
 * (an operation may check a lesser right first: updateModel's riskTier is EDIT_MODEL, then EDIT_POLICY).
 */
function refusalOf(res: Answer, action: Action): { level: unknown; namesALevelItLacks: boolean } {
  const ext = res.errors?.[0]?.extensions ?? {};
  const required = ext.requiredLevel as Level | undefined;
  const level = ext.level as Level | undefined;
  const namesALevelItLacks =
    required !== undefined &&
    LEVELS.includes(required) &&
    level !== undefined &&
    levelRank(required) > levelRank(level) &&
    levelRank(required) <= levelRank(RIGHTS[action]);
  return { level, namesALevelItLacks };
}

const RELATIONS: Array<[Relation, Level | null]> = [
  ...LEVELS.map((l): [Relation, Level] => ['own', l]),
  ...LEVELS.map((l): [Relation, Level] => ['other', l]),
  ['none', null],
];

// ---------------------------------------------------------------------------------------------------------------
// What needs a level on all models

interface Base {
  t: TestServer;
  s: Services;
  state: Record<string, string>;
  token: string;
  subject: string;
}

interface EverywhereOp {
  name: string;
  field: string;
  action: Action;
  prepare?(c: Base): Promise<Record<string, string>>;
  run(c: Base): Promise<Answer>;
}

const genericNodes = async (c: Base, n: number) =>
  (
    await c.s.lineage.upsertNodes(
      admin,
      Array.from({ length: n }, () => ({ kind: LineageNodeKind.DATASET, naturalKey: `s3://lake/${modelName('ds')}` })),
    )
  ).nodes;

const EVERYWHERE_OPS: EverywhereOp[] = [
  {
    name: 'createModel',
    field: 'createModel',
    action: Action.CREATE_MODEL,
    run: (c) => c.t.request(CreateModelDocument, { input: { name: modelName('created'), owner: 'matrix', riskTier: 'LOW' } }, c.token),
  },
  {
    name: 'upsertLineageNodes',
    field: 'upsertLineageNodes',
    action: Action.EDIT_LINEAGE,
    run: (c) =>
      c.t.request(
        UpsertLineageNodesDocument,
        { input: { nodes: [{ kind: 'DATASET', naturalKey: `s3://lake/${modelName('new')}` }] } },
        c.token,
      ),
  },
  {
    name: 'addLineageEdges (between nodes of no model)',
    field: 'addLineageEdges',
    action: Action.EDIT_LINEAGE,
    prepare: async (c) => {
      const [from, to] = await genericNodes(c, 2);
      return { fromId: from.id, toId: to.id };
    },
    run: (c) =>
      c.t.request(
        AddLineageEdgesDocument,
        { input: { edges: [{ fromId: c.state.fromId, toId: c.state.toId, relation: 'TRAINED_ON' }] } },
        c.token,
      ),
  },
];

/** Who asks, and its level on all models: a grant on one model never raises it. */
const EVERYWHERE_CALLERS: Array<{ who: string; level: Level }> = [
  ...LEVELS.map((l) => ({ who: `member ${l}`, level: Level.VIEW })),
  { who: 'loner', level: Level.VIEW },
  ...ROLES.map((r) => ({ who: `role ${r}`, level: roleFloor(r) })),
  { who: 'all-models CONTRIBUTE', level: Level.CONTRIBUTE },
];
const EVERYWHERE_LABELS: Record<string, string> = {
  ...Object.fromEntries(LEVELS.map((l) => [`member ${l}`, `VIEWER token, its team granted ${l} on one model`])),
  loner: 'VIEWER token without a grant',
  ...Object.fromEntries(ROLES.map((r) => [`role ${r}`, `${r} token, its team granted MANAGE on some models`])),
  'all-models CONTRIBUTE': 'VIEWER token granted CONTRIBUTE on all models',
};

// ---------------------------------------------------------------------------------------------------------------
// What concerns only the caller itself

const OPEN_OPS: Array<{ name: string; field: string; run(c: Base): Promise<Answer> }> = [
  { name: 'viewer', field: 'viewer', run: (c) => c.t.request(ViewerDocument, {}, c.token) },
  {
    name: "registerApproverKey (the caller's own key)",
    field: 'registerApproverKey',
    run: (c) => c.t.request(RegisterApproverKeyDocument, { input: { publicKey: keyPair().publicKeyPem } }, c.token),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Rights over the registry itself

interface RegistryCell extends Base {
  role: Role;
  mode: Mode;
  env: RegistryEnv;
}

interface RegistryEnv {
  /** The team of the role tokens: MANAGE on the models the registry operations that also need RETIRE act on. */
  rolesTeam: string;
  /** A model the role tokens see in either mode. */
  rolesHome: string;
  /** The only model the webhooks here listen to: nothing happens on it, so they deliver nothing unasked. */
  hookModel: string;
  receiverUrl: string;
}

interface RegistryOp {
  name: string;
  /** The root field exercised, or the HTTP route. */
  field?: string;
  route?: string;
  right: RegistryAction;
  /** What a caller with the role gets: ALLOWED, or (acknowledgeAuditBreak without a break) any answer but FORBIDDEN. */
  allowed?: 'NOT_FORBIDDEN';
  /** What a caller without it gets, when not FORBIDDEN (a subscription that leaves the event out). */
  refused?: 'HIDDEN';
  hidden?(data: Record<string, unknown>): boolean;
  /** The run itself has an ADMIN write: no audit check. */
  makesEvents?: true;
  prepare?(c: RegistryCell): Promise<Record<string, string>>;
  run(c: RegistryCell): Promise<Answer>;
}

const NOT_FORBIDDEN = ['ALLOWED', 'NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT'];

const team = async (c: RegistryCell, member?: string) => {
  const created = await c.s.access.createTeam(admin, { name: modelName('team') });
  if (member) await c.s.access.addMember(admin, created.id, member);
  return { teamId: created.id };
};
/** A model the role tokens' team MANAGEs (RETIRE there), optionally running (a version in PRODUCTION). */
const managed = async (c: RegistryCell, running: boolean) => {
  const model = await c.s.models.create(admin, { name: modelName('registry'), owner: 'registry', riskTier: RiskTier.LOW });
  await c.s.access.grant(admin, { modelId: model.id, teamId: c.env.rolesTeam, level: Level.MANAGE });
  if (running) {
    await aucBaseline(c.s, admin, model.id);
    await promote(c, (await stagedVersion(c.s, admin, model.id, [])).id);
  }
  return { modelId: model.id };
};
const hook = async (c: RegistryCell) => ({
  webhookId: (await c.s.webhooks.create(admin, { url: c.env.receiverUrl, filter: { modelIds: [c.env.hookModel] } })).webhook.id,
});

const REGISTRY_OPS: RegistryOp[] = [
  // ---- MANAGE_TOKENS ----
  {
    name: 'apiTokens',
    field: 'apiTokens',
    right: RegistryAction.MANAGE_TOKENS,
    run: (c) => c.t.request(ApiTokensDocument, { first: 1 }, c.token),
  },
  {
    name: 'createApiToken',
    field: 'createApiToken',
    right: RegistryAction.MANAGE_TOKENS,
    run: (c) => c.t.request(CreateApiTokenDocument, { input: { subject: modelName('minted'), role: 'VIEWER' } }, c.token),
  },
  {
    name: 'revokeApiToken',
    field: 'revokeApiToken',
    right: RegistryAction.MANAGE_TOKENS,
    prepare: async (c) => ({ tokenId: (await c.s.tokens.create(admin, { subject: modelName('doomed'), role: Role.VIEWER })).token.id }),
    run: (c) => c.t.request(RevokeApiTokenDocument, { input: { id: c.state.tokenId } }, c.token),
  },
  // ---- MANAGE_TEAMS ----
  { name: 'teams', field: 'teams', right: RegistryAction.MANAGE_TEAMS, run: (c) => c.t.request(TeamsDocument, { first: 1 }, c.token) },
  {
    name: 'createTeam',
    field: 'createTeam',
    right: RegistryAction.MANAGE_TEAMS,
    run: (c) => c.t.request(CreateTeamDocument, { input: { name: modelName('team') } }, c.token),
  },
  {
    name: 'addTeamMember',
    field: 'addTeamMember',
    right: RegistryAction.MANAGE_TEAMS,
    prepare: (c) => team(c),
    run: (c) => c.t.request(AddTeamMemberDocument, { input: { teamId: c.state.teamId, subject: 'joiner' } }, c.token),
  },
  {
    name: 'removeTeamMember',
    field: 'removeTeamMember',
    right: RegistryAction.MANAGE_TEAMS,
    prepare: (c) => team(c, 'leaver'),
    run: (c) => c.t.request(RemoveTeamMemberDocument, { input: { teamId: c.state.teamId, subject: 'leaver' } }, c.token),
  },
  // ---- GOVERN_ALL_MODELS ----
  {
    name: 'grantAccess on all models',
    field: 'grantAccess',
    right: RegistryAction.GOVERN_ALL_MODELS,
    run: (c) => c.t.request(GrantAccessDocument, { input: { allModels: true, subject: modelName('everyone'), level: 'VIEW' } }, c.token),
  },
  {
    name: 'revokeAccess of an all-models grant',
    field: 'revokeAccess',
    right: RegistryAction.GOVERN_ALL_MODELS,
    prepare: async (c) => ({
      grantId: (await c.s.access.grant(admin, { modelId: null, subject: modelName('everyone'), level: Level.VIEW })).id,
    }),
    run: (c) => c.t.request(RevokeAccessDocument, { input: { grantId: c.state.grantId } }, c.token),
  },
  {
    name: 'protectAlias on all models',
    field: 'protectAlias',
    right: RegistryAction.GOVERN_ALL_MODELS,
    // A pattern no alias of the matrix matches: the rule holds on every model from now on.
    run: (c) => c.t.request(ProtectAliasDocument, { input: { allModels: true, pattern: modelName('matrix-all') } }, c.token),
  },
  {
    name: 'setPolicy for a risk tier',
    field: 'setPolicy',
    right: RegistryAction.GOVERN_ALL_MODELS,
    // HIGH: no model of the matrix is of that tier.
    run: (c) => c.t.request(SetPolicyDocument, { input: { riskTier: 'HIGH', document: { approvals: { PRODUCTION: 3 } } } }, c.token),
  },
  {
    name: 'setRetentionPolicy for a risk tier',
    field: 'setRetentionPolicy',
    right: RegistryAction.GOVERN_ALL_MODELS,
    run: (c) =>
      c.t.request(
        SetRetentionPolicyDocument,
        { input: { riskTier: 'HIGH', maxAgeDays: 3650, keepAtLeast: 10, artifactAction: 'COLD_STORAGE' } },
        c.token,
      ),
  },
  {
    name: 'setRetentionPolicy global',
    field: 'setRetentionPolicy',
    right: RegistryAction.GOVERN_ALL_MODELS,
    run: (c) =>
      c.t.request(SetRetentionPolicyDocument, { input: { maxAgeDays: 3650, keepAtLeast: 10, artifactAction: 'COLD_STORAGE' } }, c.token),
  },
  // ---- FORCE_RETIREMENT, APPLY_RETENTION (with RETIRE on a model the token's team MANAGEs) ----
  {
    name: 'retireModel with force, on a model in PRODUCTION its team MANAGEs',
    field: 'retireModel',
    right: RegistryAction.FORCE_RETIREMENT,
    prepare: (c) => managed(c, true),
    run: (c) => c.t.request(RetireModelDocument, { input: { modelId: c.state.modelId, reason: 'matrix', force: true } }, c.token),
  },
  {
    name: 'applyRetention on a model its team MANAGEs',
    field: 'applyRetention',
    right: RegistryAction.APPLY_RETENTION,
    prepare: (c) => managed(c, false),
    run: (c) => c.t.request(ApplyRetentionDocument, { input: { modelId: c.state.modelId } }, c.token),
  },
  // ---- LEGAL_HOLD, SWEEP_ARTIFACTS ----
  {
    name: 'setLegalHold',
    field: 'setLegalHold',
    right: RegistryAction.LEGAL_HOLD,
    prepare: (c) => managed(c, false),
    run: (c) =>
      c.t.request(SetLegalHoldDocument, { input: { modelId: c.state.modelId, reason: 'litigation', reference: 'case-7' } }, c.token),
  },
  {
    name: 'releaseLegalHold',
    field: 'releaseLegalHold',
    right: RegistryAction.LEGAL_HOLD,
    prepare: async (c) => {
      const { modelId } = await managed(c, false);
      return { holdId: (await c.s.retention.setHold(admin, { modelId, reason: 'litigation', reference: 'case-7' })).id };
    },
    run: (c) => c.t.request(ReleaseLegalHoldDocument, { input: { id: c.state.holdId, reason: 'settled' } }, c.token),
  },
  {
    name: 'sweepArtifacts (dry run)',
    field: 'sweepArtifacts',
    right: RegistryAction.SWEEP_ARTIFACTS,
    run: (c) => c.t.request(SweepArtifactsDocument, { input: { graceHours: 24, dryRun: true } }, c.token),
  },
  // ---- MANAGE_TRUST: signers for every model, or for a team's ----
  {
    name: 'registerSigningKey global',
    field: 'registerSigningKey',
    right: RegistryAction.MANAGE_TRUST,
    run: (c) =>
      c.t.request(
        RegisterSigningKeyDocument,
        { input: { name: modelName('key'), scope: 'GLOBAL', publicKey: publicKeyPem(ecKey()) } },
        c.token,
      ),
  },
  {
    name: "trustCertificateAuthority for the role tokens' team",
    field: 'trustCertificateAuthority',
    right: RegistryAction.MANAGE_TRUST,
    run: (c) =>
      c.t.request(
        TrustCertificateAuthorityDocument,
        { input: { name: modelName('ca'), scope: 'TEAM', teamId: c.env.rolesTeam, certificate: caCertificate() } },
        c.token,
      ),
  },
  {
    name: 'trustSigstoreIdentity global',
    field: 'trustSigstoreIdentity',
    right: RegistryAction.MANAGE_TRUST,
    run: (c) =>
      c.t.request(
        TrustSigstoreIdentityDocument,
        { input: { name: modelName('ci'), scope: 'GLOBAL', issuer: 'https://accounts.google.com', subject: 'ml@acme.example' } },
        c.token,
      ),
  },
  {
    name: 'revokeTrustedSigner global',
    field: 'revokeTrustedSigner',
    right: RegistryAction.MANAGE_TRUST,
    prepare: async (c) => ({
      signerId: (
        await c.s.trust.registerSigningKey(admin, { name: modelName('key'), publicKey: publicKeyPem(ecKey()), scope: TrustScope.GLOBAL })
      ).id,
    }),
    run: (c) => c.t.request(RevokeTrustedSignerDocument, { input: { id: c.state.signerId, reason: 'matrix' } }, c.token),
  },
  // ---- RESCAN_ARTIFACTS (and VIEW on the model: the role tokens see rolesHome in either mode) ----
  {
    name: 'rescanArtifact',
    field: 'rescanArtifact',
    right: RegistryAction.RESCAN_ARTIFACTS,
    prepare: async (c) => {
      const body = Buffer.from('rescanned weights '.repeat(20));
      const { version: v } = await c.s.versions.register(
        admin,
        readyRegistration(c.env.rolesHome, { artifact: { format: 'ONNX' as never, sha256: sha256(body), sizeBytes: body.length } }),
      );
      await c.s.artifacts.upload(admin, v.id, Readable.from([body]), { sha256: null, sizeBytes: null });
      return { versionId: v.id };
    },
    run: (c) => c.t.request(RescanArtifactDocument, { input: { versionId: c.state.versionId } }, c.token),
  },
  // ---- REMOVE_LINEAGE_EDGE ----
  {
    name: 'removeLineageEdge',
    field: 'removeLineageEdge',
    right: RegistryAction.REMOVE_LINEAGE_EDGE,
    prepare: async (c) => {
      const [from, to] = await genericNodes(c, 2);
      await c.s.lineage.addEdges(admin, [{ fromId: from.id, toId: to.id, relation: LineageRelation.TRAINED_ON }]);
      return { fromId: from.id, toId: to.id };
    },
    run: (c) =>
      c.t.request(
        RemoveLineageEdgeDocument,
        { input: { fromId: c.state.fromId, toId: c.state.toId, relation: 'TRAINED_ON', reason: 'wrong join' } },
        c.token,
      ),
  },
  // ---- MANAGE_WEBHOOKS ----
  {
    name: 'webhooks',
    field: 'webhooks',
    right: RegistryAction.MANAGE_WEBHOOKS,
    run: (c) => c.t.request(WebhooksDocument, { first: 1 }, c.token),
  },
  {
    name: 'webhook',
    field: 'webhook',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: hook,
    run: (c) => c.t.request(WebhookDocument, { id: c.state.webhookId }, c.token),
  },
  {
    name: 'webhookDeliveries',
    field: 'webhookDeliveries',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: hook,
    run: (c) => c.t.request(WebhookDeliveriesDocument, { webhookId: c.state.webhookId }, c.token),
  },
  {
    name: 'createWebhook (to an allowed host)',
    field: 'createWebhook',
    right: RegistryAction.MANAGE_WEBHOOKS,
    run: (c) => c.t.request(CreateWebhookDocument, { input: { url: c.env.receiverUrl, filter: { modelIds: [c.env.hookModel] } } }, c.token),
  },
  {
    name: 'redeliverEvent',
    field: 'redeliverEvent',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: async (c) => {
      const [event] = await c.t.database.db.query('SELECT seq FROM audit_events WHERE model_id = $1 ORDER BY seq LIMIT 1', [
        c.env.hookModel,
      ]);
      return { ...(await hook(c)), seq: String(event.seq) };
    },
    run: (c) => c.t.request(RedeliverEventDocument, { input: { webhookId: c.state.webhookId, seq: Number(c.state.seq) } }, c.token),
  },
  {
    name: 'resumeWebhook',
    field: 'resumeWebhook',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: hook,
    run: (c) => c.t.request(ResumeWebhookDocument, { id: c.state.webhookId }, c.token),
  },
  {
    name: 'rotateWebhookSecret',
    field: 'rotateWebhookSecret',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: hook,
    run: (c) => c.t.request(RotateWebhookSecretDocument, { id: c.state.webhookId, overlapSeconds: 0 }, c.token),
  },
  {
    name: 'deleteWebhook',
    field: 'deleteWebhook',
    right: RegistryAction.MANAGE_WEBHOOKS,
    prepare: hook,
    run: (c) => c.t.request(DeleteWebhookDocument, { id: c.state.webhookId }, c.token),
  },
  // ---- KEEP_AUDIT_TRAIL ----
  {
    name: 'createAuditCheckpoint',
    field: 'createAuditCheckpoint',
    right: RegistryAction.KEEP_AUDIT_TRAIL,
    run: (c) => c.t.post({ query: 'mutation { createAuditCheckpoint { checkpoint { seq } } }' }, c.token),
  },
  {
    name: 'acknowledgeAuditBreak (there is none: authorized first, then NOT_FOUND)',
    field: 'acknowledgeAuditBreak',
    right: RegistryAction.KEEP_AUDIT_TRAIL,
    allowed: 'NOT_FORBIDDEN',
    run: (c) =>
      c.t.post(
        {
          query: 'mutation($s: SafeInt!) { acknowledgeAuditBreak(input: { seq: $s, reason: "looked into it" }) { break { seq } } }',
          variables: { s: 1 },
        },
        c.token,
      ),
  },
  // ---- READ_WHOLE_TRAIL ----
  {
    name: 'verifyAuditChain',
    field: 'verifyAuditChain',
    right: RegistryAction.READ_WHOLE_TRAIL,
    run: (c) => c.t.request(VerifyAuditChainDocument, {}, c.token),
  },
  {
    name: 'auditCheckpoints',
    field: 'auditCheckpoints',
    right: RegistryAction.READ_WHOLE_TRAIL,
    run: (c) => c.t.post({ query: '{ auditCheckpoints(first: 5) { seq trusted } }' }, c.token),
  },
  {
    name: 'GET /audit/export',
    route: 'GET /audit/export',
    right: RegistryAction.READ_WHOLE_TRAIL,
    run: async (c) => {
      const [{ head }] = await c.t.database.db.query('SELECT COALESCE(max(seq), 0)::text AS head FROM audit_events');
      const res = await fetch(`${c.t.baseUrl}/audit/export?after=${Math.max(0, Number(head) - 3)}`, {
        headers: { authorization: `Bearer ${c.token}` },
      });
      const text = await res.text();
      if (res.status === 200) return { status: 200, headers: res.headers, data: { lines: text.split('\n').filter(Boolean).length } };
      const body = JSON.parse(text) as { errors: Answer['errors'] };
      return { status: res.status, headers: res.headers, errors: body.errors };
    },
  },
  {
    name: 'lifecycleEvents: an event that concerns no model (team.created)',
    field: 'lifecycleEvents',
    right: RegistryAction.READ_WHOLE_TRAIL,
    refused: 'HIDDEN',
    hidden: (d) => d.delivered === false,
    makesEvents: true,
    run: (c) =>
      watch<{ subjectId: string }>(c, {
        query: LIFECYCLE_EVENTS,
        field: 'lifecycleEvents',
        key: (e) => e.subjectId,
        cause: async () => new Set([(await team(c)).teamId]),
        sentinel: () => tagged(c.s, c.env.rolesHome),
      }),
  },
];

// ---------------------------------------------------------------------------------------------------------------

/** A webhook receiver on 127.0.0.1 that takes everything. */
async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/matrix`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(['all', 'granted'] as const)('MODELGRAPH_VISIBILITY=%s', (mode) => {
  let t: TestServer;
  let artifactDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gateApprover: Approver;
  let otherTeam: string;
  let env: RegistryEnv;
  const members = new Map<Level | null, { token: string; subject: string; teamId: string | null; keys: ReturnType<typeof keyPair> }>();
  const holders = new Map<Role, { token: string; subject: string }>();
  let everywhereContributor: { token: string; subject: string };

  beforeAll(async () => {
    artifactDir = await mkdtemp(path.join(os.tmpdir(), 'mg-matrix-'));
    receiver = await startReceiver();
    t = await startTestServer(
      { MODELGRAPH_VISIBILITY: mode, MODELGRAPH_ARTIFACT_DIR: artifactDir, MODELGRAPH_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
      { audit: true },
    );
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
    // A token of each role, all in one team; that team sees a model of its own.
    const rolesTeam = (await s.access.createTeam(admin, { name: 'team-roles' })).id;
    for (const role of ROLES) {
      const subject = `holder-${role.toLowerCase()}`;
      await s.access.addMember(admin, rolesTeam, subject);
      holders.set(role, { token: await t.tokenFor(role, subject), subject });
    }
    const rolesHome = await s.models.create(admin, { name: modelName('roles-home'), owner: 'roles' });
    await s.access.grant(admin, { modelId: rolesHome.id, teamId: rolesTeam, level: Level.VIEW });
    const hookModel = await s.models.create(admin, { name: modelName('hooked'), owner: 'hooks' });
    env = { rolesTeam, rolesHome: rolesHome.id, hookModel: hookModel.id, receiverUrl: receiver.url };
    await s.access.grant(admin, { modelId: null, subject: 'everywhere-contributor', level: Level.CONTRIBUTE });
    everywhereContributor = { token: await t.tokenFor(Role.VIEWER, 'everywhere-contributor'), subject: 'everywhere-contributor' };
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await rm(artifactDir, { recursive: true, force: true });
  });

  test('every root field of the schema is in a table here, or tested elsewhere for a reason given', async () => {
    const { __schema: schema } = ok(await t.post({ query: getIntrospectionQuery() })) as unknown as IntrospectionQuery;
    const roots = [schema.queryType, schema.mutationType, schema.subscriptionType].flatMap((r) => (r ? [r.name] : []));
    const fields = schema.types
      .filter((type): type is IntrospectionObjectType => roots.includes(type.name) && type.kind === 'OBJECT')
      .flatMap((type) => type.fields.map((f) => ({ root: type.name, name: f.name })));
    const covered = new Set<string>([
      ...OPS.map((o) => o.field),
      ...EVERYWHERE_OPS.map((o) => o.field),
      ...OPEN_OPS.map((o) => o.field),
      ...REGISTRY_OPS.flatMap((o) => (o.field ? [o.field] : [])),
      ...Object.keys(COVERED_ELSEWHERE),
    ]);
    const uncovered = fields.filter((f) => !covered.has(f.name)).map((f) => `${f.root}.${f.name}`);
    expect(uncovered).toEqual([]);
    // …and no entry names a field the schema does not have (a typo would cover nothing).
    const names = new Set(fields.map((f) => f.name));
    expect([...covered].filter((name) => !names.has(name))).toEqual([]);
  });

  test('each field tested elsewhere is: its test file exists and exercises it', () => {
    for (const [field, { file, reason }] of Object.entries(COVERED_ELSEWHERE)) {
      const at = path.join(ROOT, file);
      expect({ field, file, exists: existsSync(at) }).toEqual({ field, file, exists: true });
      expect({ field, file, mentions: readFileSync(at, 'utf8').includes(field) }).toEqual({ field, file, mentions: true });
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  const cells = OPS.flatMap((op) => RELATIONS.map(([relation, level]) => ({ op, relation, level })));

  test.each(cells.map((c) => [`${c.op.name} · ${c.relation}${c.level ? ` ${c.level}` : ''}`, c] as const))(
    '%s',
    async (_title, { op, relation, level }) => {
      const s = t.services;
      const member = members.get(relation === 'none' ? null : level)!;
      const model = await s.models.create(admin, { name: modelName('matrix'), owner: modelName('owner'), riskTier: RiskTier.LOW });
      if (relation === 'own') await s.access.grant(admin, { modelId: model.id, teamId: member.teamId, level: level! });
      else await s.access.grant(admin, { modelId: model.id, teamId: otherTeam, level: Level.MANAGE });
      const cell: Cell = {
        t,
        s,
        model,
        state: {},
        token: member.token,
        subject: member.subject,
        keys: member.keys,
        gateApprover,
        artifactDir,
      };
      cell.state = (await op.prepare?.(cell)) ?? {};
      const eventsBefore = await auditCount(t, model.id);

      const res = await op.run(cell);
      const got = outcome(res, op.hidden && ((d) => op.hidden!(d, cell)));
      const want = expected(op, mode, relation, level);
      expect({ got, errors: got === want ? undefined : res }).toEqual({ got: want, errors: undefined });
      if (want === 'FORBIDDEN') {
        // The refusal names the caller's level and a level it lacks.
        expect({ refusal: refusalOf(res, op.action), errors: res.errors }).toEqual({
          refusal: { level: levelOf(mode, relation, level), namesALevelItLacks: true },
          errors: res.errors,
        });
      }
      // A refused write writes nothing, its audit event included.
      if (want !== 'ALLOWED' && !op.makesEvents) expect(await auditCount(t, model.id)).toBe(eventsBefore);
    },
  );

  const everywhereCells = EVERYWHERE_OPS.flatMap((op) => EVERYWHERE_CALLERS.map((who) => ({ op, ...who })));

  test.each(everywhereCells.map((c) => [`${c.op.name} · ${EVERYWHERE_LABELS[c.who]} (${c.level} on all models)`, c] as const))(
    '%s',
    async (_title, { op, who, level }) => {
      const holder = who.startsWith('member ')
        ? members.get(who.slice('member '.length) as Level)!
        : who === 'loner'
          ? members.get(null)!
          : who.startsWith('role ')
            ? holders.get(who.slice('role '.length) as Role)!
            : everywhereContributor;
      const cell: Base = { t, s: t.services, state: {}, token: holder.token, subject: holder.subject };
      cell.state = (await op.prepare?.(cell)) ?? {};
      const eventsBefore = await totalAuditCount(t);

      const res = await op.run(cell);
      const got = outcome(res);
      const want = mayDo(level, op.action) ? 'ALLOWED' : 'FORBIDDEN';
      expect({ got, errors: got === want ? undefined : res }).toEqual({ got: want, errors: undefined });
      if (want === 'FORBIDDEN') {
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', action: op.action, requiredLevel: RIGHTS[op.action], level });
        expect(await totalAuditCount(t)).toBe(eventsBefore);
      }
    },
  );

  test.each(OPEN_OPS.flatMap((op) => ROLES.map((role) => [`${op.name} · ${role} token`, { op, role }] as const)))(
    '%s',
    async (_title, { op, role }) => {
      const holder = holders.get(role)!;
      const res = await op.run({ t, s: t.services, state: {}, token: holder.token, subject: holder.subject });
      expect({ got: outcome(res), errors: res.errors }).toEqual({ got: 'ALLOWED', errors: undefined });
    },
  );

  const registryCells = REGISTRY_OPS.flatMap((op) => ROLES.map((role) => ({ op, role })));

  test.each(registryCells.map((c) => [`${c.op.name} · ${c.op.right} · ${c.role} token`, c] as const))(
    '%s',
    async (_title, { op, role }) => {
      const holder = holders.get(role)!;
      const cell: RegistryCell = { t, s: t.services, state: {}, token: holder.token, subject: holder.subject, role, mode, env };
      cell.state = (await op.prepare?.(cell)) ?? {};
      const eventsBefore = await totalAuditCount(t);

      const res = await op.run(cell);
      let got = outcome(res, op.hidden);
      const required = registryRole(op.right, mode);
      const want = hasRole(role, required) ? (op.allowed ?? 'ALLOWED') : (op.refused ?? 'FORBIDDEN');
      if (want === 'NOT_FORBIDDEN' && NOT_FORBIDDEN.includes(got)) got = 'NOT_FORBIDDEN';
      expect({ got, errors: got === want ? undefined : res }).toEqual({ got: want, errors: undefined });
      if (want === 'FORBIDDEN') {
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', action: op.right, requiredRole: required, role });
        if (op.route) expect(res.status).toBe(403);
      }
      // A refused write writes nothing anywhere in the trail.
      if (got !== 'ALLOWED' && !op.makesEvents) expect(await totalAuditCount(t)).toBe(eventsBefore);
    },
  );
});

async function auditCount(t: TestServer, modelId: string): Promise<number> {
  const [row] = await t.database.db.query('SELECT count(*)::int AS n FROM audit_events WHERE model_id = $1', [modelId]);
  return row.n;
}

async function totalAuditCount(t: TestServer): Promise<number> {
  const [row] = await t.database.db.query('SELECT count(*)::int AS n FROM audit_events');
  return row.n;
}
