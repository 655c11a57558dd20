import DataLoader from 'dataloader';
import { type SlaReport, slaReport, statusTimelines, uptimeBetween } from '../history/sla.js';
import { type WindowStats, windowStats } from '../history/stats.js';
import { UPTIME_WINDOWS, type UptimeWindow } from '../history/windows.js';
import type { GraphQLDeps } from './deps.js';

export interface Loaders {
  /** Window statistics by service id: one query for every service on the page. */
  stats(window: UptimeWindow): DataLoader<string, WindowStats | null>;
  /** SLA reports by service id: one statement for every service on the page. */
  sla(objective: number, window: UptimeWindow): DataLoader<string, SlaReport>;
  /** Uptime over a range by service id: one statement for every service on the page. */
  uptimeBetween(from: Date, to: Date): DataLoader<string, number | null>;
}

export function createLoaders(deps: GraphQLDeps): Loaders {
  const byWindow = new Map<UptimeWindow, DataLoader<string, WindowStats | null>>();
  const slaBy = new Map<string, DataLoader<string, SlaReport>>();
  const rangeBy = new Map<string, DataLoader<string, number | null>>();
  const memo = <V>(
    map: Map<string, DataLoader<string, V>>,
    key: string,
    load: (ids: readonly string[]) => Promise<V[]>,
  ) => {
    let loader = map.get(key);
    if (!loader) {
      loader = new DataLoader(load);
      map.set(key, loader);
    }
    return loader;
  };
  return {
    sla(objective, window) {
      return memo(slaBy, `${objective}\0${window}`, async (ids) => {
        const now = deps.now().getTime();
        const windowMs = UPTIME_WINDOWS[window];
        const timelines = await statusTimelines(deps.prisma, ids, new Date(now - windowMs), new Date(now));
        return ids.map((id) => slaReport(objective, windowMs, now, timelines.get(id)!));
      });
    },
    uptimeBetween(from, to) {
      return memo(rangeBy, `${from.getTime()}\0${to.getTime()}`, async (ids) => {
        const uptime = await uptimeBetween(deps.prisma, deps.history.rollups, ids, from, to);
        return ids.map((id) => uptime.get(id) ?? null);
      });
    },
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
