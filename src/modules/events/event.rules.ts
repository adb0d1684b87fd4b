/**
 * What kind of lifecycle event an audit event is, for subscribers and webhooks to filter on. Every
 * committed audit event is a lifecycle event: the audit log is the outbox.
 */
export enum EventKind {
  MODEL_CHANGED = 'MODEL_CHANGED',
  MODEL_RETIRED = 'MODEL_RETIRED',
  VERSION_REGISTERED = 'VERSION_REGISTERED',
  STAGE_CHANGED = 'STAGE_CHANGED',
  ALIAS_MOVED = 'ALIAS_MOVED',
  VALIDATION_COMPLETED = 'VALIDATION_COMPLETED',
  APPROVAL_RECORDED = 'APPROVAL_RECORDED',
  DEPLOYMENT_CHANGED = 'DEPLOYMENT_CHANGED',
  METRICS_LOGGED = 'METRICS_LOGGED',
  POLICY_CHANGED = 'POLICY_CHANGED',
  ACCESS_CHANGED = 'ACCESS_CHANGED',
  LINEAGE_CHANGED = 'LINEAGE_CHANGED',
  /** Reference distributions, objectives and thresholds set. */
  MONITORING_CHANGED = 'MONITORING_CHANGED',
  /** Production sent a feature distribution or metrics for a window. */
  PRODUCTION_REPORTED = 'PRODUCTION_REPORTED',
  /** An alert was raised, or an open one escalated to a higher severity. */
  ALERT_RAISED = 'ALERT_RAISED',
  /** An alert was acknowledged or resolved. */
  ALERT_CHANGED = 'ALERT_CHANGED',
  /** Automation should train a new version: a critical drift or breach. */
  RETRAINING_RECOMMENDED = 'RETRAINING_RECOMMENDED',
  /** Automation should roll a canary back: it did worse than production. */
  ROLLBACK_RECOMMENDED = 'ROLLBACK_RECOMMENDED',
  /** An artifact uploaded, refused, verified or found changed. */
  ARTIFACT_CHANGED = 'ARTIFACT_CHANGED',
  /** A model signature (an OpenSSF Model Signing bundle) verified and attached to a version. */
  ARTIFACT_SIGNED = 'ARTIFACT_SIGNED',
  /** A version's files scanned (on upload, or again by rescanArtifact): its scan report recorded. */
  ARTIFACT_SCANNED = 'ARTIFACT_SCANNED',
  OTHER = 'OTHER',
}

/** By exact action first, then by the action's prefix (`deployment.ended` → DEPLOYMENT_CHANGED). */
const BY_ACTION: Record<string, EventKind> = {
  'model.retired': EventKind.MODEL_RETIRED,
  'version.registered': EventKind.VERSION_REGISTERED,
  'version.stage_changed': EventKind.STAGE_CHANGED,
  'version.validated': EventKind.VALIDATION_COMPLETED,
  'version.approved': EventKind.APPROVAL_RECORDED,
  'version.rejected': EventKind.APPROVAL_RECORDED,
  'alias.protected': EventKind.ACCESS_CHANGED,
  'monitoring.features_reported': EventKind.PRODUCTION_REPORTED,
  'monitoring.metrics_reported': EventKind.PRODUCTION_REPORTED,
  'alert.raised': EventKind.ALERT_RAISED,
  'alert.escalated': EventKind.ALERT_RAISED,
  'recommendation.retrain': EventKind.RETRAINING_RECOMMENDED,
  'recommendation.rollback': EventKind.ROLLBACK_RECOMMENDED,
  /** An ADMIN's acknowledgement of a break in the audit chain: about the registry's record, not a model's lifecycle. */
  'audit.break_acknowledged': EventKind.OTHER,
  'artifact.signed': EventKind.ARTIFACT_SIGNED,
  'artifact.scanned': EventKind.ARTIFACT_SCANNED,
};

const BY_PREFIX: Record<string, EventKind> = {
  model: EventKind.MODEL_CHANGED,
  alias: EventKind.ALIAS_MOVED,
  deployment: EventKind.DEPLOYMENT_CHANGED,
  metrics: EventKind.METRICS_LOGGED,
  baseline: EventKind.POLICY_CHANGED,
  policy: EventKind.POLICY_CHANGED,
  access: EventKind.ACCESS_CHANGED,
  team: EventKind.ACCESS_CHANGED,
  token: EventKind.ACCESS_CHANGED,
  approver_key: EventKind.ACCESS_CHANGED,
  lineage: EventKind.LINEAGE_CHANGED,
  monitoring: EventKind.MONITORING_CHANGED,
  alert: EventKind.ALERT_CHANGED,
  artifact: EventKind.ARTIFACT_CHANGED,
  retention: EventKind.POLICY_CHANGED,
  legal_hold: EventKind.POLICY_CHANGED,
  /** Who the registry trusts to sign models: keys, certificate authorities and Sigstore identities, added or revoked. */
  trust: EventKind.POLICY_CHANGED,
  /** A model card's people-written sections edited (card.updated). */
  card: EventKind.MODEL_CHANGED,
  /** A webhook's own housekeeping (created, paused, resumed, secret rotated, redelivered, deleted). */
  webhook: EventKind.OTHER,
};

/**
 * The kind the maps above give an action (by exact action, then by prefix), or null when neither names it.
 * Every action the server appends is named (test/artifacts/audit-actions.test.ts reads them from the source).
 */
export function declaredKindOf(action: string): EventKind | null {
  const prefix = action.split('.')[0];
  if (Object.hasOwn(BY_ACTION, action)) return BY_ACTION[action];
  return Object.hasOwn(BY_PREFIX, prefix) ? BY_PREFIX[prefix] : null;
}

/** kindOf('deployment.ended') === EventKind.DEPLOYMENT_CHANGED; an action no one knows is OTHER. */
export function kindOf(action: string): EventKind {
  return declaredKindOf(action) ?? EventKind.OTHER;
}

/** Which events a subscriber or a webhook wants: of these models (any when empty), of these kinds (any when empty). */
export interface EventFilter {
  modelIds?: readonly string[] | null;
  kinds?: readonly EventKind[] | null;
}

/**
 * The filter, compiled once into a test of an event's model (lower case, as PostgreSQL answers ids) and kind:
 * a dispatcher matches every event of a batch against thousands of subscribers.
 */
export function eventMatcher(filter: EventFilter): (event: { modelId: string | null; kind: EventKind }) => boolean {
  const models = filter.modelIds?.length ? new Set(filter.modelIds.map((id) => id.toLowerCase())) : null;
  const kinds = filter.kinds?.length ? new Set(filter.kinds) : null;
  return (event) => (!models || (event.modelId !== null && models.has(event.modelId))) && (!kinds || kinds.has(event.kind));
}

export function matchesFilter(filter: EventFilter, event: { modelId: string | null; action: string }): boolean {
  return eventMatcher(filter)({ modelId: event.modelId, kind: kindOf(event.action) });
}

/** A cursor is the event's sequence number in the audit log, as text: opaque to clients, stable forever. */
export function encodeEventCursor(seq: number): string {
  return Buffer.from(`event:${seq}`).toString('base64url');
}

/** The sequence number a cursor stands for, or null when it is not one of ours. */
export function decodeEventCursor(cursor: string): number | null {
  const match = /^event:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}
