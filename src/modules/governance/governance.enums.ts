/** How a metric is compared with its bound: GTE, higher is better; LTE, lower is better. */
export enum Comparator {
  GTE = 'GTE',
  LTE = 'LTE',
}

/** What a baseline compares with: a fixed threshold, or the current production version's value. */
export enum BaselineReference {
  FIXED = 'FIXED',
  PRODUCTION_VERSION = 'PRODUCTION_VERSION',
}

/** An approver's decision on a version for a target stage. */
export enum Decision {
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
