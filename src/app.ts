import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry as MetricsRegistry } from 'prom-client';
import { type MigratedDatabase, openMigratedDatabase } from './app-database.js';
import { type AppTesting, createAppTesting } from './app-testing.js';
import { createAuditLog } from './audit/audit-log.js';
import { createMonitor } from './checks/monitor.js';
import {
  createEventPublisher,
  EVENT_BATCH_MS,
  type MonitorEvents,
  type MonitorTopics,
  requestCheckThrough,
  reviveEventDates,
} from './checks/monitor-topics.js';
import { createRecentTransitions } from './checks/recent-transitions.js';
import { createStatusCache } from './checks/status-cache.js';
import { createOwnership } from './cluster/create-ownership.js';
import { followRemoteEvents } from './cluster/follow-remote.js';
import { createOwnershipSeam } from './cluster/ownership-seam.js';
import { createTakeover } from './cluster/takeover.js';
import type { Config } from './config.js';
import { createConfigAsCode } from './config-file/config-as-code.js';
import { createConfigFileWatch } from './config-file/file-watch.js';
import { createDatabaseHealth } from './db/availability.js';
import { createEventBus } from './events/event-bus.js';
import { setUnusedQueryPolicy } from './graphql/builder.js';
import type { GraphQLDeps } from './graphql/deps.js';
import { schema } from './graphql/schema/index.js';
import { createHistory } from './history/history.js';
import { downStatuses } from './history/sla.js';
import { createLifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { createMaintenance } from './maintenance/maintenance.js';
import { createCheckMetrics } from './metrics/check-metrics.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createNotificationMetrics } from './metrics/notification-metrics.js';
import { createNotifications, type NotificationsOptions } from './notify/notifications.js';
import { statusBadge, uptimeBadge } from './pages/badges.js';
import { createIncidents } from './pages/incidents.js';
import { pageView } from './pages/page-view.js';
import { createPageWatch } from './pages/page-watch.js';
import { createStatusPages } from './pages/status-pages.js';
import { createTargetPolicy } from './policy/target-policy.js';
import type { HttpProberOptions } from './probe/http/http-prober.js';
import { createProber } from './probe/kinds.js';
import { createServiceDirectory } from './registry/directory.js';
import { createRegistry } from './registry/registry.js';
import { createServiceLookup } from './registry/service-lookup.js';
import { type Authenticator, createAuthenticator } from './server/auth.js';
import { createHttpServer } from './server/http-server.js';
import { createLivePageStreams } from './server/pages/live-page-stream.js';
import { createPublicRoutes } from './server/pages/public-routes.js';
import { renderStatusMain } from './server/pages/status-page-html.js';
import { createPushRoute } from './server/push-route.js';
import { createSharedSubscriptions } from './server/shared-subscriptions.js';
import { attachGraphQLWebSocket } from './server/ws-server.js';
import { createYogaServer, GRAPHQL_PATH } from './server/yoga.js';
import { createPushIntake, type PushIntake } from './sync/push-intake.js';
import { createServiceSync } from './sync/service-sync.js';
import { createApiTokens } from './tokens/api-tokens.js';
import { VERSION } from './version.js';

export type { AppTesting } from './app-testing.js';

export interface App {
  /** The GraphQL endpoint in process, exactly as an HTTP client reaches it (no socket needed). */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Starts the background parts: database watch, leases, history writes, checks, following other replicas. */
  start(): void;
  /** Starts everything and listens; resolves with the bound port (useful with PORT=0). */
  listen(): Promise<number>;
  /** Ordered, idempotent shutdown: the start-up steps undone in reverse, the database closed last. */
  stop(): Promise<void>;
  /** For tests and benchmarks only: see app-testing.ts. */
  readonly testing: AppTesting;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Called with every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
  /** The clock of checks and history (tests move it instead of waiting minutes). */
  now?: () => Date;
  /** Extra prober settings (tests: a DNS hook, a private CA). */
  prober?: Partial<HttpProberOptions>;
  /** Extra notification settings (tests: a DNS hook, a private CA for SMTP, a faster poll). */
  notify?: Partial<Pick<NotificationsOptions, 'lookup' | 'smtpCa' | 'outbox' | 'attemptTimeoutMs' | 'sweepIntervalMs'>>;
  /** A stop requested during start-up: the database is closed again and createApp rejects. */
  signal?: AbortSignal;
  /** The database, already opening (main.ts opens it while this module's imports load). */
  database?: Promise<MigratedDatabase>;
  /** Longest wait between looks at heartbeat deadlines (default 1 s; tests moving `now` use less). */
  heartbeatPollMs?: number;
}

/**
 * Builds every part from config, each after the parts it needs, and wires them; main.ts adds only
 * process concerns. The one exception to "after what it needs" is the ownership, whose events
 * reach the history and the monitor built after it: they go through a named seam.
 */
export async function createApp({
  config,
  logger,
  onQuery,
  now = () => new Date(),
  prober: proberOverrides,
  notify,
  signal,
  database,
  heartbeatPollMs,
}: AppOptions): Promise<App> {
  const log = logger.child({ component: 'app' });
  const metrics = createMetrics(new MetricsRegistry(), { perService: config.metrics.perService });
  const opened = await (database ?? openMigratedDatabase(config, logger, signal));
  const { db } = opened;
  opened.onQuery((sql) => {
    metrics.dbStatements.inc();
    onQuery?.(sql);
  });

  // Leaves: nothing here knows of the others.
  const health = createDatabaseHealth({ ping: (timeoutMs) => db.ping(timeoutMs), logger });
  const policy = createTargetPolicy(config.targetPolicy);
  const cache = createStatusCache();
  const events = await createMonitorEvents(config, logger);
  const apiTokens = createApiTokens({
    prisma: db.prisma,
    logger,
    now,
    announce: (change) => events.publish('apiTokenChanged', { serviceId: '', ...change }),
  });
  // Before the API answers anything: whether tokens exist decides whether a request needs one.
  await apiTokens.reload();
  events.subscribe('apiTokenChanged', null, (change, remote) => {
    if (remote) void apiTokens.changedElsewhere(change).catch((err: unknown) => log.warn({ err }, 'token not read'));
  });
  events.onReset(() => void apiTokens.reload().catch((err: unknown) => log.warn({ err }, 'tokens not read')));
  const auth = createAuthenticator({ ...config.auth, apiTokens });
  const recentTransitions = createRecentTransitions(events);
  const prober = createProber({
    userAgent: `statuschecker/${VERSION}`,
    connectionMode: config.checks.keepAlive ? 'keep-alive' : 'fresh',
    policy,
    ...proberOverrides,
  });

  // The domain: definitions, who checks what, what was recorded, the check loop, who is told.
  const notificationMetrics = createNotificationMetrics(metrics.registry, () => notifications.queueDepth());
  // The config file's objects are its own: API changes to them are refused unless CONFIG_FILE_MODE=merge.
  const protectManaged = () => config.configFile.path !== undefined && config.configFile.mode === 'strict';
  const notifications = createNotifications({
    prisma: db.prisma,
    protectManaged,
    policy,
    secretsKey: config.notify.secretsKey,
    publicUrl: config.notify.publicUrl,
    logger,
    userAgent: `statuschecker/${VERSION}`,
    now,
    ...notify,
    outbox: { onAttempt: notificationMetrics.attempted, ...notify?.outbox },
  });
  const registry = createRegistry({
    prisma: db.prisma,
    logger,
    checkUrl: (url) => policy.checkUrl(url),
    guard: health.guard,
    protectManaged,
  });
  const statusPages = createStatusPages(db.prisma, protectManaged);
  const seam = createOwnershipSeam();
  const { ownership, replicaId } = createOwnership({
    db,
    schedulerEnabled: config.checks.schedulerEnabled,
    replicaId: config.cluster.replicaId,
    leaseTtlMs: config.cluster.leaseTtlMs,
    events: seam.events,
    beforeRelease: seam.beforeRelease,
    onChurn: (change, count) => metrics.leaseChanges.inc({ change }, count),
    logger,
  });
  const history = createHistory({
    prisma: db.prisma,
    cache,
    logger,
    now,
    retentionDays: config.history.retentionDays,
    fenceOf: (serviceId) => ownership.fenceOf(serviceId),
    onFenced: (kind, rows) => metrics.fencedWrites.inc({ kind }, rows),
    onDropped: (kind, rows) => metrics.historyDropped.inc({ kind }, rows),
    transitionHook: { within: notifications.recordTransitions, committed: notifications.written },
  });
  // Maintenance windows: in force on their own timers; the monitor shows them and judges under them.
  const maintenance = createMaintenance({
    prisma: db.prisma,
    events,
    logger,
    now,
    guard: health.guard,
    onChange: (serviceId, window) => monitor.setMaintenance(serviceId, window),
    protectManaged,
  });
  const configAsCode = createConfigAsCode({
    prisma: db.prisma,
    registry,
    channels: notifications.channels,
    statusPages,
    maintenance,
    env: config.configFile.env,
    logger,
    protectManaged,
    guard: health.guard,
  });
  const configFile = config.configFile.path
    ? createConfigFileWatch({ file: config.configFile.path, configAsCode, logger })
    : null;
  const monitor = createMonitor({
    prober,
    ownership,
    cache,
    sinks: [history.sink, createCheckMetrics(metrics, cache), createEventPublisher(events)],
    logger,
    concurrency: config.checks.concurrency,
    schedulerEnabled: config.checks.schedulerEnabled,
    now,
    onLag: (lagMs) => metrics.schedulerLag.observe(lagMs / 1000),
    onDiscard: () => metrics.discardedResults.inc(),
    requestRemoteCheck: requestCheckThrough(events),
    heartbeatPollMs,
    maintenanceOf: (serviceId) => maintenance.inForce(serviceId),
    reportsUnchecked: !events.shared,
  });

  // Keeping directory, monitor and cache in step: at start-up, on local and remote changes, on takeovers.
  const rows = await registry.listAll();
  const directory = createServiceDirectory();
  const sync = createServiceSync({ directory, monitor, cache, watchers: [maintenance.services] });
  await maintenance.load();
  sync.load(rows, await history.loadStates());
  const takeOver = createTakeover({ registry, history, sync, monitor, logger });
  seam.connect({
    acquired: (ids) => void takeOver(ids),
    lost: (ids) => monitor.release(ids),
    beforeRelease: () => history.flush().catch(() => undefined),
  });
  registry.onChange(({ kind, service }) => {
    sync.apply(kind, service, 'local');
    events.publish('serviceChanged', { serviceId: service.id, kind });
    if (kind === 'registered' || kind === 'resumed') ownership.claimSoon();
  });
  // Every replica claims at once, not only the one that registered it (which may already hold
  // its share): otherwise a new service waits for the others' next periodic round.
  events.subscribe('serviceChanged', null, ({ kind }, remote) => {
    if (remote && (kind === 'registered' || kind === 'resumed')) ownership.claimSoon();
  });
  const follower = followRemoteEvents({ events, sync, monitor, registry, history, logger });
  const pushIntake = createPushIntake({ directory, monitor, events, now, logger });

  // The API: GraphQL over HTTP and WebSockets, /metrics.
  const deps: GraphQLDeps = {
    prisma: db.prisma,
    registry,
    cache,
    monitor,
    history,
    events,
    recentTransitions,
    serviceLookup: createServiceLookup(directory, (id) => registry.get(id)),
    directory,
    notifications,
    statusPages,
    configAsCode,
    incidents: createIncidents(db.prisma, now, (incident) => {
      for (const serviceId of incident.serviceIds) {
        events.publish('incidentChanged', { serviceId, incidentId: incident.id });
      }
    }),
    apiTokens,
    audit: createAuditLog(db.prisma, now, logger.child({ component: 'audit' })),
    maintenance,
    now,
    publicUrl: config.notify.publicUrl,
    slaDownStatuses: downStatuses(config.history.unreachableIsDown),
  };
  const { yoga, server, ws, live } = createApi({
    config,
    logger,
    metrics,
    auth,
    deps,
    pushIntake,
    isReady: () => db.ping(1_000),
  });
  metrics.live.ownedServices = () => (Number.isFinite(ownership.owned) ? ownership.owned : monitor.scheduled);

  // Started top to bottom, stopped bottom to top.
  const lifecycle = createLifecycle(
    [
      { name: 'database', stop: () => db.close(), stoppedMessage: 'database closed' },
      { name: 'database watch', start: () => health.start(), stop: () => health.stop() },
      { name: 'prober', stop: () => prober.close() },
      { name: 'event bus', stop: () => events.close() },
      { name: 'api tokens', start: () => apiTokens.start(), stop: () => apiTokens.stop() },
      { name: 'ownership', start: () => ownership.start(), stop: () => ownership.stop() },
      { name: 'notifications', start: () => notifications.start(), stop: () => notifications.stop() },
      { name: 'history', start: () => history.start(), stop: () => history.stop(3_000) },
      {
        name: 'http server',
        stop: () => {
          live.close();
          return closeServer(server);
        },
        stoppedMessage: 'http server closed',
      },
      { name: 'websockets', stop: () => ws.close(), stoppedMessage: 'websockets closed' },
      {
        name: 'checks',
        start: () => monitor.start(),
        stop: () => monitor.stop(2_000),
        stoppedMessage: 'checks stopped',
      },
      { name: 'maintenance', start: () => maintenance.start(), stop: () => maintenance.stop() },
      { name: 'follower', start: () => follower.start(), stop: () => follower.stop() },
      ...(configFile ? [{ name: 'config file', start: () => configFile.start(), stop: () => configFile.stop() }] : []),
    ],
    log,
  );

  return {
    fetch: async (url, init) => yoga.fetch(url, init),
    start: () => lifecycle.start(),
    async listen() {
      server.listen(config.server.port, config.server.host);
      await once(server, 'listening');
      lifecycle.start();
      const port = (server.address() as AddressInfo).port;
      log.info(
        {
          url: `http://${hostForUrl(config.server.host)}:${port}/graphql`,
          database: db.kind,
          replicaId,
          version: VERSION,
        },
        'listening',
      );
      return port;
    },
    stop: () => lifecycle.stop(),
    testing: createAppTesting({
      registry,
      prisma: db.prisma,
      cache,
      monitor,
      history,
      events,
      metrics,
      ws,
      notifications,
      maintenance,
      configAsCode,
    }),
  };
}

async function createMonitorEvents(config: Config, logger: Logger): Promise<MonitorEvents> {
  // ioredis is loaded only when there is a Redis: a single process never needs it.
  const redis = config.redis.url ? await import('./events/redis-transport.js') : undefined;
  return createEventBus<MonitorTopics>({
    logger,
    remote:
      redis && config.redis.url
        ? redis.createRedisTransport({ url: config.redis.url, prefix: config.redis.channelPrefix, logger })
        : undefined,
    batchMs: EVENT_BATCH_MS,
    reviver: reviveEventDates,
  });
}

interface ApiParts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  auth: Authenticator;
  deps: GraphQLDeps;
  pushIntake: PushIntake;
  isReady: () => Promise<boolean>;
}

/** GraphQL (Yoga) on one HTTP server with /metrics, plus graphql-ws on the same port; their gauges. */
function createApi({ config, logger, metrics, auth, deps, pushIntake, isReady }: ApiParts) {
  setUnusedQueryPolicy(config.graphql.unusedQuery);
  const yoga = createYogaServer({
    schema,
    deps,
    auth,
    metrics,
    logger,
    production: config.production,
    publicRead: config.auth.publicRead,
  });
  const pageDeps = {
    ...deps,
    rollups: deps.history.rollups,
    findByName: (name: string) => deps.registry.findByName(name),
  };
  const live = createLivePageStreams({
    watch: createPageWatch({
      events: deps.events,
      serviceIdsOf: async (slug) => {
        const page = await deps.statusPages.bySlug(slug);
        return page ? new Set((await deps.statusPages.servicesOf(page)).map((s) => s.id)) : null;
      },
      logger,
    }),
    renderMain: async (slug) => {
      const view = await pageView(pageDeps, slug);
      return view ? renderStatusMain(view, deps.now()) : null;
    },
    logger,
  });
  const server = createHttpServer({
    yoga,
    logger,
    metrics,
    metricsToken: config.auth.metricsToken,
    isReady,
    pushRoute: createPushRoute({
      intake: pushIntake,
      logger,
      onPush: (outcome) => metrics.heartbeatPushes.inc({ outcome }),
    }),
    publicRoutes: createPublicRoutes({
      pageView: (slug) => pageView(pageDeps, slug),
      statusBadge: (name) => statusBadge(pageDeps, name),
      uptimeBadge: (name, window) => uptimeBadge(pageDeps, name, window),
      now: deps.now,
      logger,
      publicUrl: config.notify.publicUrl,
      live,
    }),
  });
  const shared = createSharedSubscriptions();
  const ws = attachGraphQLWebSocket({ httpServer: server, path: GRAPHQL_PATH, yoga, shared, auth, logger });
  metrics.live.wsConnections = () => ws.connections;
  metrics.live.subscriptionsActive = () => shared.members;
  metrics.live.subscriptionGroups = () => shared.groups;
  metrics.live.statusPageStreams = () => live.open;
  return { yoga, server, ws, live };
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
