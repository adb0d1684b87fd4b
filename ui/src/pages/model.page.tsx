import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, gql, toApiError, useQuery } from '../api';
import { ErrorMessage, Loading, STAGES, Section, StageBadge, Verdict, edges, when } from '../components/common';
import {
  ConsoleAccessDocument,
  ConsoleAliasHistoryDocument,
  ConsoleGrantAccessDocument,
  ConsoleModelDocument,
  ConsoleProtectAliasDocument,
  ConsoleRevokeAccessDocument,
  AccessLevelValues,
  type AccessLevel,
  type ConsoleModelQuery,
  type Stage,
} from '../generated/graphql';
import { Link, navigate, withParams, type Location } from '../router';

const PAGE = 50;

type Model = NonNullable<ConsoleModelQuery['model']>;

export function ModelPage({ id, location }: { id: string; location: Location }) {
  const p = location.params;
  const stage = (p.get('stage') as Stage) || undefined;
  const { data, error } = useQuery(ConsoleModelDocument, {
    id,
    versionsFirst: PAGE,
    versionsAfter: p.get('vafter') || undefined,
    versionFilter: stage ? { stage } : undefined,
  });
  useEffect(() => {
    // What the render benchmark reads: the model and its first page of versions on screen.
    if (data?.model && !performance.getEntriesByName('mg:model-rendered').length) performance.mark('mg:model-rendered');
  }, [data]);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the model" />;
  const model = data.model;
  if (!model) return <ErrorMessage error={new ApiError(`no model ${id}`, 'NOT_FOUND')} />;
  const canGrant = data.myAccess.rights.includes('GRANT');
  return (
    <>
      <h1>{model.name}</h1>
      <p className="muted">
        {model.description || 'No description.'} Owner {model.owner} · risk tier {model.riskTier} · {model.status} · created by{' '}
        {model.createdBy} {when(model.createdAt)} · your access: {data.myAccess.level}
      </p>
      <p>
        {model.tags.map((t) => (
          <span key={t.key} className="tag">
            {t.key}={t.value}
          </span>
        ))}
      </p>
      <Versions model={model} location={location} />
      <div className="columns">
        <Aliases model={model} location={location} />
        <Deployments model={model} />
      </div>
      <div className="columns">
        <Policy model={model} />
        <Access modelId={model.id} canGrant={canGrant} />
      </div>
    </>
  );
}

function Versions({ model, location }: { model: Model; location: Location }) {
  const p = location.params;
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((now) => (now.includes(id) ? now.filter((x) => x !== id) : [...now.slice(-1), id]));
  const versions = edges(model.versions);
  return (
    <Section
      title={`Versions (${model.versions.totalCount})`}
      actions={
        <div className="inline">
          <label>
            Stage{' '}
            <select value={p.get('stage') ?? ''} onChange={(e) => navigate(withParams(location, { stage: e.target.value, vafter: null }))}>
              <option value="">all</option>
              {STAGES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          {picked.length === 2 ? (
            <Link className="button" to={`/compare?a=${picked[0]}&b=${picked[1]}`}>
              Compare the two
            </Link>
          ) : (
            <span className="muted">tick two versions to compare them</span>
          )}
        </div>
      }
    >
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Compare</span>
            </th>
            <th scope="col">Version</th>
            <th scope="col">Stage</th>
            <th scope="col">Aliases</th>
            <th scope="col">Registered by</th>
            <th scope="col">Registered at</th>
            <th scope="col">Validation</th>
            <th scope="col">Lineage</th>
            <th scope="col">Card</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`compare version ${v.version}`}
                  checked={picked.includes(v.id)}
                  onChange={() => toggle(v.id)}
                />
              </td>
              <td>
                <Link to={`/versions/${v.id}`}>v{v.version}</Link> {v.label ? <span className="muted">{v.label}</span> : null}
              </td>
              <td>
                <StageBadge stage={v.stage} />
              </td>
              <td>
                {edges(v.aliases).map((a) => (
                  <span key={a.name} className="tag">
                    @{a.name}
                  </span>
                ))}
              </td>
              <td>{v.createdBy}</td>
              <td>{when(v.createdAt)}</td>
              <td>
                <Verdict passed={v.latestValidation?.passed} />
              </td>
              <td>
                <Link to={`/lineage/${v.id}`}>lineage</Link>
              </td>
              <td>
                <Link to={`/versions/${v.id}?tab=card`} aria-label={`model card of version ${v.version}`}>
                  card
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Version pages">
        {p.get('vafter') ? <Link to={withParams(location, { vafter: null })}>Newest versions</Link> : null}
        {model.versions.pageInfo.hasNextPage ? (
          <Link to={withParams(location, { vafter: model.versions.pageInfo.endCursor })}>Older versions</Link>
        ) : null}
      </nav>
    </Section>
  );
}

function Aliases({ model, location }: { model: Model; location: Location }) {
  const selected = location.params.get('alias');
  const aliases = edges(model.aliases);
  return (
    <Section title="Aliases">
      {aliases.length === 0 ? <p className="muted">No aliases.</p> : null}
      <ul className="plain">
        {aliases.map((a) => (
          <li key={a.id}>
            <strong>@{a.name}</strong> → <Link to={`/versions/${a.version.id}`}>v{a.version.version}</Link>{' '}
            <span className="muted">
              by {a.updatedBy} {when(a.updatedAt)}
            </span>{' '}
            <Link to={withParams(location, { alias: a.name })}>history</Link>
          </li>
        ))}
      </ul>
      {selected ? <AliasHistory modelId={model.id} alias={selected} /> : null}
    </Section>
  );
}

function AliasHistory({ modelId, alias }: { modelId: string; alias: string }) {
  const { data, error } = useQuery(ConsoleAliasHistoryDocument, { id: modelId, alias });
  return (
    <>
      <h3>History of @{alias}</h3>
      <ErrorMessage error={error} />
      <ol className="plain">
        {edges(data?.model?.aliasHistory).map((h) => (
          <li key={h.id}>
            {when(h.changedAt)} {h.actor}: {h.previousVersion ? `v${h.previousVersion.version}` : 'nothing'} →{' '}
            {h.version ? `v${h.version.version}` : 'removed'}
          </li>
        ))}
      </ol>
    </>
  );
}

function Deployments({ model }: { model: Model }) {
  const deployments = edges(model.activeDeployments);
  return (
    <Section title="Deployments">
      {deployments.length === 0 ? <p className="muted">Nothing deployed.</p> : null}
      <ul className="plain">
        {deployments.map((d) => (
          <li key={d.id}>
            <strong>{d.environment}</strong> {d.strategy} {d.trafficPercent}% →{' '}
            <Link to={`/versions/${d.version.id}`}>v{d.version.version}</Link>{' '}
            <span className="muted">
              {d.endpoint} · {d.status} since {when(d.createdAt)}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Policy({ model }: { model: Model }) {
  const policy = model.effectivePolicy;
  return (
    <Section title="Effective policy">
      <dl className="pairs">
        <dt>From</dt>
        <dd>
          {policy.source ? `${policy.source.scope} ${policy.source.scopeKey} (version ${policy.source.version})` : 'built-in defaults'}
        </dd>
        <dt>Required checks</dt>
        <dd>{policy.requiredChecks.join(', ') || 'none'}</dd>
        <dt>Validation valid for</dt>
        <dd>{policy.maxValidationAgeHours} h</dd>
        <dt>Approvals</dt>
        <dd>
          {policy.stagingApprovals} for staging, {policy.productionApprovals} for production, by {policy.approverRole}
        </dd>
        <dt>Separation of duties</dt>
        <dd>{policy.separationOfDuties ? 'yes: the author cannot approve' : 'no'}</dd>
      </dl>
    </Section>
  );
}

/** Every access level, ranked (the schema's order). */
const LEVELS: readonly AccessLevel[] = AccessLevelValues;

function Access({ modelId, canGrant }: { modelId: string; canGrant: boolean }) {
  const { data, error, reload } = useQuery(ConsoleAccessDocument, { id: modelId });
  const [actionError, setActionError] = useState<ApiError>();
  const [grantee, setGrantee] = useState('');
  const [level, setLevel] = useState<AccessLevel>('VIEW');
  const [pattern, setPattern] = useState('');
  const act = async (run: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await run();
      reload();
    } catch (err) {
      setActionError(toApiError(err));
    }
  };
  const teams = edges(data?.teams);
  const teamName = (id: string | null | undefined) => teams.find((t) => t.id === id)?.name ?? id;
  const grant = (event: FormEvent) => {
    event.preventDefault();
    const team = teams.find((t) => t.name === grantee.replace(/^team:/, ''));
    const who = grantee.startsWith('team:') && team ? { teamId: team.id } : { subject: grantee };
    void act(() => gql(ConsoleGrantAccessDocument, { input: { modelId, level, ...who } }));
  };
  const protect = (event: FormEvent) => {
    event.preventDefault();
    void act(() => gql(ConsoleProtectAliasDocument, { input: { modelId, pattern } }));
  };
  return (
    <Section title="Access">
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Level</th>
            <th scope="col">Scope</th>
            <th scope="col">Granted by</th>
            {canGrant ? (
              <th scope="col">
                <span className="visually-hidden">Revoke</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {data?.accessOf.grants.map((g) => (
            <tr key={g.id}>
              <td>{g.subject ?? `team ${teamName(g.teamId)}`}</td>
              <td>{g.level}</td>
              <td>{g.modelId ? 'this model' : 'all models'}</td>
              <td>
                {g.createdBy} {when(g.createdAt)}
              </td>
              {canGrant ? (
                <td>
                  {g.modelId ? (
                    <button type="button" onClick={() => void act(() => gql(ConsoleRevokeAccessDocument, { input: { grantId: g.id } }))}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Protected aliases</h3>
      {data && data.accessOf.protectedAliases.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="plain">
        {data?.accessOf.protectedAliases.map((a) => (
          <li key={a.id}>
            <code>{a.pattern}</code>{' '}
            <span className="muted">
              ({a.modelId ? 'this model' : 'all models'}, by {a.createdBy})
            </span>
          </li>
        ))}
      </ul>
      {canGrant ? (
        <>
          <form className="inline" onSubmit={grant} aria-label="Grant access">
            <label>
              Subject or team:name <input value={grantee} onChange={(e) => setGrantee(e.target.value)} required />
            </label>
            <label>
              Level
              <select value={level} onChange={(e) => setLevel(e.target.value as AccessLevel)}>
                {LEVELS.map((l) => (
                  <option key={l}>{l}</option>
                ))}
              </select>
            </label>
            <button type="submit">Grant</button>
          </form>
          <form className="inline" onSubmit={protect} aria-label="Protect an alias">
            <label>
              Alias pattern <input value={pattern} onChange={(e) => setPattern(e.target.value)} required placeholder="prod*" />
            </label>
            <button type="submit">Protect</button>
          </form>
        </>
      ) : (
        <p className="muted">Your access does not include granting: this is read-only.</p>
      )}
      <ErrorMessage error={actionError} />
    </Section>
  );
}
