import type { Monitor } from '../checks/monitor.js';
import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { History } from '../history/history.js';
import type { Notifications } from '../notify/notifications.js';
import type { ServiceDirectory } from '../registry/directory.js';
import type { Registry } from '../registry/registry.js';

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
