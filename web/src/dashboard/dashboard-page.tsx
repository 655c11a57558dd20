import { useEffect, useState } from 'preact/hooks';
import { Link, navigate, servicePath, useLocation } from '../router';
import { formatTime, STATUS_TEXT, STATUSES } from '../status';
import { StatusBadge } from '../ui/status-badge';
import { allLabels, countByStatus, type Filters, filtersFrom, filtersToSearch, visibleRows } from './filters';
import { ServiceRow } from './service-row';
import { type Change, servicesStore } from './services-store';

const KINDS = ['HTTP', 'TCP', 'TLS', 'DNS', 'GRPC', 'WEBSOCKET', 'POSTGRES', 'REDIS', 'HEARTBEAT'];

/** Rows put in the DOM in the first frame; the rest follow a chunk per frame, so the first screen paints at once. */
const FIRST_ROWS = 60;
const ROWS_PER_FRAME = 150;

function useProgressiveLimit(total: number): number {
  const [limit, setLimit] = useState(FIRST_ROWS);
  useEffect(() => {
    if (limit >= total) return;
    const frame = requestAnimationFrame(() => setTimeout(() => setLimit((l) => l + ROWS_PER_FRAME)));
    return () => cancelAnimationFrame(frame);
  }, [limit, total]);
  return limit;
}

function useStore() {
  const [, setVersion] = useState(0);
  useEffect(() => {
    servicesStore.start();
    return servicesStore.subscribe(() => setVersion((v) => v + 1));
  }, []);
  return servicesStore;
}

export function DashboardPage() {
  const store = useStore();
  const url = useLocation();
  const filters = filtersFrom(url);
  const setFilter = (key: keyof Filters, value: string) =>
    navigate(`/${filtersToSearch({ ...filters, [key]: value })}`, { replace: true });
  const rows = [...store.rows.values()];
  const shown = visibleRows(rows, filters);
  const counts = countByStatus(rows);
  const limit = useProgressiveLimit(shown.length);

  return (
    <>
      <div class="page-head">
        <h1>Services</h1>
        <Link href="/services/new" class="button primary">
          Register a service
        </Link>
      </div>
      <Summary counts={counts} />
      {/* biome-ignore lint/a11y/useSemanticElements: a form with the search landmark role; <search> is too new for every browser */}
      <form class="filters" role="search" aria-label="Filter services" onSubmit={(e) => e.preventDefault()}>
        <label>
          Name
          <input type="search" value={filters.q} onInput={(e) => setFilter('q', e.currentTarget.value)} />
        </label>
        <FilterSelect
          label="Status"
          value={filters.status}
          onChange={(v) => setFilter('status', v)}
          options={STATUSES.map((s) => [s, STATUS_TEXT[s]!])}
        />
        <FilterSelect
          label="Label"
          value={filters.label}
          onChange={(v) => setFilter('label', v)}
          options={allLabels(rows).map((l) => [l, l])}
        />
        <FilterSelect
          label="Kind"
          value={filters.kind}
          onChange={(v) => setFilter('kind', v)}
          options={KINDS.map((k) => [k, k])}
        />
      </form>
      {store.error && (
        <p class="error" role="alert">
          Could not load the services: {store.error}
        </p>
      )}
      <table class="services">
        <caption class="visually-hidden">
          Services, broken first ({shown.length} of {rows.length} shown)
        </caption>
        <colgroup>
          <col class="col-name" />
          <col class="col-status" />
          <col class="col-num" />
          <col class="col-num" />
          <col class="col-kind" />
          <col class="col-labels" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Latency
            </th>
            <th scope="col" class="num">
              Uptime 24 h
            </th>
            <th scope="col">Kind</th>
            <th scope="col">Labels</th>
          </tr>
        </thead>
        <tbody>
          {shown.slice(0, limit).map((row) => (
            <ServiceRow key={row.id} row={row} />
          ))}
        </tbody>
      </table>
      {store.loaded && shown.length === 0 && (
        <p class="empty">{rows.length === 0 ? 'No services yet.' : 'No service matches these filters.'}</p>
      )}
      <RecentChanges changes={store.recent} />
    </>
  );
}

function FilterSelect(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: [string, string][];
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">Any</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Summary({ counts }: { counts: Record<string, number> }) {
  return (
    <section aria-labelledby="summary-title" class="summary">
      <h2 id="summary-title" class="visually-hidden">
        Summary
      </h2>
      <dl>
        <div data-count="total">
          <dt>Total</dt>
          <dd>{counts.total}</dd>
        </div>
        {STATUSES.map((status) => (
          <div key={status} data-count={status}>
            <dt>
              <StatusBadge status={status} />
            </dt>
            <dd>{counts[status] ?? 0}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function RecentChanges({ changes }: { changes: Change[] }) {
  return (
    <section aria-labelledby="recent-title" class="recent">
      <h2 id="recent-title">Recent changes</h2>
      {changes.length === 0 ? (
        <p class="empty">No change since this page opened.</p>
      ) : (
        <ol class="changes">
          {changes.map((change) => (
            <li key={change.key} data-service-id={change.service.id} data-current={change.current}>
              <time dateTime={change.at}>{formatTime(change.at)}</time>{' '}
              <Link href={servicePath(change.service.id)}>{change.service.name}</Link>{' '}
              <StatusBadge status={change.previous} /> → <StatusBadge status={change.current} />
              {change.message && <span class="message">{change.message}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
