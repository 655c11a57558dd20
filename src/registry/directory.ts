import type { ServiceRow } from './registry.js';

/**
 * Every service's definition in memory, so that live events can carry a `service` without a
 * database query per subscriber. Kept current by local registry changes and by the changes other
 * processes announce.
 */
export interface ServiceDirectory {
  get(id: string): ServiceRow | undefined;
  set(row: ServiceRow): void;
  delete(id: string): void;
  /** Every definition (a label-limited token's summary counts its own services from these). */
  values(): IterableIterator<ServiceRow>;
  readonly size: number;
}

export function createServiceDirectory(rows: Iterable<ServiceRow> = []): ServiceDirectory {
  const byId = new Map<string, ServiceRow>();
  for (const row of rows) byId.set(row.id, row);
  return {
    get: (id) => byId.get(id),
    set: (row) => void byId.set(row.id, row),
    delete: (id) => void byId.delete(id),
    values: () => byId.values(),
    get size() {
      return byId.size;
    },
  };
}
