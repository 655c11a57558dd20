import DataLoader from 'dataloader';
import { type DailyUptime, dailyUptime } from '../history/daily-uptime.js';
import { type WindowStats, windowStats } from '../history/stats.js';
import type { UptimeWindow } from '../history/windows.js';
import type { ServiceRow } from '../registry/registry.js';
import type { GraphQLDeps } from './deps.js';

export interface Loaders {
  /** Window statistics by service id: one query for every service on the page. */
  stats(window: UptimeWindow): DataLoader<string, WindowStats | null>;
  /** Daily uptime by service id: one query for every service asked for. */
  daily(days: number): DataLoader<string, DailyUptime[]>;
  /** A status page's services, read once per request however many fields ask. */
  pageServices: DataLoader<{ id: string; labels: string[] }, ServiceRow[], string>;
}

export function createLoaders(deps: GraphQLDeps): Loaders {
  const byWindow = new Map<UptimeWindow, DataLoader<string, WindowStats | null>>();
  const byDays = new Map<number, DataLoader<string, DailyUptime[]>>();
  return {
    daily(days) {
      let loader = byDays.get(days);
      if (!loader) {
        loader = new DataLoader(async (ids) => {
          const daily = await dailyUptime(deps.prisma, deps.history.rollups, ids, days, deps.now());
          return ids.map((id) => daily.get(id) ?? []);
        });
        byDays.set(days, loader);
      }
      return loader;
    },
    pageServices: new DataLoader((pages) => Promise.all(pages.map((page) => deps.statusPages.servicesOf(page))), {
      cacheKeyFn: (page) => page.id,
    }),
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
