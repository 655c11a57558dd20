import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import { createServiceSeries, type ExpositionWriter, type ServiceMetricsDetail } from './service-series.js';

export interface MetricsOptions {
  /** What /metrics shows of each service (METRICS_PER_SERVICE). */
  perService?: ServiceMetricsDetail;
}

/**
 * Every metric of the process: the process-wide ones on the given prom-client registry (tests
 * pass a fresh one), the per-service families in their own store (see service-series.ts).
 */
export function createMetrics(registry: Registry, options: MetricsOptions = {}) {
  const services = createServiceSeries(options.perService);
  const registers = [registry];
  /** Read at scrape time; the parts that own these numbers plug themselves in here. */
  const live = {
    wsConnections: () => 0,
    subscriptionsActive: () => 0,
    subscriptionGroups: () => 0,
    ownedServices: () => 0,
    statusPageStreams: () => 0,
  };
  collectDefaultMetrics({ register: registry });
  // prom-client also exports these gauges under a `_total` name, which Prometheus reserves for
  // counters (promtool rejects them); the same values stay available without the suffix.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  /** A gauge read from `live` at scrape time. */
  const liveGauge = (name: string, help: string, read: keyof typeof live) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(live[read]());
      },
    });
  liveGauge('statuschecker_ws_connections', 'Open GraphQL WebSocket connections.', 'wsConnections');
  liveGauge(
    'statuschecker_subscriptions_active',
    'Active GraphQL subscriptions (over all WebSocket connections).',
    'subscriptionsActive',
  );
  liveGauge(
    'statuschecker_subscription_groups',
    'Distinct subscription operations; each event is executed once per group, whatever its number of subscribers.',
    'subscriptionGroups',
  );
  liveGauge(
    'statuschecker_status_page_streams',
    'Open live status page streams (/status/{slug}/live).',
    'statusPageStreams',
  );
  liveGauge(
    'statuschecker_owned_services',
    'Services this replica checks (all of them on the embedded database).',
    'ownedServices',
  );
  return {
    registry,
    services,
    live,
    contentType: registry.contentType,
    /** The whole exposition: the registry's metrics, then every service's, written in slices. */
    async render(write: ExpositionWriter): Promise<void> {
      await write(await registry.metrics());
      await services.render(write);
    },
    statusChangesTotal: new Counter({
      name: 'statuschecker_status_changes_total',
      help: 'Status transitions, by the status entered.',
      labelNames: ['status'] as const,
      registers,
    }),
    checkPhaseSeconds: new Histogram({
      name: 'statuschecker_check_phase_seconds',
      help: 'Where the time of checks goes, by phase (dns, connect, tls, firstByte, transfer), over all services; a phase that did not happen (a reused connection) is not observed.',
      labelNames: ['phase'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    schedulerLag: new Histogram({
      name: 'statuschecker_scheduler_lag_seconds',
      help: 'How late each check started after it was due.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    leaseChanges: new Counter({
      name: 'statuschecker_lease_changes_total',
      help: 'Service leases acquired, lost (taken over or expired) and released (rebalanced or at shutdown) by this replica.',
      labelNames: ['change'] as const,
      registers,
    }),
    discardedResults: new Counter({
      name: 'statuschecker_discarded_results_total',
      help: 'Check results dropped because this replica could no longer vouch for the lease (after a pause, or a lease taken over).',
      registers,
    }),
    heartbeatPushes: new Counter({
      name: 'statuschecker_heartbeat_pushes_total',
      help: 'Calls of heartbeat push URLs by outcome: accepted, forwarded (to the replica that owns the service), not_found (unknown id or wrong secret), limited, paused, bad_request.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    fencedWrites: new Counter({
      name: 'statuschecker_fenced_writes_total',
      help: "History rows refused because the lease they were produced under is no longer this replica's.",
      labelNames: ['kind'] as const,
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'statuschecker_graphql_operations_total',
      help: 'GraphQL operations executed, by type, and whether they answered errors (subscriptions: when they start).',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    graphqlDuration: new Histogram({
      name: 'statuschecker_graphql_duration_seconds',
      help: 'Execution time of GraphQL queries and mutations.',
      labelNames: ['type'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    dbStatements: new Counter({
      name: 'statuschecker_db_statements_total',
      help: 'SQL statements sent to the database.',
      registers,
    }),
    historyDropped: new Counter({
      name: 'statuschecker_history_dropped_total',
      help: 'Buffered history rows dropped because the database was unreachable for longer than the buffer holds.',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
