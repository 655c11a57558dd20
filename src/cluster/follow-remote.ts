import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { Monitor } from '../checks/monitor.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { History } from '../history/history.js';
import type { Logger } from '../logger.js';
import type { ServiceDirectory } from '../registry/directory.js';
import { toCheckDefinition, type Registry } from '../registry/registry.js';

export interface FollowRemoteOptions {
  events: MonitorEvents;
  cache: StatusCache;
  directory: ServiceDirectory;
  monitor: Monitor;
  registry: Registry;
  history: History;
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
  const { events, cache, directory, monitor, registry, history } = options;
  const log = options.logger.child({ component: 'follower' });

  const applyState = (serviceId: string, state: Parameters<StatusCache['set']>[1]) => {
    // A process that checks the service itself holds the freshest state; others follow it.
    if (monitor.checksLocally(serviceId) || !directory.get(serviceId)) return;
    cache.set(serviceId, state);
  };

  events.subscribe('statusChanged', null, (event, remote) => {
    if (remote) applyState(event.serviceId, event.state);
  });
  events.subscribe('checkCompleted', null, (event, remote) => {
    if (remote) applyState(event.serviceId, event.state);
  });
  // Another process was asked to check a service now, and this process is the one that checks it.
  events.subscribe('checkRequested', null, (event, remote) => {
    if (remote && monitor.checksLocally(event.serviceId)) {
      monitor.checkNow(event.serviceId).catch((err: unknown) => log.warn({ err, serviceId: event.serviceId }, 'requested check failed'));
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
    if (row) {
      directory.set(row);
      monitor.define(toCheckDefinition(row), 'remote');
    } else if (directory.get(serviceId)) {
      directory.delete(serviceId);
      monitor.remove(serviceId);
    }
  };

  const resync = async () => {
    const rows = await registry.listAll();
    const present = new Set(rows.map((row) => row.id));
    for (const id of [...monitor.serviceIds()]) {
      if (!present.has(id)) {
        directory.delete(id);
        monitor.remove(id);
      }
    }
    for (const row of rows) {
      directory.set(row);
      monitor.define(toCheckDefinition(row), 'remote');
    }
    const states = await history.loadStates();
    let applied = 0;
    for (const [serviceId, state] of states) {
      if (monitor.checksLocally(serviceId) || !present.has(serviceId)) continue;
      cache.set(serviceId, state);
      applied++;
    }
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
