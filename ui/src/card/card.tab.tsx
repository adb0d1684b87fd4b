import { useState, type FormEvent } from 'react';
import { ApiError, downloadWithToken, gql, toApiError, useQuery } from '../api';
import { ErrorMessage, Loading, Section, StageBadge, Verdict, edges, when } from '../components/common';
import {
  ConsoleModelCardDocument,
  ConsoleUpdateModelCardDocument,
  type AccessRight,
  type ConsoleModelCardQuery,
  type ModelCardSection,
} from '../generated/graphql';
import { SECTIONS, emptyRow, errorInputId, inputId, toDraft, toInput, type Draft, type SectionSpec } from './card.rules';

type Card = ConsoleModelCardQuery['modelCard'];

/**
 * A version's model card: the completeness the policy asks for, the links to its Markdown, HTML and AI BOM, each
 * people-written section with its editor, time and staleness (editable with EDIT_CARD), and the registry's facts.
 */
export function CardTab({ versionId, rights }: { versionId: string; rights: AccessRight[] | undefined }) {
  const { data, error, reload } = useQuery(ConsoleModelCardDocument, { versionId });
  const [editing, setEditing] = useState<ModelCardSection | null>(null);
  if (error && !data) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the model card" />;
  const card = data.modelCard;
  const canEdit = rights?.includes('EDIT_CARD') ?? false;
  return (
    <>
      <Summary card={card} />
      {rights && !canEdit ? <p className="muted">Your access to this model does not allow editing its card (EDIT_CARD).</p> : null}
      {SECTIONS.map((spec) => (
        <CardSection
          key={spec.section}
          spec={spec}
          card={card}
          canEdit={canEdit}
          editing={editing === spec.section}
          onEdit={(open) => setEditing(open ? spec.section : null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
          reload={reload}
        />
      ))}
      <Facts card={card} />
    </>
  );
}

function Summary({ card }: { card: Card }) {
  const c = card.completeness;
  const [error, setError] = useState<ApiError>();
  const base = `/models/${encodeURIComponent(card.model.name)}/versions/${card.version.version}`;
  const download = (file: string) => {
    setError(undefined);
    downloadWithToken(`${base}/${file}`, `${card.model.name}-v${card.version.version}.${file}`).catch((err) => setError(toApiError(err)));
  };
  const state = (s: ModelCardSection) => (c.missing.includes(s) ? 'missing' : c.stale.includes(s) ? 'stale' : 'written');
  return (
    <Section
      title="Model card"
      actions={
        <div className="inline">
          {['card.md', 'card.html', 'bom.cdx.json'].map((file) => (
            <button key={file} type="button" onClick={() => download(file)}>
              Download {file}
            </button>
          ))}
        </div>
      }
    >
      <p data-testid="card-completeness">
        {c.required.length === 0 ? (
          <span className="ok">The policy asks for no section of a {card.model.riskTier} risk model&apos;s card.</span>
        ) : c.complete ? (
          <span className="ok">
            ✔ Complete: the {c.required.length} sections a {card.model.riskTier} risk model needs from {c.gateStage} on are written.
          </span>
        ) : (
          <span className="bad">
            ✘ Incomplete: {c.missing.length} of the {c.required.length} sections a {card.model.riskTier} risk model needs from {c.gateStage}{' '}
            on {c.missing.length === 1 ? 'is' : 'are'} missing (MODEL_CARD_COMPLETE).
          </span>
        )}{' '}
        <span className="muted">
          {card.carriedFromVersion !== null && card.carriedFromVersion !== undefined
            ? `Carried from version ${card.carriedFromVersion}'s card (this version's first edit makes its own)`
            : `Revision ${card.revision}`}
          {card.updatedBy ? `, last edited by ${card.updatedBy} ${when(card.updatedAt)}` : ', never edited'}.
          {card.newestValidationAt ? ` Sections edited before the newest validation (${when(card.newestValidationAt)}) are stale` : ''}
          {card.newestValidationAt ? (c.staleIsMissing ? ' and count as missing.' : '.') : ''}
        </span>
      </p>
      {c.required.length ? (
        <ul className="plain completeness">
          {c.required.map((s) => (
            <li key={s}>
              <span className={state(s) === 'written' ? 'ok' : 'bad'}>
                {state(s) === 'written' ? '✔' : state(s) === 'stale' ? '⚠' : '✘'} {title(s)}
              </span>{' '}
              <span className="muted">{state(s)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorMessage error={error} />
    </Section>
  );
}

function title(section: ModelCardSection): string {
  return SECTIONS.find((s) => s.section === section)?.title ?? section;
}

function CardSection(props: {
  spec: SectionSpec;
  card: Card;
  canEdit: boolean;
  editing: boolean;
  onEdit: (open: boolean) => void;
  onSaved: () => void;
  reload: () => void;
}) {
  const { spec, card, canEdit, editing, onEdit } = props;
  const state = card.sections.find((s) => s.section === spec.section);
  const required = card.completeness.required.includes(spec.section);
  const id = `card-section-${spec.field}`;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>
          {spec.title}
          {required ? <span className="badge badge-development">required</span> : null}
          {state?.stale ? <span className="badge badge-bad">stale</span> : null}
        </h2>
        {canEdit && !editing ? (
          <button type="button" onClick={() => onEdit(true)} aria-label={`Edit ${spec.title}`}>
            Edit
          </button>
        ) : null}
      </div>
      <SectionContent spec={spec} card={card} />
      <p className="muted">
        {state?.written
          ? `Edited by ${state.editedBy ?? '—'} ${when(state.editedAt)}${state.stale ? ': before the newest validation, so stale' : ''}.`
          : 'Not written.'}
      </p>
      {editing ? <SectionForm {...props} /> : null}
    </section>
  );
}

function SectionContent({ spec, card }: { spec: SectionSpec; card: Card }) {
  const value = (card as unknown as Record<string, unknown>)[spec.field];
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return null;
  if (spec.kind === 'strings')
    return (
      <ul>
        {(value as string[]).map((v, i) => (
          <li key={i}>{v}</li>
        ))}
      </ul>
    );
  if (spec.kind === 'entries') {
    const rows = value as Array<Record<string, unknown>>;
    return (
      <table>
        <thead>
          <tr>
            {spec.fields!.map((f) => (
              <th key={f.key} scope="col">
                {f.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {spec.fields!.map((f) => (
                <td key={f.key}>{row[f.key] === null || row[f.key] === undefined ? '—' : String(row[f.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <p className="card-text">{String(value)}</p>;
}

function SectionForm({ spec, card, onEdit, onSaved, reload }: Parameters<typeof CardSection>[0]) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(spec, card as unknown as Record<string, unknown>));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setFieldErrors({});
    const built = toInput(spec, draft);
    if ('errors' in built) {
      setFieldErrors(built.errors);
      return;
    }
    setSaving(true);
    try {
      await gql(ConsoleUpdateModelCardDocument, {
        input: { versionId: card.versionId, expectedRevision: card.revision, sections: built.input },
      });
      onSaved();
    } catch (err) {
      const apiError = toApiError(err);
      const at = apiError.code === 'BAD_USER_INPUT' ? errorInputId(spec, apiError.details.field, built.rows) : null;
      if (at) setFieldErrors({ [at]: apiError.message });
      setError(apiError);
    } finally {
      setSaving(false);
    }
  };
  const field = (id: string, label: string, kind: 'text' | 'textarea' | 'number', value: string, set: (v: string) => void) => {
    const invalid = fieldErrors[id];
    const common = {
      id,
      value,
      'aria-invalid': invalid ? true : undefined,
      'aria-describedby': invalid ? `${id}-error` : undefined,
    };
    return (
      <div className="card-field" key={id}>
        <label htmlFor={id}>{label}</label>
        {kind === 'textarea' ? (
          <textarea {...common} rows={2} onChange={(e) => set(e.target.value)} />
        ) : (
          <input {...common} type="text" inputMode={kind === 'number' ? 'decimal' : undefined} onChange={(e) => set(e.target.value)} />
        )}
        {invalid ? (
          <span className="field-error" id={`${id}-error`}>
            {invalid}
          </span>
        ) : null}
      </div>
    );
  };
  const setRow = (i: number, key: string, v: string) =>
    setDraft((d) => ('rows' in d ? { rows: d.rows.map((r, j) => (j === i ? { ...r, [key]: v } : r)) } : d));
  return (
    <form onSubmit={(e) => void save(e)} aria-label={`Edit ${spec.title}`} className="card-form">
      {'text' in draft ? (
        spec.kind === 'choice' ? (
          <div className="card-field">
            <label htmlFor={inputId(spec)}>{spec.title}</label>
            <select
              id={inputId(spec)}
              value={draft.text}
              aria-invalid={fieldErrors[inputId(spec)] ? true : undefined}
              aria-describedby={fieldErrors[inputId(spec)] ? `${inputId(spec)}-error` : undefined}
              onChange={(e) => setDraft({ text: e.target.value })}
            >
              <option value="">(none)</option>
              {spec.choices!.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
            {fieldErrors[inputId(spec)] ? (
              <span className="field-error" id={`${inputId(spec)}-error`}>
                {fieldErrors[inputId(spec)]}
              </span>
            ) : null}
          </div>
        ) : (
          field(inputId(spec), spec.title, spec.kind === 'longtext' ? 'textarea' : 'text', draft.text, (v) => setDraft({ text: v }))
        )
      ) : (
        draft.rows.map((row, i) => (
          <fieldset key={i} className="card-entry">
            <legend>
              {spec.kind === 'strings' ? 'Entry' : spec.title.replace(/s$/, '')} {i + 1}
            </legend>
            {spec.kind === 'strings'
              ? field(inputId(spec, i, 'entry'), `${spec.title} ${i + 1}`, 'textarea', row.entry, (v) => setRow(i, 'entry', v))
              : spec.fields!.map((f) => field(inputId(spec, i, f.key), f.label, f.kind, row[f.key], (v) => setRow(i, f.key, v)))}
            <button
              type="button"
              onClick={() => setDraft((d) => ('rows' in d ? { rows: d.rows.filter((_, j) => j !== i) } : d))}
              aria-label={`Remove entry ${i + 1}`}
            >
              Remove
            </button>
          </fieldset>
        ))
      )}
      <div className="actions">
        {'rows' in draft ? (
          <button type="button" onClick={() => setDraft((d) => ('rows' in d ? { rows: [...d.rows, emptyRow(spec)] } : d))}>
            Add an entry
          </button>
        ) : null}
        <button type="submit" disabled={saving}>
          Save {spec.title.toLowerCase()}
        </button>
        <button type="button" onClick={() => onEdit(false)}>
          Cancel
        </button>
      </div>
      {error?.code === 'CONFLICT' ? (
        <div className="error" role="alert">
          <strong>CONFLICT</strong>: {error.message}. Someone edited this card since you opened it: reload it to see their edit (your draft
          is kept), then save again.{' '}
          <button
            type="button"
            onClick={() => {
              setError(undefined);
              reload();
            }}
          >
            Reload the card
          </button>
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
    </form>
  );
}

/** What the registry fills in: not edited here, read from the version itself. */
function Facts({ card }: { card: Card }) {
  const v = card.version;
  const deployments = edges(v.deployments);
  return (
    <Section title="Filled by the registry">
      <dl className="pairs">
        <dt>Model</dt>
        <dd>
          {card.model.name} v{v.version} <StageBadge stage={v.stage} /> · owner {card.model.owner} · risk tier {card.model.riskTier}
        </dd>
        <dt>Code</dt>
        <dd>
          {v.reproducibility.code.repo} @ <code>{v.reproducibility.code.commit}</code>
        </dd>
        <dt>Datasets</dt>
        <dd>{v.reproducibility.datasetVersions.join(', ') || '—'}</dd>
        <dt>Validation</dt>
        <dd>
          <Verdict passed={v.latestValidation?.passed} /> {v.latestValidation ? when(v.latestValidation.createdAt) : ''}
        </dd>
        <dt>Approvals</dt>
        <dd>{v.approvals.totalCount}</dd>
        <dt>Artifact</dt>
        <dd>
          {v.artifact.status} <code className="digest">{v.artifact.sha256 ?? '—'}</code> · scan {v.artifact.scan.verdict ?? 'not scanned'}
        </dd>
        <dt>Signatures</dt>
        <dd>{v.signatures.totalCount}</dd>
        <dt>Deployments</dt>
        <dd>{deployments.length ? deployments.map((d) => `${d.environment} ${d.status} ${d.trafficPercent}%`).join(', ') : 'none'}</dd>
        <dt>Open alerts</dt>
        <dd>{card.openAlerts}</dd>
      </dl>
    </Section>
  );
}
