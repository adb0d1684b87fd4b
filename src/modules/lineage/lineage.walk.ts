import type { EntityManager } from 'typeorm';
import type { LineageNodeKind } from '../../common/lineage';
import { SqlParams } from '../../db/pagination';
import { LineageDirection, type LineageRelation } from './lineage.rules';

export interface WalkOptions {
  direction: LineageDirection;
  maxDepth: number;
  /** At most this many nodes besides the start (of `kinds`, when given); one more found sets `truncated`. */
  first: number;
  relations?: readonly LineageRelation[] | null;
  /** Which nodes to answer; the walk goes through every kind. */
  kinds?: readonly LineageNodeKind[] | null;
  /** The graph as it was then: nodes and edges created by then, edges not yet removed. */
  at?: Date | null;
  /**
   * At most this many edges per start (0: none, and none read); one more there sets `truncated`. The edge each node
   * answered was reached by comes first. With `until`, only edges one level further from the start than their input
   * are read, those into `until` first, then the deepest.
   */
  edges: number;
  /**
   * Read each edge's id too: a read of the table besides its index on `to_id` for every edge, so only when the client
   * selects it (removeLineageEdge takes it); otherwise `id` is null.
   */
  edgeIds?: boolean;
  /** Stop at the level where this node is reached (shortest paths, walked DOWNSTREAM from one start). */
  until?: string | null;
  /** SQL that holds when the model in the column is visible to the caller (null: every model is). */
  visible: (column: string, params: SqlParams) => string | null;
}

/** A node reached, with its distance and the edge it was first reached by (the walk is breadth first). */
export interface Reached {
  id: string;
  depth: number;
  parent: string | null;
  relation: LineageRelation | null;
  kind: LineageNodeKind;
  naturalKey: string;
  name: string;
  properties: Record<string, unknown>;
  modelId: string | null;
  createdAt: Date;
}

export interface WalkEdge {
  /** The stored edge's id (removeLineageEdge takes it), when `edgeIds` asked for it. */
  id: string | null;
  from: string;
  to: string;
  relation: LineageRelation;
}

export interface Walk {
  nodes: Reached[];
  /** The edges between the nodes answered (of `relations`, live at `at`), at most `edges`, by from, to and relation. */
  edges: WalkEdge[];
  /** More nodes were reachable than `first`, or more edges joined the nodes answered than `edges`. */
  truncated: boolean;
}

/** When `kinds` filters the answer, the walk itself still stops after this many nodes. */
export const WORK_CAP = 50_000;

/**
 * Walks the graph from every start at once, in ONE statement: a recursive query whose every step is one
 * level of a breadth-first search. Each step carries the nodes seen so far and adds only new ones, so
 * every node is visited once and cycles end the walk. Answers per start.
 */
export async function walk(m: EntityManager, starts: readonly string[], o: WalkOptions): Promise<Map<string, Walk>> {
  const q = new SqlParams();
  const edgeLive = (e: string) =>
    o.at ? `${e}.created_at <= ${q.p(o.at)} AND (${e}.removed_at IS NULL OR ${e}.removed_at > ${q.p(o.at)})` : `${e}.removed_at IS NULL`;
  // Read by the output end (`to_id`), liveness is written so that the partial unique index on (from_id, to_id,
  // relation) WHERE removed_at IS NULL cannot serve it: without statistics (a graph just written, before autovacuum
  // has analyzed it) the planner chose that index for a condition on its second column, reading all of it once per
  // node: seconds per walk on 70,000 edges, where the index on `to_id` answers in microseconds.
  const edgeLiveByTo = (e: string) => (o.at ? edgeLive(e) : `(${e}.removed_at IS NULL) IS TRUE`);
  const relation = (e: string) => (o.relations?.length ? ` AND ${e}.relation = ANY(${q.p(o.relations)}::text[])` : '');
  const kindMatch = (column: string) => (o.kinds?.length ? `${column} = ANY(${q.p(o.kinds)}::text[])` : 'true');
  const visible = o.visible('n.model_id', q);
  const nodeOk = [o.at ? `n.created_at <= ${q.p(o.at)}` : null, visible ? `(n.model_id IS NULL OR ${visible})` : null].filter(Boolean);
  const steps: string[] = [];
  if (o.direction !== LineageDirection.UPSTREAM) {
    steps.push(`SELECT e.to_id AS id, e.from_id AS parent, e.relation FROM lineage_edges e
                WHERE e.from_id = ANY(w.ids) AND ${edgeLive('e')}${relation('e')}`);
  }
  if (o.direction !== LineageDirection.DOWNSTREAM) {
    steps.push(`SELECT e.from_id AS id, e.to_id AS parent, e.relation FROM lineage_edges e
                WHERE e.to_id = ANY(w.ids) AND ${edgeLiveByTo('e')}${relation('e')}`);
  }
  const first = q.p(o.first);
  // Without a kind filter, a step takes no more nodes than can still be answered (plus one, to know there are more).
  const cap = o.kinds?.length ? `${WORK_CAP} - cardinality(w.visited)` : `${first} + 1 - w.matched`;
  // A step reads the node at the end of each edge it follows only when a condition needs it (a kind, `at`,
  // visibility): a hub has tens of thousands of edges, and the foreign key already says that every end is a node.
  const nodeJoin = o.kinds?.length || nodeOk.length > 0;
  // `links`, the edges between the nodes answered: every input edge of an answered node (a node's inputs are few,
  // what made it; its outputs may be tens of thousands, everything trained on a popular dataset), kept when its input
  // end is answered too. The planner cannot know how many nodes are answered, and a join planned from its guess can
  // hash the whole edge table, or scan a whole index once per node (`= ANY` of 10,000 ids was read through the
  // (from, to, relation) index, seconds); so each answered node's input edges are read by one probe of the index on
  // `to_id` (a LATERAL subquery, kept from being flattened into a join by `OFFSET 0`), and the input end is looked
  // up in a hash of the answered nodes (`IS TRUE` keeps that a lookup and not a join). Each start is walked once
  // however often it is given, and each list is aggregated once per start.
  // The edges answered are bounded (`o.edges`), and which are kept when there are more is chosen in SQL, so that no
  // more than that many reach Node: the edge each node was reached by (its `parent` and `relation`) first, so that
  // every node answered stays joined to the start; then by from, to, relation. With `until` (shortest paths), an edge
  // is kept only when its input is one level nearer the start, into `until` or into a level before its own, those
  // into `until` first, then the deepest.
  if (o.until && o.direction !== LineageDirection.DOWNSTREAM) throw new Error('walk: `until` walks DOWNSTREAM');
  const until = o.until ? `${q.p(o.until)}::uuid` : null;
  const edgeCap = o.edges ? q.p(o.edges) : null;
  const inputsOf = (k: string) => `CROSS JOIN LATERAL (
          SELECT ${o.edgeIds ? 'e.id' : 'NULL::uuid AS id'}, e.from_id, e.to_id, e.relation FROM lineage_edges e
          WHERE e.to_id = ${k}.id AND ${edgeLiveByTo('e')}${relation('e')} OFFSET 0
        ) e`;
  const links = !o.edges
    ? null
    : until
      ? `links AS (
      SELECT r.* FROM (
        SELECT k.start, e.id, e.from_id, e.to_id, e.relation,
               row_number() OVER (PARTITION BY k.start ORDER BY (k.id = ${until}) DESC, k.depth DESC, e.from_id, e.to_id, e.relation) AS rank
        FROM kept k
        JOIN (SELECT x.start, max(x.depth) AS last FROM kept x GROUP BY x.start) l ON l.start = k.start
        ${inputsOf('k')}
        WHERE k.depth > 0 AND (k.depth < l.last OR k.id = ${until})
          AND ((k.start, ${until}) IN (SELECT kt.start, kt.id FROM kept kt)) IS TRUE
          AND ((k.start, e.from_id, k.depth - 1) IN (SELECT kf.start, kf.id, kf.depth FROM kept kf)) IS TRUE
      ) r WHERE r.rank <= ${edgeCap} + 1
    )`
      : `links AS (
      SELECT r.* FROM (
        SELECT k.start, e.id, e.from_id, e.to_id, e.relation,
               row_number() OVER (PARTITION BY k.start ORDER BY
                 (e.from_id = k.parent AND e.relation = k.relation) IS NOT TRUE
                   AND ((k.start, e.from_id, e.to_id, e.relation) IN (SELECT kp.start, kp.id, kp.parent, kp.relation FROM kept kp)) IS NOT TRUE,
                 e.from_id, e.to_id, e.relation) AS rank
        FROM kept k
        ${inputsOf('k')}
        WHERE ((k.start, e.from_id) IN (SELECT kf.start, kf.id FROM kept kf)) IS TRUE
      ) r WHERE r.rank <= ${edgeCap} + 1
    )`;
  const sql = `
    WITH RECURSIVE walk(start, depth, ids, parents, relations, visited, matched) AS (
      SELECT s.id, 0, ARRAY[s.id], ARRAY[NULL::uuid], ARRAY[NULL::text], ARRAY[s.id], 0
      FROM (SELECT DISTINCT id FROM unnest(${q.p(starts)}::uuid[]) AS u(id)) s
      UNION ALL
      SELECT w.start, w.depth + 1, step.ids, step.parents, step.relations, w.visited || step.ids, w.matched + step.matched
      FROM walk w
      CROSS JOIN LATERAL (
        SELECT array_agg(c.id) AS ids, array_agg(c.parent) AS parents, array_agg(c.relation) AS relations,
               (count(*) FILTER (WHERE ${kindMatch('c.kind')}))::int AS matched
        FROM (
          SELECT DISTINCT ON (x.id) x.id, ${nodeJoin ? 'n.kind' : 'NULL::text AS kind'}, x.parent, x.relation
          FROM (${steps.join(' UNION ALL ')}) x
          ${nodeJoin ? `JOIN lineage_nodes n ON n.id = x.id ${nodeOk.map((c) => `AND ${c}`).join(' ')}` : ''}
          WHERE NOT EXISTS (SELECT 1 FROM unnest(w.visited) AS v(id) WHERE v.id = x.id)
          ORDER BY x.id, x.parent, x.relation
          LIMIT (${cap})
        ) c
      ) step
      WHERE w.depth < ${q.p(o.maxDepth)} AND w.matched <= ${first} AND cardinality(w.visited) < ${WORK_CAP}
        AND step.ids IS NOT NULL ${until ? `AND NOT (${until} = ANY(w.visited))` : ''}
    ),
    found AS (
      SELECT w.start, u.id, w.depth, u.parent, u.relation
      FROM walk w CROSS JOIN LATERAL unnest(w.ids, w.parents, w.relations) AS u(id, parent, relation)
    ),
    kept AS (
      SELECT * FROM (
        SELECT f.*, n.kind, n.natural_key, n.name, n.properties, n.model_id, n.created_at,
               row_number() OVER (PARTITION BY f.start ORDER BY f.depth, f.id) AS rank
        FROM found f JOIN lineage_nodes n ON n.id = f.id
        WHERE f.depth = 0 OR ${kindMatch('n.kind')}
      ) ranked WHERE rank <= ${first} + 1${until ? ` OR ranked.id = ${until}` : ''}
    )${
      links
        ? `,
    ${links}`
        : ''
    }
    SELECT s.start, n.nodes, ${links ? 'l.edges, l.edges_truncated' : 'NULL::json AS edges, false AS edges_truncated'}, t.truncated
    FROM unnest(${q.p(starts)}::uuid[]) AS s(start)
    LEFT JOIN (
      SELECT k.start,
             json_agg(json_build_object('id', k.id, 'depth', k.depth, 'parent', k.parent, 'relation', k.relation, 'kind', k.kind,
                 'naturalKey', k.natural_key, 'name', k.name, 'properties', k.properties, 'modelId', k.model_id, 'createdAt', k.created_at)
               ORDER BY k.depth, k.id) AS nodes
      FROM kept k GROUP BY k.start
    ) n ON n.start = s.start
    ${
      links
        ? `LEFT JOIN (
      SELECT l.start,
             json_agg(json_build_object('id', l.id, 'from', l.from_id, 'to', l.to_id, 'relation', l.relation) ORDER BY l.from_id, l.to_id, l.relation)
               FILTER (WHERE l.rank <= ${edgeCap}) AS edges,
             max(l.rank) > ${edgeCap} AS edges_truncated
      FROM links l GROUP BY l.start
    ) l ON l.start = s.start`
        : ''
    }
    LEFT JOIN (
      SELECT w.start, max(w.matched) > ${first} OR max(cardinality(w.visited)) >= ${WORK_CAP} AS truncated FROM walk w GROUP BY w.start
    ) t ON t.start = s.start`;
  const rows = (await m.query(sql, q.values)) as Array<{
    start: string;
    nodes: Array<Omit<Reached, 'createdAt'> & { createdAt: string }> | null;
    edges: WalkEdge[] | null;
    edges_truncated: boolean | null;
    truncated: boolean | null;
  }>;
  const walks = new Map<string, Walk>();
  for (const row of rows) {
    const nodes = (row.nodes ?? []).map((n) => ({ ...n, createdAt: new Date(n.createdAt) }));
    walks.set(row.start, { nodes, edges: row.edges ?? [], truncated: Boolean(row.truncated) || Boolean(row.edges_truncated) });
  }
  return walks;
}
