import {
  Background,
  Controls,
  MiniMap,
  Position,
  ReactFlow,
  useReactFlow,
  type Edge,
  type Node,
  type NodeMouseHandler,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, gql, toApiError, useQuery } from '../api';
import { ErrorMessage, Loading } from '../components/common';
import {
  ConsoleImpactDocument,
  ConsoleLineageDocument,
  LineageNodeKindValues,
  LineageRelationValues,
  type LineageNodeKind,
  type LineageRelation,
} from '../generated/graphql';
import { columnLayout, ELK_LIMIT, elkLayout, NODE_HEIGHT, NODE_WIDTH, type Positions } from '../lineage/layout';
import { groupSiblings, placeGraph, servingPaths, type DisplayGraph, type Walk } from '../lineage/lineage-view';
import { Link, navigate, withParams, type Location } from '../router';

const KINDS: readonly LineageNodeKind[] = LineageNodeKindValues;
const RELATIONS: readonly LineageRelation[] = LineageRelationValues;

/** Past this many nodes, the view opens on the selected node's neighbourhood and draws only what is on screen. */
const LARGE = 300;

const list = (value: string | null) => (value ? value.split(',').filter(Boolean) : []);

interface Fetched {
  center: { id: string; kind: string; name: string };
  upstream: Walk;
  downstream: Walk;
  expansions: Array<{ id: string; walk: Walk }>;
  truncated: boolean;
}

export function LineagePage({ nodeId, location }: { nodeId: string; location: Location }) {
  const p = location.params;
  const depth = Number(p.get('depth') ?? 2);
  const kinds = list(p.get('kinds')) as LineageNodeKind[];
  const relations = list(p.get('relations')) as LineageRelation[];
  const expanded = list(p.get('expand'));
  const openKey = p.get('open') ?? '';
  const opened = useMemo(() => new Set(list(openKey)), [openKey]);
  const impactMode = p.get('impact') === '1';
  const grouping = p.get('group') !== '0';
  const selected = p.get('node') ?? nodeId;

  const [fetched, setFetched] = useState<Fetched>();
  const [error, setError] = useState<ApiError>();
  const key = JSON.stringify({ nodeId, depth, kinds, relations, expanded });
  useEffect(() => {
    let current = true;
    setError(undefined);
    const filters = { kinds: kinds.length ? kinds : undefined, relations: relations.length ? relations : undefined };
    Promise.all([
      gql(ConsoleLineageDocument, { nodeId, depth, direction: 'UPSTREAM', ...filters }),
      gql(ConsoleLineageDocument, { nodeId, depth, direction: 'DOWNSTREAM', ...filters }),
      ...expanded.map((id) => gql(ConsoleLineageDocument, { nodeId: id, depth: 1, direction: 'BOTH', ...filters })),
    ]).then(
      ([up, down, ...more]) => {
        if (!current) return;
        if (!up.lineageNode) {
          setError(new ApiError(`no lineage node ${nodeId}`, 'NOT_FOUND'));
          return;
        }
        performance.mark('mg:lineage-fetched');
        setFetched({
          center: up.lineageNode,
          upstream: up.lineage,
          downstream: down.lineage,
          expansions: more.map((m, i) => ({ id: expanded[i], walk: m.lineage })),
          truncated: up.lineage.truncated || down.lineage.truncated,
        });
      },
      (err) => current && setError(toApiError(err)),
    );
    return () => {
      current = false;
    };
    // The key holds every input of the fetch.
  }, [key]);

  const impact = useQuery(ConsoleImpactDocument, { nodeId: selected }, !impactMode);
  const lit = useMemo(() => (impactMode && impact.data ? servingPaths(impact.data.impact) : null), [impactMode, impact.data]);

  const display: DisplayGraph | undefined = useMemo(() => {
    if (!fetched) return undefined;
    const placed = placeGraph(fetched.center, fetched.upstream, fetched.downstream, fetched.expansions);
    return groupSiblings(placed, opened, grouping ? 5 : Number.POSITIVE_INFINITY);
  }, [fetched, opened, grouping]);

  const [positions, setPositions] = useState<Positions>();
  useEffect(() => {
    if (!display) return;
    let current = true;
    // Drawn at once by columns; ELK then refines a graph small enough for it (loaded on first use).
    setPositions(columnLayout(display));
    performance.mark('mg:lineage-laid-out');
    if (display.nodes.length <= ELK_LIMIT) {
      elkLayout(display).then(
        (laid) => {
          if (!current) return;
          performance.mark('mg:lineage-refined');
          setPositions(laid);
        },
        (err) => current && setError(toApiError(err)),
      );
    }
    return () => {
      current = false;
    };
  }, [display]);

  const nodes: Node[] = useMemo(() => {
    if (!display || !positions) return [];
    return display.nodes.map((n) => ({
      id: n.id,
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      data: { label: n.cluster ? `▸ ${n.name}` : `${n.name}` },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      // Edges leave a node on its right and enter on its left: inputs are drawn left of their outputs.
      sourcePosition: Position.Right,
      targetPosition: Position.Left,
      className: [
        'lineage-node',
        `kind-${n.kind.toLowerCase()}`,
        n.id === nodeId ? 'is-center' : '',
        n.id === selected ? 'is-selected' : '',
        lit ? (lit.has(n.id) || n.id === selected ? 'is-lit' : 'is-dim') : '',
      ].join(' '),
      ariaLabel: n.cluster ? `cluster of ${n.name}; open it` : `${n.kind} ${n.name}`,
      connectable: false,
      draggable: true,
    }));
  }, [display, positions, nodeId, selected, lit]);

  const flowEdges: Edge[] = useMemo(
    () =>
      (display?.edges ?? []).map((e) => ({
        id: e.id,
        source: e.from,
        target: e.to,
        label: display && display.nodes.length <= 60 ? e.relation.toLowerCase().replace(/_/g, ' ') : undefined,
        className: lit && !(lit.has(e.from) && lit.has(e.to)) ? 'is-dim' : undefined,
        // A large graph's edges are straight and cannot be clicked: half the SVG to draw, no curves to compute.
        ...(display && display.nodes.length > LARGE ? { type: 'straight', interactionWidth: 0 } : {}),
      })),
    [display, lit],
  );

  useEffect(() => {
    // What the render benchmark reads: the graph laid out and handed to the renderer, one frame later.
    if (!nodes.length) return;
    requestAnimationFrame(() => {
      if (!performance.getEntriesByName('mg:lineage-drawn').length) performance.mark('mg:lineage-drawn');
      document.body.dataset.lineageNodes = String(nodes.length);
    });
  }, [nodes]);

  // A large graph opens on the selected node and its neighbours, and draws only what is on screen: zoomed out to
  // all of a thousand nodes, the labels could not be read anyway. Zooming or panning draws the rest.
  const focus = useMemo(() => {
    if (!display || display.nodes.length <= LARGE) return undefined;
    return display.nodes
      .filter((n) => Math.abs(n.column) <= 1)
      .slice(0, 40)
      .map((n) => ({ id: n.id }));
  }, [display]);

  const onNodeClick: NodeMouseHandler = (_event, node) => {
    const shown = display?.nodes.find((n) => n.id === node.id);
    if (shown?.cluster) {
      navigate(withParams(location, { open: [...opened, shown.cluster.key].join(',') }));
    } else if (node.id !== nodeId) {
      const more = expanded.includes(node.id) ? expanded : [...expanded, node.id];
      navigate(withParams(location, { expand: more.join(','), node: node.id }));
    } else {
      navigate(withParams(location, { node: null }));
    }
  };

  const toggle = (param: string, values: string[], value: string) => {
    const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
    navigate(withParams(location, { [param]: next.join(','), expand: null, open: null }));
  };
  const selectedNode = display?.nodes.find((n) => n.id === selected);

  return (
    <div className="lineage">
      <h1>Lineage{fetched ? ` of ${fetched.center.name}` : ''}</h1>
      <div className="lineage-controls">
        <label>
          Depth{' '}
          <select value={depth} onChange={(e) => navigate(withParams(location, { depth: e.target.value, expand: null, open: null }))}>
            {[1, 2, 3, 4, 5, 6, 8, 10].map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={impactMode}
            onChange={(e) => navigate(withParams(location, { impact: e.target.checked ? '1' : null }))}
          />{' '}
          Impact mode: light up what serves in production
        </label>
        <label>
          <input
            type="checkbox"
            checked={grouping}
            onChange={(e) => navigate(withParams(location, { group: e.target.checked ? null : '0' }))}
          />{' '}
          Group siblings above five
        </label>
        {expanded.length || opened.size ? (
          <Link to={withParams(location, { expand: null, open: null, node: null })}>Collapse all</Link>
        ) : null}
        <details>
          <summary>Kinds{kinds.length ? ` (${kinds.length})` : ''}</summary>
          <fieldset>
            <legend className="visually-hidden">Show only these kinds</legend>
            {KINDS.map((k) => (
              <label key={k}>
                <input type="checkbox" checked={kinds.includes(k)} onChange={() => toggle('kinds', kinds, k)} /> {k}
              </label>
            ))}
          </fieldset>
        </details>
        <details>
          <summary>Relations{relations.length ? ` (${relations.length})` : ''}</summary>
          <fieldset>
            <legend className="visually-hidden">Walk only these relations</legend>
            {RELATIONS.map((r) => (
              <label key={r}>
                <input type="checkbox" checked={relations.includes(r)} onChange={() => toggle('relations', relations, r)} /> {r}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      <ErrorMessage error={error ?? impact.error} />
      <p className="muted" aria-live="polite">
        {display ? `${display.nodes.length} shown` : ''}
        {display?.hidden ? `, ${display.hidden} folded into clusters (click one to open it)` : ''}
        {fetched?.truncated ? '; the walk was cut short: lower the depth or filter' : ''}
        {impactMode && impact.data
          ? `; impact: ${impact.data.impact.versionCount} versions downstream, ${impact.data.impact.liveDeploymentCount} live deployments`
          : ''}
      </p>
      {!fetched && !error ? <Loading what="the lineage" /> : null}
      <div className="lineage-body">
        <div className="lineage-canvas" role="region" aria-label="Lineage graph">
          {nodes.length ? (
            <ReactFlow
              nodes={nodes}
              edges={flowEdges}
              onNodeClick={onNodeClick}
              fitView
              fitViewOptions={{ nodes: focus, maxZoom: 1 }}
              minZoom={0.05}
              nodesConnectable={false}
              onlyRenderVisibleElements={nodes.length > LARGE}
            >
              <Background />
              <FitWhenChanged layout={positions} focus={focus} />
              <Controls />
              {nodes.length <= LARGE ? <MiniMap pannable zoomable ariaLabel="Overview of the lineage graph" /> : null}
            </ReactFlow>
          ) : null}
        </div>
        <aside className="lineage-side" aria-label="Selected node">
          {selectedNode && !selectedNode.cluster ? (
            <>
              <h2>{selectedNode.name}</h2>
              <p>{selectedNode.kind}</p>
              <p className="muted">
                {selectedNode.column === 0
                  ? 'the node in the middle'
                  : `${Math.abs(selectedNode.column)} steps ${selectedNode.column < 0 ? 'upstream' : 'downstream'}`}
              </p>
              {selectedNode.id !== nodeId ? <Link to={`/lineage/${selectedNode.id}?depth=${depth}`}>Put it in the middle</Link> : null}
              {selectedNode.kind === 'MODEL_VERSION' ? (
                <p>
                  <Link to={`/versions/${selectedNode.id}`}>Open the version</Link>
                </p>
              ) : null}
            </>
          ) : (
            <p className="muted">Click a node to expand it; click a cluster to open it.</p>
          )}
        </aside>
      </div>
    </div>
  );
}

/** Fits the view again when the layout changes (an expansion, an opened cluster, ELK's refinement), not on a drag. */
function FitWhenChanged({ layout, focus }: { layout: Positions | undefined; focus: Array<{ id: string }> | undefined }) {
  const flow = useReactFlow();
  useEffect(() => {
    const frame = requestAnimationFrame(() => void flow.fitView({ duration: 0, nodes: focus, maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [layout, focus, flow]);
  return null;
}
