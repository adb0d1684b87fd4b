/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AlertChange =
  | 'ESCALATED'
  | 'RAISED';

export type AlertKind =
  | 'CANARY_FAILED'
  | 'CONCEPT_DRIFT'
  | 'DATA_DRIFT'
  | 'OBJECTIVE_BREACHED'
  | 'PERFORMANCE_DEGRADED';

export type AlertSeverity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

export type AlertStatus =
  | 'ACKNOWLEDGED'
  | 'OPEN'
  | 'RESOLVED';

export type ApprovalChallengeInput = {
  decision: ApprovalDecision;
  targetStage: Stage;
  versionId: string;
};

export type ApprovalDecision =
  | 'APPROVED'
  | 'REJECTED';

/** One file of a model folder: uploaded with PUT /artifacts/<versionId>/<path> */
export type ArtifactFileInput = {
  /** Relative, `/`-separated; `./` and repeated `/` collapse; no `..`, at most 1,024 bytes; not `model.sig` */
  path: string;
  /** Its sha256; or the upload declares it in X-Artifact-Sha256 */
  sha256?: string | null | undefined;
  sizeBytes: number;
};

export type ArtifactFormat =
  | 'JOBLIB'
  | 'ONNX'
  | 'OTHER'
  | 'PICKLE'
  | 'SAFETENSORS'
  | 'TF_SAVEDMODEL'
  | 'TORCH';

export type ArtifactInput = {
  /** A model folder, file by file (at most 10,000): then no uri, sha256 or sizeBytes */
  files?: Array<ArtifactFileInput> | null | undefined;
  format: ArtifactFormat;
  sha256?: string | null | undefined;
  signature?: Record<string, unknown> | null | undefined;
  sizeBytes?: number | null | undefined;
  /** An existing artifact, registered by reference: then sha256 and sizeBytes are required */
  uri?: string | null | undefined;
};

/** One file, or a folder of files (a manifest); a single file is a folder of one, its file named `artifact` */
export type ArtifactLayout =
  | 'FILE'
  | 'FOLDER';

export type ArtifactStatus =
  | 'COLD'
  | 'DELETED'
  | 'FAILED'
  | 'PENDING_UPLOAD'
  | 'READY';

export type AttachModelSignatureInput = {
  /** The OMS bundle (a Sigstore bundle v0.3 with a DSSE envelope), as the model.sig file holds it */
  bundle: Record<string, unknown>;
  versionId: string;
};

export type CodeRefInput = {
  commit: string;
  repo: string;
};

export type CreateApiTokenInput = {
  description?: string | null | undefined;
  expiresAt?: string | null | undefined;
  role: Role;
  /** The person or automation the token is for, e.g. ci-pipeline or alice@example.com */
  subject: string;
};

export type CreateModelInput = {
  description?: string | null | undefined;
  name: string;
  owner: string;
  /** Default MEDIUM */
  riskTier?: RiskTier | null | undefined;
  tags?: Array<TagInput> | null | undefined;
};

export type DecideModelVersionInput = {
  comment?: string | null | undefined;
  /** Base64 Ed25519 signature of the challenge message */
  signature: string;
  /** The signedAt from approvalChallenge */
  signedAt: string;
  targetStage: Stage;
  versionId: string;
};

export type DriftAlertFilter = {
  kinds?: Array<AlertKind> | null | undefined;
  minSeverity?: AlertSeverity | null | undefined;
  /** Any model you can see when absent */
  modelIds?: Array<string> | null | undefined;
};

export type EnvironmentInput = {
  imageDigest?: string | null | undefined;
  packageLock?: string | null | undefined;
};

/** What kind of change a lifecycle event records */
export type EventKind =
  | 'ACCESS_CHANGED'
  | 'ALERT_CHANGED'
  | 'ALERT_RAISED'
  | 'ALIAS_MOVED'
  | 'APPROVAL_RECORDED'
  | 'ARTIFACT_CHANGED'
  | 'ARTIFACT_SCANNED'
  | 'ARTIFACT_SIGNED'
  | 'DEPLOYMENT_CHANGED'
  | 'LINEAGE_CHANGED'
  | 'METRICS_LOGGED'
  | 'MODEL_CHANGED'
  | 'MODEL_RETIRED'
  | 'MONITORING_CHANGED'
  | 'OTHER'
  | 'POLICY_CHANGED'
  | 'PRODUCTION_REPORTED'
  | 'RETRAINING_RECOMMENDED'
  | 'ROLLBACK_RECOMMENDED'
  | 'STAGE_CHANGED'
  | 'VALIDATION_COMPLETED'
  | 'VERSION_REGISTERED';

export type LifecycleEventFilter = {
  /** Only events of these kinds (any when absent) */
  kinds?: Array<EventKind> | null | undefined;
  /** Only events of these models (any when absent) */
  modelIds?: Array<string> | null | undefined;
};

export type LineageDirection =
  | 'BOTH'
  | 'DOWNSTREAM'
  | 'UPSTREAM';

export type LineageNodeKind =
  | 'CODE_COMMIT'
  | 'DATASET'
  | 'DATASET_VERSION'
  | 'DEPLOYMENT'
  | 'ENVIRONMENT'
  | 'EVALUATION'
  | 'EXPERIMENT'
  | 'EXTERNAL'
  | 'FEATURE'
  | 'JOB'
  | 'MODEL_VERSION'
  | 'TRAINING_RUN';

/** How an edge’s output relates to its input (edges point from input to output) */
export type LineageRelation =
  | 'BUILT_FROM'
  | 'CONSUMED_BY'
  | 'DEPLOYED_AS'
  | 'DERIVED_FROM'
  | 'EVALUATED_ON'
  | 'FINE_TUNED_FROM'
  | 'PRODUCED_BY'
  | 'RELATED_TO'
  | 'RUN_OF'
  | 'TRAINED_IN'
  | 'TRAINED_ON'
  | 'USES_FEATURE'
  | 'VALIDATED_ON';

export type LogMetricsInput = {
  /** Up to 10,000 points; one bad point refuses the whole batch */
  metrics: Array<MetricPointInput>;
  versionId: string;
};

export type MetricPointInput = {
  name: string;
  /** Default: now */
  recordedAt?: string | null | undefined;
  slice?: string | null | undefined;
  source: MetricSource;
  /** Default 0 */
  step?: number | null | undefined;
  value: number;
};

export type MetricSource =
  | 'PRODUCTION'
  | 'TEST'
  | 'TRAINING'
  | 'VALIDATION';

export type ModelStatus =
  | 'ACTIVE'
  | 'RETIRED';

export type RegisterApproverKeyInput = {
  /** Ed25519 public key: PEM, or the 32 raw bytes in base64 */
  publicKey: string;
};

export type RegisterModelVersionInput = {
  artifact: ArtifactInput;
  code: CodeRefInput;
  datasetVersions: Array<string>;
  description?: string | null | undefined;
  environment: EnvironmentInput;
  hyperparameters?: Record<string, unknown> | null | undefined;
  /** A retry with the same key and input returns the first result */
  idempotencyKey?: string | null | undefined;
  label?: string | null | undefined;
  /** The model, by id or by name (one of the two) */
  modelId?: string | null | undefined;
  modelName?: string | null | undefined;
  randomSeed?: string | null | undefined;
  trainingRunId?: string | null | undefined;
};

/** Decides which policy gates apply to the model */
export type RiskTier =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

/** Ranked: each role may do all that the ones before it may */
export type Role =
  | 'ADMIN'
  | 'APPROVER'
  | 'CONTRIBUTOR'
  | 'VIEWER';

export type RollbackModelInput = {
  idempotencyKey?: string | null | undefined;
  modelId: string;
  reason?: string | null | undefined;
};

/** How an OpenSSF Model Signing bundle was signed (spec §4.1) */
export type SigningMethod =
  | 'CERTIFICATE'
  | 'KEY'
  | 'SIGSTORE';

/** Lifecycle stage of a model version */
export type Stage =
  | 'ARCHIVED'
  | 'DEVELOPMENT'
  | 'PRODUCTION'
  | 'REJECTED'
  | 'RETIRED'
  | 'STAGING';

export type TagInput = {
  key: string;
  value: string;
};

export type TransitionModelVersionInput = {
  /** The stage you believe the version is in: a different one is a CONFLICT */
  expectedStage: Stage;
  /** A retry with the same key and input returns the first result */
  idempotencyKey?: string | null | undefined;
  reason?: string | null | undefined;
  toStage: Stage;
  versionId: string;
};

export type ValidateModelVersionInput = {
  versionId: string;
};

export type ClientVersionFragment = { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } };

export type ClientApprovalFragment = { id: string, targetStage: string, decision: ApprovalDecision, approver: string, keyFingerprint: string, signedAt: string };

export type ClientModelFragment = { id: string, name: string, description: string, owner: string, riskTier: RiskTier, status: ModelStatus, revision: number, createdAt: string };

export type ClientViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ClientViewerQuery = { viewer: { subject: string, role: Role, tokenId: string } };

export type ClientCreateModelMutationVariables = Exact<{
  input: CreateModelInput;
}>;


export type ClientCreateModelMutation = { createModel: { model: { id: string, name: string, description: string, owner: string, riskTier: RiskTier, status: ModelStatus, revision: number, createdAt: string } } };

export type ClientModelsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ClientModelsQuery = { models: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, description: string, owner: string, riskTier: RiskTier, status: ModelStatus, revision: number, createdAt: string, latestVersion: { version: number, stage: Stage } | null } }> } };

export type ClientModelQueryVariables = Exact<{
  name?: string | null | undefined;
  id?: string | null | undefined;
}>;


export type ClientModelQuery = { model: { id: string, name: string, description: string, owner: string, riskTier: RiskTier, status: ModelStatus, revision: number, createdAt: string, latestVersion: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } } | null, versions: { totalCount: number, edges: Array<{ node: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } } }> } } | null };

export type ClientModelVersionQueryVariables = Exact<{
  id: string;
}>;


export type ClientModelVersionQuery = { modelVersion: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } } | null };

export type ClientLastMoveQueryVariables = Exact<{
  id: string;
}>;


export type ClientLastMoveQuery = { modelVersion: { stageHistory: { edges: Array<{ node: { fromStage: Stage, toStage: Stage } }> } } | null };

export type ClientVersionByNumberQueryVariables = Exact<{
  name: string;
  number: number;
}>;


export type ClientVersionByNumberQuery = { model: { version: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } } | null } | null };

export type ClientRegisterVersionMutationVariables = Exact<{
  input: RegisterModelVersionInput;
}>;


export type ClientRegisterVersionMutation = { registerModelVersion: { replayed: boolean, version: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } } } };

export type ClientLogMetricsMutationVariables = Exact<{
  input: LogMetricsInput;
}>;


export type ClientLogMetricsMutation = { logMetrics: { count: number } };

export type ClientValidateMutationVariables = Exact<{
  input: ValidateModelVersionInput;
}>;


export type ClientValidateMutation = { validateModelVersion: { report: { id: string, passed: boolean, summary: string, checks: Array<{ metric: string, candidateValue: number | null, baselineValue: number | null, passed: boolean }> } } };

export type ClientTransitionMutationVariables = Exact<{
  input: TransitionModelVersionInput;
}>;


export type ClientTransitionMutation = { transitionModelVersion: { replayed: boolean, version: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } }, archivedVersion: { id: string, version: number, stage: Stage } | null } };

export type ClientRollbackMutationVariables = Exact<{
  input: RollbackModelInput;
}>;


export type ClientRollbackMutation = { rollbackModel: { replayed: boolean, restoredVersion: { id: string, version: number, stage: Stage, label: string | null, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, sha256: string | null, sizeBytes: number | null, failureReason: string | null } }, archivedVersion: { id: string, version: number, stage: Stage } | null } };

export type ClientPromotionReadinessQueryVariables = Exact<{
  versionId: string;
  targetStage: Stage;
}>;


export type ClientPromotionReadinessQuery = { promotionReadiness: { versionId: string, currentStage: Stage, targetStage: Stage, moveAllowed: boolean, permitted: boolean, ready: boolean, gates: Array<{ gate: string, passed: boolean, detail: string }> } };

export type ClientRegisterApproverKeyMutationVariables = Exact<{
  input: RegisterApproverKeyInput;
}>;


export type ClientRegisterApproverKeyMutation = { registerApproverKey: { key: { fingerprint: string } } };

export type ClientApprovalChallengeMutationVariables = Exact<{
  input: ApprovalChallengeInput;
}>;


export type ClientApprovalChallengeMutation = { approvalChallenge: { message: string, signedAt: string } };

export type ClientApproveMutationVariables = Exact<{
  input: DecideModelVersionInput;
}>;


export type ClientApproveMutation = { approveModelVersion: { approval: { id: string, targetStage: string, decision: ApprovalDecision, approver: string, keyFingerprint: string, signedAt: string } } };

export type ClientRejectMutationVariables = Exact<{
  input: DecideModelVersionInput;
}>;


export type ClientRejectMutation = { rejectModelVersion: { approval: { id: string, targetStage: string, decision: ApprovalDecision, approver: string, keyFingerprint: string, signedAt: string } } };

export type ClientAttachSignatureMutationVariables = Exact<{
  input: AttachModelSignatureInput;
}>;


export type ClientAttachSignatureMutation = { attachModelSignature: { signature: { id: string, method: SigningMethod, signer: string, signedAt: string, rootDigest: string, counts: boolean, reason: string, downloadPath: string } } };

export type ClientLineageQueryVariables = Exact<{
  nodeId: string;
  direction: LineageDirection;
  maxDepth: number;
  first: number;
}>;


export type ClientLineageQuery = { lineage: { truncated: boolean, nodes: Array<{ depth: number, node:
        | { id: string, kind: LineageNodeKind, name: string }
        | { id: string, kind: LineageNodeKind, name: string }
        | { id: string, kind: LineageNodeKind, name: string }
       }>, edges: Array<{ id: string, from: string, to: string, relation: LineageRelation }> } };

export type ClientVerifyAuditChainQueryVariables = Exact<{ [key: string]: never; }>;


export type ClientVerifyAuditChainQuery = { verifyAuditChain: { ok: boolean, eventsChecked: number, firstBrokenSeq: number | null, reason: string | null, checkpointSeq: number | null, acknowledgedBreaks: Array<number> } };

export type ClientCreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type ClientCreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, subject: string, role: Role, tokenPrefix: string, expiresAt: string | null } } };

export type ClientLifecycleEventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
  filter?: LifecycleEventFilter | null | undefined;
}>;


export type ClientLifecycleEventsSubscription = { lifecycleEvents: { cursor: string, seq: number, id: string, kind: EventKind, action: string, modelId: string | null, subjectType: string, subjectId: string, actor: string, occurredAt: string, payload: Record<string, unknown> } };

export type ClientPromotionsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
  modelId: string;
}>;


export type ClientPromotionsSubscription = { promotions: { cursor: string, seq: number, modelId: string, fromStage: Stage, toStage: Stage, reason: string, actor: string, occurredAt: string, version: { versionId: string, version: number }, replaced: { versionId: string, version: number } | null } };

export type ClientDriftAlertsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
  filter?: DriftAlertFilter | null | undefined;
}>;


export type ClientDriftAlertsSubscription = { driftAlerts: { cursor: string, change: AlertChange, previousSeverity: AlertSeverity | null, alert: { id: string, kind: AlertKind, severity: AlertSeverity, status: AlertStatus, subject: string, summary: string, raisedAt: string } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ClientVersionFragmentDoc = new TypedDocumentString(`
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}
    `, {"fragmentName":"ClientVersion"}) as unknown as TypedDocumentString<ClientVersionFragment, unknown>;
export const ClientApprovalFragmentDoc = new TypedDocumentString(`
    fragment ClientApproval on Approval {
  id
  targetStage
  decision
  approver
  keyFingerprint
  signedAt
}
    `, {"fragmentName":"ClientApproval"}) as unknown as TypedDocumentString<ClientApprovalFragment, unknown>;
export const ClientModelFragmentDoc = new TypedDocumentString(`
    fragment ClientModel on RegisteredModel {
  id
  name
  description
  owner
  riskTier
  status
  revision
  createdAt
}
    `, {"fragmentName":"ClientModel"}) as unknown as TypedDocumentString<ClientModelFragment, unknown>;
export const ClientViewerDocument = new TypedDocumentString(`
    query ClientViewer {
  viewer {
    subject
    role
    tokenId
  }
}
    `) as unknown as TypedDocumentString<ClientViewerQuery, ClientViewerQueryVariables>;
export const ClientCreateModelDocument = new TypedDocumentString(`
    mutation ClientCreateModel($input: CreateModelInput!) {
  createModel(input: $input) {
    model {
      ...ClientModel
    }
  }
}
    fragment ClientModel on RegisteredModel {
  id
  name
  description
  owner
  riskTier
  status
  revision
  createdAt
}`) as unknown as TypedDocumentString<ClientCreateModelMutation, ClientCreateModelMutationVariables>;
export const ClientModelsDocument = new TypedDocumentString(`
    query ClientModels($first: Int, $after: String) {
  models(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        ...ClientModel
        latestVersion {
          version
          stage
        }
      }
    }
  }
}
    fragment ClientModel on RegisteredModel {
  id
  name
  description
  owner
  riskTier
  status
  revision
  createdAt
}`) as unknown as TypedDocumentString<ClientModelsQuery, ClientModelsQueryVariables>;
export const ClientModelDocument = new TypedDocumentString(`
    query ClientModel($name: String, $id: UUID) {
  model(name: $name, id: $id) {
    ...ClientModel
    latestVersion {
      ...ClientVersion
    }
    versions(first: 20) {
      totalCount
      edges {
        node {
          ...ClientVersion
        }
      }
    }
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}
fragment ClientModel on RegisteredModel {
  id
  name
  description
  owner
  riskTier
  status
  revision
  createdAt
}`) as unknown as TypedDocumentString<ClientModelQuery, ClientModelQueryVariables>;
export const ClientModelVersionDocument = new TypedDocumentString(`
    query ClientModelVersion($id: UUID!) {
  modelVersion(id: $id) {
    ...ClientVersion
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}`) as unknown as TypedDocumentString<ClientModelVersionQuery, ClientModelVersionQueryVariables>;
export const ClientLastMoveDocument = new TypedDocumentString(`
    query ClientLastMove($id: UUID!) {
  modelVersion(id: $id) {
    stageHistory(first: 1) {
      edges {
        node {
          fromStage
          toStage
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ClientLastMoveQuery, ClientLastMoveQueryVariables>;
export const ClientVersionByNumberDocument = new TypedDocumentString(`
    query ClientVersionByNumber($name: String!, $number: Int!) {
  model(name: $name) {
    version(number: $number) {
      ...ClientVersion
    }
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}`) as unknown as TypedDocumentString<ClientVersionByNumberQuery, ClientVersionByNumberQueryVariables>;
export const ClientRegisterVersionDocument = new TypedDocumentString(`
    mutation ClientRegisterVersion($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) {
    version {
      ...ClientVersion
    }
    replayed
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}`) as unknown as TypedDocumentString<ClientRegisterVersionMutation, ClientRegisterVersionMutationVariables>;
export const ClientLogMetricsDocument = new TypedDocumentString(`
    mutation ClientLogMetrics($input: LogMetricsInput!) {
  logMetrics(input: $input) {
    count
  }
}
    `) as unknown as TypedDocumentString<ClientLogMetricsMutation, ClientLogMetricsMutationVariables>;
export const ClientValidateDocument = new TypedDocumentString(`
    mutation ClientValidate($input: ValidateModelVersionInput!) {
  validateModelVersion(input: $input) {
    report {
      id
      passed
      summary
      checks {
        metric
        candidateValue
        baselineValue
        passed
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ClientValidateMutation, ClientValidateMutationVariables>;
export const ClientTransitionDocument = new TypedDocumentString(`
    mutation ClientTransition($input: TransitionModelVersionInput!) {
  transitionModelVersion(input: $input) {
    version {
      ...ClientVersion
    }
    archivedVersion {
      id
      version
      stage
    }
    replayed
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}`) as unknown as TypedDocumentString<ClientTransitionMutation, ClientTransitionMutationVariables>;
export const ClientRollbackDocument = new TypedDocumentString(`
    mutation ClientRollback($input: RollbackModelInput!) {
  rollbackModel(input: $input) {
    restoredVersion {
      ...ClientVersion
    }
    archivedVersion {
      id
      version
      stage
    }
    replayed
  }
}
    fragment ClientVersion on ModelVersion {
  id
  version
  stage
  label
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  artifact {
    format
    layout
    status
    sha256
    sizeBytes
    failureReason
  }
}`) as unknown as TypedDocumentString<ClientRollbackMutation, ClientRollbackMutationVariables>;
export const ClientPromotionReadinessDocument = new TypedDocumentString(`
    query ClientPromotionReadiness($versionId: UUID!, $targetStage: Stage!) {
  promotionReadiness(versionId: $versionId, targetStage: $targetStage) {
    versionId
    currentStage
    targetStage
    moveAllowed
    permitted
    ready
    gates {
      gate
      passed
      detail
    }
  }
}
    `) as unknown as TypedDocumentString<ClientPromotionReadinessQuery, ClientPromotionReadinessQueryVariables>;
export const ClientRegisterApproverKeyDocument = new TypedDocumentString(`
    mutation ClientRegisterApproverKey($input: RegisterApproverKeyInput!) {
  registerApproverKey(input: $input) {
    key {
      fingerprint
    }
  }
}
    `) as unknown as TypedDocumentString<ClientRegisterApproverKeyMutation, ClientRegisterApproverKeyMutationVariables>;
export const ClientApprovalChallengeDocument = new TypedDocumentString(`
    mutation ClientApprovalChallenge($input: ApprovalChallengeInput!) {
  approvalChallenge(input: $input) {
    message
    signedAt
  }
}
    `) as unknown as TypedDocumentString<ClientApprovalChallengeMutation, ClientApprovalChallengeMutationVariables>;
export const ClientApproveDocument = new TypedDocumentString(`
    mutation ClientApprove($input: DecideModelVersionInput!) {
  approveModelVersion(input: $input) {
    approval {
      ...ClientApproval
    }
  }
}
    fragment ClientApproval on Approval {
  id
  targetStage
  decision
  approver
  keyFingerprint
  signedAt
}`) as unknown as TypedDocumentString<ClientApproveMutation, ClientApproveMutationVariables>;
export const ClientRejectDocument = new TypedDocumentString(`
    mutation ClientReject($input: DecideModelVersionInput!) {
  rejectModelVersion(input: $input) {
    approval {
      ...ClientApproval
    }
  }
}
    fragment ClientApproval on Approval {
  id
  targetStage
  decision
  approver
  keyFingerprint
  signedAt
}`) as unknown as TypedDocumentString<ClientRejectMutation, ClientRejectMutationVariables>;
export const ClientAttachSignatureDocument = new TypedDocumentString(`
    mutation ClientAttachSignature($input: AttachModelSignatureInput!) {
  attachModelSignature(input: $input) {
    signature {
      id
      method
      signer
      signedAt
      rootDigest
      counts
      reason
      downloadPath
    }
  }
}
    `) as unknown as TypedDocumentString<ClientAttachSignatureMutation, ClientAttachSignatureMutationVariables>;
export const ClientLineageDocument = new TypedDocumentString(`
    query ClientLineage($nodeId: UUID!, $direction: LineageDirection!, $maxDepth: Int!, $first: Int!) {
  lineage(
    nodeId: $nodeId
    direction: $direction
    maxDepth: $maxDepth
    first: $first
  ) {
    truncated
    nodes {
      depth
      node {
        id
        kind
        name
      }
    }
    edges {
      id
      from
      to
      relation
    }
  }
}
    `) as unknown as TypedDocumentString<ClientLineageQuery, ClientLineageQueryVariables>;
export const ClientVerifyAuditChainDocument = new TypedDocumentString(`
    query ClientVerifyAuditChain {
  verifyAuditChain {
    ok
    eventsChecked
    firstBrokenSeq
    reason
    checkpointSeq
    acknowledgedBreaks
  }
}
    `) as unknown as TypedDocumentString<ClientVerifyAuditChainQuery, ClientVerifyAuditChainQueryVariables>;
export const ClientCreateApiTokenDocument = new TypedDocumentString(`
    mutation ClientCreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    token
    apiToken {
      id
      subject
      role
      tokenPrefix
      expiresAt
    }
  }
}
    `) as unknown as TypedDocumentString<ClientCreateApiTokenMutation, ClientCreateApiTokenMutationVariables>;
export const ClientLifecycleEventsDocument = new TypedDocumentString(`
    subscription ClientLifecycleEvents($after: String, $filter: LifecycleEventFilter) {
  lifecycleEvents(after: $after, filter: $filter) {
    cursor
    seq
    id
    kind
    action
    modelId
    subjectType
    subjectId
    actor
    occurredAt
    payload
  }
}
    `) as unknown as TypedDocumentString<ClientLifecycleEventsSubscription, ClientLifecycleEventsSubscriptionVariables>;
export const ClientPromotionsDocument = new TypedDocumentString(`
    subscription ClientPromotions($after: String, $modelId: UUID!) {
  promotions(after: $after, modelId: $modelId) {
    cursor
    seq
    modelId
    version {
      versionId
      version
    }
    fromStage
    toStage
    replaced {
      versionId
      version
    }
    reason
    actor
    occurredAt
  }
}
    `) as unknown as TypedDocumentString<ClientPromotionsSubscription, ClientPromotionsSubscriptionVariables>;
export const ClientDriftAlertsDocument = new TypedDocumentString(`
    subscription ClientDriftAlerts($after: String, $filter: DriftAlertFilter) {
  driftAlerts(after: $after, filter: $filter) {
    cursor
    change
    previousSeverity
    alert {
      id
      kind
      severity
      status
      subject
      summary
      raisedAt
    }
  }
}
    `) as unknown as TypedDocumentString<ClientDriftAlertsSubscription, ClientDriftAlertsSubscriptionVariables>;