/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Ranked: VIEW < CONTRIBUTE < APPROVE < MANAGE */
export type AccessLevel =
  | 'APPROVE'
  | 'CONTRIBUTE'
  | 'MANAGE'
  | 'VIEW';

/** A separate right on a model; docs/teams-and-access.md tables the level each needs */
export type AccessRight =
  | 'APPROVE'
  | 'ATTACH_SIGNATURE'
  | 'CREATE_MODEL'
  | 'EDIT_CARD'
  | 'EDIT_LINEAGE'
  | 'EDIT_MODEL'
  | 'EDIT_POLICY'
  | 'GRANT'
  | 'HANDLE_ALERT'
  | 'LOG_METRICS'
  | 'MOVE_BEYOND_STAGING'
  | 'MOVE_PROTECTED_ALIAS'
  | 'MOVE_TO_STAGING'
  | 'RECORD_DEPLOYMENT'
  | 'REGISTER_VERSION'
  | 'RENAME_MODEL'
  | 'REPORT_PRODUCTION'
  | 'RETIRE'
  | 'ROLL_BACK'
  | 'SET_ALIAS'
  | 'SET_OBJECTIVES'
  | 'TRUST_SIGNER'
  | 'VALIDATE'
  | 'VIEW';

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

export type ArtifactFormat =
  | 'JOBLIB'
  | 'ONNX'
  | 'OTHER'
  | 'PICKLE'
  | 'SAFETENSORS'
  | 'TF_SAVEDMODEL'
  | 'TORCH';

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

export type AuditEventFilter = {
  action?: string | null | undefined;
  actor?: string | null | undefined;
  modelId?: string | null | undefined;
  /** Events at or after this time */
  since?: string | null | undefined;
  subjectId?: string | null | undefined;
  /** Events before this time */
  until?: string | null | undefined;
};

export type CardContactInput = {
  /** At most 320 characters */
  contact?: string | null | undefined;
  /** At most 200 characters */
  name: string;
};

/** GTE: higher is better; LTE: lower is better */
export type Comparator =
  | 'GTE'
  | 'LTE';

export type DecideModelVersionInput = {
  comment?: string | null | undefined;
  /** Base64 Ed25519 signature of the challenge message */
  signature: string;
  /** The signedAt from approvalChallenge */
  signedAt: string;
  targetStage: Stage;
  versionId: string;
};

export type DeploymentStatus =
  | 'ACTIVE'
  | 'DRAINING'
  | 'ENDED'
  | 'ROLLED_BACK';

export type DeploymentStrategy =
  | 'AB_TEST'
  | 'BLUE_GREEN'
  | 'CANARY'
  | 'DIRECT'
  | 'SHADOW';

export type DriftAlertFilter = {
  kinds?: Array<AlertKind> | null | undefined;
  minSeverity?: AlertSeverity | null | undefined;
  /** Any model you can see when absent */
  modelIds?: Array<string> | null | undefined;
};

export type EthicalConsiderationInput = {
  /** At most 2,000 characters */
  mitigationStrategy?: string | null | undefined;
  /** The risk, at most 2,000 characters */
  name: string;
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

export type FairnessAssessmentInput = {
  /** At most 2,000 characters */
  benefits?: string | null | undefined;
  /** The group or slice, at most 200 characters */
  groupAtRisk: string;
  /** At most 2,000 characters */
  harms?: string | null | undefined;
  /** The data it was measured on, at most 500 characters */
  measuredOn?: string | null | undefined;
  /** The metric measured on the slice, at most 200 characters (with value) */
  metric?: string | null | undefined;
  /** At most 2,000 characters */
  mitigationStrategy?: string | null | undefined;
  /** Its value (with metric) */
  value?: number | null | undefined;
};

export type GrantAccessInput = {
  /** True: on all models (ADMIN only) */
  allModels?: boolean | null | undefined;
  level: AccessLevel;
  /** The model (or allModels) */
  modelId?: string | null | undefined;
  /** A subject (or teamId) */
  subject?: string | null | undefined;
  /** A team (or subject) */
  teamId?: string | null | undefined;
};

/** How an imported global is classified (see docs/scanning-artifacts.md) */
export type ImportVerdict =
  | 'DANGEROUS'
  | 'SAFE'
  | 'SUSPICIOUS';

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

export type MetricSource =
  | 'PRODUCTION'
  | 'TEST'
  | 'TRAINING'
  | 'VALIDATION';

/** A people-written section of a model card (CycloneDX 1.6 modelCard), as policies name them */
export type ModelCardSection =
  | 'APPROACH'
  | 'CAVEATS_AND_RECOMMENDATIONS'
  | 'DATA_DESCRIPTION'
  | 'ENVIRONMENTAL_CONSIDERATIONS'
  | 'ETHICAL_CONSIDERATIONS'
  | 'FAIRNESS_ASSESSMENTS'
  | 'INTENDED_USE'
  | 'LICENSE'
  | 'LIMITATIONS'
  | 'OUT_OF_SCOPE_USES'
  | 'OWNERS'
  | 'PERFORMANCE_TRADEOFFS'
  | 'TASK'
  | 'USERS';

/** The sections to write: each one given replaces that section; an empty list or text removes it; one left out is kept */
export type ModelCardSectionsInput = {
  /** supervised, unsupervised, reinforcement-learning, semi-supervised or self-supervised */
  approach?: string | null | undefined;
  caveatsAndRecommendations?: Array<string> | null | undefined;
  /** At most 10,000 characters */
  dataDescription?: string | null | undefined;
  /** At most 10,000 characters */
  environmentalConsiderations?: string | null | undefined;
  /** At most 50 */
  ethicalConsiderations?: Array<EthicalConsiderationInput> | null | undefined;
  /** At most 100 */
  fairnessAssessments?: Array<FairnessAssessmentInput> | null | undefined;
  /** An SPDX license expression, at most 100 characters */
  license?: string | null | undefined;
  outOfScopeUses?: Array<string> | null | undefined;
  /** At most 50 */
  owners?: Array<CardContactInput> | null | undefined;
  performanceTradeoffs?: Array<string> | null | undefined;
  /** At most 200 characters */
  task?: string | null | undefined;
  technicalLimitations?: Array<string> | null | undefined;
  /** At most 50 entries of 2,000 characters (each list alike) */
  useCases?: Array<string> | null | undefined;
  users?: Array<string> | null | undefined;
};

export type ModelFilter = {
  /** Part of the name, case-insensitive */
  nameContains?: string | null | undefined;
  owner?: string | null | undefined;
  riskTier?: RiskTier | null | undefined;
  /** Models with a version in this stage */
  stage?: Stage | null | undefined;
  status?: ModelStatus | null | undefined;
  /** Models carrying all of these tags */
  tags?: Array<TagInput> | null | undefined;
};

export type ModelOrder = {
  direction?: SortDirection;
  field?: ModelOrderField;
};

export type ModelOrderField =
  | 'CREATED_AT'
  | 'NAME'
  | 'UPDATED_AT';

export type ModelStatus =
  | 'ACTIVE'
  | 'RETIRED';

export type ModelVersionFilter = {
  artifactStatus?: ArtifactStatus | null | undefined;
  label?: string | null | undefined;
  stage?: Stage | null | undefined;
};

export type ProtectAliasInput = {
  /** True: on all models (ADMIN only) */
  allModels?: boolean | null | undefined;
  /** The model (or allModels) */
  modelId?: string | null | undefined;
  /** An alias name, * for any run of characters: champion, prod-* (at most 8 *, none side by side) */
  pattern: string;
};

export type RevokeAccessInput = {
  grantId: string;
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

/** What the scanner found a file to be, from its bytes */
export type ScanFormat =
  | 'GGUF'
  | 'JSON'
  | 'NUMPY'
  | 'ONNX'
  | 'PICKLE'
  | 'PYTORCH_ZIP'
  | 'SAFETENSORS'
  | 'TEXT'
  | 'UNKNOWN'
  | 'ZIP';

/** DANGEROUS: loading can run code or touch what a model has no business with; SUSPICIOUS: not known to be safe */
export type ScanSeverity =
  | 'DANGEROUS'
  | 'INFO'
  | 'SUSPICIOUS';

/** A scan report’s verdict: its worst finding (INFO counts as CLEAN) */
export type ScanVerdict =
  | 'CLEAN'
  | 'DANGEROUS'
  | 'SUSPICIOUS';

export type SortDirection =
  | 'ASC'
  | 'DESC';

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

export type UpdateModelCardInput = {
  /** The revision you read (0 for a card never edited): a stale one is refused with CONFLICT */
  expectedRevision: number;
  sections: ModelCardSectionsInput;
  versionId: string;
};

export type ValidateModelVersionInput = {
  versionId: string;
};

export type ConsoleAuditQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: AuditEventFilter | null | undefined;
}>;


export type ConsoleAuditQuery = { auditEvents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { seq: number, occurredAt: string, actor: string, action: string, subjectType: string, subjectId: string, modelId: string | null, payload: Record<string, unknown>, requestId: string | null, hash: string } }> } };

export type ConsoleAuditChainQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleAuditChainQuery = { verifyAuditChain: { ok: boolean, eventsChecked: number, firstBrokenSeq: number | null, reason: string | null, checkpointSeq: number | null, acknowledgedBreaks: Array<number> }, auditCheckpoints: Array<{ seq: number, hash: string, signedAt: string, keyFingerprint: string, trusted: boolean | null }> };

export type ConsoleCardSectionsFragment = { versionId: string, revision: number, carriedFromVersion: number | null, updatedAt: string | null, updatedBy: string | null, useCases: Array<string>, users: Array<string>, outOfScopeUses: Array<string>, technicalLimitations: Array<string>, performanceTradeoffs: Array<string>, environmentalConsiderations: string | null, approach: string | null, task: string | null, dataDescription: string | null, caveatsAndRecommendations: Array<string>, license: string | null, newestValidationAt: string | null, openAlerts: number, ethicalConsiderations: Array<{ name: string, mitigationStrategy: string | null }>, fairnessAssessments: Array<{ groupAtRisk: string, benefits: string | null, harms: string | null, mitigationStrategy: string | null, metric: string | null, value: number | null, measuredOn: string | null }>, owners: Array<{ name: string, contact: string | null }>, sections: Array<{ section: ModelCardSection, written: boolean, editedAt: string | null, editedBy: string | null, stale: boolean }>, completeness: { gateStage: Stage, required: Array<ModelCardSection>, missing: Array<ModelCardSection>, stale: Array<ModelCardSection>, staleIsMissing: boolean, complete: boolean } };

export type ConsoleModelCardQueryVariables = Exact<{
  versionId: string;
}>;


export type ConsoleModelCardQuery = { modelCard: { versionId: string, revision: number, carriedFromVersion: number | null, updatedAt: string | null, updatedBy: string | null, useCases: Array<string>, users: Array<string>, outOfScopeUses: Array<string>, technicalLimitations: Array<string>, performanceTradeoffs: Array<string>, environmentalConsiderations: string | null, approach: string | null, task: string | null, dataDescription: string | null, caveatsAndRecommendations: Array<string>, license: string | null, newestValidationAt: string | null, openAlerts: number, model: { id: string, name: string, riskTier: RiskTier, owner: string }, version: { id: string, version: number, stage: Stage, reproducibility: { datasetVersions: Array<string>, code: { repo: string, commit: string } }, latestValidation: { passed: boolean, createdAt: string } | null, approvals: { totalCount: number }, artifact: { sha256: string | null, status: ArtifactStatus, scan: { verdict: ScanVerdict | null } }, signatures: { totalCount: number }, deployments: { edges: Array<{ node: { environment: string, status: DeploymentStatus, trafficPercent: number } }> } }, ethicalConsiderations: Array<{ name: string, mitigationStrategy: string | null }>, fairnessAssessments: Array<{ groupAtRisk: string, benefits: string | null, harms: string | null, mitigationStrategy: string | null, metric: string | null, value: number | null, measuredOn: string | null }>, owners: Array<{ name: string, contact: string | null }>, sections: Array<{ section: ModelCardSection, written: boolean, editedAt: string | null, editedBy: string | null, stale: boolean }>, completeness: { gateStage: Stage, required: Array<ModelCardSection>, missing: Array<ModelCardSection>, stale: Array<ModelCardSection>, staleIsMissing: boolean, complete: boolean } } };

export type ConsoleUpdateModelCardMutationVariables = Exact<{
  input: UpdateModelCardInput;
}>;


export type ConsoleUpdateModelCardMutation = { updateModelCard: { card: { versionId: string, revision: number, carriedFromVersion: number | null, updatedAt: string | null, updatedBy: string | null, useCases: Array<string>, users: Array<string>, outOfScopeUses: Array<string>, technicalLimitations: Array<string>, performanceTradeoffs: Array<string>, environmentalConsiderations: string | null, approach: string | null, task: string | null, dataDescription: string | null, caveatsAndRecommendations: Array<string>, license: string | null, newestValidationAt: string | null, openAlerts: number, ethicalConsiderations: Array<{ name: string, mitigationStrategy: string | null }>, fairnessAssessments: Array<{ groupAtRisk: string, benefits: string | null, harms: string | null, mitigationStrategy: string | null, metric: string | null, value: number | null, measuredOn: string | null }>, owners: Array<{ name: string, contact: string | null }>, sections: Array<{ section: ModelCardSection, written: boolean, editedAt: string | null, editedBy: string | null, stale: boolean }>, completeness: { gateStage: Stage, required: Array<ModelCardSection>, missing: Array<ModelCardSection>, stale: Array<ModelCardSection>, staleIsMissing: boolean, complete: boolean } } } };

export type ConsoleLineageQueryVariables = Exact<{
  nodeId: string;
  depth: number;
  direction: LineageDirection;
  kinds?: Array<LineageNodeKind> | LineageNodeKind | null | undefined;
  relations?: Array<LineageRelation> | LineageRelation | null | undefined;
}>;


export type ConsoleLineageQuery = { lineageNode:
    | { id: string, kind: LineageNodeKind, name: string }
    | { id: string, kind: LineageNodeKind, name: string }
    | { id: string, kind: LineageNodeKind, name: string }
   | null, lineage: { truncated: boolean, nodes: Array<{ depth: number, node:
        | { id: string, kind: LineageNodeKind, name: string }
        | { id: string, kind: LineageNodeKind, name: string }
        | { id: string, kind: LineageNodeKind, name: string }
       }>, edges: Array<{ from: string, to: string, relation: LineageRelation }> } };

export type ConsoleImpactQueryVariables = Exact<{
  nodeId: string;
}>;


export type ConsoleImpactQuery = { impact: { versionCount: number, liveDeploymentCount: number, truncated: boolean, models: Array<{ model: { id: string, name: string }, versions: Array<{ stage: Stage, version: { id: string }, path: Array<{ node:
            | { id: string }
            | { id: string }
            | { id: string }
           }> }>, liveDeployments: Array<{ deployment: { id: string }, path: Array<{ node:
            | { id: string }
            | { id: string }
            | { id: string }
           }> }> }> } };

export type ConsoleLifecycleEventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
  filter?: LifecycleEventFilter | null | undefined;
}>;


export type ConsoleLifecycleEventsSubscription = { lifecycleEvents: { cursor: string, seq: number, kind: EventKind, action: string, modelId: string | null, subjectType: string, subjectId: string, actor: string, occurredAt: string } };

export type ConsoleDriftAlertsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
  filter?: DriftAlertFilter | null | undefined;
}>;


export type ConsoleDriftAlertsSubscription = { driftAlerts: { cursor: string, change: AlertChange, alert: { id: string, kind: AlertKind, severity: AlertSeverity, status: AlertStatus, summary: string, model: { id: string, name: string } } } };

export type ConsoleModelsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: ModelFilter | null | undefined;
  orderBy?: ModelOrder | null | undefined;
}>;


export type ConsoleModelsQuery = { models: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, owner: string, riskTier: RiskTier, status: ModelStatus, updatedAt: string, tags: Array<{ key: string, value: string }>, productionVersion: { id: string, version: number } | null, latestVersion: { id: string, version: number, stage: Stage } | null } }> } };

export type ConsoleModelQueryVariables = Exact<{
  id: string;
  versionsFirst: number;
  versionsAfter?: string | null | undefined;
  versionFilter?: ModelVersionFilter | null | undefined;
}>;


export type ConsoleModelQuery = { model: { id: string, name: string, description: string, owner: string, riskTier: RiskTier, status: ModelStatus, createdBy: string, createdAt: string, revision: number, tags: Array<{ key: string, value: string }>, aliases: { edges: Array<{ node: { id: string, name: string, updatedBy: string, updatedAt: string, version: { id: string, version: number } } }> }, activeDeployments: { edges: Array<{ node: { id: string, name: string, environment: string, endpoint: string, strategy: DeploymentStrategy, trafficPercent: number, status: DeploymentStatus, createdAt: string, version: { id: string, version: number } } }> }, effectivePolicy: { requiredChecks: Array<string>, maxValidationAgeHours: number, separationOfDuties: boolean, approverRole: Role, stagingApprovals: number, productionApprovals: number, source: { scope: string, scopeKey: string, version: number } | null }, versions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, version: number, label: string | null, stage: Stage, createdBy: string, createdAt: string, aliases: { edges: Array<{ node: { name: string } }> }, latestValidation: { passed: boolean, createdAt: string } | null } }> } } | null, myAccess: { level: AccessLevel, rights: Array<AccessRight> } };

export type ConsoleAliasHistoryQueryVariables = Exact<{
  id: string;
  alias: string;
}>;


export type ConsoleAliasHistoryQuery = { model: { id: string, aliasHistory: { edges: Array<{ node: { id: string, alias: string, actor: string, changedAt: string, version: { id: string, version: number } | null, previousVersion: { id: string, version: number } | null } }> } } | null };

export type ConsoleAccessQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleAccessQuery = { accessOf: { grants: Array<{ id: string, subject: string | null, teamId: string | null, modelId: string | null, level: AccessLevel, createdBy: string, createdAt: string }>, protectedAliases: Array<{ id: string, modelId: string | null, pattern: string, createdBy: string, createdAt: string }> }, teams: { edges: Array<{ node: { id: string, name: string } }> } };

export type ConsoleGrantAccessMutationVariables = Exact<{
  input: GrantAccessInput;
}>;


export type ConsoleGrantAccessMutation = { grantAccess: { grant: { id: string } } };

export type ConsoleRevokeAccessMutationVariables = Exact<{
  input: RevokeAccessInput;
}>;


export type ConsoleRevokeAccessMutation = { revokeAccess: { grant: { id: string } } };

export type ConsoleProtectAliasMutationVariables = Exact<{
  input: ProtectAliasInput;
}>;


export type ConsoleProtectAliasMutation = { protectAlias: { protectedAlias: { id: string } } };

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { subject: string, role: Role } };

export type ConsoleVersionDetailFragment = { id: string, version: number, label: string | null, description: string, stage: Stage, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, reproducibility: { datasetVersions: Array<string>, hyperparameters: Record<string, unknown>, randomSeed: string | null, trainingRunId: string | null, code: { repo: string, commit: string }, environment: { imageDigest: string | null, packageLock: string | null } }, metrics: { edges: Array<{ node: { name: string, value: number, step: number, source: MetricSource, slice: string } }> } };

export type ConsoleVersionQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleVersionQuery = { modelVersion: { id: string, version: number, label: string | null, description: string, stage: Stage, createdBy: string, createdAt: string, revision: number, aliases: { edges: Array<{ node: { name: string } }> }, artifact: { format: ArtifactFormat, layout: ArtifactLayout, status: ArtifactStatus, storagePath: string, sourceUri: string | null, sizeBytes: number | null, sha256: string | null, failureReason: string | null, verifiedAt: string | null, scan: { verdict: ScanVerdict | null, filesScanned: number, filesNotScanned: number, dangerousFiles: number, suspiciousFiles: number, scannerVersions: Array<number> }, files: { totalCount: number, edges: Array<{ node: { path: string, sizeBytes: number | null, sha256: string | null, status: ArtifactStatus, failureReason: string | null, scan: { verdict: ScanVerdict, format: ScanFormat, reason: string } | null } }> } }, latestValidation: { id: string, passed: boolean, summary: string, createdBy: string, createdAt: string, checks: Array<{ origin: string, metric: string, comparator: Comparator, candidateValue: number | null, baselineValue: number | null, tolerance: number, passed: boolean, detail: string }> } | null, approvals: { edges: Array<{ node: { id: string, targetStage: string, decision: ApprovalDecision, approver: string, approverRole: Role, comment: string, keyFingerprint: string, signedAt: string } }> }, stageHistory: { edges: Array<{ node: { id: string, fromStage: Stage, toStage: Stage, reason: string, actor: string, changedAt: string, auditSeq: number } }> }, model: { id: string, name: string }, reproducibility: { datasetVersions: Array<string>, hyperparameters: Record<string, unknown>, randomSeed: string | null, trainingRunId: string | null, code: { repo: string, commit: string }, environment: { imageDigest: string | null, packageLock: string | null } }, metrics: { edges: Array<{ node: { name: string, value: number, step: number, source: MetricSource, slice: string } }> } } | null };

export type ConsoleVersionAccessQueryVariables = Exact<{
  modelId: string;
}>;


export type ConsoleVersionAccessQuery = { myAccess: { level: AccessLevel, rights: Array<AccessRight> } };

export type ConsoleReadinessQueryVariables = Exact<{
  versionId: string;
  targetStage: Stage;
}>;


export type ConsoleReadinessQuery = { promotionReadiness: { currentStage: Stage, targetStage: Stage, moveAllowed: boolean, permitted: boolean, permission: string, ready: boolean, gates: Array<{ gate: string, passed: boolean, detail: string }> } };

export type ConsoleMetricAcrossVersionsQueryVariables = Exact<{
  modelId: string;
  name: string;
}>;


export type ConsoleMetricAcrossVersionsQuery = { model: { id: string, versions: { edges: Array<{ node: { id: string, version: number, metrics: { edges: Array<{ node: { value: number, step: number, source: MetricSource, slice: string } }> } } }> } } | null };

export type ConsoleCompareQueryVariables = Exact<{
  a: string;
  b: string;
}>;


export type ConsoleCompareQuery = { a: { id: string, version: number, label: string | null, description: string, stage: Stage, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, reproducibility: { datasetVersions: Array<string>, hyperparameters: Record<string, unknown>, randomSeed: string | null, trainingRunId: string | null, code: { repo: string, commit: string }, environment: { imageDigest: string | null, packageLock: string | null } }, metrics: { edges: Array<{ node: { name: string, value: number, step: number, source: MetricSource, slice: string } }> } } | null, b: { id: string, version: number, label: string | null, description: string, stage: Stage, createdBy: string, createdAt: string, revision: number, model: { id: string, name: string }, reproducibility: { datasetVersions: Array<string>, hyperparameters: Record<string, unknown>, randomSeed: string | null, trainingRunId: string | null, code: { repo: string, commit: string }, environment: { imageDigest: string | null, packageLock: string | null } }, metrics: { edges: Array<{ node: { name: string, value: number, step: number, source: MetricSource, slice: string } }> } } | null };

export type ConsoleValidateMutationVariables = Exact<{
  input: ValidateModelVersionInput;
}>;


export type ConsoleValidateMutation = { validateModelVersion: { report: { passed: boolean, summary: string } } };

export type ConsoleTransitionMutationVariables = Exact<{
  input: TransitionModelVersionInput;
}>;


export type ConsoleTransitionMutation = { transitionModelVersion: { version: { id: string, stage: Stage } } };

export type ConsoleRollbackMutationVariables = Exact<{
  input: RollbackModelInput;
}>;


export type ConsoleRollbackMutation = { rollbackModel: { restoredVersion: { id: string, version: number } } };

export type ConsoleApprovalChallengeMutationVariables = Exact<{
  input: ApprovalChallengeInput;
}>;


export type ConsoleApprovalChallengeMutation = { approvalChallenge: { message: string, signedAt: string } };

export type ConsoleApproveMutationVariables = Exact<{
  input: DecideModelVersionInput;
}>;


export type ConsoleApproveMutation = { approveModelVersion: { approval: { id: string, keyFingerprint: string } } };

export type ConsoleMetricHistoryQueryVariables = Exact<{
  versionId: string;
  name: string;
  source: MetricSource;
}>;


export type ConsoleMetricHistoryQuery = { modelVersion: { id: string, metricHistory: { edges: Array<{ node: { step: number, value: number, slice: string } }> } } | null };

export type ConsoleScanDetailsQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleScanDetailsQuery = { modelVersion: { id: string, artifact: { files: { edges: Array<{ node: { path: string, scan: { verdict: ScanVerdict, scannerVersion: number, scannedAt: string, findings: Array<{ severity: ScanSeverity, code: string, message: string, offset: number | null, entry: string | null }>, imports: Array<{ module: string, name: string, verdict: ImportVerdict, why: string, opcodes: Array<string>, calledBy: Array<string>, entry: string | null }> } | null } }> } } } | null };

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
export const ConsoleCardSectionsFragmentDoc = new TypedDocumentString(`
    fragment ConsoleCardSections on ModelCard {
  versionId
  revision
  carriedFromVersion
  updatedAt
  updatedBy
  useCases
  users
  outOfScopeUses
  technicalLimitations
  performanceTradeoffs
  ethicalConsiderations {
    name
    mitigationStrategy
  }
  fairnessAssessments {
    groupAtRisk
    benefits
    harms
    mitigationStrategy
    metric
    value
    measuredOn
  }
  environmentalConsiderations
  approach
  task
  dataDescription
  caveatsAndRecommendations
  owners {
    name
    contact
  }
  license
  sections {
    section
    written
    editedAt
    editedBy
    stale
  }
  newestValidationAt
  openAlerts
  completeness {
    gateStage
    required
    missing
    stale
    staleIsMissing
    complete
  }
}
    `, {"fragmentName":"ConsoleCardSections"}) as unknown as TypedDocumentString<ConsoleCardSectionsFragment, unknown>;
export const ConsoleVersionDetailFragmentDoc = new TypedDocumentString(`
    fragment ConsoleVersionDetail on ModelVersion {
  id
  version
  label
  description
  stage
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  reproducibility {
    code {
      repo
      commit
    }
    datasetVersions
    hyperparameters
    environment {
      imageDigest
      packageLock
    }
    randomSeed
    trainingRunId
  }
  metrics(first: 500) {
    edges {
      node {
        name
        value
        step
        source
        slice
      }
    }
  }
}
    `, {"fragmentName":"ConsoleVersionDetail"}) as unknown as TypedDocumentString<ConsoleVersionDetailFragment, unknown>;
export const ConsoleAuditDocument = new TypedDocumentString(`
    query ConsoleAudit($first: Int!, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        seq
        occurredAt
        actor
        action
        subjectType
        subjectId
        modelId
        payload
        requestId
        hash
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAuditQuery, ConsoleAuditQueryVariables>;
export const ConsoleAuditChainDocument = new TypedDocumentString(`
    query ConsoleAuditChain {
  verifyAuditChain {
    ok
    eventsChecked
    firstBrokenSeq
    reason
    checkpointSeq
    acknowledgedBreaks
  }
  auditCheckpoints(first: 20) {
    seq
    hash
    signedAt
    keyFingerprint
    trusted
  }
}
    `) as unknown as TypedDocumentString<ConsoleAuditChainQuery, ConsoleAuditChainQueryVariables>;
export const ConsoleModelCardDocument = new TypedDocumentString(`
    query ConsoleModelCard($versionId: UUID!) {
  modelCard(versionId: $versionId) {
    ...ConsoleCardSections
    model {
      id
      name
      riskTier
      owner
    }
    version {
      id
      version
      stage
      reproducibility {
        code {
          repo
          commit
        }
        datasetVersions
      }
      latestValidation {
        passed
        createdAt
      }
      approvals(first: 100) {
        totalCount
      }
      artifact {
        sha256
        status
        scan {
          verdict
        }
      }
      signatures(first: 100) {
        totalCount
      }
      deployments(first: 100) {
        edges {
          node {
            environment
            status
            trafficPercent
          }
        }
      }
    }
  }
}
    fragment ConsoleCardSections on ModelCard {
  versionId
  revision
  carriedFromVersion
  updatedAt
  updatedBy
  useCases
  users
  outOfScopeUses
  technicalLimitations
  performanceTradeoffs
  ethicalConsiderations {
    name
    mitigationStrategy
  }
  fairnessAssessments {
    groupAtRisk
    benefits
    harms
    mitigationStrategy
    metric
    value
    measuredOn
  }
  environmentalConsiderations
  approach
  task
  dataDescription
  caveatsAndRecommendations
  owners {
    name
    contact
  }
  license
  sections {
    section
    written
    editedAt
    editedBy
    stale
  }
  newestValidationAt
  openAlerts
  completeness {
    gateStage
    required
    missing
    stale
    staleIsMissing
    complete
  }
}`) as unknown as TypedDocumentString<ConsoleModelCardQuery, ConsoleModelCardQueryVariables>;
export const ConsoleUpdateModelCardDocument = new TypedDocumentString(`
    mutation ConsoleUpdateModelCard($input: UpdateModelCardInput!) {
  updateModelCard(input: $input) {
    card {
      ...ConsoleCardSections
    }
  }
}
    fragment ConsoleCardSections on ModelCard {
  versionId
  revision
  carriedFromVersion
  updatedAt
  updatedBy
  useCases
  users
  outOfScopeUses
  technicalLimitations
  performanceTradeoffs
  ethicalConsiderations {
    name
    mitigationStrategy
  }
  fairnessAssessments {
    groupAtRisk
    benefits
    harms
    mitigationStrategy
    metric
    value
    measuredOn
  }
  environmentalConsiderations
  approach
  task
  dataDescription
  caveatsAndRecommendations
  owners {
    name
    contact
  }
  license
  sections {
    section
    written
    editedAt
    editedBy
    stale
  }
  newestValidationAt
  openAlerts
  completeness {
    gateStage
    required
    missing
    stale
    staleIsMissing
    complete
  }
}`) as unknown as TypedDocumentString<ConsoleUpdateModelCardMutation, ConsoleUpdateModelCardMutationVariables>;
export const ConsoleLineageDocument = new TypedDocumentString(`
    query ConsoleLineage($nodeId: UUID!, $depth: Int!, $direction: LineageDirection!, $kinds: [LineageNodeKind!], $relations: [LineageRelation!]) {
  lineageNode(id: $nodeId) {
    id
    kind
    name
  }
  lineage(
    nodeId: $nodeId
    maxDepth: $depth
    direction: $direction
    kinds: $kinds
    relations: $relations
    first: 5000
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
      from
      to
      relation
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleLineageQuery, ConsoleLineageQueryVariables>;
export const ConsoleImpactDocument = new TypedDocumentString(`
    query ConsoleImpact($nodeId: UUID!) {
  impact(nodeId: $nodeId) {
    versionCount
    liveDeploymentCount
    truncated
    models {
      model {
        id
        name
      }
      versions {
        stage
        version {
          id
        }
        path {
          node {
            id
          }
        }
      }
      liveDeployments {
        deployment {
          id
        }
        path {
          node {
            id
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleImpactQuery, ConsoleImpactQueryVariables>;
export const ConsoleLifecycleEventsDocument = new TypedDocumentString(`
    subscription ConsoleLifecycleEvents($after: String, $filter: LifecycleEventFilter) {
  lifecycleEvents(after: $after, filter: $filter) {
    cursor
    seq
    kind
    action
    modelId
    subjectType
    subjectId
    actor
    occurredAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleLifecycleEventsSubscription, ConsoleLifecycleEventsSubscriptionVariables>;
export const ConsoleDriftAlertsDocument = new TypedDocumentString(`
    subscription ConsoleDriftAlerts($after: String, $filter: DriftAlertFilter) {
  driftAlerts(after: $after, filter: $filter) {
    cursor
    change
    alert {
      id
      kind
      severity
      status
      summary
      model {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDriftAlertsSubscription, ConsoleDriftAlertsSubscriptionVariables>;
export const ConsoleModelsDocument = new TypedDocumentString(`
    query ConsoleModels($first: Int!, $after: String, $filter: ModelFilter, $orderBy: ModelOrder) {
  models(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        owner
        riskTier
        status
        updatedAt
        tags {
          key
          value
        }
        productionVersion {
          id
          version
        }
        latestVersion {
          id
          version
          stage
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleModelsQuery, ConsoleModelsQueryVariables>;
export const ConsoleModelDocument = new TypedDocumentString(`
    query ConsoleModel($id: UUID!, $versionsFirst: Int!, $versionsAfter: String, $versionFilter: ModelVersionFilter) {
  model(id: $id) {
    id
    name
    description
    owner
    riskTier
    status
    createdBy
    createdAt
    revision
    tags {
      key
      value
    }
    aliases(first: 100) {
      edges {
        node {
          id
          name
          updatedBy
          updatedAt
          version {
            id
            version
          }
        }
      }
    }
    activeDeployments(first: 100) {
      edges {
        node {
          id
          name
          environment
          endpoint
          strategy
          trafficPercent
          status
          createdAt
          version {
            id
            version
          }
        }
      }
    }
    effectivePolicy {
      requiredChecks
      maxValidationAgeHours
      separationOfDuties
      approverRole
      stagingApprovals
      productionApprovals
      source {
        scope
        scopeKey
        version
      }
    }
    versions(first: $versionsFirst, after: $versionsAfter, filter: $versionFilter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          version
          label
          stage
          createdBy
          createdAt
          aliases(first: 20) {
            edges {
              node {
                name
              }
            }
          }
          latestValidation {
            passed
            createdAt
          }
        }
      }
    }
  }
  myAccess(modelId: $id) {
    level
    rights
  }
}
    `) as unknown as TypedDocumentString<ConsoleModelQuery, ConsoleModelQueryVariables>;
export const ConsoleAliasHistoryDocument = new TypedDocumentString(`
    query ConsoleAliasHistory($id: UUID!, $alias: String!) {
  model(id: $id) {
    id
    aliasHistory(name: $alias, first: 50) {
      edges {
        node {
          id
          alias
          actor
          changedAt
          version {
            id
            version
          }
          previousVersion {
            id
            version
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAliasHistoryQuery, ConsoleAliasHistoryQueryVariables>;
export const ConsoleAccessDocument = new TypedDocumentString(`
    query ConsoleAccess($id: UUID!) {
  accessOf(modelId: $id) {
    grants {
      id
      subject
      teamId
      modelId
      level
      createdBy
      createdAt
    }
    protectedAliases {
      id
      modelId
      pattern
      createdBy
      createdAt
    }
  }
  teams(first: 500) {
    edges {
      node {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAccessQuery, ConsoleAccessQueryVariables>;
export const ConsoleGrantAccessDocument = new TypedDocumentString(`
    mutation ConsoleGrantAccess($input: GrantAccessInput!) {
  grantAccess(input: $input) {
    grant {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleGrantAccessMutation, ConsoleGrantAccessMutationVariables>;
export const ConsoleRevokeAccessDocument = new TypedDocumentString(`
    mutation ConsoleRevokeAccess($input: RevokeAccessInput!) {
  revokeAccess(input: $input) {
    grant {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeAccessMutation, ConsoleRevokeAccessMutationVariables>;
export const ConsoleProtectAliasDocument = new TypedDocumentString(`
    mutation ConsoleProtectAlias($input: ProtectAliasInput!) {
  protectAlias(input: $input) {
    protectedAlias {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProtectAliasMutation, ConsoleProtectAliasMutationVariables>;
export const ConsoleViewerDocument = new TypedDocumentString(`
    query ConsoleViewer {
  viewer {
    subject
    role
  }
}
    `) as unknown as TypedDocumentString<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const ConsoleVersionDocument = new TypedDocumentString(`
    query ConsoleVersion($id: UUID!) {
  modelVersion(id: $id) {
    ...ConsoleVersionDetail
    aliases(first: 20) {
      edges {
        node {
          name
        }
      }
    }
    artifact {
      format
      layout
      status
      storagePath
      sourceUri
      sizeBytes
      sha256
      failureReason
      verifiedAt
      scan {
        verdict
        filesScanned
        filesNotScanned
        dangerousFiles
        suspiciousFiles
        scannerVersions
      }
      files(first: 100) {
        totalCount
        edges {
          node {
            path
            sizeBytes
            sha256
            status
            failureReason
            scan {
              verdict
              format
              reason
            }
          }
        }
      }
    }
    latestValidation {
      id
      passed
      summary
      createdBy
      createdAt
      checks {
        origin
        metric
        comparator
        candidateValue
        baselineValue
        tolerance
        passed
        detail
      }
    }
    approvals(first: 50) {
      edges {
        node {
          id
          targetStage
          decision
          approver
          approverRole
          comment
          keyFingerprint
          signedAt
        }
      }
    }
    stageHistory(first: 50) {
      edges {
        node {
          id
          fromStage
          toStage
          reason
          actor
          changedAt
          auditSeq
        }
      }
    }
  }
}
    fragment ConsoleVersionDetail on ModelVersion {
  id
  version
  label
  description
  stage
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  reproducibility {
    code {
      repo
      commit
    }
    datasetVersions
    hyperparameters
    environment {
      imageDigest
      packageLock
    }
    randomSeed
    trainingRunId
  }
  metrics(first: 500) {
    edges {
      node {
        name
        value
        step
        source
        slice
      }
    }
  }
}`) as unknown as TypedDocumentString<ConsoleVersionQuery, ConsoleVersionQueryVariables>;
export const ConsoleVersionAccessDocument = new TypedDocumentString(`
    query ConsoleVersionAccess($modelId: UUID!) {
  myAccess(modelId: $modelId) {
    level
    rights
  }
}
    `) as unknown as TypedDocumentString<ConsoleVersionAccessQuery, ConsoleVersionAccessQueryVariables>;
export const ConsoleReadinessDocument = new TypedDocumentString(`
    query ConsoleReadiness($versionId: UUID!, $targetStage: Stage!) {
  promotionReadiness(versionId: $versionId, targetStage: $targetStage) {
    currentStage
    targetStage
    moveAllowed
    permitted
    permission
    ready
    gates {
      gate
      passed
      detail
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleReadinessQuery, ConsoleReadinessQueryVariables>;
export const ConsoleMetricAcrossVersionsDocument = new TypedDocumentString(`
    query ConsoleMetricAcrossVersions($modelId: UUID!, $name: String!) {
  model(id: $modelId) {
    id
    versions(first: 50) {
      edges {
        node {
          id
          version
          metrics(names: [$name], first: 50) {
            edges {
              node {
                value
                step
                source
                slice
              }
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleMetricAcrossVersionsQuery, ConsoleMetricAcrossVersionsQueryVariables>;
export const ConsoleCompareDocument = new TypedDocumentString(`
    query ConsoleCompare($a: UUID!, $b: UUID!) {
  a: modelVersion(id: $a) {
    ...ConsoleVersionDetail
  }
  b: modelVersion(id: $b) {
    ...ConsoleVersionDetail
  }
}
    fragment ConsoleVersionDetail on ModelVersion {
  id
  version
  label
  description
  stage
  createdBy
  createdAt
  revision
  model {
    id
    name
  }
  reproducibility {
    code {
      repo
      commit
    }
    datasetVersions
    hyperparameters
    environment {
      imageDigest
      packageLock
    }
    randomSeed
    trainingRunId
  }
  metrics(first: 500) {
    edges {
      node {
        name
        value
        step
        source
        slice
      }
    }
  }
}`) as unknown as TypedDocumentString<ConsoleCompareQuery, ConsoleCompareQueryVariables>;
export const ConsoleValidateDocument = new TypedDocumentString(`
    mutation ConsoleValidate($input: ValidateModelVersionInput!) {
  validateModelVersion(input: $input) {
    report {
      passed
      summary
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleValidateMutation, ConsoleValidateMutationVariables>;
export const ConsoleTransitionDocument = new TypedDocumentString(`
    mutation ConsoleTransition($input: TransitionModelVersionInput!) {
  transitionModelVersion(input: $input) {
    version {
      id
      stage
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTransitionMutation, ConsoleTransitionMutationVariables>;
export const ConsoleRollbackDocument = new TypedDocumentString(`
    mutation ConsoleRollback($input: RollbackModelInput!) {
  rollbackModel(input: $input) {
    restoredVersion {
      id
      version
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRollbackMutation, ConsoleRollbackMutationVariables>;
export const ConsoleApprovalChallengeDocument = new TypedDocumentString(`
    mutation ConsoleApprovalChallenge($input: ApprovalChallengeInput!) {
  approvalChallenge(input: $input) {
    message
    signedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleApprovalChallengeMutation, ConsoleApprovalChallengeMutationVariables>;
export const ConsoleApproveDocument = new TypedDocumentString(`
    mutation ConsoleApprove($input: DecideModelVersionInput!) {
  approveModelVersion(input: $input) {
    approval {
      id
      keyFingerprint
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleApproveMutation, ConsoleApproveMutationVariables>;
export const ConsoleMetricHistoryDocument = new TypedDocumentString(`
    query ConsoleMetricHistory($versionId: UUID!, $name: String!, $source: MetricSource!) {
  modelVersion(id: $versionId) {
    id
    metricHistory(name: $name, source: $source, first: 500) {
      edges {
        node {
          step
          value
          slice
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleMetricHistoryQuery, ConsoleMetricHistoryQueryVariables>;
export const ConsoleScanDetailsDocument = new TypedDocumentString(`
    query ConsoleScanDetails($id: UUID!) {
  modelVersion(id: $id) {
    id
    artifact {
      files(first: 100) {
        edges {
          node {
            path
            scan {
              verdict
              scannerVersion
              scannedAt
              findings {
                severity
                code
                message
                offset
                entry
              }
              imports {
                module
                name
                verdict
                why
                opcodes
                calledBy
                entry
              }
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleScanDetailsQuery, ConsoleScanDetailsQueryVariables>;

// Each enum's values, in the schema's order (codegen-enum-values.cjs).
export const AccessLevelValues = ['VIEW', 'CONTRIBUTE', 'APPROVE', 'MANAGE'] as const;
export const AccessRightValues = ['VIEW', 'CREATE_MODEL', 'EDIT_MODEL', 'REGISTER_VERSION', 'LOG_METRICS', 'VALIDATE', 'MOVE_TO_STAGING', 'APPROVE', 'MOVE_BEYOND_STAGING', 'ROLL_BACK', 'SET_ALIAS', 'MOVE_PROTECTED_ALIAS', 'EDIT_POLICY', 'RENAME_MODEL', 'RECORD_DEPLOYMENT', 'RETIRE', 'GRANT', 'EDIT_LINEAGE', 'REPORT_PRODUCTION', 'HANDLE_ALERT', 'SET_OBJECTIVES', 'ATTACH_SIGNATURE', 'TRUST_SIGNER', 'EDIT_CARD'] as const;
export const AlertChangeValues = ['RAISED', 'ESCALATED'] as const;
export const AlertKindValues = ['DATA_DRIFT', 'CONCEPT_DRIFT', 'PERFORMANCE_DEGRADED', 'OBJECTIVE_BREACHED', 'CANARY_FAILED'] as const;
export const AlertSeverityValues = ['INFO', 'WARNING', 'CRITICAL'] as const;
export const AlertStatusValues = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export const ApprovalDecisionValues = ['APPROVED', 'REJECTED'] as const;
export const ArtifactActionValues = ['COLD_STORAGE', 'DELETE'] as const;
export const ArtifactFormatValues = ['ONNX', 'PICKLE', 'JOBLIB', 'TORCH', 'SAFETENSORS', 'TF_SAVEDMODEL', 'OTHER'] as const;
export const ArtifactLayoutValues = ['FILE', 'FOLDER'] as const;
export const ArtifactStatusValues = ['PENDING_UPLOAD', 'READY', 'FAILED', 'COLD', 'DELETED'] as const;
export const BaselineReferenceValues = ['FIXED', 'PRODUCTION_VERSION'] as const;
export const CanaryMetricVerdictValues = ['PASS', 'FAIL', 'INCONCLUSIVE', 'INSUFFICIENT_DATA'] as const;
export const CanaryTestValues = ['TWO_PROPORTION_Z', 'RELATIVE_THRESHOLD'] as const;
export const CanaryVerdictValues = ['PROMOTE', 'ROLLBACK', 'INCONCLUSIVE'] as const;
export const ComparatorValues = ['GTE', 'LTE'] as const;
export const DeploymentStatusValues = ['ACTIVE', 'DRAINING', 'ROLLED_BACK', 'ENDED'] as const;
export const DeploymentStrategyValues = ['DIRECT', 'BLUE_GREEN', 'CANARY', 'SHADOW', 'AB_TEST'] as const;
export const DriftSeverityValues = ['NONE', 'WARNING', 'CRITICAL'] as const;
export const EventKindValues = ['MODEL_CHANGED', 'MODEL_RETIRED', 'VERSION_REGISTERED', 'STAGE_CHANGED', 'ALIAS_MOVED', 'VALIDATION_COMPLETED', 'APPROVAL_RECORDED', 'DEPLOYMENT_CHANGED', 'METRICS_LOGGED', 'POLICY_CHANGED', 'ACCESS_CHANGED', 'LINEAGE_CHANGED', 'MONITORING_CHANGED', 'PRODUCTION_REPORTED', 'ALERT_RAISED', 'ALERT_CHANGED', 'RETRAINING_RECOMMENDED', 'ROLLBACK_RECOMMENDED', 'ARTIFACT_CHANGED', 'ARTIFACT_SIGNED', 'ARTIFACT_SCANNED', 'OTHER'] as const;
export const FeatureDriftStatusValues = ['OK', 'INSUFFICIENT_DATA', 'NO_REFERENCE'] as const;
export const ImportVerdictValues = ['DANGEROUS', 'SUSPICIOUS', 'SAFE'] as const;
export const LineageDirectionValues = ['UPSTREAM', 'DOWNSTREAM', 'BOTH'] as const;
export const LineageNodeKindValues = ['DATASET', 'DATASET_VERSION', 'FEATURE', 'CODE_COMMIT', 'TRAINING_RUN', 'EXPERIMENT', 'JOB', 'MODEL_VERSION', 'EVALUATION', 'DEPLOYMENT', 'ENVIRONMENT', 'EXTERNAL'] as const;
export const LineageRelationValues = ['TRAINED_ON', 'VALIDATED_ON', 'EVALUATED_ON', 'BUILT_FROM', 'TRAINED_IN', 'PRODUCED_BY', 'CONSUMED_BY', 'RUN_OF', 'DERIVED_FROM', 'FINE_TUNED_FROM', 'USES_FEATURE', 'DEPLOYED_AS', 'RELATED_TO'] as const;
export const MetricSourceValues = ['TRAINING', 'VALIDATION', 'TEST', 'PRODUCTION'] as const;
export const ModelCardSectionValues = ['INTENDED_USE', 'USERS', 'OUT_OF_SCOPE_USES', 'LIMITATIONS', 'PERFORMANCE_TRADEOFFS', 'ETHICAL_CONSIDERATIONS', 'FAIRNESS_ASSESSMENTS', 'ENVIRONMENTAL_CONSIDERATIONS', 'APPROACH', 'TASK', 'DATA_DESCRIPTION', 'CAVEATS_AND_RECOMMENDATIONS', 'OWNERS', 'LICENSE'] as const;
export const ModelOrderFieldValues = ['NAME', 'CREATED_AT', 'UPDATED_AT'] as const;
export const ModelStatusValues = ['ACTIVE', 'RETIRED'] as const;
export const ObjectiveStateValues = ['NO_DATA', 'MET', 'AT_RISK', 'BREACHED'] as const;
export const ProductionMetricKindValues = ['LATENCY_MS', 'ERROR_RATE', 'AVAILABILITY', 'MISSING_RATE', 'DRIFT_RATE', 'KPI_RATE', 'KPI', 'COST', 'QUALITY', 'LOSS'] as const;
export const ProductionMetricStatusValues = ['COMPARED', 'NO_BASELINE', 'INSUFFICIENT_DATA', 'NOT_COMPARED'] as const;
export const RecommendationValues = ['RETRAIN', 'ROLLBACK'] as const;
export const RetentionActionValues = ['RETIRE', 'KEEP'] as const;
export const RetentionPolicyScopeValues = ['GLOBAL', 'RISK_TIER', 'MODEL'] as const;
export const RiskTierValues = ['LOW', 'MEDIUM', 'HIGH'] as const;
export const RoleValues = ['VIEWER', 'CONTRIBUTOR', 'APPROVER', 'ADMIN'] as const;
export const ScanFormatValues = ['PICKLE', 'PYTORCH_ZIP', 'ZIP', 'SAFETENSORS', 'GGUF', 'ONNX', 'NUMPY', 'JSON', 'TEXT', 'UNKNOWN'] as const;
export const ScanSeverityValues = ['DANGEROUS', 'SUSPICIOUS', 'INFO'] as const;
export const ScanVerdictValues = ['DANGEROUS', 'SUSPICIOUS', 'CLEAN'] as const;
export const SigningMethodValues = ['KEY', 'CERTIFICATE', 'SIGSTORE'] as const;
export const SortDirectionValues = ['ASC', 'DESC'] as const;
export const StageValues = ['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'RETIRED', 'REJECTED'] as const;
export const TrustScopeValues = ['GLOBAL', 'TEAM', 'MODEL'] as const;
export const TrustedSignerKindValues = ['SIGNING_KEY', 'CERTIFICATE_AUTHORITY', 'SIGSTORE_IDENTITY'] as const;
export const WebhookDeliveryStatusValues = ['SUCCEEDED', 'FAILED'] as const;
export const WebhookStatusValues = ['ACTIVE', 'PAUSED'] as const;
