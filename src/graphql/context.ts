import type { MonitorEvents } from '../checks/events.js';
import type { Monitor } from '../checks/monitor.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { History } from '../history/history.js';
import type { Notifications } from '../notify/notifications.js';
import type { ServiceDirectory } from '../registry/directory.js';
import type { Registry } from '../registry/registry.js';
import { createLoaders, type Loaders } from './loaders.js';

/** The domain services resolvers use; built once per process. */
export interface GraphQLDeps {
  prisma: PrismaClient;
  registry: Registry;
  cache: StatusCache;
  monitor: Monitor;
  history: History;
  events: MonitorEvents;
  directory: ServiceDirectory;
  notifications: Notifications;
  now: () => Date;
}

/** What every resolver receives: the domain services, who is asking, and per-request batch loaders. */
export interface GraphQLContext extends GraphQLDeps {
  /** The authenticated principal (server/auth.ts); subscriptions are shared only within one principal. */
  principal: string;
  loaders: Loaders;
}

export function createContext(deps: GraphQLDeps, principal: string): GraphQLContext {
  return { ...deps, principal, loaders: createLoaders(deps) };
}
