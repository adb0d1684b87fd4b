import { badInput, DomainError, ErrorCode } from '../../common/errors';
import { assertTransition, isFinal, type TransitionTable } from '../../common/transition-table';
import { Stage } from '../versions/version.enums';
import { DeploymentStatus } from './deployment.enums';

const ENVIRONMENT = /^[a-z0-9]+([-_][a-z0-9]+)*$/;

/** Stages a version may be deployed from without an override reason. */
export const DEPLOYABLE_STAGES: readonly Stage[] = [Stage.STAGING, Stage.PRODUCTION];

/** Deployment statuses and where each may go next; ENDED and ROLLED_BACK are final. */
export const DEPLOYMENT_STATUS: TransitionTable<DeploymentStatus> = {
  [DeploymentStatus.ACTIVE]: [DeploymentStatus.DRAINING, DeploymentStatus.ROLLED_BACK, DeploymentStatus.ENDED],
  [DeploymentStatus.DRAINING]: [DeploymentStatus.ACTIVE, DeploymentStatus.ROLLED_BACK, DeploymentStatus.ENDED],
  [DeploymentStatus.ROLLED_BACK]: [],
  [DeploymentStatus.ENDED]: [],
};

export function validateEnvironment(environment: string): void {
  if (!ENVIRONMENT.test(environment) || environment.length > 100) {
    throw badInput('environment', 'must be a lowercase name such as production or edge-eu');
  }
}

export function validateTraffic(value: number | null | undefined): void {
  if (value === undefined || value === null) return;
  if (!Number.isFinite(value) || value < 0 || value > 100) throw badInput('trafficPercent', 'must be between 0 and 100');
}

/**
 * Checks a status change (`to` equal to `from` is a traffic-only update) and throws INVALID_TRANSITION
 * for a move the table does not allow, or any change to a deployment that has ended.
 */
export function assertStatusChange(from: DeploymentStatus, to: DeploymentStatus): void {
  if (to !== from) assertTransition(DEPLOYMENT_STATUS, from, to, 'deployment status');
  else if (isFinal(DEPLOYMENT_STATUS, from))
    throw new DomainError(ErrorCode.INVALID_TRANSITION, `the deployment has ${from}`, { allowed: [] });
}
