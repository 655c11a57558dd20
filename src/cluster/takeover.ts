import type { Monitor } from '../checks/monitor.js';
import type { History } from '../history/history.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../registry/registry.js';
import type { ServiceSync } from '../sync/service-sync.js';

export interface TakeoverParts {
  registry: Pick<Registry, 'get'>;
  history: Pick<History, 'loadStates'>;
  sync: ServiceSync;
  monitor: Pick<Monitor, 'adopt'>;
  logger: Logger;
}

/**
 * What happens when services become this process's to check (leases acquired): they start from
 * the freshest state, the database's if it is newer than the cache's, and keep their phase.
 */
export function createTakeover({
  registry,
  history,
  sync,
  monitor,
  logger,
}: TakeoverParts): (serviceIds: string[]) => Promise<void> {
  const log = logger.child({ component: 'takeover' });
  return async (serviceIds) => {
    try {
      // A service this process has not heard of (its announcement was lost, or it was written to
      // the database directly) is loaded before it is scheduled.
      for (const id of serviceIds.filter((id) => !sync.knows(id))) {
        const row = await registry.get(id);
        if (row) sync.define(row, 'remote');
      }
      for (const [id, saved] of await history.loadStates(serviceIds)) sync.restoreState(id, saved);
    } catch (err) {
      log.warn({ err }, 'could not load the states of services taken over; starting from the cached ones');
    }
    monitor.adopt(serviceIds);
  };
}
