import { DomainError, ErrorCode } from '../../src/common/errors';
import { assertTransition, isFinal, type TransitionTable } from '../../src/common/transition-table';
import { DeploymentStatus } from '../../src/modules/deployments/deployment.enums';
import { assertStatusChange, DEPLOYMENT_STATUS } from '../../src/modules/deployments/deployment.rules';

type Light = 'RED' | 'GREEN' | 'OFF';
const LIGHTS: TransitionTable<Light> = { RED: ['GREEN', 'OFF'], GREEN: ['RED', 'OFF'], OFF: [] };

function thrown(fn: () => void): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('assertTransition', () => {
  test('allows the moves in the table', () => {
    expect(() => assertTransition(LIGHTS, 'RED', 'GREEN', 'light')).not.toThrow();
    expect(() => assertTransition(LIGHTS, 'GREEN', 'OFF', 'light')).not.toThrow();
  });

  test('refuses any other move with INVALID_TRANSITION listing the allowed moves', () => {
    const error = thrown(() => assertTransition(LIGHTS, 'RED', 'RED', 'light'));
    expect(error.code).toBe(ErrorCode.INVALID_TRANSITION);
    expect(error.message).toBe('RED → RED is not a light move; from RED the allowed moves are: GREEN, OFF');
    expect(error.details).toEqual({ from: 'RED', to: 'RED', allowed: ['GREEN', 'OFF'] });
  });

  test('a final state allows nothing, and says so', () => {
    expect(isFinal(LIGHTS, 'OFF')).toBe(true);
    expect(isFinal(LIGHTS, 'RED')).toBe(false);
    const error = thrown(() => assertTransition(LIGHTS, 'OFF', 'RED', 'light'));
    expect(error.message).toBe('OFF → RED is not a light move; from OFF the allowed moves are: none');
    expect(error.details).toEqual({ from: 'OFF', to: 'RED', allowed: [] });
  });

  test('the answer lists a copy: callers cannot change the table through an error', () => {
    const error = thrown(() => assertTransition(LIGHTS, 'RED', 'RED', 'light'));
    (error.details.allowed as string[]).push('RED');
    expect(LIGHTS.RED).toEqual(['GREEN', 'OFF']);
  });
});

describe('deployment status changes', () => {
  test.each([
    [DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING],
    [DeploymentStatus.DRAINING, DeploymentStatus.ACTIVE],
    [DeploymentStatus.ACTIVE, DeploymentStatus.ENDED],
    [DeploymentStatus.DRAINING, DeploymentStatus.ROLLED_BACK],
    [DeploymentStatus.ACTIVE, DeploymentStatus.ACTIVE], // a traffic-only update
  ])('%s → %s is allowed', (from, to) => {
    expect(() => assertStatusChange(from, to)).not.toThrow();
  });

  test.each([DeploymentStatus.ENDED, DeploymentStatus.ROLLED_BACK])('%s is final: no move and no update', (status) => {
    expect(isFinal(DEPLOYMENT_STATUS, status)).toBe(true);
    expect(thrown(() => assertStatusChange(status, DeploymentStatus.ACTIVE)).details).toMatchObject({ allowed: [] });
    const update = thrown(() => assertStatusChange(status, status));
    expect([update.code, update.message]).toEqual([ErrorCode.INVALID_TRANSITION, `the deployment has ${status}`]);
  });
});
