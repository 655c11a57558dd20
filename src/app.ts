import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createStatusCache, type StatusCache } from './checks/status-cache.js';
import { initialState } from './checks/service-state.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { schema } from './graphql/schema/index.js';
import type { Logger } from './logger.js';
import { createRegistry, type Registry, type RegistryChange } from './registry/registry.js';
import { createHttpServer } from './server/http-server.js';
import { createYogaServer, type Yoga } from './server/yoga.js';

export interface App {
  readonly db: Database;
  readonly registry: Registry;
  readonly cache: StatusCache;
  readonly yoga: Yoga;
  readonly server: Server;
  /** Starts listening; resolves with the bound port (useful with PORT=0). */
  listen(): Promise<number>;
  /** Ordered, idempotent shutdown: stop accepting requests, then close the database. */
  stop(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Called with every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
}

/** Builds every part from config and wires them; main.ts adds only process concerns. */
export async function createApp({ config, logger, onQuery }: AppOptions): Promise<App> {
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
  const now = new Date();
  for (const service of await registry.listAll()) cache.set(service.id, initialState(service.paused, now));
  registry.onChange((change) => followRegistry(cache, change));

  const yoga = createYogaServer({ schema, context: { prisma: db.prisma, registry, cache }, logger, production: config.production });
  const server = createHttpServer({ yoga, logger, isReady: () => db.ping(1_000) });

  let stopping: Promise<void> | undefined;
  return {
    db,
    registry,
    cache,
    yoga,
    server,
    async listen() {
      server.listen(config.server.port, config.server.host);
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      log.info({ url: `http://${hostForUrl(config.server.host)}:${port}/graphql`, database: db.kind }, 'listening');
      return port;
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        await closeServer(server);
        log.info('http server closed');
        await db.close();
        log.info('database closed');
      })();
      return stopping;
    },
  };
}

/** Until the checker runs, state only follows the registry: UNKNOWN, or PAUSED while paused. */
function followRegistry(cache: StatusCache, change: RegistryChange): void {
  const { service } = change;
  switch (change.kind) {
    case 'registered':
    case 'paused':
    case 'resumed':
      cache.set(service.id, initialState(service.paused, new Date()));
      break;
    case 'unregistered':
      cache.delete(service.id);
      break;
    case 'updated':
      break;
  }
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
