import type { PrismaClient } from '../db/database.js';
import type { RollupBuffer } from './rollup-buffer.js';

const DAY_MS = 86_400_000;

/** One UTC day of one service, for status-page bars. */
export interface DailyUptime {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Share of passing checks, 0..1; null when nothing was checked that day. */
  uptime: number | null;
  /** The day's share of failed checks, as seconds of the day (of the part gone by, for today). */
  downtimeSeconds: number;
  /** The day's share of checks made during maintenance, as seconds (they count in neither figure above). */
  maintenanceSeconds: number;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The last `days` UTC days (oldest first, today last) of each service, from the rollups: one
 * query for all of them, plus what is still buffered in memory.
 */
export async function dailyUptime(
  prisma: PrismaClient,
  buffer: RollupBuffer,
  serviceIds: readonly string[],
  days: number,
  now: Date,
): Promise<Map<string, DailyUptime[]>> {
  const today = now.getTime() - (now.getTime() % DAY_MS);
  const since = today - (days - 1) * DAY_MS;
  const counts = new Map<string, { checks: number; failures: number; maintenance: number }>();
  const add = (serviceId: string, day: string, checks: number, failures: number, maintenance: number) => {
    const key = `${serviceId} ${day}`;
    const c = counts.get(key) ?? { checks: 0, failures: 0, maintenance: 0 };
    c.checks += checks;
    c.failures += failures;
    c.maintenance += maintenance;
    counts.set(key, c);
  };
  if (serviceIds.length > 0) {
    const rows = await prisma.$queryRawUnsafe<
      { serviceId: string; day: string; checks: number; failures: number; maintenance: number }[]
    >(
      `SELECT "serviceId", to_char("minute" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         sum("checks")::int AS checks, sum("failures")::int AS failures, sum("maintenanceChecks")::int AS maintenance
       FROM "CheckRollup" WHERE "serviceId" = ANY($1::text[]) AND "minute" >= $2
       GROUP BY 1, 2`,
      serviceIds,
      new Date(since),
    );
    for (const row of rows) add(row.serviceId, row.day, row.checks, row.failures, row.maintenance);
    for (const pending of buffer.pendingFor(new Set(serviceIds), since)) {
      add(pending.serviceId, dayOf(pending.minute), pending.checks, pending.failures, pending.maintenanceChecks);
    }
  }
  const out = new Map<string, DailyUptime[]>();
  for (const serviceId of serviceIds) {
    const list: DailyUptime[] = [];
    for (let start = since; start <= today; start += DAY_MS) {
      const day = dayOf(start);
      const c = counts.get(`${serviceId} ${day}`);
      const seconds = Math.min(DAY_MS, now.getTime() - start) / 1000;
      // Shares of all the checks of the day, maintenance ones included, as seconds of it.
      const all = c ? c.checks + c.maintenance : 0;
      list.push({
        day,
        uptime: c && c.checks > 0 ? (c.checks - c.failures) / c.checks : null,
        downtimeSeconds: c && all > 0 ? Math.round((c.failures / all) * seconds) : 0,
        maintenanceSeconds: c && all > 0 ? Math.round((c.maintenance / all) * seconds) : 0,
      });
    }
    out.set(serviceId, list);
  }
  return out;
}
