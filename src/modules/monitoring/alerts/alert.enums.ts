/** What an alert is about. */
export enum AlertKind {
  /** A feature's production distribution moved away from its reference. */
  DATA_DRIFT = 'DATA_DRIFT',
  /** Model quality fell below what it was validated at while its inputs did not drift: the relation changed. */
  CONCEPT_DRIFT = 'CONCEPT_DRIFT',
  /** Model quality fell below what it was validated at, with its inputs drifting. */
  PERFORMANCE_DEGRADED = 'PERFORMANCE_DEGRADED',
  /** An objective is spending its error budget too fast, or has spent it. */
  OBJECTIVE_BREACHED = 'OBJECTIVE_BREACHED',
  /** A canary, shadow or A/B deployment does worse than production. */
  CANARY_FAILED = 'CANARY_FAILED',
}

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}

export enum AlertStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  RESOLVED = 'RESOLVED',
}

/** What automation is told to do about an alert. */
export enum Recommendation {
  RETRAIN = 'RETRAIN',
  ROLLBACK = 'ROLLBACK',
}

const RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export const severityRank = (severity: AlertSeverity): number => RANK[severity];

/** The higher of two severities: an open alert only ever escalates. */
export const higherSeverity = (a: AlertSeverity, b: AlertSeverity): AlertSeverity => (RANK[b] > RANK[a] ? b : a);
