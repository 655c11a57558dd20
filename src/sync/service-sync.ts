import type { Monitor } from '../checks/monitor.js';
import type { ServiceChangeKind } from '../checks/monitor-topics.js';
import { type ServiceState, supersedes } from '../checks/service-state.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { ServiceDirectory } from '../registry/directory.js';
import { type ServiceRecord, toCheckDefinition } from '../registry/registry.js';

/**
 * The one place that keeps the directory (definitions for live events), the monitor (what is
 * checked) and the status cache (states) in step. Local registry changes, changes announced by
 * other processes, resyncs and takeovers all go through it.
 */
export interface ServiceSync {
  /** Start-up: every stored service and its last known state. */
  load(rows: readonly ServiceRecord[], states: ReadonlyMap<string, ServiceState>): void;
  /**
   * A service changed. `remote`: another process made the change and already recorded the
   * operator's transition (pause, resume); this one only follows it.
   */
  apply(kind: ServiceChangeKind, row: ServiceRecord, origin: 'local' | 'remote'): void;
  /** Adds or changes a service. */
  define(row: ServiceRecord, origin: 'local' | 'remote'): void;
  /** Forgets a service (unknown ids are ignored). */
  remove(serviceId: string): void;
  /** Makes the known services exactly `rows` (a resync from the database). */
  replaceAll(rows: readonly ServiceRecord[]): void;
  /** Whether the directory knows the service. */
  knows(serviceId: string): boolean;
  /**
   * A state decided by the process that checks the service. Ignored when this process checks it
   * (its own state is the freshest), does not know the service, or holds a newer state of it (the
   * same service's states arrive by several paths, out of order). True when applied.
   */
  followState(serviceId: string, state: ServiceState): boolean;
  /** A stored state of a service taken over: kept only when newer than the cached one (by version, else by its last check). */
  restoreState(serviceId: string, saved: ServiceState): void;
}

/** Something else that follows the services as they come, change and go (maintenance windows by label). */
export interface ServiceWatcher {
  defineService(serviceId: string, labels: readonly string[]): void;
  removeService(serviceId: string): void;
}

export interface ServiceSyncParts {
  directory: ServiceDirectory;
  monitor: Monitor;
  cache: StatusCache;
  watchers?: readonly ServiceWatcher[];
}

/** States of services not known yet kept for their definition to arrive (oldest dropped beyond). */
const MAX_EARLY_STATES = 10_000;

export function createServiceSync({ directory, monitor, cache, watchers = [] }: ServiceSyncParts): ServiceSync {
  // A replica can hear a service's first state before it hears of the service (the checking
  // replica's transition overtakes the registering replica's announcement): kept until then,
  // so the service does not show UNKNOWN here until its next change.
  const early = new Map<string, ServiceState>();
  const define = (row: ServiceRecord, origin: 'local' | 'remote') => {
    directory.set(row);
    monitor.define(toCheckDefinition(row), origin);
    const state = early.get(row.id);
    if (state) {
      early.delete(row.id);
      if (!monitor.checksLocally(row.id) && supersedes(state, cache.get(row.id))) cache.set(row.id, state);
    }
    for (const watcher of watchers) watcher.defineService(row.id, row.labels);
  };
  const remove = (serviceId: string) => {
    early.delete(serviceId);
    directory.delete(serviceId);
    monitor.remove(serviceId);
    for (const watcher of watchers) watcher.removeService(serviceId);
  };
  return {
    load(rows, states) {
      for (const row of rows) directory.set(row);
      monitor.load(rows.map(toCheckDefinition), states);
      for (const row of rows) for (const watcher of watchers) watcher.defineService(row.id, row.labels);
    },
    apply(kind, row, origin) {
      if (kind === 'unregistered') remove(row.id);
      else define(row, origin);
    },
    define,
    remove,
    replaceAll(rows) {
      const present = new Set(rows.map((row) => row.id));
      for (const id of [...monitor.serviceIds()]) if (!present.has(id)) remove(id);
      for (const row of rows) define(row, 'remote');
    },
    knows: (serviceId) => directory.get(serviceId) !== undefined,
    followState(serviceId, state) {
      if (monitor.checksLocally(serviceId)) return false;
      if (!directory.get(serviceId)) {
        if (!supersedes(state, early.get(serviceId))) return false;
        if (early.size >= MAX_EARLY_STATES && !early.has(serviceId)) early.delete(early.keys().next().value!);
        early.set(serviceId, state);
        return false;
      }
      const cached = cache.get(serviceId);
      // A transition goes out at once, the check that caused it in the next checkCompleted batch,
      // the database's copy every few seconds: an older state arriving after a newer one is dropped.
      if (!supersedes(state, cached)) return false;
      cache.set(serviceId, state);
      // A parent checked elsewhere went DOWN (or recovered): its children checked here are judged again.
      if (cached?.status !== state.status) monitor.parentChanged(serviceId);
      return true;
    },
    restoreState(serviceId, saved) {
      const cached = cache.get(serviceId);
      const newer =
        saved.version && cached?.version
          ? saved.version > cached.version
          : (saved.lastCheckedAt?.getTime() ?? 0) > (cached?.lastCheckedAt?.getTime() ?? 0);
      if (!cached || newer) cache.set(serviceId, saved);
    },
  };
}
