import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { ApiError, downloadArtifact, gql, toApiError, useQuery } from '../api';
import { SeriesChart, type Series } from '../components/charts';
import { CardTab } from '../card/card.tab';
import { lastBySeries } from '../compare/compare.rules';
import { ErrorMessage, Loading, Section, StageBadge, Verdict, bytes, edges, when } from '../components/common';
import {
  ConsoleApprovalChallengeDocument,
  ConsoleApproveDocument,
  ConsoleMetricAcrossVersionsDocument,
  ConsoleMetricHistoryDocument,
  ConsoleReadinessDocument,
  ConsoleRollbackDocument,
  ConsoleScanDetailsDocument,
  ConsoleTransitionDocument,
  ConsoleValidateDocument,
  ConsoleVersionAccessDocument,
  ConsoleVersionDocument,
  type AccessRight,
  type ConsoleVersionQuery,
  type MetricSource,
  type Stage,
} from '../generated/graphql';
import { Link, navigate, withParams, type Location } from '../router';

type Version = NonNullable<ConsoleVersionQuery['modelVersion']>;

const NEXT: Partial<Record<Stage, Stage>> = { DEVELOPMENT: 'STAGING', STAGING: 'PRODUCTION', PRODUCTION: 'ARCHIVED' };
const MOVES: Stage[] = ['STAGING', 'PRODUCTION', 'ARCHIVED', 'REJECTED', 'DEVELOPMENT'];

export function VersionPage({ id, location }: { id: string; location: Location }) {
  const { data, error, reload } = useQuery(ConsoleVersionDocument, { id });
  const version = data?.modelVersion;
  const access = useQuery(ConsoleVersionAccessDocument, { modelId: version?.model.id ?? '' }, !version);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the version" />;
  if (!version) return <ErrorMessage error={new ApiError(`no model version ${id}`, 'NOT_FOUND')} />;
  const rights = access.data?.myAccess.rights ?? [];
  return (
    <>
      <p className="crumbs">
        <Link to="/models">Models</Link> / <Link to={`/models/${version.model.id}`}>{version.model.name}</Link>
      </p>
      <h1>
        {version.model.name} v{version.version} <StageBadge stage={version.stage} />
      </h1>
      <p className="muted">
        {version.description || 'No description.'} Registered by {version.createdBy} {when(version.createdAt)}
        {version.label ? ` · label ${version.label}` : ''}
        {edges(version.aliases).map((a) => ` · @${a.name}`)} · <Link to={`/lineage/${version.id}`}>lineage</Link>
      </p>
      <VersionTabs location={location} />
      {location.params.get('tab') === 'card' ? (
        <CardTab versionId={version.id} rights={access.data?.myAccess.rights} />
      ) : (
        <>
          <Actions version={version} rights={rights} onChanged={reload} />
          <Readiness version={version} location={location} />
          <div className="columns">
            <Reproducibility version={version} />
            <ArtifactSection version={version} />
          </div>
          <ArtifactFiles version={version} />
          <Metrics version={version} location={location} />
          <Validation version={version} />
          <div className="columns">
            <Approvals version={version} />
            <StageHistory version={version} />
          </div>
        </>
      )}
    </>
  );
}

/** The version's views, each an address: `?tab=card` is its model card. */
function VersionTabs({ location }: { location: Location }) {
  const card = location.params.get('tab') === 'card';
  return (
    <nav className="tabs" aria-label="Version views">
      <Link to={withParams(location, { tab: null })} aria-current={card ? undefined : 'page'}>
        Overview
      </Link>
      <Link to={withParams(location, { tab: 'card' })} aria-current={card ? 'page' : undefined}>
        Card
      </Link>
    </nav>
  );
}

function Actions({ version, rights, onChanged }: { version: Version; rights: AccessRight[]; onChanged: () => void }) {
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState('');
  const [toStage, setToStage] = useState<Stage>(NEXT[version.stage] ?? 'ARCHIVED');
  const [reason, setReason] = useState('');
  const [approvalStage, setApprovalStage] = useState<Stage>(NEXT[version.stage] ?? 'STAGING');
  const [challenge, setChallenge] = useState<{ message: string; signedAt: string } | null>(null);
  const [signature, setSignature] = useState('');
  const run = async (what: string, action: () => Promise<unknown>) => {
    setError(undefined);
    setDone('');
    try {
      await action();
      setDone(what);
      onChanged();
    } catch (err) {
      setError(toApiError(err));
    }
  };
  const canMove = rights.includes('MOVE_TO_STAGING') || rights.includes('MOVE_BEYOND_STAGING');
  const transition = (event: FormEvent) => {
    event.preventDefault();
    void run(`moved to ${toStage}`, () =>
      gql(ConsoleTransitionDocument, {
        input: { versionId: version.id, toStage, expectedStage: version.stage, reason: reason || undefined },
      }),
    );
  };
  const askChallenge = () =>
    run('challenge issued: sign the message with your approver key', async () => {
      const answer = await gql(ConsoleApprovalChallengeDocument, {
        input: { versionId: version.id, targetStage: approvalStage, decision: 'APPROVED' },
      });
      setChallenge(answer.approvalChallenge);
    });
  const approve = (event: FormEvent) => {
    event.preventDefault();
    if (!challenge) return;
    void run('approval recorded', async () => {
      await gql(ConsoleApproveDocument, {
        input: { versionId: version.id, targetStage: approvalStage, signedAt: challenge.signedAt, signature: signature.trim() },
      });
      setChallenge(null);
      setSignature('');
    });
  };
  const allowed = ['VALIDATE', 'MOVE_TO_STAGING', 'MOVE_BEYOND_STAGING', 'APPROVE', 'ROLL_BACK'].filter((r) =>
    rights.includes(r as AccessRight),
  );
  return (
    <Section title="Actions">
      {allowed.length === 0 ? <p className="muted">Your access to this model allows no lifecycle actions.</p> : null}
      <div className="actions">
        {rights.includes('VALIDATE') ? (
          <button
            type="button"
            onClick={() => void run('validated', () => gql(ConsoleValidateDocument, { input: { versionId: version.id } }))}
          >
            Validate
          </button>
        ) : null}
        {canMove ? (
          <form className="inline" onSubmit={transition} aria-label="Move to a stage">
            <label>
              Move to
              <select value={toStage} onChange={(e) => setToStage(e.target.value as Stage)}>
                {MOVES.filter((s) => s !== version.stage).map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label>
              Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button type="submit">Move</button>
          </form>
        ) : null}
        {rights.includes('ROLL_BACK') && version.stage === 'PRODUCTION' ? (
          <button
            type="button"
            onClick={() => void run('rolled back', () => gql(ConsoleRollbackDocument, { input: { modelId: version.model.id } }))}
          >
            Roll back the model
          </button>
        ) : null}
      </div>
      {rights.includes('APPROVE') ? (
        <div className="approve">
          <div className="inline">
            <label>
              Approve for
              <select value={approvalStage} onChange={(e) => setApprovalStage(e.target.value as Stage)}>
                <option>STAGING</option>
                <option>PRODUCTION</option>
              </select>
            </label>
            <button type="button" onClick={() => void askChallenge()}>
              Get the message to sign
            </button>
          </div>
          {challenge ? (
            <form onSubmit={approve} aria-label="Approve with a signature">
              <label htmlFor="challenge">Message to sign with your Ed25519 approver key</label>
              <textarea id="challenge" readOnly value={challenge.message} rows={3} />
              <label htmlFor="signature">Signature (base64)</label>
              <textarea id="signature" value={signature} onChange={(e) => setSignature(e.target.value)} rows={2} required />
              <button type="submit">Approve</button>
            </form>
          ) : null}
        </div>
      ) : null}
      {done ? (
        <p className="ok" role="status">
          Done: {done}.
        </p>
      ) : null}
      <ErrorMessage error={error} />
    </Section>
  );
}

function Readiness({ version, location }: { version: Version; location: Location }) {
  const target = (location.params.get('target') as Stage) || NEXT[version.stage];
  const { data, error } = useQuery(ConsoleReadinessDocument, { versionId: version.id, targetStage: target ?? 'STAGING' }, !target);
  if (!target) return null;
  const r = data?.promotionReadiness;
  return (
    <Section
      title="Promotion readiness"
      actions={
        <label>
          Towards{' '}
          <select value={target} onChange={(e) => navigate(withParams(location, { target: e.target.value }), true)}>
            {['STAGING', 'PRODUCTION', 'ARCHIVED'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorMessage error={error} />
      {r ? (
        <>
          <p>
            {r.ready ? (
              <span className="ok">Ready to move to {r.targetStage}.</span>
            ) : (
              <span className="bad">Not ready for {r.targetStage}.</span>
            )}{' '}
            {r.moveAllowed ? '' : 'This move is not in the lifecycle. '}
            {r.permitted ? '' : `You are not permitted: ${r.permission}.`}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Gate</th>
                <th scope="col">Result</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {r.gates.map((g) => (
                <tr key={g.gate}>
                  <td>{g.gate}</td>
                  <td>
                    <Verdict passed={g.passed} />
                  </td>
                  <td>{g.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Section>
  );
}

function Reproducibility({ version }: { version: Version }) {
  const r = version.reproducibility;
  return (
    <Section title="Reproducibility">
      <dl className="pairs">
        <dt>Code</dt>
        <dd>
          {r.code.repo} @ <code>{r.code.commit}</code>
        </dd>
        <dt>Datasets</dt>
        <dd>{r.datasetVersions.join(', ') || '—'}</dd>
        <dt>Image</dt>
        <dd>
          <code>{r.environment.imageDigest ?? '—'}</code>
        </dd>
        <dt>Package lock</dt>
        <dd>
          <code>{r.environment.packageLock ?? '—'}</code>
        </dd>
        <dt>Random seed</dt>
        <dd>{r.randomSeed ?? '—'}</dd>
        <dt>Training run</dt>
        <dd>{r.trainingRunId ?? '—'}</dd>
        <dt>Hyperparameters</dt>
        <dd>
          <code>{JSON.stringify(r.hyperparameters)}</code>
        </dd>
      </dl>
    </Section>
  );
}

function ArtifactSection({ version }: { version: Version }) {
  const a = version.artifact;
  const [error, setError] = useState<ApiError>();
  const [findings, setFindings] = useState(false);
  const single = a.layout === 'FILE' ? edges(a.files)[0] : undefined;
  const download = () => {
    setError(undefined);
    downloadArtifact(version.id, `${version.model.name}-v${version.version}.${a.format.toLowerCase()}`).catch((err) =>
      setError(toApiError(err)),
    );
  };
  return (
    <Section title="Artifact">
      <dl className="pairs">
        <dt>Status</dt>
        <dd>{a.status}</dd>
        <dt>Format</dt>
        <dd>{a.format}</dd>
        <dt>Size</dt>
        <dd>{bytes(a.sizeBytes)}</dd>
        {a.layout === 'FOLDER' ? (
          <>
            <dt>Files</dt>
            <dd>{a.files.totalCount}</dd>
          </>
        ) : null}
        <dt>{a.layout === 'FOLDER' ? 'Root digest' : 'SHA-256'}</dt>
        <dd>
          <code className="digest">{a.sha256 ?? '—'}</code>
        </dd>
        <dt>Stored at</dt>
        <dd>
          <code>{a.sourceUri ?? a.storagePath}</code>
        </dd>
        <dt>Verified</dt>
        <dd>{when(a.verifiedAt)}</dd>
        <dt>Scan</dt>
        <dd>
          <ScanVerdict verdict={a.scan.verdict} /> <span className="muted">{scanSummary(a.scan)}</span>
        </dd>
        {a.failureReason ? (
          <>
            <dt>Failure</dt>
            <dd className="bad">{a.failureReason}</dd>
          </>
        ) : null}
      </dl>
      {a.status === 'READY' && !a.sourceUri && a.layout === 'FILE' ? (
        <button type="button" onClick={download}>
          Download
        </button>
      ) : null}
      {a.layout === 'FILE' && single?.scan && single.scan.verdict !== 'CLEAN' ? (
        <>
          {' '}
          <button type="button" aria-expanded={findings} onClick={() => setFindings(!findings)}>
            {findings ? 'Hide findings' : 'Show findings'}
          </button>
          {findings ? <ScanDetails versionId={version.id} path={single.path} /> : null}
        </>
      ) : null}
      <ErrorMessage error={error} />
    </Section>
  );
}

/** A scan verdict in words: CLEAN quietly, DANGEROUS and SUSPICIOUS loudly, a file with no report as such. */
function ScanVerdict({ verdict }: { verdict: string | null | undefined }) {
  if (!verdict) return <span className="muted">not scanned</span>;
  return <span className={verdict === 'CLEAN' ? 'ok' : 'bad'}>{verdict === 'CLEAN' ? '✔ clean' : `⚠ ${verdict}`}</span>;
}

function scanSummary(s: Version['artifact']['scan']): string {
  if (!s.filesScanned) return s.filesNotScanned ? 'no file scanned (registered by reference, or not uploaded yet)' : '';
  const parts = [
    `${s.filesScanned} file${s.filesScanned === 1 ? '' : 's'} scanned`,
    s.dangerousFiles ? `${s.dangerousFiles} dangerous` : '',
    s.suspiciousFiles ? `${s.suspiciousFiles} suspicious` : '',
    s.filesNotScanned ? `${s.filesNotScanned} not scanned` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} · scanner ${s.scannerVersions.join(', ')}`;
}

/** One file's findings and imports, read when the reader opens them (the page itself carries only the verdicts). */
function ScanDetails({ versionId, path }: { versionId: string; path: string }) {
  const { data, error } = useQuery(ConsoleScanDetailsDocument, { id: versionId });
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the findings" />;
  const scan = edges(data.modelVersion?.artifact.files).find((f) => f.path === path)?.scan;
  if (!scan) return <p className="muted">No scan report for {path}.</p>;
  const flagged = scan.imports.filter((i) => i.verdict !== 'SAFE');
  return (
    <div className="scan-details">
      <p className="muted">
        Scanned {when(scan.scannedAt)} by scanner {scan.scannerVersion}: {scan.findings.length} findings, {scan.imports.length} imports (
        {flagged.length} not on the safe list).
      </p>
      <table>
        <caption>Findings of {path}</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Code</th>
            <th scope="col">Message</th>
            <th scope="col">Where</th>
          </tr>
        </thead>
        <tbody>
          {scan.findings.map((f, i) => (
            <tr key={i}>
              <td className={f.severity === 'INFO' ? undefined : 'bad'}>{f.severity}</td>
              <td>
                <code>{f.code}</code>
              </td>
              <td>{f.message}</td>
              <td>{[f.entry, f.offset === null || f.offset === undefined ? null : `@${f.offset}`].filter(Boolean).join(' ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {flagged.length ? (
        <table>
          <caption>Imports not on the safe list</caption>
          <thead>
            <tr>
              <th scope="col">Global</th>
              <th scope="col">Verdict</th>
              <th scope="col">Imported by</th>
              <th scope="col">Called by</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {flagged.map((i) => (
              <tr key={`${i.entry ?? ''}:${i.module}.${i.name}`}>
                <td>
                  <code>
                    {i.module}.{i.name}
                  </code>
                  {i.entry ? <span className="muted"> in {i.entry}</span> : null}
                </td>
                <td className="bad">{i.verdict}</td>
                <td>{i.opcodes.join(', ')}</td>
                <td>{i.calledBy.join(', ') || '—'}</td>
                <td>{i.why || 'not on either list'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** A model folder's files (its manifest): path, size, status and digest, each downloadable once the folder is READY. */
function ArtifactFiles({ version }: { version: Version }) {
  const a = version.artifact;
  const [error, setError] = useState<ApiError>();
  const [open, setOpen] = useState<string | null>(null);
  if (a.layout !== 'FOLDER') return null;
  const files = edges(a.files);
  const download = (path: string) => {
    setError(undefined);
    downloadArtifact(version.id, path.split('/').pop() ?? path, path).catch((err) => setError(toApiError(err)));
  };
  return (
    <Section title="Files">
      <p className="muted">
        {a.files.totalCount > files.length
          ? `The first ${files.length} of ${a.files.totalCount} files, by path.`
          : `${files.length} files, by path.`}{' '}
        The folder&apos;s SHA-256 is the OpenSSF Model Signing root digest of theirs. Each file was scanned as it arrived.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Size</th>
            <th scope="col">Status</th>
            <th scope="col">Scan</th>
            <th scope="col">SHA-256</th>
            <th scope="col">
              <span className="visually-hidden">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <Fragment key={f.path}>
              <tr>
                <td>
                  <code>{f.path}</code>
                </td>
                <td>{bytes(f.sizeBytes)}</td>
                <td className={f.status === 'FAILED' ? 'bad' : undefined}>
                  {f.status}
                  {f.failureReason ? `: ${f.failureReason}` : ''}
                </td>
                <td>
                  <ScanVerdict verdict={f.scan?.verdict} />
                  {f.scan && f.scan.verdict !== 'CLEAN' ? (
                    <>
                      {' '}
                      <span className="muted">{f.scan.reason}</span>{' '}
                      <button
                        type="button"
                        aria-expanded={open === f.path}
                        aria-label={`${open === f.path ? 'Hide' : 'Show'} the findings of ${f.path}`}
                        onClick={() => setOpen(open === f.path ? null : f.path)}
                      >
                        {open === f.path ? 'Hide' : 'Findings'}
                      </button>
                    </>
                  ) : null}
                </td>
                <td>
                  <code className="digest">{f.sha256 ?? '—'}</code>
                </td>
                <td>
                  {a.status === 'READY' ? (
                    <button type="button" onClick={() => download(f.path)} aria-label={`Download ${f.path}`}>
                      Download
                    </button>
                  ) : null}
                </td>
              </tr>
              {open === f.path ? (
                <tr>
                  <td colSpan={6}>
                    <ScanDetails versionId={version.id} path={f.path} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={error} />
    </Section>
  );
}

function Metrics({ version, location }: { version: Version; location: Location }) {
  const points = edges(version.metrics);
  const names = [...new Set(points.map((p) => p.name))].sort();
  const across = location.params.get('metric') ?? names[0];
  return (
    <Section title="Metrics">
      {names.length === 0 ? <p className="muted">No metrics logged.</p> : null}
      <div className="charts">
        {names.map((name) => (
          <MetricChart
            key={name}
            versionId={version.id}
            name={name}
            sources={[...new Set(points.filter((p) => p.name === name).map((p) => p.source))]}
          />
        ))}
      </div>
      {across ? (
        <>
          <label>
            Across versions of the model:{' '}
            <select value={across} onChange={(e) => navigate(withParams(location, { metric: e.target.value }), true)}>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <AcrossVersions modelId={version.model.id} name={across} />
        </>
      ) : null}
    </Section>
  );
}

/** Every logged point of one metric by step: a series per source and slice (the newest 500 of each source). */
function MetricChart({ versionId, name, sources }: { versionId: string; name: string; sources: MetricSource[] }) {
  const [series, setSeries] = useState<Series[]>();
  const [error, setError] = useState<ApiError>();
  const key = sources.join(',');
  useEffect(() => {
    let current = true;
    Promise.all(
      key.split(',').map((source) => gql(ConsoleMetricHistoryDocument, { versionId, name, source: source as MetricSource })),
    ).then(
      (answers) => {
        if (!current) return;
        const bySeries = new Map<string, Series>();
        answers.forEach((answer, i) => {
          for (const p of edges(answer.modelVersion?.metricHistory)) {
            const label = p.slice ? `${sources[i]} ${p.slice}` : sources[i];
            if (!bySeries.has(label)) bySeries.set(label, { name: label, points: [] });
            bySeries.get(label)!.points.push({ x: p.step, y: p.value });
          }
        });
        setSeries([...bySeries.values()]);
      },
      (err) => current && setError(toApiError(err)),
    );
    return () => {
      current = false;
    };
    // `sources` is read through `key`, which changes with it.
  }, [versionId, name, key]);
  if (error) return <ErrorMessage error={error} />;
  return series ? <SeriesChart title={`${name} by step`} series={series} xLabel="step" /> : <Loading what={name} />;
}

/** The metric's last value (highest step) per version and source, over the model's newest versions. */
function AcrossVersions({ modelId, name }: { modelId: string; name: string }) {
  const { data, error } = useQuery(ConsoleMetricAcrossVersionsDocument, { modelId, name });
  const series = new Map<string, Series>();
  for (const v of edges(data?.model?.versions)) {
    const last = lastBySeries(edges(v.metrics), (p) => (p.slice ? null : p.source));
    for (const [source, p] of last) {
      if (!series.has(source)) series.set(source, { name: source, points: [] });
      series.get(source)!.points.push({ x: v.version, y: p.value });
    }
  }
  return (
    <>
      <ErrorMessage error={error} />
      {data ? <SeriesChart title={`${name} across versions`} series={[...series.values()]} xLabel="version" /> : null}
    </>
  );
}

function Validation({ version }: { version: Version }) {
  const report = version.latestValidation;
  return (
    <Section title="Validation report">
      {!report ? (
        <p className="muted">Not validated yet.</p>
      ) : (
        <>
          <p>
            <Verdict passed={report.passed} /> {report.summary}{' '}
            <span className="muted">
              ({report.createdBy}, {when(report.createdAt)})
            </span>
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Check</th>
                <th scope="col">Candidate</th>
                <th scope="col">Baseline</th>
                <th scope="col">Result</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {report.checks.map((c, i) => (
                <tr key={i}>
                  <td>{c.metric}</td>
                  <td>
                    {c.origin} {c.comparator} (tolerance {c.tolerance})
                  </td>
                  <td>{c.candidateValue ?? '—'}</td>
                  <td>{c.baselineValue ?? '—'}</td>
                  <td>
                    <Verdict passed={c.passed} />
                  </td>
                  <td>{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}

function Approvals({ version }: { version: Version }) {
  const approvals = edges(version.approvals);
  return (
    <Section title="Approvals">
      {approvals.length === 0 ? <p className="muted">No approvals.</p> : null}
      <ul className="plain">
        {approvals.map((a) => (
          <li key={a.id}>
            <strong className={a.decision === 'APPROVED' ? 'ok' : 'bad'}>{a.decision}</strong> for {a.targetStage} by {a.approver} (
            {a.approverRole}), {when(a.signedAt)}
            <br />
            <span className="muted">
              key <code>{a.keyFingerprint}</code>
              {a.comment ? ` · “${a.comment}”` : ''}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function StageHistory({ version }: { version: Version }) {
  return (
    <Section title="Stage history">
      {edges(version.stageHistory).length === 0 ? <p className="muted">Not moved since it was registered.</p> : null}
      <ol className="plain">
        {edges(version.stageHistory).map((t) => (
          <li key={t.id}>
            {when(t.changedAt)} {t.fromStage} → {t.toStage} by {t.actor}
            {t.reason ? `: ${t.reason}` : ''}{' '}
            <Link to={`/audit?subject=${version.id}`} className="muted">
              audit #{t.auditSeq}
            </Link>
          </li>
        ))}
      </ol>
    </Section>
  );
}
