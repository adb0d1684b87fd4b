import { RegistryAction } from '../../common/authorization';
import { badInput } from '../../common/errors';
import { Role } from '../../common/role';

/** What a caller may do on one model, ranked: each level may do all that the ones before it may. */
export enum Level {
  VIEW = 'VIEW',
  CONTRIBUTE = 'CONTRIBUTE',
  APPROVE = 'APPROVE',
  MANAGE = 'MANAGE',
}

export const LEVELS: readonly Level[] = [Level.VIEW, Level.CONTRIBUTE, Level.APPROVE, Level.MANAGE];

export const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** The higher of two levels (null: none). */
export function higher(a: Level | null, b: Level | null): Level | null {
  if (a === null) return b;
  if (b === null) return a;
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** Every token keeps what its global role gave it on every model: its role is a floor under its grants. */
export function roleFloor(role: Role): Level {
  return { [Role.VIEWER]: Level.VIEW, [Role.CONTRIBUTOR]: Level.CONTRIBUTE, [Role.APPROVER]: Level.APPROVE, [Role.ADMIN]: Level.MANAGE }[
    role
  ];
}

/** The role a level stands for where a role is recorded (the role an approval was given with). */
export function roleOfLevel(level: Level): Role {
  return { [Level.VIEW]: Role.VIEWER, [Level.CONTRIBUTE]: Role.CONTRIBUTOR, [Level.APPROVE]: Role.APPROVER, [Level.MANAGE]: Role.ADMIN }[
    level
  ];
}

/** The separate rights on a model, each tied to a level by RIGHTS. */
export enum Action {
  VIEW = 'VIEW',
  CREATE_MODEL = 'CREATE_MODEL',
  EDIT_MODEL = 'EDIT_MODEL',
  REGISTER_VERSION = 'REGISTER_VERSION',
  LOG_METRICS = 'LOG_METRICS',
  VALIDATE = 'VALIDATE',
  MOVE_TO_STAGING = 'MOVE_TO_STAGING',
  APPROVE = 'APPROVE',
  MOVE_BEYOND_STAGING = 'MOVE_BEYOND_STAGING',
  ROLL_BACK = 'ROLL_BACK',
  SET_ALIAS = 'SET_ALIAS',
  MOVE_PROTECTED_ALIAS = 'MOVE_PROTECTED_ALIAS',
  EDIT_POLICY = 'EDIT_POLICY',
  RENAME_MODEL = 'RENAME_MODEL',
  RECORD_DEPLOYMENT = 'RECORD_DEPLOYMENT',
  RETIRE = 'RETIRE',
  GRANT = 'GRANT',
  EDIT_LINEAGE = 'EDIT_LINEAGE',
  REPORT_PRODUCTION = 'REPORT_PRODUCTION',
  HANDLE_ALERT = 'HANDLE_ALERT',
  SET_OBJECTIVES = 'SET_OBJECTIVES',
  /** Attaching a model signature (an OMS bundle) to a version. */
  ATTACH_SIGNATURE = 'ATTACH_SIGNATURE',
  /** Trusting a signer (a key, a certificate authority, a Sigstore identity) for this model only, or revoking one. */
  TRUST_SIGNER = 'TRUST_SIGNER',
  /** Editing the people-written sections of a version's model card. */
  EDIT_CARD = 'EDIT_CARD',
}

/**
 * The rights table: the least level each right needs on the model. docs/teams-and-access.md prints it.
 * Moving a version to or back from STAGING is MOVE_TO_STAGING; every other move (PRODUCTION, ARCHIVED,
 * REJECTED, RETIRED) is MOVE_BEYOND_STAGING.
 */
export const RIGHTS: Readonly<Record<Action, Level>> = {
  [Action.VIEW]: Level.VIEW,
  [Action.CREATE_MODEL]: Level.CONTRIBUTE,
  [Action.EDIT_MODEL]: Level.CONTRIBUTE,
  [Action.REGISTER_VERSION]: Level.CONTRIBUTE,
  [Action.LOG_METRICS]: Level.CONTRIBUTE,
  [Action.VALIDATE]: Level.CONTRIBUTE,
  [Action.MOVE_TO_STAGING]: Level.CONTRIBUTE,
  [Action.SET_ALIAS]: Level.CONTRIBUTE,
  [Action.RECORD_DEPLOYMENT]: Level.CONTRIBUTE,
  [Action.APPROVE]: Level.APPROVE,
  [Action.MOVE_BEYOND_STAGING]: Level.APPROVE,
  [Action.ROLL_BACK]: Level.APPROVE,
  [Action.MOVE_PROTECTED_ALIAS]: Level.APPROVE,
  [Action.EDIT_POLICY]: Level.MANAGE,
  [Action.RENAME_MODEL]: Level.MANAGE,
  [Action.RETIRE]: Level.MANAGE,
  [Action.GRANT]: Level.MANAGE,
  [Action.EDIT_LINEAGE]: Level.CONTRIBUTE,
  [Action.REPORT_PRODUCTION]: Level.CONTRIBUTE,
  [Action.HANDLE_ALERT]: Level.CONTRIBUTE,
  [Action.SET_OBJECTIVES]: Level.MANAGE,
  [Action.ATTACH_SIGNATURE]: Level.CONTRIBUTE,
  [Action.TRUST_SIGNER]: Level.MANAGE,
  [Action.EDIT_CARD]: Level.CONTRIBUTE,
};

/** Rights that concern no one model: held with the level on all models (the role's floor, all-models grants). */
export const EVERYWHERE: readonly Action[] = [Action.CREATE_MODEL, Action.EDIT_LINEAGE];

export function mayDo(level: Level | null, action: Action): boolean {
  return level !== null && levelRank(level) >= levelRank(RIGHTS[action]);
}

/**
 * The registry rights table: the least role each right over the registry itself needs (grants are on models, so
 * they never give one). docs/teams-and-access.md prints it. Reading the whole trail is every role's where every model is visible
 * to all, and an ADMIN's where visibility is 'granted' (registryRole).
 */
export const REGISTRY_RIGHTS: Readonly<Record<RegistryAction, Role>> = {
  [RegistryAction.READ_WHOLE_TRAIL]: Role.VIEWER,
  [RegistryAction.KEEP_AUDIT_TRAIL]: Role.ADMIN,
  [RegistryAction.MANAGE_TOKENS]: Role.ADMIN,
  [RegistryAction.MANAGE_TEAMS]: Role.ADMIN,
  [RegistryAction.GOVERN_ALL_MODELS]: Role.ADMIN,
  [RegistryAction.FORCE_RETIREMENT]: Role.ADMIN,
  [RegistryAction.APPLY_RETENTION]: Role.ADMIN,
  [RegistryAction.LEGAL_HOLD]: Role.ADMIN,
  [RegistryAction.SWEEP_ARTIFACTS]: Role.ADMIN,
  [RegistryAction.REMOVE_LINEAGE_EDGE]: Role.ADMIN,
  [RegistryAction.MANAGE_WEBHOOKS]: Role.ADMIN,
  [RegistryAction.MANAGE_TRUST]: Role.ADMIN,
  [RegistryAction.RESCAN_ARTIFACTS]: Role.ADMIN,
};

/** The role a registry right needs under a visibility: registryRole(READ_WHOLE_TRAIL, 'granted') === Role.ADMIN. */
export function registryRole(action: RegistryAction, visibility: 'all' | 'granted'): Role {
  return action === RegistryAction.READ_WHOLE_TRAIL && visibility === 'granted' ? Role.ADMIN : REGISTRY_RIGHTS[action];
}

/** A retired model is read-only: it can still be read, and who may read it can still be changed. */
export function allowedWhenRetired(action: Action): boolean {
  return action === Action.VIEW || action === Action.GRANT;
}

const PATTERN = /^[a-z*][a-z0-9_*-]{0,62}$/;

/** Enough stars for any rule a team writes (`prod-*-eu-*`); a pattern with more is a puzzle, not a rule. */
export const MAX_PATTERN_STARS = 8;

/** A protected-alias pattern: an alias name in which `*` stands for any run of characters (`prod-*`). */
export function validateAliasPattern(pattern: string): void {
  if (!PATTERN.test(pattern) || (pattern.includes('**') && pattern !== '*')) {
    throw badInput('pattern', 'must be an alias name, with * for any run of characters (e.g. champion, prod-*), no two * side by side');
  }
  if (pattern.split('*').length - 1 > MAX_PATTERN_STARS) {
    throw badInput('pattern', `may hold at most ${MAX_PATTERN_STARS} *`);
  }
}

/**
 * aliasMatches('prod-*', 'prod-eu') === true; aliasMatches('champion', 'champion-2') === false.
 * Without backtracking: the text before the first * must start the alias, the text after the last * must end it,
 * and each piece between is found leftmost after the previous one (the leftmost match never rules out a later
 * piece, so this is exact). Linear in the alias for any pattern: a regex built from the pattern backtracked
 * exponentially in the number of stars (`a*a*a*a*b` against a long run of `a`s held the event loop for seconds).
 */
export function aliasMatches(pattern: string, alias: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === alias;
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  if (alias.length < head.length + tail.length || !alias.startsWith(head) || !alias.endsWith(tail)) return false;
  const end = alias.length - tail.length;
  let at = head.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = alias.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
