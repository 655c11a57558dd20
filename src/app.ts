import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry as MetricsRegistry } from 'prom-client';
import { EVENT_BATCH_MS, createEventPublisher, requestCheckThrough, reviveEventDates, type MonitorEvents, type MonitorTopics } from './checks/monitor-topics.js';
import { createMonitor, type Monitor } from './checks/monitor.js';
import { createStatusCache, type StatusCache } from './checks/status-cache.js';
import type { Config } from './config.js';
import { createOwnership } from './cluster/create-ownership.js';
import { followRemoteEvents } from './cluster/follow-remote.js';
import type { Ownership } from './cluster/ownership.js';
import { createDatabaseHealth, type DatabaseHealth } from './db/availability.js';
import { openDatabase, type Database } from './db/database.js';
import { createEventBus } from './events/event-bus.js';
import { createRedisTransport } from './events/redis-transport.js';
import { setUnusedQueryPolicy } from './graphql/builder.js';
import { schema } from './graphql/schema/index.js';
import { createTargetPolicy } from './policy/target-policy.js';
import { createHttpProber, type HttpProber, type HttpProberOptions } from './probe/http/http-prober.js';
import { createHistory, type History } from './history/history.js';
import type { Logger } from './logger.js';
import { createCheckMetrics } from './metrics/check-metrics.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createServiceDirectory, type ServiceDirectory } from './registry/directory.js';
import { createRegistry, toCheckDefinition, type Registry } from './registry/registry.js';
import { createAuthenticator } from './server/auth.js';
import { createHttpServer } from './server/http-server.js';
import { createSharedSubscriptions } from './server/shared-subscriptions.js';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './server/ws-server.js';
import { GRAPHQL_PATH, createYogaServer, type Yoga } from './server/yoga.js';
import { VERSION } from './version.js';

export interface App {
  readonly db: Database;
  readonly health: DatabaseHealth;
  readonly ownership: Ownership;
  readonly replicaId: string;
  readonly registry: Registry;
  readonly cache: StatusCache;
  readonly monitor: Monitor;
  readonly history: History;
  readonly events: MonitorEvents;
  readonly directory: ServiceDirectory;
  readonly metrics: Metrics;
  readonly ws: GraphQLWebSocket;
  readonly yoga: Yoga;
  readonly server: Server;
  /** Starts the background parts: database watch, checks, history writes. */
  start(): void;
  /** Starts everything and listens; resolves with the bound port (useful with PORT=0). */
  listen(): Promise<number>;
  /** Ordered, idempotent shutdown: stop checks, stop HTTP, write history, close the database. */
  stop(): Promise<void>;
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
}

/** Builds every part from config and wires them; main.ts adds only process concerns. */
export async function createApp({ config, logger, onQuery, now = () => new Date(), prober: proberOverrides }: AppOptions): Promise<App> {
  const log = logger.child({ component: 'app' });
  const metrics = createMetrics(new MetricsRegistry());
  const db = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    logger,
    onQuery: (sql) => {
      metrics.dbStatements.inc();
      onQuery?.(sql);
    },
  });
  try {
    const applied = await db.migrate();
    log.info({ database: db.kind, applied }, applied.length ? 'migrations applied' : 'database schema up to date');
  } catch (err) {
    await db.close();
    throw err;
  }

  const health = createDatabaseHealth({ ping: (timeoutMs) => db.ping(timeoutMs), logger });
  const policy = createTargetPolicy(config.targetPolicy);
  const auth = createAuthenticator(config.auth);
  const registry = createRegistry({ prisma: db.prisma, logger, checkUrl: (url) => policy.checkUrl(url), guard: health.guard });
  const cache = createStatusCache();
  const prober: HttpProber = createHttpProber({
    userAgent: `statuschecker/${VERSION}`,
    connectionMode: config.checks.keepAlive ? 'keep-alive' : 'fresh',
    policy,
    ...proberOverrides,
  });
  // The ownership's events reach the monitor, created below.
  let monitorRef: Monitor | undefined;
  const { ownership, replicaId } = createOwnership({
    db,
    schedulerEnabled: config.checks.schedulerEnabled,
    replicaId: config.cluster.replicaId,
    leaseTtlMs: config.cluster.leaseTtlMs,
    events: {
      acquired: (ids) => void adopt(ids),
      lost: (ids) => monitorRef?.release(ids),
    },
    beforeRelease: () => history.flush().catch(() => undefined),
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
  });
  /** Services taken over start from the freshest state: the database's, if newer than the cache's. */
  const adopt = async (ids: string[]) => {
    try {
      // A service this process has not heard of (its announcement was lost, or it was written to
      // the database directly) is loaded before it is scheduled.
      for (const id of ids.filter((id) => !directory.get(id))) {
        const row = await registry.get(id);
        if (!row) continue;
        directory.set(row);
        monitorRef?.define(toCheckDefinition(row), 'remote');
      }
      for (const [id, saved] of await history.loadStates(ids)) {
        const cached = cache.get(id);
        if (!cached || (saved.lastCheckedAt?.getTime() ?? 0) > (cached.lastCheckedAt?.getTime() ?? 0)) cache.set(id, saved);
      }
    } catch (err) {
      log.warn({ err }, 'could not load the states of services taken over; starting from the cached ones');
    }
    monitorRef?.adopt(ids);
  };
  const events: MonitorEvents = createEventBus<MonitorTopics>({
    logger,
    remote: config.redis.url ? createRedisTransport({ url: config.redis.url, prefix: config.redis.channelPrefix, logger }) : undefined,
    batchMs: EVENT_BATCH_MS,
    reviver: reviveEventDates,
  });
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
  });
  monitorRef = monitor;

  const rows = await registry.listAll();
  const directory = createServiceDirectory(rows);
  monitor.load(rows.map(toCheckDefinition), await history.loadStates());
  registry.onChange(({ kind, service }) => {
    if (kind === 'unregistered') {
      directory.delete(service.id);
      monitor.remove(service.id);
    } else {
      directory.set(service);
      monitor.define(toCheckDefinition(service));
    }
    events.publish('serviceChanged', { serviceId: service.id, kind });
    if (kind === 'registered' || kind === 'resumed') ownership.claimSoon();
  });
  const follower = followRemoteEvents({ events, cache, directory, monitor, registry, history, logger });

  setUnusedQueryPolicy(config.graphql.unusedQuery);
  const yoga = createYogaServer({
    schema,
    deps: { prisma: db.prisma, registry, cache, monitor, history, events, directory, now },
    auth,
    metrics,
    logger,
    production: config.production,
  });
  const server = createHttpServer({
    yoga,
    logger,
    metrics: metrics.registry,
    metricsToken: config.auth.metricsToken,
    isReady: () => db.ping(1_000),
  });
  const shared = createSharedSubscriptions();
  const ws = attachGraphQLWebSocket({ httpServer: server, path: GRAPHQL_PATH, yoga, shared, auth, logger });
  metrics.live.wsConnections = () => ws.connections;
  metrics.live.subscriptionsActive = () => shared.members;
  metrics.live.subscriptionGroups = () => shared.groups;
  metrics.live.ownedServices = () => (Number.isFinite(ownership.owned) ? ownership.owned : monitor.scheduled);

  let stopping: Promise<void> | undefined;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    health.start();
    monitor.start();
    history.start();
    ownership.start();
    follower.start();
  };
  return {
    db,
    health,
    ownership,
    replicaId,
    registry,
    cache,
    monitor,
    history,
    events,
    directory,
    metrics,
    ws,
    yoga,
    server,
    start,
    async listen() {
      server.listen(config.server.port, config.server.host);
      await once(server, 'listening');
      start();
      const port = (server.address() as AddressInfo).port;
      log.info({ url: `http://${hostForUrl(config.server.host)}:${port}/graphql`, database: db.kind, replicaId, version: VERSION }, 'listening');
      return port;
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        follower.stop();
        await monitor.stop(2_000);
        log.info('checks stopped');
        await ws.close();
        log.info('websockets closed');
        await closeServer(server);
        log.info('http server closed');
        await history.stop(3_000);
        await ownership.stop();
        await events.close();
        await prober.close();
        health.stop();
        await db.close();
        log.info('database closed');
      })();
      return stopping;
    },
  };
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
