import type { DataSource } from 'typeorm';
import type { Caller } from '../common/caller';
import { AuditService } from '../modules/audit/audit.service';
import { TokenService } from '../modules/auth/token.service';
import { createModelLoaders } from '../modules/models/model.loaders';
import { ModelService } from '../modules/models/model.service';
import { createVersionLoaders } from '../modules/versions/model-version.loaders';
import { ModelVersionService } from '../modules/versions/model-version.service';
import { createDeploymentLoaders } from '../modules/deployments/deployment.loaders';
import { DeploymentService } from '../modules/deployments/deployment.service';
import { createGovernanceLoaders } from '../modules/governance/governance.loaders';
import { GovernanceService } from '../modules/governance/governance.service';
import { createMetricLoaders } from '../modules/metrics/metric.loaders';
import { MetricService } from '../modules/metrics/metric.service';
import { createTransitionLoaders } from '../modules/versions/transition.loaders';
import { TransitionService } from '../modules/versions/transition.service';

export interface Services {
  models: ModelService;
  versions: ModelVersionService;
  audit: AuditService;
  tokens: TokenService;
  metrics: MetricService;
  governance: GovernanceService;
  transitions: TransitionService;
  deployments: DeploymentService;
}

export function createServices(db: DataSource): Services {
  const governance = new GovernanceService(db);
  return {
    models: new ModelService(db),
    versions: new ModelVersionService(db),
    audit: new AuditService(db),
    tokens: new TokenService(db),
    metrics: new MetricService(db),
    governance,
    transitions: new TransitionService(db, governance),
    deployments: new DeploymentService(db),
  };
}

/** Fresh for every request: loaders cache per request only, never across callers. */
export function createLoaders(services: Services) {
  return {
    ...createModelLoaders(services.models),
    ...createVersionLoaders(services.versions),
    ...createMetricLoaders(services.metrics),
    ...createGovernanceLoaders(services.governance),
    ...createTransitionLoaders(services.transitions),
    ...createDeploymentLoaders(services.deployments),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface GraphQLContext {
  caller: Caller;
  services: Services;
  loaders: Loaders;
  /** The HTTP request's id and, once resolved, its operation name (for logs and metrics). */
  request: { requestId: string; operationName?: string; outcome?: 'ok' | 'error' };
}
