import type { DataSource } from 'typeorm';
import type { Caller } from '../common/caller';
import { AuditService } from '../modules/audit/audit.service';
import { TokenService } from '../modules/auth/token.service';
import { createModelLoaders } from '../modules/models/model.loaders';
import { ModelService } from '../modules/models/model.service';
import { createVersionLoaders } from '../modules/versions/model-version.loaders';
import { ModelVersionService } from '../modules/versions/model-version.service';

export interface Services {
  models: ModelService;
  versions: ModelVersionService;
  audit: AuditService;
  tokens: TokenService;
}

export function createServices(db: DataSource): Services {
  return {
    models: new ModelService(db),
    versions: new ModelVersionService(db),
    audit: new AuditService(db),
    tokens: new TokenService(db),
  };
}

/** Fresh for every request: loaders cache per request only, never across callers. */
export function createLoaders(services: Services) {
  return { ...createModelLoaders(services.models), ...createVersionLoaders(services.versions) };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface GraphQLContext {
  caller: Caller;
  services: Services;
  loaders: Loaders;
  /** The HTTP request's id and, once resolved, its operation name (for logs and metrics). */
  request: { requestId: string; operationName?: string; outcome?: 'ok' | 'error' };
}
