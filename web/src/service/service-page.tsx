import { useEffect, useState } from 'preact/hooks';
import { request } from '../api/http';
import { live } from '../api/live';
import { servicesStore } from '../dashboard/services-store';
import {
  CheckNowDocument,
  LiveChecksDocument,
  PauseServiceDocument,
  ResumeServiceDocument,
  RotatePushTokenDocument,
  ServiceDetailDocument,
  type ServiceDetailQuery,
  ServiceLiveDocument,
  UnregisterServiceDocument,
} from '../generated/graphql';
import { Link, navigate, servicePath } from '../router';
import { formatAgo, formatMs, formatPercent, formatTime } from '../status';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { StatusBadge } from '../ui/status-badge';
import { useAsync } from '../ui/use-async';
import { Assertions, Phases } from './check-detail';
import { Deliveries } from './deliveries';
import { HistoryList } from './history-list';
import { type CheckPoint, LatencyChart } from './latency-chart';

type Service = NonNullable<ServiceDetailQuery['service']>;
type Window = 'latencyHour' | 'latencyDay' | 'latencyWeek';
const WINDOWS: { key: Window; label: string }[] = [
  { key: 'latencyHour', label: '1 h' },
  { key: 'latencyDay', label: '24 h' },
  { key: 'latencyWeek', label: '7 d' },
];
const LIVE_POINTS = 120;

export function ServicePage({ id }: { id: string }) {
  const detail = useAsync(() => request(ServiceDetailDocument, { id }), id);
  const [state, setState] = useState<Service['state']>();
  const [paused, setPaused] = useState<boolean>();
  const [historyVersion, setHistoryVersion] = useState(0);
  const [points, setPoints] = useState<CheckPoint[]>([]);
  const [lastCheck, setLastCheck] = useState<Pick<Service['state'], 'assertions' | 'phases'>>();

  useEffect(() => {
    setState(undefined);
    setPaused(undefined);
    setPoints([]);
    setLastCheck(undefined);
    const stopStatus = live.subscribe(
      ServiceLiveDocument,
      () => ({ serviceIds: [id] }),
      (data) => {
        setState(data.statusChanged.state);
        setPaused(data.statusChanged.service.paused);
        setHistoryVersion((v) => v + 1);
      },
    );
    const stopChecks = live.subscribe(
      LiveChecksDocument,
      () => ({ serviceIds: [id] }),
      (data) => {
        const check = data.checkCompleted;
        const point = { t: new Date(check.at).getTime() / 1000, latencyMs: check.latencyMs ?? null, ok: check.ok };
        setPoints((known) => [...known, point].slice(-LIVE_POINTS));
        setLastCheck({ assertions: check.assertions, phases: check.phases });
      },
    );
    // What changed while the socket was down: read the page again.
    const stopReconnect = live.onReconnect(() => {
      detail.reload();
      setHistoryVersion((v) => v + 1);
    });
    return () => {
      stopStatus();
      stopChecks();
      stopReconnect();
    };
  }, [id]);

  if (detail.error)
    return (
      <p class="error" role="alert">
        Could not load this service: {detail.error}
      </p>
    );
  if (!detail.data) return <p aria-busy="true">Loading…</p>;
  const service = detail.data.service;
  if (!service) {
    return (
      <>
        <h1>Service not found</h1>
        <p>
          No service has the id {id}. <Link href="/">Back to the dashboard</Link>
        </p>
      </>
    );
  }
  const current = state ?? service.state;
  const isPaused = paused ?? service.paused;
  const reload = () => {
    detail.reload();
    setHistoryVersion((v) => v + 1);
  };

  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/">Services</Link> / <span aria-current="page">{service.name}</span>
      </nav>
      <div class="page-head">
        <h1>{service.name}</h1>
        <StatusBadge status={current.status} />
      </div>
      <Actions service={service} paused={isPaused} onChanged={reload} />
      <div class="grid">
        <CurrentState state={current} />
        <Uptime service={service} />
        <Assertions results={lastCheck?.assertions ?? current.assertions} />
        <Phases phases={lastCheck ? lastCheck.phases : current.phases} />
      </div>
      <LatencySection service={service} points={points} />
      <HistoryList id={service.id} version={historyVersion} />
      <Deliveries id={service.id} version={historyVersion} />
      <Definition service={service} />
    </>
  );
}

function Actions({ service, paused, onChanged }: { service: Service; paused: boolean; onChanged: () => void }) {
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [pushUrl, setPushUrl] = useState<string>();
  const run = async (label: string, action: () => Promise<{ __typename: string; message?: string }>) => {
    setBusy(label);
    setOutcome(undefined);
    try {
      const result = await action();
      setOutcome(
        result.__typename === 'ServicePayload' ? `${label}: done` : `${label}: ${result.message ?? result.__typename}`,
      );
      onChanged();
      return result;
    } catch (err) {
      setOutcome(`${label}: ${(err as Error).message}`);
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };
  const id = service.id;
  const remove = async () => {
    const result = await run(
      'Delete',
      async () => (await request(UnregisterServiceDocument, { id })).unregisterService,
    );
    if (result?.__typename !== 'ServicePayload') return;
    servicesStore.forget(id);
    navigate('/');
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form's fieldset
    <div class="actions toolbar" role="group" aria-label="Actions">
      <button
        type="button"
        disabled={!!busy}
        onClick={() => void run('Check now', async () => (await request(CheckNowDocument, { id })).checkServiceNow)}
      >
        Check now
      </button>
      {paused ? (
        <button
          type="button"
          disabled={!!busy}
          onClick={() => void run('Resume', async () => (await request(ResumeServiceDocument, { id })).resumeService)}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          disabled={!!busy}
          onClick={() => void run('Pause', async () => (await request(PauseServiceDocument, { id })).pauseService)}
        >
          Pause
        </button>
      )}
      <Link href={`${servicePath(id)}/edit`} class="button">
        Edit
      </Link>
      {service.kind === 'HEARTBEAT' && (
        <button type="button" disabled={!!busy} onClick={() => setRotating(true)}>
          New push URL
        </button>
      )}
      <button type="button" class="danger" disabled={!!busy} onClick={() => setConfirming(true)}>
        Delete
      </button>
      <output aria-live="polite" class="outcome">
        {busy ? `${busy}…` : outcome}
      </output>
      {pushUrl && (
        <p class="push-url">
          New push URL, shown only this once (the old one no longer works):{' '}
          <code class="break" data-testid="push-url">
            {pushUrl}
          </code>
        </p>
      )}
      {rotating && (
        <ConfirmDialog
          title={`A new push URL for ${service.name}?`}
          message="The current one stops working at once: every job that calls it must be given the new one."
          confirmLabel="Make a new one"
          onConfirm={() => {
            setRotating(false);
            void run('New push URL', async () => {
              const result = (await request(RotatePushTokenDocument, { id })).rotatePushToken;
              if (result.__typename === 'ServicePayload' && result.pushUrl) setPushUrl(result.pushUrl);
              return result;
            });
          }}
          onClose={() => setRotating(false)}
        />
      )}
      {confirming && (
        <ConfirmDialog
          title={`Delete ${service.name}?`}
          message="Its definition and history are removed. This cannot be undone."
          confirmLabel="Delete"
          onConfirm={() => void remove()}
          onClose={() => setConfirming(false)}
        />
      )}
    </div>
  );
}

function CurrentState({ state }: { state: Service['state'] }) {
  const expires = state.certificateExpiresAt;
  const days = expires ? Math.floor((new Date(expires).getTime() - Date.now()) / 86_400_000) : undefined;
  return (
    <section aria-labelledby="state-title" class="card">
      <h2 id="state-title">Current state</h2>
      <dl class="pairs" data-testid="state">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={state.status} />
        </dd>
        <dt>Message</dt>
        <dd class="message-full">{state.message ?? '–'}</dd>
        <dt>Reason</dt>
        <dd>{state.reason ?? '–'}</dd>
        {state.rootCause && (
          <>
            <dt>Root cause</dt>
            <dd>
              <Link href={servicePath(state.rootCause.id)}>{state.rootCause.name}</Link> is DOWN
            </dd>
          </>
        )}
        {state.maintenance && (
          <>
            <dt>Maintenance</dt>
            <dd>{state.maintenance.name}</dd>
          </>
        )}
        {state.flapping && (
          <>
            <dt>Flapping</dt>
            <dd>
              <strong class="warn-text">⚠ yes</strong>: notifications are held until it settles
            </dd>
          </>
        )}
        <dt>HTTP status</dt>
        <dd>{state.httpStatus ?? '–'}</dd>
        <dt>Latency</dt>
        <dd>{formatMs(state.latencyMs)}</dd>
        <dt>Since</dt>
        <dd>
          {state.since ? (
            <time dateTime={state.since} title={formatTime(state.since)}>
              {formatAgo(state.since)}
            </time>
          ) : (
            '–'
          )}
        </dd>
        <dt>Last checked</dt>
        <dd>
          {state.lastCheckedAt ? (
            <time dateTime={state.lastCheckedAt}>{formatTime(state.lastCheckedAt)}</time>
          ) : (
            'never'
          )}
        </dd>
        {state.lastPingAt !== undefined && state.lastPingAt !== null && (
          <>
            <dt>Last ping</dt>
            <dd>
              <time dateTime={state.lastPingAt}>{formatTime(state.lastPingAt)}</time>
            </dd>
          </>
        )}
        {state.runStartedAt && (
          <>
            <dt>Run started</dt>
            <dd>
              <time dateTime={state.runStartedAt}>{formatTime(state.runStartedAt)}</time> (running)
            </dd>
          </>
        )}
        <dt>Consecutive failures</dt>
        <dd>{state.consecutiveFailures}</dd>
        <dt>Certificate expires</dt>
        <dd>
          {expires ? (
            <>
              <time dateTime={expires}>{formatTime(expires)}</time> ({days} days)
              {days !== undefined && days < 14 && <strong class="warn-text"> ⚠ soon</strong>}
            </>
          ) : (
            '–'
          )}
        </dd>
      </dl>
    </section>
  );
}

function Uptime({ service }: { service: Service }) {
  const rows: [string, number | null | undefined][] = [
    ['1 hour', service.uptimeHour],
    ['24 hours', service.uptimeDay],
    ['7 days', service.uptimeWeek],
    ['30 days', service.uptimeMonth],
  ];
  return (
    <section aria-labelledby="uptime-title" class="card">
      <h2 id="uptime-title">Uptime</h2>
      <table class="compact">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td class="num">{formatPercent(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function LatencySection({ service, points }: { service: Service; points: CheckPoint[] }) {
  const [window, setWindow] = useState<Window>('latencyHour');
  const stats = service[window];
  const label = WINDOWS.find((w) => w.key === window)!.label;
  return (
    <section aria-labelledby="latency-title">
      <h2 id="latency-title">Latency</h2>
      <fieldset class="segmented">
        <legend>Percentiles over</legend>
        {WINDOWS.map((w) => (
          <label key={w.key}>
            <input
              type="radio"
              name="latency-window"
              value={w.key}
              checked={window === w.key}
              onChange={() => setWindow(w.key)}
            />
            {w.label}
          </label>
        ))}
      </fieldset>
      <table class="compact" aria-label={`Latency over ${label}`}>
        <thead>
          <tr>
            {latencyCells(stats).map(([name]) => (
              <th key={name} scope="col" class="num">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {latencyCells(stats).map(([name, value]) => (
              <td key={name} class="num">
                {value}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <LatencyChart
        points={points}
        stats={stats}
        label={`Latency of the last ${points.length} checks, with p50, p95 and p99 over ${label}`}
      />
      <p class="hint">Every {service.intervalSeconds} s a check; the line shows the checks since this page opened.</p>
    </section>
  );
}

const latencyCells = (stats: Service['latencyHour']): [string, string][] => [
  ['p50', formatMs(stats?.p50Ms)],
  ['p95', formatMs(stats?.p95Ms)],
  ['p99', formatMs(stats?.p99Ms)],
  ['average', formatMs(stats?.averageMs)],
  ['checks', String(stats?.checks ?? 0)],
  ['failures', String(stats?.failures ?? 0)],
];

function Definition({ service }: { service: Service }) {
  if (service.heartbeat) return <HeartbeatDefinition service={service} heartbeat={service.heartbeat} />;
  return (
    <section aria-labelledby="definition-title" class="card">
      <h2 id="definition-title">Definition</h2>
      <dl class="pairs">
        <dt>URL</dt>
        <dd class="break">{service.url}</dd>
        <dt>Kind</dt>
        <dd>{service.kind}</dd>
        <dt>Method</dt>
        <dd>{service.method}</dd>
        <dt>Expected status</dt>
        <dd>{service.expectedStatus}</dd>
        <dt>Body contains</dt>
        <dd>{service.bodyContains ?? '–'}</dd>
        <dt>Degraded above</dt>
        <dd>{service.degradedAboveMs ? `${service.degradedAboveMs} ms` : '–'}</dd>
        <dt>Interval</dt>
        <dd>{service.intervalSeconds} s</dd>
        <dt>Timeout</dt>
        <dd>{service.timeoutMs} ms</dd>
        <SharedDefinition service={service} />
        <dt>Headers</dt>
        <dd>{service.headers.length ? service.headers.map((h) => h.name).join(', ') : '–'}</dd>
        <dt>Registered</dt>
        <dd>{formatTime(service.createdAt)}</dd>
      </dl>
    </section>
  );
}

/** What every kind's definition shows: thresholds, labels and the dependencies both ways. */
function SharedDefinition({ service }: { service: Service }) {
  return (
    <>
      <dt>Thresholds</dt>
      <dd>
        DOWN after {service.failureThreshold} failure(s), UP after {service.successThreshold} success(es)
      </dd>
      <dt>Labels</dt>
      <dd>{service.labels.length ? service.labels.join(', ') : '–'}</dd>
      <dt>Depends on</dt>
      <dd>
        <ServiceLinks services={service.dependsOn} />
      </dd>
      <dt>Needed by</dt>
      <dd>
        <ServiceLinks services={service.dependents} />
      </dd>
    </>
  );
}

function ServiceLinks({ services }: { services: readonly { id: string; name: string }[] }) {
  if (services.length === 0) return <>–</>;
  return (
    <>
      {services.map((s, i) => (
        <span key={s.id}>
          {i > 0 && ', '}
          <Link href={servicePath(s.id)}>{s.name}</Link>
        </span>
      ))}
    </>
  );
}

function HeartbeatDefinition({
  service,
  heartbeat,
}: {
  service: Service;
  heartbeat: NonNullable<Service['heartbeat']>;
}) {
  return (
    <section aria-labelledby="definition-title" class="card">
      <h2 id="definition-title">Definition</h2>
      <dl class="pairs">
        <dt>Kind</dt>
        <dd>HEARTBEAT: a job calls its push URL ({service.url}/…)</dd>
        <dt>Expected</dt>
        <dd>
          {heartbeat.cron
            ? `on the schedule "${heartbeat.cron}" (${heartbeat.timezone ?? 'UTC'})`
            : `every ${heartbeat.periodSeconds} s`}
          , up to {heartbeat.graceSeconds} s late
        </dd>
        <dt>Degraded above</dt>
        <dd>{service.degradedAboveMs ? `a run of ${service.degradedAboveMs} ms` : '–'}</dd>
        <SharedDefinition service={service} />
        <dt>Registered</dt>
        <dd>{formatTime(service.createdAt)}</dd>
      </dl>
    </section>
  );
}
