import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { RollupBuffer } from '../history/rollup-buffer.js';
import { windowStats } from '../history/stats.js';
import type { UptimeWindow } from '../history/windows.js';
import type { ServiceRow } from '../registry/registry.js';
import { stateOf } from './page-view.js';
import type { StatusPages } from './status-pages.js';

/** What a badge says: text on the left, text and colour on the right (shields.io's colour names). */
export interface BadgeFacts {
  label: string;
  message: string;
  color: string;
}

export interface BadgeDeps {
  prisma: PrismaClient;
  statusPages: StatusPages;
  cache: StatusCache;
  rollups: RollupBuffer;
  findByName(name: string): Promise<ServiceRow | null>;
  now: () => Date;
}

const STATUS_BADGE: Record<string, { message: string; color: string }> = {
  UP: { message: 'up', color: 'brightgreen' },
  DEGRADED: { message: 'degraded', color: 'yellow' },
  DOWN: { message: 'down', color: 'red' },
  PAUSED: { message: 'paused', color: 'lightgrey' },
  UNKNOWN: { message: 'unknown', color: 'lightgrey' },
};

const WINDOW_LABEL: Record<UptimeWindow, string> = {
  LAST_HOUR: '1h',
  LAST_24_HOURS: '24h',
  LAST_7_DAYS: '7d',
  LAST_30_DAYS: '30d',
};

function uptimeColor(uptime: number): string {
  if (uptime >= 0.999) return 'brightgreen';
  if (uptime >= 0.99) return 'green';
  if (uptime >= 0.95) return 'yellow';
  if (uptime >= 0.9) return 'orange';
  return 'red';
}

/** Only a service on some status page has badges: for any other name there is none (404). */
async function publicService(deps: BadgeDeps, name: string): Promise<ServiceRow | null> {
  const service = await deps.findByName(name);
  if (!service) return null;
  return (await deps.statusPages.isPublic(service)) ? service : null;
}

export async function statusBadge(deps: BadgeDeps, name: string): Promise<BadgeFacts | null> {
  const service = await publicService(deps, name);
  if (!service) return null;
  const status = stateOf(deps.cache, service).status;
  return { label: service.name, ...(STATUS_BADGE[status] ?? { message: status.toLowerCase(), color: 'lightgrey' }) };
}

export async function uptimeBadge(deps: BadgeDeps, name: string, window: UptimeWindow): Promise<BadgeFacts | null> {
  const service = await publicService(deps, name);
  if (!service) return null;
  const stats = (await windowStats(deps.prisma, deps.rollups, [service.id], window, deps.now())).get(service.id);
  const label = `${service.name} uptime ${WINDOW_LABEL[window]}`;
  if (!stats) return { label, message: 'no data', color: 'lightgrey' };
  const percent = Math.floor(stats.uptime * 10_000) / 100;
  return { label, message: `${percent.toFixed(percent === 100 ? 0 : 2)}%`, color: uptimeColor(stats.uptime) };
}
