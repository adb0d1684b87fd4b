import type { Caller } from './caller';
import type { ModelVisibility } from './visibility';

/**
 * Rights over the registry itself rather than over one model. Which role each needs is decided in one place, the
 * access module (REGISTRY_RIGHTS in access.rules.ts, applied by AccessService.authorizeRegistry); the names live
 * here so that the modules below it (API tokens, the audit trail) can ask too.
 */
export enum RegistryAction {
  /** The whole audit trail: its export, verifying the chain, the signed checkpoints, registry-wide events. */
  READ_WHOLE_TRAIL = 'READ_WHOLE_TRAIL',
  /** Checkpoints signed on demand, and acknowledging a break of the chain. */
  KEEP_AUDIT_TRAIL = 'KEEP_AUDIT_TRAIL',
  MANAGE_TOKENS = 'MANAGE_TOKENS',
  MANAGE_TEAMS = 'MANAGE_TEAMS',
  /** Grants, protected aliases, policies and retention policies that hold on all models or on a risk tier. */
  GOVERN_ALL_MODELS = 'GOVERN_ALL_MODELS',
  /** Retiring a model that still runs. */
  FORCE_RETIREMENT = 'FORCE_RETIREMENT',
  APPLY_RETENTION = 'APPLY_RETENTION',
  LEGAL_HOLD = 'LEGAL_HOLD',
  SWEEP_ARTIFACTS = 'SWEEP_ARTIFACTS',
  /** Taking an edge out of the lineage graph (it stays in its history). */
  REMOVE_LINEAGE_EDGE = 'REMOVE_LINEAGE_EDGE',
  MANAGE_WEBHOOKS = 'MANAGE_WEBHOOKS',
  /** Who is trusted to sign models, for every model or for a team's: keys, certificate authorities, Sigstore identities. */
  MANAGE_TRUST = 'MANAGE_TRUST',
  /** Scanning stored artifacts again (after the scanner's lists changed). */
  RESCAN_ARTIFACTS = 'RESCAN_ARTIFACTS',
}

/** The one authorization point, as modules below the access module reach it (the access module implements it). */
export interface Authorization extends ModelVisibility {
  /** Throws FORBIDDEN, naming the role it needs, unless the caller may take this registry-wide action. */
  authorizeRegistry(caller: Caller, action: RegistryAction): void;
}
