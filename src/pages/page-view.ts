import { initialState, type ServiceState } from '../checks/service-state.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import { type DailyUptime, dailyUptime } from '../history/daily-uptime.js';
import type { RollupBuffer } from '../history/rollup-buffer.js';
import type { ServiceRow } from '../registry/registry.js';
import type { IncidentRow, Incidents } from './incidents.js';
import { type Overall, overallOf } from './overall.js';
import type { StatusPageRow, StatusPages } from './status-pages.js';

export interface PageServiceView {
  name: string;
  state: ServiceState;
  daily: DailyUptime[];
}

/** Everything a public status page shows: nothing else about its services, and nothing of others. */
export interface PageView {
  page: StatusPageRow;
  overall: Overall;
  services: PageServiceView[];
  /** Incidents of the page's services, newest first (the latest few). */
  incidents: IncidentRow[];
}

/** Incidents a page and its feed show. */
export const PAGE_INCIDENTS = 20;

export interface PageViewDeps {
  prisma: PrismaClient;
  statusPages: StatusPages;
  incidents: Incidents;
  cache: StatusCache;
  rollups: RollupBuffer;
  now: () => Date;
}

export const stateOf = (cache: StatusCache, service: ServiceRow): ServiceState =>
  cache.get(service.id) ?? initialState(service.paused, service.createdAt);

/** A page's banner from the cache: no query beyond the page's services. */
export function overallFor(cache: StatusCache, services: readonly ServiceRow[]): Overall {
  return overallOf(services.map((s) => stateOf(cache, s).status));
}

/** The page with the given slug as its public view, or null when there is none. */
export async function pageView(deps: PageViewDeps, slug: string): Promise<PageView | null> {
  const page = await deps.statusPages.bySlug(slug);
  if (!page) return null;
  const services = await deps.statusPages.servicesOf(page);
  const ids = services.map((s) => s.id);
  const [daily, incidents] = await Promise.all([
    dailyUptime(deps.prisma, deps.rollups, ids, page.historyDays, deps.now()),
    deps.incidents.ofServices(ids, PAGE_INCIDENTS),
  ]);
  return {
    page,
    overall: overallFor(deps.cache, services),
    services: services.map((s) => ({ name: s.name, state: stateOf(deps.cache, s), daily: daily.get(s.id) ?? [] })),
    incidents,
  };
}
