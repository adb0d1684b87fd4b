import { defineModule } from '../../common/module';
import type { RequestContext } from '../../graphql/context';
import type { AccessService } from '../access';
import type { DeploymentService } from '../deployments';
import type { ModelVersionService } from '../versions';
import { LineageEdgeEntity, LineageNodeEntity } from './lineage.entity';
import { createLineageLoaders, type LineageLoaders } from './lineage.loaders';
import { LineageDeploymentFields, LineageResolver, LineageVersionFields, nodeObject, type LineageContext } from './lineage.resolver';
import { AUTOMATIC_KINDS } from './lineage.rules';
import { LineageService } from './lineage.service';
import { openLineageRoute } from './openlineage.routes';

interface Below {
  access: AccessService;
  versions: ModelVersionService;
  deployments: DeploymentService;
}

/**
 * The lineage graph: every version and deployment is a node, recorded with its provenance in the
 * transaction that registers it; traversal, paths and impact analysis in one statement each.
 */
export const lineageModule = defineModule({
  name: 'lineage',
  entities: [LineageNodeEntity, LineageEdgeEntity],
  resolvers: [LineageResolver, LineageVersionFields, LineageDeploymentFields],
  services: (db, { access, versions, deployments }: Below) => {
    const lineage = new LineageService(db, access, versions, deployments);
    versions.registered.add((m, caller, version, model) => lineage.recordVersion(m, caller, version, model.name));
    deployments.recorded.add((m, caller, deployment) => lineage.recordDeployment(m, caller, deployment));
    return { lineage };
  },
  loaders: ({ lineage }, caller) => createLineageLoaders(lineage, caller),
  routes: ({ lineage }) => [openLineageRoute(lineage)],
  references: {
    LineageNode: async (ref: { id: string }, ctx: LineageContext) => {
      const node = await ctx.loaders.lineage.nodeById.load(ref.id);
      return node && nodeObject(ctx, node);
    },
    GenericLineageNode: async (ref: { id: string }, ctx: RequestContext<unknown, { lineage: LineageLoaders }>) => {
      const node = await ctx.loaders.lineage.nodeById.load(ref.id);
      return node && !AUTOMATIC_KINDS.includes(node.kind) ? { __typename: 'GenericLineageNode', ...node } : null;
    },
  },
});
