import type { AuditLog } from '../audit/audit-log.js';
import type { Monitor } from '../checks/monitor.js';
import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { RecentTransitions } from '../checks/recent-transitions.js';
import type { ServiceStatus } from '../checks/service-state.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { ConfigAsCode } from '../config-file/config-as-code.js';
import type { PrismaClient } from '../db/database.js';
import type { History } from '../history/history.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Notifications } from '../notify/notifications.js';
import type { Incidents } from '../pages/incidents.js';
import type { StatusPages } from '../pages/status-pages.js';
import type { ServiceDirectory } from '../registry/directory.js';
import type { Registry } from '../registry/registry.js';
import type { ServiceLookup } from '../registry/service-lookup.js';
import type { ApiTokens } from '../tokens/api-tokens.js';

/** The domain services resolvers use; built once per process. */
export interface GraphQLDeps {
  prisma: PrismaClient;
  registry: Registry;
  cache: StatusCache;
  monitor: Monitor;
  history: History;
  events: MonitorEvents;
  /** Transitions seen on the bus in the last minute (a replay adds those not stored yet). */
  recentTransitions: RecentTransitions;
  /** The service of a live event, also when this process has not heard of it yet. */
  serviceLookup: ServiceLookup;
  /** Every service's definition in memory (what a label-limited token's summary counts). */
  directory: Pick<ServiceDirectory, 'values'>;
  notifications: Notifications;
  statusPages: StatusPages;
  incidents: Incidents;
  apiTokens: ApiTokens;
  audit: AuditLog;
  /** Export and apply of the whole configuration as one document. */
  configAsCode: ConfigAsCode;
  maintenance: Maintenance;
  now: () => Date;
  /** PUBLIC_URL, the base of push URLs (else the request's origin). */
  publicUrl?: string | undefined;
  /** Statuses that spend a service's SLA budget (history/sla.ts downStatuses). */
  slaDownStatuses: ReadonlySet<ServiceStatus>;
}
