import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry as MetricsRegistry } from 'prom-client';
import { createMonitor, type Monitor } from './checks/monitor.js';
import { createProber, type Prober, type ProberOptions } from './checks/probe.js';
import { createStatusCache, type StatusCache } from './checks/status-cache.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { schema } from './graphql/schema/index.js';
import { createHistory, type History } from './history/history.js';
import type { Logger } from './logger.js';
import { createCheckMetrics } from './metrics/check-metrics.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createRegistry, toCheckDefinition, type Registry } from './registry/registry.js';
import { createHttpServer } from './server/http-server.js';
import { createYogaServer, type Yoga } from './server/yoga.js';
import { VERSION } from './version.js';

export interface App {
  readonly db: Database;
  readonly registry: Registry;
  readonly cache: StatusCache;
  readonly monitor: Monitor;
  readonly history: History;
  readonly metrics: Metrics;
  readonly yoga: Yoga;
  readonly server: Server;
  /** Starts checking and listening; resolves with the bound port (useful with PORT=0). */
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
  prober?: Partial<ProberOptions>;
}

/** Builds every part from config and wires them; main.ts adds only process concerns. */
export async function createApp({ config, logger, onQuery, now = () => new Date(), prober: proberOverrides }: AppOptions): Promise<App> {
  const log = logger.child({ component: 'app' });
  const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, logger, onQuery });
  try {
    const applied = await db.migrate();
    log.info({ database: db.kind, applied }, applied.length ? 'migrations applied' : 'database schema up to date');
  } catch (err) {
    await db.close();
    throw err;
  }

  const registry = createRegistry({ prisma: db.prisma, logger });
  const cache = createStatusCache();
  const metrics = createMetrics(new MetricsRegistry());
  const prober: Prober = createProber({
    userAgent: `statuschecker/${VERSION}`,
    connectionMode: config.checks.keepAlive ? 'keep-alive' : 'fresh',
    ...proberOverrides,
  });
  const history = createHistory({
    prisma: db.prisma,
    cache,
    logger,
    now,
    retentionDays: config.history.retentionDays,
    onDropped: (kind, rows) => metrics.historyDropped.inc({ kind }, rows),
  });
  const monitor = createMonitor({
    prober,
    cache,
    sinks: [history.sink, createCheckMetrics(metrics, cache)],
    logger,
    concurrency: config.checks.concurrency,
    schedulerEnabled: config.checks.schedulerEnabled,
    now,
    onLag: (lagMs) => metrics.schedulerLag.observe(lagMs / 1000),
  });

  monitor.load((await registry.listAll()).map(toCheckDefinition), await history.loadStates());
  registry.onChange((change) => {
    if (change.kind === 'unregistered') monitor.remove(change.service.id);
    else monitor.define(toCheckDefinition(change.service));
  });

  const yoga = createYogaServer({
    schema,
    deps: { prisma: db.prisma, registry, cache, monitor, history, now },
    logger,
    production: config.production,
  });
  const server = createHttpServer({ yoga, logger, metrics: metrics.registry, isReady: () => db.ping(1_000) });

  let stopping: Promise<void> | undefined;
  return {
    db,
    registry,
    cache,
    monitor,
    history,
    metrics,
    yoga,
    server,
    async listen() {
      server.listen(config.server.port, config.server.host);
      await once(server, 'listening');
      monitor.start();
      history.start();
      const port = (server.address() as AddressInfo).port;
      log.info({ url: `http://${hostForUrl(config.server.host)}:${port}/graphql`, database: db.kind, version: VERSION }, 'listening');
      return port;
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        await monitor.stop(2_000);
        log.info('checks stopped');
        await closeServer(server);
        log.info('http server closed');
        await history.stop(3_000);
        await prober.close();
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
