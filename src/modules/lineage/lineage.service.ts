import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { RegistryAction } from '../../common/authorization';
import type { Caller } from '../../common/caller';
import { canonicalJson } from '../../common/canonical-json';
import { STORED_JSON, validateJson } from '../../common/json';
import { DomainError, ErrorCode, notFound } from '../../common/errors';
import { LineageNodeKind } from '../../common/lineage';
import { isUuid } from '../../common/uuid';
import { hydrate } from '../../db/hydrate';
import { SqlParams } from '../../db/pagination';
import { writeReturning } from '../../db/write';
import { Action, type AccessService } from '../access';
import { appendAudit } from '../audit';
import { type DeploymentEntity, DeploymentStatus, type DeploymentService } from '../deployments';
import type { ModelVersionEntity, ModelVersionService } from '../versions';
import { LineageEdgeEntity, LineageNodeEntity } from './lineage.entity';
import {
  LineageDirection,
  LineageRelation,
  MAX_DEPTH,
  MAX_NODES,
  PATH_EDGES,
  edgeLimit,
  edgeTarget,
  impactBounds,
  pathBounds,
  provenanceOf,
  shortestPaths,
  traversalBounds,
  validateEdges,
  validateNodes,
  type EdgeInput,
  type EdgeTargetInput,
  type NodeInput,
  type NodeSpec,
  type PathEdge,
  type TraversalArgs,
} from './lineage.rules';
import { walk, type Reached, type Walk, type WalkOptions } from './lineage.walk';
import { mapRunEvent } from './openlineage.rules';

export interface GraphArgs extends TraversalArgs {
  direction?: LineageDirection | null;
  relations?: LineageRelation[] | null;
  kinds?: LineageNodeKind[] | null;
  at?: Date | null;
  /** Answer each edge's id (read only when a client selects it). */
  edgeIds?: boolean;
}

/** One step of a path: a node, and the relation of the edge that led to it (none for the first). */
export interface Step {
  node: Reached;
  relation: LineageRelation | null;
}

export interface ImpactedModel {
  modelId: string;
  versions: Array<{ version: ModelVersionEntity; depth: number; path: Step[] }>;
  deployments: Array<{ deployment: DeploymentEntity; depth: number; path: Step[] }>;
}

export interface Impact {
  source: Reached;
  models: ImpactedModel[];
  truncated: boolean;
}

const LIVE: readonly string[] = [DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING];

/**
 * The lineage graph: nodes and edges written in batches (and, for every version and deployment, by the
 * registry itself in the registering transaction), walked in one statement per question, filtered by
 * who may see which model.
 */
export class LineageService {
  constructor(
    private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly versions: ModelVersionService,
    private readonly deployments: DeploymentService,
  ) {}

  // ---- writes ----

  /** upsertLineageNodes: created, or renamed and given more properties, by (kind, natural key); one audit event. */
  async upsertNodes(caller: Caller, input: NodeInput[]): Promise<{ nodes: LineageNodeEntity[]; created: number; updated: number }> {
    validateNodes(input);
    const specs = [
      ...new Map(
        input.map((n) => [
          `${n.kind}\u0000${n.naturalKey}`,
          { kind: n.kind, naturalKey: n.naturalKey, name: n.name?.trim() || n.naturalKey, properties: n.properties ?? {} },
        ]),
      ).values(),
    ];
    return this.db.transaction(async (m) => {
      await this.access.authorizeEverywhere(m, caller, Action.EDIT_LINEAGE);
      // A node named twice in the call is one spec: the field named is its last place (whose properties won).
      const index = new Map(input.map((n, i): [string, number] => [key(n), i]));
      const { nodes, created, updated } = await upsertSpecs(m, caller, specs, { merge: (n) => `nodes[${index.get(key(n))}].properties` });
      await appendAudit(m, caller, {
        action: 'lineage.nodes_upserted',
        subjectType: 'LineageNode',
        subjectId: nodes.length === 1 ? nodes[0].id : 'batch',
        payload: { count: nodes.length, created, updated, sha256: digest(specs) },
      });
      return { nodes, created, updated };
    });
  }

  /**
   * addLineageEdges: from input to output; an edge already there is kept as it is. Refused whole, naming
   * the item: a self-loop, a node that does not exist or that the caller cannot see.
   */
  async addEdges(caller: Caller, input: EdgeInput[]): Promise<{ added: number; existing: number; edges: LineageEdgeEntity[] }> {
    validateEdges(input);
    return this.db.transaction(async (m) => {
      await this.access.authorizeEverywhere(m, caller, Action.EDIT_LINEAGE);
      const ids = [
        ...new Set(
          input
            .flatMap((e) => [e.fromId, e.toId])
            .filter(isUuid)
            .map((id) => id.toLowerCase()),
        ),
      ];
      const params = new SqlParams();
      const visible = this.access.visibleModels(caller, 'n.model_id', params);
      const known = new Set(
        (
          (await m.query(
            `SELECT n.id FROM lineage_nodes n WHERE n.id = ANY(${params.p(ids)}::uuid[]) ${visible ? `AND (n.model_id IS NULL OR ${visible})` : ''}`,
            params.values,
          )) as Array<{ id: string }>
        ).map((r) => r.id),
      );
      input.forEach((edge, i) => {
        for (const end of ['fromId', 'toId'] as const) {
          if (!isUuid(edge[end]) || !known.has(edge[end].toLowerCase()))
            throw new DomainError(ErrorCode.BAD_USER_INPUT, `edges[${i}].${end}: no lineage node ${edge[end]}`, {
              field: `edges[${i}].${end}`,
            });
        }
      });
      const edges = dedupeEdges(input.map((e) => ({ fromId: e.fromId.toLowerCase(), toId: e.toId.toLowerCase(), relation: e.relation })));
      const added = await insertEdges(m, caller, edges);
      await appendAudit(m, caller, {
        action: 'lineage.edges_added',
        subjectType: 'LineageEdge',
        subjectId: added.length === 1 ? added[0].id : 'batch',
        payload: { count: edges.length, added: added.length, sha256: digest(edges) },
      });
      return { added: added.length, existing: edges.length - added.length, edges: added };
    });
  }

  /**
   * POST /api/v1/lineage: one OpenLineage RunEvent, as lineage. An output whose URI is the artifact of a
   * registered version (one the caller can see) is linked as that version rather than as a dataset.
   */
  async ingestOpenLineage(
    caller: Caller,
    body: unknown,
  ): Promise<{ runId: string; nodes: number; edgesAdded: number; linkedVersions: string[] }> {
    const event = mapRunEvent(body);
    return this.db.transaction(async (m) => {
      await this.access.authorizeEverywhere(m, caller, Action.EDIT_LINEAGE);
      const params = new SqlParams();
      const visible = this.access.visibleModels(caller, 'v.model_id', params);
      const artifacts = (await m.query(
        `SELECT v.id, v.artifact_source_uri AS uri FROM model_versions v
         WHERE v.artifact_source_uri = ANY(${params.p(event.outputs.map((o) => o.uri))}::text[]) ${visible ? `AND ${visible}` : ''}
         ORDER BY v.id`,
        params.values,
      )) as Array<{ id: string; uri: string }>;
      const versionsOf = new Map<string, string[]>();
      for (const output of event.outputs) {
        const ids = artifacts.filter((a) => a.uri === output.uri).map((a) => a.id);
        if (ids.length) versionsOf.set(key(output.node), ids);
      }
      // A dataset named twice (read and written) is one node with all its facets.
      const specs = new Map<string, NodeSpec>();
      for (const node of event.nodes) {
        if (versionsOf.has(key(node))) continue;
        const seen = specs.get(key(node));
        specs.set(key(node), seen ? { ...node, properties: { ...seen.properties, ...node.properties } } : node);
      }
      const { byKey } = await upsertSpecs(m, caller, [...specs.values()], { merge: (n) => `the facets of ${n.naturalKey}` });
      const edges = event.edges.flatMap((e) =>
        (versionsOf.get(key(e.to)) ?? [byKey.get(key(e.to)) as string]).map((toId) => ({
          fromId: byKey.get(key(e.from)) as string,
          toId,
          relation: e.relation,
        })),
      );
      const added = await insertEdges(m, caller, dedupeEdges(edges));
      const linkedVersions = [...new Set([...versionsOf.values()].flat())];
      await appendAudit(m, caller, {
        action: 'lineage.openlineage_event',
        subjectType: 'LineageNode',
        subjectId: byKey.get(key({ kind: LineageNodeKind.TRAINING_RUN, naturalKey: event.runId })) as string,
        payload: {
          eventType: event.eventType,
          runId: event.runId,
          job: event.job.naturalKey,
          nodes: specs.size,
          edgesAdded: added.length,
          linkedVersions,
        },
      });
      return { runId: event.runId, nodes: specs.size, edgesAdded: added.length, linkedVersions };
    });
  }

  /**
   * removeLineageEdge (ADMIN): the edge stays in the history, stamped removed, so `at` still answers it. Named by its
   * id (as walks answer it) or by its ends and relation: removeEdge(admin, { fromId, toId, relation }, 'wrong join').
   */
  async removeEdge(caller: Caller, input: EdgeTargetInput, reason: string): Promise<LineageEdgeEntity> {
    this.access.authorizeRegistry(caller, RegistryAction.REMOVE_LINEAGE_EDGE);
    const target = edgeTarget(input);
    return this.db.transaction(async (m) => {
      const [edge] =
        'id' in target
          ? await writeReturning(
              m,
              LineageEdgeEntity,
              `UPDATE lineage_edges SET removed_at = now(), removed_by = $2 WHERE id = $1 AND removed_at IS NULL RETURNING *`,
              [isUuid(target.id) ? target.id : null, caller.subject],
            )
          : await writeReturning(
              m,
              LineageEdgeEntity,
              `UPDATE lineage_edges SET removed_at = now(), removed_by = $4
               WHERE from_id = $1 AND to_id = $2 AND relation = $3 AND removed_at IS NULL RETURNING *`,
              [isUuid(target.fromId) ? target.fromId : null, isUuid(target.toId) ? target.toId : null, target.relation, caller.subject],
            );
      if (!edge) throw notFound('live lineage edge', 'id' in target ? target.id : `${target.fromId} → ${target.toId} (${target.relation})`);
      await appendAudit(m, caller, {
        action: 'lineage.edge_removed',
        subjectType: 'LineageEdge',
        subjectId: edge.id,
        payload: { edge, reason },
      });
      return edge;
    });
  }

  /** Inside the registering transaction: the version's node and its tuple's inputs, linked to it. */
  async recordVersion(m: EntityManager, caller: Caller, version: ModelVersionEntity, modelName: string): Promise<void> {
    await m.query(
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by) VALUES ($1, 'MODEL_VERSION', $2, $3, $4, $5)`,
      [version.id, version.id, `${modelName}@${version.version}`, version.modelId, caller.subject],
    );
    const inputs = provenanceOf(version);
    const { byKey } = await upsertSpecs(
      m,
      caller,
      inputs.map((i) => i.node),
      'keep',
    );
    await insertEdges(
      m,
      caller,
      inputs.map((i) => ({ fromId: byKey.get(key(i.node)) as string, toId: version.id, relation: i.relation })),
    );
  }

  /** Inside the recording transaction: the deployment's node, and the version's DEPLOYED_AS edge to it. */
  async recordDeployment(m: EntityManager, caller: Caller, deployment: DeploymentEntity): Promise<void> {
    await m.query(
      `INSERT INTO lineage_nodes (id, kind, natural_key, name, model_id, created_by) VALUES ($1, 'DEPLOYMENT', $2, $3, $4, $5)`,
      [deployment.id, deployment.id, `${deployment.environment}: ${deployment.endpoint}`, deployment.modelId, caller.subject],
    );
    await insertEdges(m, caller, [{ fromId: deployment.versionId, toId: deployment.id, relation: LineageRelation.DEPLOYED_AS }]);
  }

  // ---- reads ----

  /** The nodes among `ids` the caller can see (a version or deployment of a model it cannot see is absent). */
  async nodesByIds(caller: Caller, ids: readonly string[]): Promise<Map<string, LineageNodeEntity>> {
    const params = new SqlParams();
    const visible = this.access.visibleModels(caller, 'n.model_id', params);
    const rows = (await this.db.query(
      `SELECT n.* FROM lineage_nodes n WHERE n.id = ANY(${params.p(ids.filter(isUuid))}::uuid[]) ${visible ? `AND (n.model_id IS NULL OR ${visible})` : ''}`,
      params.values,
    )) as Array<Record<string, unknown>>;
    return new Map(rows.map((r) => [String(r.id), hydrate(this.db.manager, LineageNodeEntity, r)]));
  }

  /** lineage(nodeId, …): NOT_FOUND when there is no such node, or the caller cannot see it. */
  async graph(caller: Caller, nodeId: string, args: GraphArgs): Promise<Walk> {
    await this.requireNode(caller, nodeId);
    return (await this.graphs(caller, [nodeId], args)).get(nodeId.toLowerCase()) as Walk;
  }

  /** Many walks at once, in one statement (ModelVersion.upstream for a whole page of versions). */
  async graphs(caller: Caller, nodeIds: readonly string[], args: GraphArgs): Promise<Map<string, Walk>> {
    const { maxDepth, first } = traversalBounds(args);
    const starts = nodeIds.filter(isUuid).map((id) => id.toLowerCase());
    if (starts.length === 0) return new Map();
    return walk(this.db.manager, starts, {
      direction: args.direction ?? LineageDirection.BOTH,
      maxDepth,
      first,
      edges: edgeLimit(first),
      edgeIds: args.edgeIds ?? false,
      relations: args.relations,
      kinds: args.kinds,
      at: args.at,
      visible: this.visibility(caller),
    });
  }

  /**
   * lineagePaths: every shortest path (at most `first`, ≤ 100) along the edges from one node to another. The walk
   * visits at most 10,000 nodes and reads at most 10,000 edges besides those it reached each node by (those into `toId`
   * first); the paths are found in time linear in what it read.
   */
  async paths(caller: Caller, fromId: string, toId: string, args: TraversalArgs & { at?: Date | null }): Promise<Step[][]> {
    const { maxDepth, first } = pathBounds(args);
    await this.requireNode(caller, fromId);
    await this.requireNode(caller, toId);
    const from = fromId.toLowerCase();
    const to = toId.toLowerCase();
    const found = (
      await walk(this.db.manager, [from], {
        direction: LineageDirection.DOWNSTREAM,
        maxDepth,
        first: MAX_NODES,
        edges: PATH_EDGES,
        at: args.at,
        until: to,
        visible: this.visibility(caller),
      })
    ).get(from) as Walk;
    const byId = new Map(found.nodes.map((n) => [n.id, n]));
    const distance = new Map(found.nodes.map((n) => [n.id, n.depth]));
    // The edges each node was reached by, then those read: every node reached has one from a node a step nearer.
    const edges: Array<PathEdge> = [];
    for (const n of found.nodes) if (n.parent && n.relation) edges.push({ from: n.parent, to: n.id, relation: n.relation });
    edges.push(...found.edges);
    return shortestPaths(from, to, distance, edges, first).map((steps) =>
      steps.map((step) => ({ node: byId.get(step.id) as Reached, relation: step.relation })),
    );
  }

  /**
   * impact(nodeId): every model version downstream, with its stage, and every live deployment, grouped by model,
   * each with the path that links it: what to retrain, and what is serving now. The walk visits at most 10,000 nodes,
   * 20 edges deep, and reads no edges besides those it reached each node by; at most `first` (≤ 1,000) versions and
   * deployments are answered, the nearest first, each path at most 21 steps.
   */
  async impact(caller: Caller, nodeId: string, args: { first?: number | null } = {}): Promise<Impact> {
    const { first } = impactBounds(args);
    await this.requireNode(caller, nodeId);
    const start = nodeId.toLowerCase();
    const found = (
      await walk(this.db.manager, [start], {
        direction: LineageDirection.DOWNSTREAM,
        maxDepth: MAX_DEPTH,
        first: MAX_NODES,
        edges: 0,
        visible: this.visibility(caller),
      })
    ).get(start) as Walk;
    const byId = new Map(found.nodes.map((n) => [n.id, n]));
    const pathTo = (node: Reached): Step[] => {
      const steps: Step[] = [];
      for (let at: Reached | undefined = node; at; at = at.parent ? byId.get(at.parent) : undefined) {
        steps.push({ node: at, relation: at.parent ? at.relation : null });
      }
      return steps.reverse();
    };
    // The walk answers nodes nearest first. Deployments are read to know which are live (a row each, small); versions,
    // whose rows are large, only as many as can be answered.
    const reached = found.nodes.filter((n) => n.depth > 0);
    const deployments = await this.deployments.byIds(
      caller,
      reached.filter((n) => n.kind === LineageNodeKind.DEPLOYMENT).map((n) => n.id),
    );
    const answered = reached
      .filter((n) => {
        if (n.kind === LineageNodeKind.MODEL_VERSION) return true;
        const deployment = deployments.get(n.id);
        return deployment !== undefined && LIVE.includes(deployment.status);
      })
      .slice(0, first + 1);
    const truncated = found.truncated || answered.length > first;
    answered.length = Math.min(answered.length, first);
    const versions = await this.versions.byIds(
      caller,
      answered.filter((n) => n.kind === LineageNodeKind.MODEL_VERSION).map((n) => n.id),
    );
    const models = new Map<string, ImpactedModel>();
    const of = (modelId: string) => {
      if (!models.has(modelId)) models.set(modelId, { modelId, versions: [], deployments: [] });
      return models.get(modelId) as ImpactedModel;
    };
    for (const node of answered) {
      const version = versions.get(node.id);
      if (version) of(version.modelId).versions.push({ version, depth: node.depth, path: pathTo(node) });
      const deployment = deployments.get(node.id);
      if (deployment) of(deployment.modelId).deployments.push({ deployment, depth: node.depth, path: pathTo(node) });
    }
    return { source: byId.get(start) as Reached, models: [...models.values()], truncated };
  }

  private visibility(caller: Caller): WalkOptions['visible'] {
    return (column, params) => this.access.visibleModels(caller, column, params);
  }

  private async requireNode(caller: Caller, id: string): Promise<LineageNodeEntity> {
    const node = (await this.nodesByIds(caller, [id])).get(id.toLowerCase());
    if (!node) throw notFound('lineage node', id);
    return node;
  }
}

const key = (n: { kind: string; naturalKey: string }) => `${n.kind}\u0000${n.naturalKey}`;

const digest = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

function dedupeEdges<E extends { fromId: string; toId: string; relation: string }>(edges: E[]): E[] {
  return [...new Map(edges.map((e) => [`${e.fromId}>${e.toId}>${e.relation}`, e])).values()];
}

/**
 * Nodes by (kind, natural key), in two statements whatever their number: `merge` renames and adds
 * properties to those already there (upsertLineageNodes, OpenLineage), 'keep' leaves them as they are
 * (provenance). Each call's properties are bounded, and merging adds them up: what a node holds after the
 * merge keeps the same bound (STORED_JSON), or the whole call is refused, naming the field `merge` gives.
 */
async function upsertSpecs(
  m: EntityManager,
  caller: Caller,
  specs: NodeSpec[],
  mode: { merge: (node: NodeSpec) => string } | 'keep',
): Promise<{ nodes: LineageNodeEntity[]; byKey: Map<string, string>; created: number; updated: number }> {
  const columns = [
    specs.map((s) => s.kind),
    specs.map((s) => s.naturalKey),
    specs.map((s) => s.name),
    specs.map((s) => JSON.stringify(s.properties)),
  ];
  const onConflict =
    mode !== 'keep'
      ? `ON CONFLICT (kind, natural_key) DO UPDATE SET name = EXCLUDED.name, properties = lineage_nodes.properties || EXCLUDED.properties, updated_at = now()
         WHERE lineage_nodes.name <> EXCLUDED.name OR NOT lineage_nodes.properties @> EXCLUDED.properties`
      : 'ON CONFLICT (kind, natural_key) DO NOTHING';
  const written = (await m.query(
    `INSERT INTO lineage_nodes (kind, natural_key, name, properties, created_by)
     SELECT k, nk, nm, p, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS s(k, nk, nm, p)
     ${onConflict}
     RETURNING (xmax = 0) AS inserted`,
    [...columns, caller.subject],
  )) as Array<{ inserted: boolean }>;
  const rows = (await m.query(
    `SELECT n.* FROM lineage_nodes n JOIN unnest($1::text[], $2::text[]) AS s(k, nk) ON n.kind = s.k AND n.natural_key = s.nk`,
    [columns[0], columns[1]],
  )) as Array<Record<string, unknown>>;
  const nodes = rows.map((r) => hydrate(m, LineageNodeEntity, r));
  if (mode !== 'keep') {
    const merged = new Map(nodes.map((n) => [key(n), n.properties]));
    for (const spec of specs) validateJson(merged.get(key(spec)), mode.merge(spec), STORED_JSON, 'merged with the properties the node had');
  }
  const created = written.filter((w) => w.inserted).length;
  return { nodes, byKey: new Map(nodes.map((n) => [key(n), n.id])), created, updated: written.length - created };
}

/** The edges not there yet, in one statement; answers those it added. */
async function insertEdges(
  m: EntityManager,
  caller: Caller,
  edges: Array<{ fromId: string; toId: string; relation: string }>,
): Promise<LineageEdgeEntity[]> {
  const rows = (await m.query(
    `INSERT INTO lineage_edges (from_id, to_id, relation, created_by)
     SELECT f, t, r, $4 FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS s(f, t, r)
     ON CONFLICT DO NOTHING RETURNING *`,
    [edges.map((e) => e.fromId), edges.map((e) => e.toId), edges.map((e) => e.relation), caller.subject],
  )) as Array<Record<string, unknown>>;
  return rows.map((r) => hydrate(m, LineageEdgeEntity, r));
}
