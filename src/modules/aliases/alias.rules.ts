import { badInput } from '../../common/errors';
import { Stage } from '../versions/version.enums';

const ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;

/** Versions that are out of the lifecycle for good cannot be pointed at. */
const UNAVAILABLE_STAGES: readonly Stage[] = [Stage.RETIRED, Stage.REJECTED];

export function validateAliasName(name: string, field = 'alias'): void {
  if (!ALIAS.test(name)) {
    throw badInput(field, 'must start with a lowercase letter and use only lowercase letters, digits, "-" and "_" (at most 63)');
  }
}

/** An alias may point at a version of its own model that is still in the lifecycle. */
export function assertAliasTarget(version: { modelId: string; stage: Stage } | null, modelId: string): void {
  if (!version || version.modelId !== modelId) throw badInput('versionId', 'is not a version of this model');
  if (UNAVAILABLE_STAGES.includes(version.stage)) throw badInput('versionId', `a ${version.stage} version cannot hold an alias`);
}
