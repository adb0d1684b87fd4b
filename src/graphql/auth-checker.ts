import type { AuthChecker } from 'type-graphql';
import { DomainError, ErrorCode } from '../common/errors';
import { hasRole, type Role } from '../common/role';
import type { RequestContext } from './context';

/** `@Authorized(Role.X)`: the caller's role must rank at least X. */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  if (!context.caller) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'send an API token: Authorization: Bearer <token>');
  const required = roles[0];
  if (required && !hasRole(context.caller.role, required)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `this needs the ${required} role; your token has ${context.caller.role}`, {
      requiredRole: required,
    });
  }
  return true;
};
