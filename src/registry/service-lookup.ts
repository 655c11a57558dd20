import type { ServiceDirectory } from './directory.js';
import type { ServiceRow } from './registry.js';

/** How long a definition read from the database serves events before the directory has it. */
const LOADED_FOR_MS = 10_000;
const MAX_LOADED = 10_000;

/**
 * The definition of the service of a live event. Usually the directory has it (no query). On
 * another replica, a service registered a moment ago can have its first transition arrive before
 * the news of its registration: then it is read from the database once, however many
 * subscribers ask at the same time, and served from memory for a little while.
 */
export interface ServiceLookup {
  /** The row, at once from the directory, or a promise of it; null when no such service exists. */
  get(serviceId: string): ServiceRow | Promise<ServiceRow | null>;
}

export function createServiceLookup(
  directory: Pick<ServiceDirectory, 'get'>,
  load: (serviceId: string) => Promise<ServiceRow | null>,
  now: () => number = Date.now,
): ServiceLookup {
  const inFlight = new Map<string, Promise<ServiceRow | null>>();
  const loaded = new Map<string, { row: ServiceRow; until: number }>();
  return {
    get(serviceId) {
      const known = directory.get(serviceId);
      if (known) return known;
      const recent = loaded.get(serviceId);
      if (recent && recent.until > now()) return recent.row;
      const pending = inFlight.get(serviceId);
      if (pending) return pending;
      const loading = load(serviceId)
        .then((row) => {
          if (row) {
            if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value!);
            loaded.set(serviceId, { row, until: now() + LOADED_FOR_MS });
          }
          return row;
        })
        .finally(() => inFlight.delete(serviceId));
      inFlight.set(serviceId, loading);
      return loading;
    },
  };
}
