import DataLoader from 'dataloader';
import { type WindowStats, windowStats } from '../history/stats.js';
import type { UptimeWindow } from '../history/windows.js';
import type { GraphQLDeps } from './deps.js';

export interface Loaders {
  /** Window statistics by service id: one query for every service on the page. */
  stats(window: UptimeWindow): DataLoader<string, WindowStats | null>;
}

export function createLoaders(deps: GraphQLDeps): Loaders {
  const byWindow = new Map<UptimeWindow, DataLoader<string, WindowStats | null>>();
  return {
    stats(window) {
      let loader = byWindow.get(window);
      if (!loader) {
        loader = new DataLoader(async (ids) => {
          const stats = await windowStats(deps.prisma, deps.history.rollups, ids, window, deps.now());
          return ids.map((id) => stats.get(id) ?? null);
        });
        byWindow.set(window, loader);
      }
      return loader;
    },
  };
}
