/** ACTIVE: delivering; PAUSED: stopped after too many consecutive failures, until an ADMIN resumes it. */
export enum WebhookStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
}

/** The outcome of one delivery attempt: SUCCEEDED only on a 2xx answer. */
export enum WebhookDeliveryStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
