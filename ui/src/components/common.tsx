import type { ReactNode } from 'react';
import type { ApiError } from '../api';
import { StageValues, type Stage } from '../generated/graphql';

/** The API's own words and code, never a paraphrase: what a user would quote in a ticket. */
export function ErrorMessage({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{error.code}</strong>: {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = 'section-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <section aria-labelledby={id} className="card">
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Every lifecycle stage, in lifecycle order (the schema's): the options of the stage filters. */
export const STAGES: readonly Stage[] = StageValues;

const STAGE_CLASS: Record<Stage, string> = {
  PRODUCTION: 'badge-production',
  STAGING: 'badge-staging',
  DEVELOPMENT: 'badge-development',
  ARCHIVED: 'badge-muted',
  RETIRED: 'badge-muted',
  REJECTED: 'badge-bad',
};

export function StageBadge({ stage }: { stage: string }) {
  return <span className={'badge ' + (STAGE_CLASS[stage as Stage] ?? '')}>{stage}</span>;
}

export function Verdict({ passed }: { passed: boolean | null | undefined }) {
  if (passed === null || passed === undefined) return <span className="muted">not validated</span>;
  return <span className={passed ? 'ok' : 'bad'}>{passed ? '✔ passed' : '✘ failed'}</span>;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function edges<T>(connection: { edges: Array<{ node: T }> } | null | undefined): T[] {
  return connection?.edges.map((e) => e.node) ?? [];
}
