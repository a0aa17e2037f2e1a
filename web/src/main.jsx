import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { get, onSessionLost, post, setCsrfToken } from './api.js';
import { setTimeZone } from './format.js';
import { Link, match, navigate, useLocation } from './router.jsx';
import { Login } from './pages/login.jsx';
import { Dashboard } from './pages/dashboard.jsx';
import { Orders, OrderDetail } from './pages/orders.jsx';
import { Accounts, AccountDetail } from './pages/accounts.jsx';
import { Catalog, ServiceDetail } from './pages/catalog.jsx';
import { Providers } from './pages/providers.jsx';
import { Webhooks } from './pages/webhooks.jsx';
import { Audit } from './pages/audit.jsx';

const routes = [
  ['/', Dashboard],
  ['/orders', Orders],
  ['/orders/:ref', OrderDetail],
  ['/accounts', Accounts],
  ['/accounts/:user', AccountDetail],
  ['/catalog', Catalog],
  ['/catalog/:kind/:code', ServiceDetail],
  ['/providers', Providers],
  ['/webhooks', Webhooks],
  ['/audit', Audit],
];

const nav = [
  ['/', 'Dashboard'],
  ['/orders', 'Orders'],
  ['/accounts', 'Accounts'],
  ['/catalog', 'Catalog'],
  ['/providers', 'Providers'],
  ['/webhooks', 'Webhooks'],
  ['/audit', 'Audit log'],
];

function App() {
  const [me, setMe] = useState(undefined); // undefined: asking; null: signed out
  const [lost, setLost] = useState('');
  const [menu, setMenu] = useState(false);
  const loc = useLocation();

  const signedIn = (who) => {
    setCsrfToken(who.csrf_token);
    if (who.time_zone) setTimeZone(who.time_zone);
    setLost('');
    setMe(who);
  };

  useEffect(() => {
    onSessionLost(() => {
      setMe(null);
      setLost('Your session has ended. Sign in again to continue.');
    });
    get('me').then(signedIn, () => setMe(null));
  }, []);

  useEffect(() => setMenu(false), [loc.path]);

  if (me === undefined) return <p class="muted center">Loading…</p>;
  if (me === null) return <Login notice={lost} onSignedIn={signedIn} />;

  let page = <NotFound />;
  for (const [pattern, Page] of routes) {
    const params = match(pattern, loc.path);
    if (params) {
      page = <Page {...params} query={loc.query} key={loc.path} />;
      break;
    }
  }
  const active = (href) => (href === '/' ? loc.path === '/' : loc.path.startsWith(href));
  const signOut = async () => {
    try { await post('logout'); } catch (e) { /* gone already */ }
    setMe(null);
    navigate('/', { replace: true });
  };

  return (
    <div class="shell">
      <header class="topbar">
        <button type="button" class="btn ghost icon menu-toggle" aria-label="Menu" aria-expanded={menu}
          onClick={() => setMenu(!menu)}>☰</button>
        <Link href="/" class="brand">warung<span>console</span></Link>
        <div class="who">
          <span class="muted">{me.username}</span>
          <button type="button" class="btn ghost" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <nav class={`sidenav${menu ? ' open' : ''}`} aria-label="Main">
        {nav.map(([href, label]) => (
          <Link href={href} class={active(href) ? 'active' : ''} aria-current={active(href) ? 'page' : undefined}>{label}</Link>
        ))}
      </nav>
      <main class="content">{page}</main>
    </div>
  );
}

function NotFound() {
  return (
    <div class="card">
      <h1>Page not found</h1>
      <p><Link href="/">Back to the dashboard</Link></p>
    </div>
  );
}

render(<App />, document.getElementById('app'));
