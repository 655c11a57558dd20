import { useEffect, useState } from 'preact/hooks';
import { auth } from './api/auth';
import { type LiveState, live } from './api/live';
import { DashboardPage } from './dashboard/dashboard-page';
import { servicesStore } from './dashboard/services-store';
import { lazyPage } from './lazy-page';
import { Link, parseRoute, type Route, useLocation } from './router';
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

/**
 * Why the pages and App are each the direct return value of a component that never re-renders
 * itself (RoutePage, Root): Preact (10 and 11) leaves the vnode that a parent's JSX made for a
 * component in the parent's props.children (and render() keeps the root's), still holding the
 * whole tree it had when the component first re-rendered itself. The dashboard's rows skip their
 * re-renders (shouldComponentUpdate), and a skipped vnode shares its children with the next one,
 * whose children then point to it as parent; so one such stale tree reaches every later tree
 * through the rows that changed since, until each row has been re-rendered. A dashboard with 500
 * rows changing kept ~60 MiB of old trees that way (bench:web). A vnode that is only a component's
 * render result is replaced, not kept, when that component re-renders itself.
 */
export function Root() {
  return <App />;
}

function RoutePage({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'new':
      return <ServiceFormPage key="new" />;
    case 'service':
      return <ServicePage id={route.id} />;
    case 'edit':
      return <ServiceFormPage key={`edit-${route.id}`} id={route.id} />;
    case 'missing':
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing here. <Link href="/">Back to the dashboard</Link>
          </p>
        </>
      );
  }
}

function App() {
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
        <RoutePage route={route} />
      </main>
      {(authState === 'needed' || authState === 'refused') && <TokenPrompt refused={authState === 'refused'} />}
    </>
  );
}
