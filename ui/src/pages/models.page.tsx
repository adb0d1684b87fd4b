import { useEffect, useState, type FormEvent } from 'react';
import { useQuery } from '../api';
import { ErrorMessage, Loading, STAGES, StageBadge, edges, when } from '../components/common';
import { ConsoleModelsDocument, RiskTierValues, type ModelFilter, type RiskTier, type Stage } from '../generated/graphql';
import { Link, navigate, withParams, type Location } from '../router';

const PAGE = 50;
const TIERS: readonly RiskTier[] = RiskTierValues;

/** `key=value` → a tag filter; anything else is not a tag. */
function parseTag(text: string): { key: string; value: string } | null {
  const at = text.indexOf('=');
  return at > 0 ? { key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() } : null;
}

export function ModelsPage({ location }: { location: Location }) {
  const p = location.params;
  const tag = parseTag(p.get('tag') ?? '');
  const filter: ModelFilter = {
    nameContains: p.get('q') || undefined,
    owner: p.get('owner') || undefined,
    stage: (p.get('stage') as Stage) || undefined,
    riskTier: (p.get('risk') as RiskTier) || undefined,
    tags: tag ? [tag] : undefined,
  };
  const { data, error, loading } = useQuery(ConsoleModelsDocument, {
    first: PAGE,
    after: p.get('after') || undefined,
    filter,
    orderBy: { field: 'NAME', direction: 'ASC' },
  });
  const rows = edges(data?.models);

  useEffect(() => {
    // What the render benchmark reads: the first time rows are on screen.
    if (rows.length && !performance.getEntriesByName('mg:models-rendered').length) performance.mark('mg:models-rendered');
  }, [rows.length]);

  return (
    <>
      <h1>Models</h1>
      <Filters location={location} />
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="models" /> : null}
      {data ? (
        <>
          <p className="muted" aria-live="polite">
            {data.models.totalCount} models{p.get('after') ? ' (a later page)' : ''}
          </p>
          <table>
            <caption className="visually-hidden">Registered models</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col">Risk tier</th>
                <th scope="col">Latest version</th>
                <th scope="col">In production</th>
                <th scope="col">Tags</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/models/${m.id}`}>{m.name}</Link>
                    {m.status === 'RETIRED' ? <span className="badge badge-muted">retired</span> : null}
                  </td>
                  <td>{m.owner}</td>
                  <td>{m.riskTier}</td>
                  <td>
                    {m.latestVersion ? (
                      <>
                        <Link to={`/versions/${m.latestVersion.id}`}>v{m.latestVersion.version}</Link>{' '}
                        <StageBadge stage={m.latestVersion.stage} />
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {m.productionVersion ? <Link to={`/versions/${m.productionVersion.id}`}>v{m.productionVersion.version}</Link> : '—'}
                  </td>
                  <td>
                    {m.tags.map((t) => (
                      <span key={t.key} className="tag">
                        {t.key}={t.value}
                      </span>
                    ))}
                  </td>
                  <td>{when(m.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages">
            {p.get('after') ? <Link to={withParams(location, { after: null })}>First page</Link> : null}
            {data.models.pageInfo.hasNextPage ? (
              <Link to={withParams(location, { after: data.models.pageInfo.endCursor })}>Next page</Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </>
  );
}

function Filters({ location }: { location: Location }) {
  const p = location.params;
  const [values, setValues] = useState({
    q: p.get('q') ?? '',
    owner: p.get('owner') ?? '',
    tag: p.get('tag') ?? '',
    stage: p.get('stage') ?? '',
    risk: p.get('risk') ?? '',
  });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(withParams(location, { ...values, after: null }));
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter models">
      <label>
        Name contains <input value={values.q} onChange={set('q')} />
      </label>
      <label>
        Owner <input value={values.owner} onChange={set('owner')} />
      </label>
      <label>
        Tag <input value={values.tag} onChange={set('tag')} placeholder="key=value" />
      </label>
      <label>
        Has a version in
        <select value={values.stage} onChange={set('stage')}>
          <option value="">any stage</option>
          {STAGES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Risk tier
        <select value={values.risk} onChange={set('risk')}>
          <option value="">any</option>
          {TIERS.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
