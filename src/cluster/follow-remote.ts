import type { Monitor } from '../checks/monitor.js';
import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { History } from '../history/history.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../registry/registry.js';
import type { ServiceSync } from '../sync/service-sync.js';

export interface FollowRemoteOptions {
  events: MonitorEvents;
  sync: ServiceSync;
  /** Whether this process checks a service, and checks on request. */
  monitor: Pick<Monitor, 'checksLocally' | 'checkNow'>;
  registry: Pick<Registry, 'get' | 'listAll'>;
  history: Pick<History, 'loadStates'>;
  logger: Logger;
}

export interface RemoteFollower {
  /** Reloads every definition and the state of every service checked elsewhere from the database. */
  resync(): Promise<void>;
  /** Anti-entropy: resynchronises periodically, in case an event was lost (when events are shared). */
  start(): void;
  stop(): void;
}

/** How often replicas reload what other replicas decided, whatever the event stream said. */
export const RESYNC_EVERY_MS = 60_000;

/**
 * Keeps this process's view in step with the others: states they detect go into the cache,
 * services they register, change or remove reach the directory and the monitor. Redis pub/sub
 * delivers at most once, so after a reconnect everything is reloaded from the database.
 */
export function followRemoteEvents(options: FollowRemoteOptions): RemoteFollower {
  const { events, sync, monitor, registry, history } = options;
  const log = options.logger.child({ component: 'follower' });

  events.subscribe('statusChanged', null, (event, remote) => {
    if (remote) sync.followState(event.serviceId, event.state);
  });
  events.subscribe('checkCompleted', null, (event, remote) => {
    if (remote) sync.followState(event.serviceId, event.state);
  });
  // Another process was asked to check a service now, and this process is the one that checks it.
  events.subscribe('checkRequested', null, (event, remote) => {
    if (remote && monitor.checksLocally(event.serviceId)) {
      monitor
        .checkNow(event.serviceId)
        .catch((err: unknown) => log.warn({ err, serviceId: event.serviceId }, 'requested check failed'));
    }
  });
  events.subscribe('serviceChanged', null, (event, remote) => {
    if (!remote) return;
    refreshService(event.serviceId).catch((err: unknown) =>
      log.warn({ err, serviceId: event.serviceId }, 'could not load a service changed elsewhere; the next resync will'),
    );
  });

  const refreshService = async (serviceId: string) => {
    const row = await registry.get(serviceId);
    if (row) sync.define(row, 'remote');
    else sync.remove(serviceId);
  };

  const resync = async () => {
    const rows = await registry.listAll();
    sync.replaceAll(rows);
    let applied = 0;
    for (const [serviceId, state] of await history.loadStates()) if (sync.followState(serviceId, state)) applied++;
    log.info({ services: rows.length, statesApplied: applied }, 'resynchronised from the database');
  };

  events.onReset(() => {
    resync().catch((err: unknown) => log.warn({ err }, 'resync after reconnect failed'));
  });

  let timer: NodeJS.Timeout | null = null;
  return {
    resync,
    start() {
      if (!events.shared || timer) return;
      timer = setInterval(() => {
        resync().catch((err: unknown) => log.warn({ err }, 'periodic resync failed'));
      }, RESYNC_EVERY_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
