import { useEffect, useState } from 'preact/hooks';
import { auth } from './api/auth';
import { type LiveState, live } from './api/live';
import { DashboardPage } from './dashboard/dashboard-page';
import { servicesStore } from './dashboard/services-store';
import { lazyPage } from './lazy-page';
import { Link, parseRoute, useLocation } from './router';
import { TokenPrompt } from './ui/token-prompt';

const ServicePage = lazyPage(() => import('./service/service-page').then((m) => m.ServicePage));
const ServiceFormPage = lazyPage(() => import('./service/service-form').then((m) => m.ServiceFormPage));

const LIVE_TEXT: Record<LiveState, string> = {
  idle: '',
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Offline, reconnecting…',
  unauthorized: 'Needs a token',
};

/** The auth state, and an epoch that moves with every new token (pages remount and read again). */
function useAuthState() {
  const [state, setState] = useState(auth.state);
  const [epoch, setEpoch] = useState(0);
  useEffect(
    () =>
      auth.subscribe(() => {
        setState(auth.state);
        if (auth.state !== 'unknown') return;
        setEpoch((e) => e + 1);
        void servicesStore.load();
      }),
    [],
  );
  return { state, epoch };
}

function useLiveState() {
  const [state, setState] = useState(live.state);
  useEffect(() => live.onState(setState), []);
  return state;
}

export function App() {
  const url = useLocation();
  const route = parseRoute(url.pathname);
  const { state: authState, epoch } = useAuthState();
  const liveState = useLiveState();

  useEffect(() => {
    const titles = {
      dashboard: 'Services',
      new: 'Register a service',
      service: 'Service',
      edit: 'Edit service',
      missing: 'Not found',
    };
    document.title = `${titles[route.page]} · statuschecker`;
  }, [route.page]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          statuschecker
        </Link>
        <nav aria-label="Main">
          <Link href="/">Dashboard</Link>
          <a href="/graphql">GraphiQL</a>
        </nav>
        <span class={`live live-${liveState}`} role="status" data-live={liveState}>
          <span aria-hidden="true">{liveState === 'live' ? '● ' : '○ '}</span>
          {LIVE_TEXT[liveState]}
        </span>
      </header>
      <main id="main" tabIndex={-1} key={epoch}>
        {route.page === 'dashboard' && <DashboardPage />}
        {route.page === 'new' && <ServiceFormPage key="new" />}
        {route.page === 'service' && <ServicePage id={route.id} />}
        {route.page === 'edit' && <ServiceFormPage key={`edit-${route.id}`} id={route.id} />}
        {route.page === 'missing' && (
          <>
            <h1>Not found</h1>
            <p>
              Nothing here. <Link href="/">Back to the dashboard</Link>
            </p>
          </>
        )}
      </main>
      {(authState === 'needed' || authState === 'refused') && <TokenPrompt refused={authState === 'refused'} />}
    </>
  );
}
