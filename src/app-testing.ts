import type { Monitor } from './checks/monitor.js';
import type { MonitorEvents } from './checks/monitor-topics.js';
import type { ServiceState } from './checks/service-state.js';
import type { StatusCache } from './checks/status-cache.js';
import type { ConfigAsCode } from './config-file/config-as-code.js';
import type { PrismaClient } from './db/database.js';
import type { History } from './history/history.js';
import type { Maintenance } from './maintenance/maintenance.js';
import type { Metrics } from './metrics/metrics.js';
import type { Notifications } from './notify/notifications.js';
import type { Registry } from './registry/registry.js';
import type { GraphQLWebSocket } from './server/ws-server.js';

/**
 * The one door into a running app besides its public API (GraphQL over HTTP and WebSockets,
 * /metrics), for tests and benchmarks. Each member is here because a test needs what the API
 * cannot give it; nothing in src/ uses it. Add to it only with the test that needs it.
 */
export interface AppTesting {
  /** The registry the mutations call: sets services up without a token, in setup code. */
  readonly registry: Pick<
    Registry,
    'register' | 'unregister' | 'setPaused' | 'rotatePushToken' | 'listAll' | 'findByName'
  >;
  /** Reads of stored rows: what history wrote, and when. */
  readonly prisma: PrismaClient;
  /** The very cache the resolvers read (tests spy on it to break one resolver). */
  readonly cache: StatusCache;
  /** One check through the monitor alone, without the history write checkServiceNow forces. */
  checkNow(serviceId: string): Promise<ServiceState | null>;
  /** Writes buffered history now; compacts and prunes now (as the timers would). */
  readonly history: Pick<History, 'flush' | 'pruneNow' | 'pending'>;
  /** Publishes onto the event bus as the monitor would (subscription tests need exact events). */
  publish: MonitorEvents['publish'];
  /** The counts behind the WebSocket gauges, read without a scrape. */
  readonly live: {
    readonly wsConnections: () => number;
    readonly subscriptionsActive: () => number;
    readonly subscriptionGroups: () => number;
  };
  /** Closes every WebSocket with 1001, as shutdown does, leaving the rest running. */
  closeWebSockets(): Promise<void>;
  /** The app's metrics objects (benchmarks read counters and tap the lag histogram). */
  readonly metrics: Pick<Metrics, 'services' | 'schedulerLag' | 'registry' | 'dbStatements'>;
  /** Channels set up without a token, and a sweep run now instead of at its interval (on a moved clock). */
  readonly notifications: Pick<Notifications, 'channels' | 'sweeper'>;
  /** Maintenance windows looked at now, on a moved clock (their timers run on the real one). */
  readonly maintenance: Pick<Maintenance, 'evaluate'>;
  /** Export and apply called as the domain functions they are (the API's resolvers call the same). */
  readonly configAsCode: ConfigAsCode;
}

export interface AppTestingParts {
  registry: Registry;
  prisma: PrismaClient;
  cache: StatusCache;
  monitor: Monitor;
  history: History;
  events: MonitorEvents;
  metrics: Metrics;
  ws: GraphQLWebSocket;
  notifications: Notifications;
  maintenance: Maintenance;
  configAsCode: ConfigAsCode;
}

export function createAppTesting({
  registry,
  prisma,
  cache,
  monitor,
  history,
  events,
  metrics,
  ws,
  notifications,
  maintenance,
  configAsCode,
}: AppTestingParts): AppTesting {
  return {
    registry,
    prisma,
    cache,
    checkNow: (serviceId) => monitor.checkNow(serviceId),
    history,
    publish: (topic, event) => events.publish(topic, event),
    live: {
      wsConnections: () => metrics.live.wsConnections(),
      subscriptionsActive: () => metrics.live.subscriptionsActive(),
      subscriptionGroups: () => metrics.live.subscriptionGroups(),
    },
    closeWebSockets: () => ws.close(),
    metrics,
    notifications,
    maintenance,
    configAsCode,
  };
}
