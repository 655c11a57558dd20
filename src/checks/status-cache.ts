import { SERVICE_STATUSES, type ServiceState, type ServiceStatus } from './service-state.js';

export type StatusSummary = { total: number } & Record<Lowercase<ServiceStatus>, number>;

/** Every service's current state, in memory: the only source GraphQL reads state from. */
export interface StatusCache {
  get(serviceId: string): ServiceState | undefined;
  set(serviceId: string, state: ServiceState): void;
  delete(serviceId: string): void;
  has(serviceId: string): boolean;
  readonly size: number;
  entries(): IterableIterator<[string, ServiceState]>;
  /** Counts per status, kept up to date on every write so a summary costs nothing. */
  summary(): StatusSummary;
  /** Ids of the services whose status is one of `statuses`. */
  idsWithStatus(statuses: Iterable<ServiceStatus>): string[];
  /** Called after every write that changed the counts (a status changed, a service came or went). */
  onCountsChanged(listener: () => void): () => void;
}

export function createStatusCache(): StatusCache {
  const states = new Map<string, ServiceState>();
  const counts = new Map<ServiceStatus, number>(SERVICE_STATUSES.map((s) => [s, 0]));
  const bump = (status: ServiceStatus, by: number) => counts.set(status, (counts.get(status) ?? 0) + by);
  const listeners = new Set<() => void>();
  const countsChanged = () => {
    for (const listener of [...listeners]) listener();
  };

  return {
    get: (id) => states.get(id),
    has: (id) => states.has(id),
    set(id, state) {
      const previous = states.get(id);
      if (previous) bump(previous.status, -1);
      bump(state.status, 1);
      states.set(id, state);
      if (previous?.status !== state.status) countsChanged();
    },
    delete(id) {
      const previous = states.get(id);
      if (!previous) return;
      bump(previous.status, -1);
      states.delete(id);
      countsChanged();
    },
    get size() {
      return states.size;
    },
    entries: () => states.entries(),
    summary() {
      const count = (s: ServiceStatus) => counts.get(s) ?? 0;
      return {
        total: states.size,
        up: count('UP'),
        degraded: count('DEGRADED'),
        down: count('DOWN'),
        paused: count('PAUSED'),
        unknown: count('UNKNOWN'),
        maintenance: count('MAINTENANCE'),
        unreachable: count('UNREACHABLE'),
      };
    },
    idsWithStatus(statuses) {
      const wanted = new Set(statuses);
      const ids: string[] = [];
      for (const [id, state] of states) if (wanted.has(state.status)) ids.push(id);
      return ids;
    },
    onCountsChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
