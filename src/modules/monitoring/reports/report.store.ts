import type { EntityManager } from 'typeorm';
import { badInput, notFound } from '../../../common/errors';
import type { DeploymentStatus, DeploymentStrategy } from '../../deployments';

/** What a report is about: a version, and the deployment it came through when it names one. */
export interface Target {
  modelId: string;
  versionId: string;
  version: number;
  deploymentId: string | null;
  strategy: DeploymentStrategy | null;
  deploymentStatus: DeploymentStatus | null;
  environment: string | null;
}

/** reportFeatureDistribution({ deploymentId }) or ({ versionId }): exactly one of the two. */
export async function resolveTarget(m: EntityManager, input: { versionId?: string | null; deploymentId?: string | null }): Promise<Target> {
  if (Boolean(input.versionId) === Boolean(input.deploymentId))
    throw badInput('versionId', 'give exactly one of versionId or deploymentId');
  if (input.deploymentId) {
    const [d] = await m.query(
      `SELECT d.id, d.version_id, d.model_id, d.strategy, d.status, d.environment, v.version
       FROM deployments d JOIN model_versions v ON v.id = d.version_id WHERE d.id = $1`,
      [input.deploymentId],
    );
    if (!d) throw notFound('deployment', input.deploymentId);
    return {
      modelId: d.model_id,
      versionId: d.version_id,
      version: d.version,
      deploymentId: d.id,
      strategy: d.strategy,
      deploymentStatus: d.status,
      environment: d.environment,
    };
  }
  const [v] = await m.query('SELECT id, model_id, version FROM model_versions WHERE id = $1', [input.versionId]);
  if (!v) throw notFound('model version', input.versionId as string);
  return {
    modelId: v.model_id,
    versionId: v.id,
    version: v.version,
    deploymentId: null,
    strategy: null,
    deploymentStatus: null,
    environment: null,
  };
}
