import { ApiError, useQuery } from '../api';
import { ErrorMessage, Loading, StageBadge } from '../components/common';
import { compareVersions } from '../compare/compare.rules';
import { ConsoleCompareDocument } from '../generated/graphql';
import { Link, navigate, withParams, type Location } from '../router';

export function ComparePage({ location }: { location: Location }) {
  const a = location.params.get('a') ?? '';
  const b = location.params.get('b') ?? '';
  const differencesOnly = location.params.get('diff') === '1';
  const { data, error } = useQuery(ConsoleCompareDocument, { a, b }, !a || !b);
  if (!a || !b) return <ErrorMessage error={new ApiError('pick two versions to compare (a= and b= in the address)', 'BAD_USER_INPUT')} />;
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the versions" />;
  if (!data.a || !data.b) return <ErrorMessage error={new ApiError('one of the versions does not exist', 'NOT_FOUND')} />;
  const rows = compareVersions(data.a, data.b, differencesOnly);
  const head = (v: NonNullable<typeof data.a>) => (
    <>
      <Link to={`/versions/${v.id}`}>
        {v.model.name} v{v.version}
      </Link>{' '}
      <StageBadge stage={v.stage} />
    </>
  );
  return (
    <>
      <h1>Compare versions</h1>
      <label className="switch">
        <input
          type="checkbox"
          checked={differencesOnly}
          onChange={(e) => navigate(withParams(location, { diff: e.target.checked ? '1' : null }), true)}
        />{' '}
        Differences only
      </label>
      <table className="compare">
        <thead>
          <tr>
            <th scope="col">Section</th>
            <th scope="col">Field</th>
            <th scope="col">{head(data.a)}</th>
            <th scope="col">{head(data.b)}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.section + r.key} className={r.differs ? 'differs' : undefined}>
              <td>{r.section}</td>
              <th scope="row">{r.key}</th>
              <td>{r.a}</td>
              <td>{r.b}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 ? <p className="muted">No differences.</p> : null}
    </>
  );
}
