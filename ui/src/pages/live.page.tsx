import { useEffect, useState } from 'react';
import { gql, toApiError, type ApiError } from '../api';
import { ErrorMessage, Section, when } from '../components/common';
import {
  ConsoleAuditDocument,
  ConsoleDriftAlertsDocument,
  ConsoleLifecycleEventsDocument,
  EventKindValues,
  type ConsoleDriftAlertsSubscription,
  type ConsoleLifecycleEventsSubscription,
  type EventKind,
} from '../generated/graphql';
import { cursorAt, liveClient, resumableSubscription, type LinkStatus } from '../live/resumable';
import { Link, navigate, withParams, type Location } from '../router';

type LifecycleEvent = ConsoleLifecycleEventsSubscription['lifecycleEvents'];
type AlertEvent = ConsoleDriftAlertsSubscription['driftAlerts'];

const KEEP = 200;
/** Every kind of lifecycle event the schema has. */
const KINDS: readonly EventKind[] = EventKindValues;

export function LivePage({ location }: { location: Location }) {
  const kinds = (location.params.get('kinds') ?? '').split(',').filter(Boolean) as EventKind[];
  const [status, setStatus] = useState<LinkStatus>('connecting');
  const [events, setEvents] = useState<LifecycleEvent[]>([]);
  const [alerts, setAlerts] = useState<AlertEvent[]>([]);
  const [error, setError] = useState<ApiError>();
  const kindsKey = kinds.join(',');

  useEffect(() => {
    let stops: Array<() => void> = [];
    let cancelled = false;
    const client = liveClient(setStatus);
    // Start from the head of the log, so that a drop before the first event still replays what was missed.
    gql(ConsoleAuditDocument, { first: 1 })
      .then((d) => d.auditEvents.edges[0]?.node.seq ?? 0)
      .then(
        (head) => {
          if (cancelled) return;
          const onError = (message: string) => setError(toApiError(new Error(message)));
          const filter = kindsKey ? { kinds: kindsKey.split(',') } : undefined;
          stops = [
            resumableSubscription<LifecycleEvent>(
              client,
              ConsoleLifecycleEventsDocument.toString(),
              (after) => ({ after, filter }),
              cursorAt(head),
              (e) => e.cursor,
              (e) => setEvents((list) => (list.some((x) => x.cursor === e.cursor) ? list : [e, ...list].slice(0, KEEP))),
              onError,
            ),
            resumableSubscription<AlertEvent>(
              client,
              ConsoleDriftAlertsDocument.toString(),
              (after) => ({ after }),
              cursorAt(head),
              (e) => e.cursor,
              (e) => setAlerts((list) => (list.some((x) => x.cursor === e.cursor) ? list : [e, ...list].slice(0, KEEP))),
              onError,
            ),
          ];
        },
        (err) => setError(toApiError(err)),
      );
    return () => {
      cancelled = true;
      stops.forEach((stop) => stop());
      void client.dispose();
    };
  }, [kindsKey]);

  const toggle = (kind: EventKind) => {
    const next = kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind];
    navigate(withParams(location, { kinds: next.join(',') }), true);
  };

  return (
    <>
      <h1>Live</h1>
      <p>
        <span className={`status status-${status}`} role="status" data-testid="live-status">
          {status === 'live' ? '● live' : status === 'connecting' ? '○ connecting…' : '◌ reconnecting: will resume where it stopped'}
        </span>
      </p>
      <fieldset className="inline">
        <legend>Only these kinds (none: every kind)</legend>
        {KINDS.map((k) => (
          <label key={k}>
            <input type="checkbox" checked={kinds.includes(k)} onChange={() => toggle(k)} /> {k}
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={error} />
      <div className="columns">
        <Section title="Lifecycle events">
          {events.length === 0 ? <p className="muted">Waiting for events…</p> : null}
          <ol className="timeline" aria-live="polite" data-testid="live-events">
            {events.map((e) => (
              <li key={e.cursor}>
                <span className="seq">#{e.seq}</span> <strong>{e.kind}</strong> {e.action} by {e.actor}{' '}
                <span className="muted">{when(e.occurredAt)}</span>
                <div className="muted">
                  {e.subjectType}{' '}
                  {e.subjectType === 'ModelVersion' ? (
                    <Link to={`/versions/${e.subjectId}`}>{e.subjectId}</Link>
                  ) : (
                    <code>{e.subjectId}</code>
                  )}
                </div>
              </li>
            ))}
          </ol>
        </Section>
        <Section title="Alerts">
          {alerts.length === 0 ? <p className="muted">No alerts since the page opened.</p> : null}
          <ol className="timeline" aria-live="polite">
            {alerts.map((a) => (
              <li key={a.cursor}>
                <strong className={a.alert.severity === 'CRITICAL' ? 'bad' : undefined}>{a.alert.severity}</strong> {a.alert.kind} (
                {a.change.toLowerCase()}) on <Link to={`/models/${a.alert.model.id}`}>{a.alert.model.name}</Link>: {a.alert.summary}
              </li>
            ))}
          </ol>
        </Section>
      </div>
    </>
  );
}
