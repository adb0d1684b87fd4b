import { Suspense, lazy, useEffect, useState, type FormEvent } from 'react';
import { ApiError, gql, getToken, setToken, toApiError } from './api';
import { ErrorMessage, Loading } from './components/common';
import { ConsoleViewerDocument, type ConsoleViewerQuery } from './generated/graphql';
import { AuditPage } from './pages/audit.page';
import { ComparePage } from './pages/compare.page';
import { LivePage } from './pages/live.page';
import { ModelPage } from './pages/model.page';
import { ModelsPage } from './pages/models.page';
import { Link, useLocation, type Location } from './router';

type Viewer = ConsoleViewerQuery['viewer'];

// The graph layout engine and the chart library are most of the bundle: loaded with the pages that draw.
const loadLineage = () => import('./pages/lineage.page');
const loadVersion = () => import('./pages/version.page');
const LineagePage = lazy(() => loadLineage().then((m) => ({ default: m.LineagePage })));
const VersionPage = lazy(() => loadVersion().then((m) => ({ default: m.VersionPage })));
// Opened on one of those pages: fetch its code while the token is being checked, not after.
if (window.location.pathname.includes('/lineage/')) void loadLineage();
if (window.location.pathname.includes('/versions/')) void loadVersion();

export function App() {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [checking, setChecking] = useState(Boolean(getToken()));
  useEffect(() => {
    // A token revoked or expired while the console is open: back to the sign-in form.
    const signOut = () => {
      setToken(null);
      setViewer(null);
    };
    window.addEventListener('modelgraph:unauthenticated', signOut);
    if (getToken()) {
      gql(ConsoleViewerDocument)
        .then(
          (d) => setViewer(d.viewer),
          () => setToken(null),
        )
        .finally(() => setChecking(false));
    }
    return () => window.removeEventListener('modelgraph:unauthenticated', signOut);
  }, []);
  if (checking) return null;
  if (!viewer) return <SignIn onSignedIn={setViewer} />;
  return (
    <Shell
      viewer={viewer}
      onSignOut={() => {
        setToken(null);
        setViewer(null);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (viewer: Viewer) => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<ApiError>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setToken(token.trim());
    try {
      onSignedIn((await gql(ConsoleViewerDocument)).viewer);
    } catch (err) {
      setToken(null);
      setError(toApiError(err));
    }
  };
  return (
    <main className="sign-in">
      <h1>modelgraph console</h1>
      <p>Paste an API token. It is kept for this browser tab only, and the console can do only what the token may do through the API.</p>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setValue(e.target.value)} required />
        <button type="submit">Sign in</button>
      </form>
      <ErrorMessage error={error} />
    </main>
  );
}

const NAV: Array<[string, string]> = [
  ['/models', 'Models'],
  ['/audit', 'Audit'],
  ['/live', 'Live'],
];

function Shell({ viewer, onSignOut }: { viewer: Viewer; onSignOut: () => void }) {
  const location = useLocation();
  return (
    <>
      <header className="top">
        <Link to="/models" className="brand">
          modelgraph
        </Link>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} aria-current={location.path.startsWith(to) ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <span className="who">
          {viewer.subject} · {viewer.role}
        </span>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main>
        <Suspense fallback={<Loading what="the page" />}>
          <Page location={location} />
        </Suspense>
      </main>
    </>
  );
}

function Page({ location }: { location: Location }) {
  const [, section, id] = location.path.split('/');
  switch (section) {
    case '':
    case 'models':
      return id ? <ModelPage id={id} location={location} /> : <ModelsPage location={location} />;
    case 'versions':
      return <VersionPage id={id} location={location} />;
    case 'compare':
      return <ComparePage location={location} />;
    case 'lineage':
      return <LineagePage nodeId={id} location={location} />;
    case 'audit':
      return <AuditPage location={location} />;
    case 'live':
      return <LivePage location={location} />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            There is no page at {location.path}. <Link to="/models">Models</Link>
          </p>
        </>
      );
  }
}
