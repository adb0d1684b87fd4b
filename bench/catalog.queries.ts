// The catalog page a frontend opens: a page of models, each with its latest versions and their aliases.

export const CATALOG_QUERY = `query Catalog {
  models(first: 100) {
    edges { node { id name versions(first: 5) { edges { node { id version stage aliases(first: 10) { edges { node { name } } } } } } } }
  }
}`;

/**
 * The same answer, byte for byte in JSON terms, built by PostgreSQL in one statement: what a
 * hand-written endpoint for exactly this page would do. Orders match the API's defaults: models
 * by creation, versions newest first, aliases by name.
 */
export const CATALOG_SQL = `
SELECT json_build_object('data', json_build_object('models', json_build_object('edges',
  COALESCE(json_agg(json_build_object('node', json_build_object(
    'id', m.id,
    'name', m.name,
    'versions', json_build_object('edges', (
      SELECT COALESCE(json_agg(json_build_object('node', json_build_object(
        'id', v.id,
        'version', v.version,
        'stage', v.stage,
        'aliases', json_build_object('edges', (
          SELECT COALESCE(json_agg(json_build_object('node', json_build_object('name', a.name)) ORDER BY a.name, a.id), '[]')
          FROM (SELECT id, name FROM model_aliases WHERE version_id = v.id ORDER BY name, id LIMIT 10) a
        ))
      )) ORDER BY v.version DESC), '[]')
      FROM (SELECT id, version, stage FROM model_versions WHERE model_id = m.id ORDER BY version DESC LIMIT 5) v
    ))
  )) ORDER BY m.created_at, m.id), '[]')
)))::text AS body
FROM (SELECT id, name, created_at FROM registered_models ORDER BY created_at, id LIMIT 100) m`;

/**
 * The same page asked of PostGraphile v4 (bench/postgraphile) with the connection fields it derives
 * from the tables and their foreign keys: models by creation, versions newest first, aliases by name.
 */
export const POSTGRAPHILE_CATALOG_QUERY = `query Catalog {
  allRegisteredModels(first: 100, orderBy: [CREATED_AT_ASC, ID_ASC]) {
    edges { node { id name modelVersionsByModelId(first: 5, orderBy: VERSION_DESC) { edges { node { id version stage modelAliasesByVersionId(first: 10, orderBy: [NAME_ASC, ID_ASC]) { edges { node { name } } } } } } } }
  }
}`;

/** Single-request probes on one parent: each must cost the same with 5 children or with 100,000. */
export const PARENT_PROBES: Array<{ label: string; query: string }> = [
  {
    label: 'versions(first: 50)',
    query: 'query($id: UUID!) { model(id: $id) { versions(first: 50) { edges { node { id version stage } } } } }',
  },
  {
    label: 'versions(first: 50, after: page 2)',
    query: 'query($id: UUID!, $after: String) { model(id: $id) { versions(first: 50, after: $after) { edges { node { id version } } } } }',
  },
  { label: 'latestVersion', query: 'query($id: UUID!) { model(id: $id) { latestVersion { id version stage } } }' },
  { label: 'versions { totalCount }', query: 'query($id: UUID!) { model(id: $id) { versions { totalCount } } }' },
  {
    label: 'versions(filter: PRODUCTION)',
    query: 'query($id: UUID!) { model(id: $id) { versions(first: 5, filter: { stage: PRODUCTION }) { edges { node { version } } } } }',
  },
  { label: 'version(number: 3)', query: 'query($id: UUID!) { model(id: $id) { version(number: 3) { id stage } } }' },
  {
    label: 'metrics (latest per series)',
    query: 'query($id: UUID!) { model(id: $id) { version(number: 1) { metrics(first: 50) { edges { node { name value } } } } } }',
  },
  {
    label: 'metricHistory(first: 50)',
    query:
      'query($id: UUID!) { model(id: $id) { version(number: 1) { metricHistory(name: "loss", source: TRAINING, first: 50) { edges { node { step value } } } } } }',
  },
];
