import { useState, type FormEvent } from 'react';
import { useQuery } from '../api';
import { ErrorMessage, Loading, Section, edges, when } from '../components/common';
import { ConsoleAuditChainDocument, ConsoleAuditDocument, type AuditEventFilter } from '../generated/graphql';
import { Link, navigate, withParams, type Location } from '../router';

const PAGE = 50;
const FIELDS = [
  ['model', 'Model id'],
  ['subject', 'Subject id'],
  ['action', 'Action'],
  ['actor', 'Actor'],
  ['since', 'Since (ISO time)'],
  ['until', 'Until (ISO time)'],
] as const;

export function AuditPage({ location }: { location: Location }) {
  const p = location.params;
  const filter: AuditEventFilter = {
    modelId: p.get('model') || undefined,
    subjectId: p.get('subject') || undefined,
    action: p.get('action') || undefined,
    actor: p.get('actor') || undefined,
    since: p.get('since') || undefined,
    until: p.get('until') || undefined,
  };
  const { data, error } = useQuery(ConsoleAuditDocument, { first: PAGE, after: p.get('after') || undefined, filter });
  return (
    <>
      <h1>Audit trail</h1>
      <Chain />
      <Filters location={location} />
      <ErrorMessage error={error} />
      {!data && !error ? <Loading what="the audit trail" /> : null}
      {data ? (
        <>
          <p className="muted">{data.auditEvents.totalCount} events, newest first</p>
          <ol className="timeline">
            {edges(data.auditEvents).map((e) => (
              <li key={e.seq}>
                <div className="timeline-head">
                  <span className="seq">#{e.seq}</span> <strong>{e.action}</strong> by {e.actor}{' '}
                  <span className="muted">{when(e.occurredAt)}</span>
                </div>
                <div className="muted">
                  {e.subjectType} <code>{e.subjectId}</code>
                  {e.modelId ? (
                    <>
                      {' '}
                      · <Link to={`/models/${e.modelId}`}>model</Link>
                    </>
                  ) : null}
                  {e.requestId ? ` · request ${e.requestId}` : ''} · hash <code>{e.hash.slice(0, 16)}…</code>
                </div>
                <details>
                  <summary>Payload</summary>
                  <pre>{JSON.stringify(e.payload, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ol>
          <nav className="pager" aria-label="Pages">
            {p.get('after') ? <Link to={withParams(location, { after: null })}>Newest</Link> : null}
            {data.auditEvents.pageInfo.hasNextPage ? (
              <Link to={withParams(location, { after: data.auditEvents.pageInfo.endCursor })}>Older</Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </>
  );
}

function Chain() {
  const { data, error, loading, reload } = useQuery(ConsoleAuditChainDocument, {});
  const chain = data?.verifyAuditChain;
  return (
    <Section
      title="Chain verification"
      actions={
        <button type="button" onClick={reload} disabled={loading}>
          Verify again
        </button>
      }
    >
      <ErrorMessage error={error} />
      {chain ? (
        <p className={chain.ok ? 'ok' : 'bad'} data-testid="chain-status">
          {chain.ok
            ? `✔ The chain holds: ${chain.eventsChecked} events re-hashed${chain.checkpointSeq ? `, consistent with the signed checkpoint at #${chain.checkpointSeq}` : ''}.`
            : `✘ The chain is broken at #${chain.firstBrokenSeq}: ${chain.reason}`}
          {chain.acknowledgedBreaks.length ? ` Acknowledged breaks: ${chain.acknowledgedBreaks.join(', ')}.` : ''}
        </p>
      ) : (
        <Loading what="the verification" />
      )}
      <h3>Signed checkpoints</h3>
      {data && data.auditCheckpoints.length === 0 ? <p className="muted">No checkpoints yet.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">At event</th>
            <th scope="col">Signed</th>
            <th scope="col">Key</th>
            <th scope="col">Signature</th>
          </tr>
        </thead>
        <tbody>
          {data?.auditCheckpoints.map((c) => (
            <tr key={c.seq + c.signedAt}>
              <td>#{c.seq}</td>
              <td>{when(c.signedAt)}</td>
              <td>
                <code>{c.keyFingerprint}</code>
              </td>
              <td className={c.trusted ? 'ok' : 'bad'}>{c.trusted ? '✔ verifies with the server key' : '✘ does not verify'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Filters({ location }: { location: Location }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map(([k]) => [k, location.params.get(k) ?? ''])),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(withParams(location, { ...values, after: null }));
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter the audit trail">
      {FIELDS.map(([key, label]) => (
        <label key={key}>
          {label} <input value={values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
        </label>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}
