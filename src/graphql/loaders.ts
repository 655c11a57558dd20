import DataLoader from 'dataloader';
import { type DailyUptime, dailyUptime } from '../history/daily-uptime.js';
import { type SlaReport, slaReport, statusTimelines, uptimeBetween } from '../history/sla.js';
import { type WindowStats, windowStats } from '../history/stats.js';
import { UPTIME_WINDOWS, type UptimeWindow } from '../history/windows.js';
import type { ServiceRow } from '../registry/registry.js';
import type { GraphQLDeps } from './deps.js';

export interface Loaders {
  /** Window statistics by service id: one query for every service on the page. */
  stats(window: UptimeWindow): DataLoader<string, WindowStats | null>;
  /** Daily uptime by service id: one query for every service asked for. */
  daily(days: number): DataLoader<string, DailyUptime[]>;
  /** SLA reports by service id: one statement for every service on the page. */
  sla(objective: number, window: UptimeWindow): DataLoader<string, SlaReport>;
  /** Uptime over a range by service id: one statement for every service on the page. */
  uptimeBetween(from: Date, to: Date): DataLoader<string, number | null>;
  /** A status page's services, read once per request however many fields ask. */
  pageServices: DataLoader<{ id: string; labels: string[] }, ServiceRow[], string>;
}

export function createLoaders(deps: GraphQLDeps): Loaders {
  const loaders = new Map<string, DataLoader<string, unknown>>();
  /** One loader per kind and arguments, made on first use: every service on the page in one batch. */
  const memo = <V>(key: string, load: (ids: readonly string[]) => Promise<V[]>): DataLoader<string, V> => {
    let loader = loaders.get(key) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader(load);
      loaders.set(key, loader as DataLoader<string, unknown>);
    }
    return loader;
  };
  return {
    stats: (window) =>
      memo(`stats\0${window}`, async (ids) => {
        const stats = await windowStats(deps.prisma, deps.history.rollups, ids, window, deps.now());
        return ids.map((id) => stats.get(id) ?? null);
      }),
    daily: (days) =>
      memo(`daily\0${days}`, async (ids) => {
        const daily = await dailyUptime(deps.prisma, deps.history.rollups, ids, days, deps.now());
        return ids.map((id) => daily.get(id) ?? []);
      }),
    sla: (objective, window) =>
      memo(`sla\0${objective}\0${window}`, async (ids) => {
        const now = deps.now().getTime();
        const windowMs = UPTIME_WINDOWS[window];
        const timelines = await statusTimelines(deps.prisma, ids, new Date(now - windowMs), new Date(now));
        return ids.map((id) => slaReport(objective, windowMs, now, timelines.get(id)!, deps.slaDownStatuses));
      }),
    uptimeBetween: (from, to) =>
      memo(`range\0${from.getTime()}\0${to.getTime()}`, async (ids) => {
        const uptime = await uptimeBetween(deps.prisma, deps.history.rollups, ids, from, to);
        return ids.map((id) => uptime.get(id) ?? null);
      }),
    pageServices: new DataLoader((pages) => Promise.all(pages.map((page) => deps.statusPages.servicesOf(page))), {
      cacheKeyFn: (page) => page.id,
    }),
  };
}
