/** Roles are ranked: each one may do everything the ones before it may. */
export enum Role {
  VIEWER = 'VIEWER',
  CONTRIBUTOR = 'CONTRIBUTOR',
  APPROVER = 'APPROVER',
  ADMIN = 'ADMIN',
}

const RANK: Record<Role, number> = {
  [Role.VIEWER]: 0,
  [Role.CONTRIBUTOR]: 1,
  [Role.APPROVER]: 2,
  [Role.ADMIN]: 3,
};

/** True when `role` is at least `required`, e.g. hasRole(Role.ADMIN, Role.CONTRIBUTOR) === true. */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** Who is calling: the identity a token stands for, and what it may do. */
export interface Principal {
  tokenId: string;
  subject: string;
  role: Role;
}
