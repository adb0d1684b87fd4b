import { badInput } from '../../common/errors';

export enum ArtifactAction {
  COLD_STORAGE = 'COLD_STORAGE',
  DELETE = 'DELETE',
}

/** Retire ARCHIVED versions older than `maxAgeDays`, keeping at least the `keepAtLeast` most recently archived. */
export interface RetentionPolicy {
  maxAgeDays: number;
  keepAtLeast: number;
  artifactAction: ArtifactAction;
}

export function validatePolicy(p: RetentionPolicy): void {
  if (!Number.isInteger(p.maxAgeDays) || p.maxAgeDays < 1 || p.maxAgeDays > 36_500)
    throw badInput('maxAgeDays', 'must be a whole number of days from 1 to 36,500');
  if (!Number.isInteger(p.keepAtLeast) || p.keepAtLeast < 0 || p.keepAtLeast > 10_000)
    throw badInput('keepAtLeast', 'must be a whole number from 0 to 10,000');
  if (!Object.values(ArtifactAction).includes(p.artifactAction)) throw badInput('artifactAction', 'must be COLD_STORAGE or DELETE');
}

/** What is known of one version when its fate is decided. */
export interface VersionFacts {
  id: string;
  version: number;
  stage: string;
  /** When it last moved to ARCHIVED (null when it is not archived). */
  archivedAt: Date | null;
  aliases: string[];
  activeDeployments: number;
  /** Versions downstream of it in lineage that are protected (in STAGING or PRODUCTION, aliased, deployed). */
  protectedDownstream: string[];
  /** The open legal hold on the version or its model: its reason and reference. */
  legalHold: string | null;
  /** Whether the registry holds its artifact (an upload, or a reference into its store) and it is READY. */
  artifactInStore: boolean;
}

export type PlannedAction = 'RETIRE' | 'KEEP';

export interface PlanEntry {
  versionId: string;
  version: number;
  stage: string;
  action: PlannedAction;
  /** What happens to the artifact of a version that retires: nothing when the registry does not hold it. */
  artifactAction: ArtifactAction | null;
  reason: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The plan for a model's versions: only ARCHIVED versions older than the policy allows retire, and never one that
 * is under legal hold, holds an alias, has an ACTIVE deployment or is upstream in lineage of a version that is
 * protected; the `keepAtLeast` most recently archived are kept whatever their age. Every entry says why.
 */
export function planRetention(versions: VersionFacts[], policy: RetentionPolicy | null, now: Date): PlanEntry[] {
  const archived = versions
    .filter((v) => v.stage === 'ARCHIVED')
    .sort((a, b) => (b.archivedAt?.getTime() ?? 0) - (a.archivedAt?.getTime() ?? 0) || b.version - a.version);
  const recent = new Set(archived.slice(0, policy?.keepAtLeast ?? 0).map((v) => v.id));
  const keep = (v: VersionFacts, reason: string): PlanEntry => ({
    versionId: v.id,
    version: v.version,
    stage: v.stage,
    action: 'KEEP',
    artifactAction: null,
    reason,
  });
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => {
      if (v.legalHold) return keep(v, `under legal hold: ${v.legalHold}`);
      if (v.stage !== 'ARCHIVED')
        return keep(v, v.stage === 'RETIRED' ? 'already RETIRED' : `in ${v.stage}: only ARCHIVED versions retire`);
      if (v.aliases.length) return keep(v, `holds the alias${v.aliases.length > 1 ? 'es' : ''} ${v.aliases.join(', ')}`);
      if (v.activeDeployments) return keep(v, `has ${v.activeDeployments} ACTIVE deployment${v.activeDeployments > 1 ? 's' : ''}`);
      if (v.protectedDownstream.length) return keep(v, `upstream in lineage of ${v.protectedDownstream.join(', ')}`);
      if (!policy) return keep(v, 'no retention policy applies');
      if (recent.has(v.id)) return keep(v, `one of the ${policy.keepAtLeast} most recently archived`);
      const ageDays = (now.getTime() - (v.archivedAt?.getTime() ?? now.getTime())) / DAY_MS;
      if (ageDays < policy.maxAgeDays) return keep(v, `archived ${Math.floor(ageDays)} days ago; retires after ${policy.maxAgeDays}`);
      return {
        versionId: v.id,
        version: v.version,
        stage: v.stage,
        action: 'RETIRE',
        artifactAction: v.artifactInStore ? policy.artifactAction : null,
        reason: `archived ${Math.floor(ageDays)} days ago, more than ${policy.maxAgeDays}${v.artifactInStore ? '' : '; its artifact is not in the registry’s store'}`,
      };
    });
}
