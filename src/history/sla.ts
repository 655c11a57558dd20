import type { ServiceStatus } from '../checks/service-state.js';
import type { PrismaClient } from '../db/database.js';
import type { RollupBuffer } from './rollup-buffer.js';

/** Statuses that spend an SLA's error budget. */
export const DOWN_STATUSES: ReadonlySet<ServiceStatus> = new Set<ServiceStatus>(['DOWN']);

/**
 * What spends the budget: DOWN, and UNREACHABLE unless SLA_UNREACHABLE_IS_DOWN=false (a service
 * whose dependency is down is down for its own users all the same).
 */
export function downStatuses(unreachableIsDown: boolean): ReadonlySet<ServiceStatus> {
  return unreachableIsDown ? new Set<ServiceStatus>([...DOWN_STATUSES, 'UNREACHABLE']) : DOWN_STATUSES;
}
const HOUR_MS = 60 * 60 * 1000;

/** Statuses left out of an SLA altogether: neither up nor down, the time does not count. */
export const EXCLUDED_STATUSES: ReadonlySet<ServiceStatus> = new Set<ServiceStatus>(['MAINTENANCE']);

export interface SlaReport {
  objective: number;
  /** Share of the window not spent down, 0..1 (null: the window is empty). */
  uptime: number | null;
  allowedDowntimeSeconds: number;
  downtimeSeconds: number;
  /** 1 = untouched, 0 = spent, negative = overspent. */
  errorBudgetRemaining: number | null;
  /** Downtime of the last hour over the downtime the objective allows per hour (1 = on budget). */
  burnRate: number | null;
}

/** A service's status over time: the status in force at `from`, then each change after it. */
export interface StatusTimeline {
  atStart: ServiceStatus | null;
  changes: readonly { at: Date; current: ServiceStatus }[];
}

/** Milliseconds of [from, to) spent in a down status (or in any of `spending`). */
export function downtimeMs(
  timeline: StatusTimeline,
  from: number,
  to: number,
  spending: ReadonlySet<ServiceStatus> = DOWN_STATUSES,
): number {
  let status = timeline.atStart;
  let since = from;
  let down = 0;
  for (const change of timeline.changes) {
    const at = change.at.getTime();
    if (at >= to) break;
    if (at > since) {
      if (status !== null && spending.has(status)) down += at - since;
      since = at;
    }
    status = change.current;
  }
  if (status !== null && spending.has(status) && to > since) down += to - since;
  return down;
}

/**
 * An SLA over [now - windowMs, now): the objective allows (1 - objective) of the window down;
 * downtime is measured in time from the stored transitions, not in checks. Time in maintenance
 * is left out of the window (neither up nor down), so it neither spends nor earns budget.
 */
export function slaReport(
  objective: number,
  windowMs: number,
  now: number,
  timeline: StatusTimeline,
  spending: ReadonlySet<ServiceStatus> = DOWN_STATUSES,
): SlaReport {
  const from = now - windowMs;
  const down = downtimeMs(timeline, from, now, spending);
  const measured = windowMs - downtimeMs(timeline, from, now, EXCLUDED_STATUSES);
  const allowedMs = (1 - objective) * measured;
  const hour = timelineFrom(timeline, now - HOUR_MS);
  const lastHour = downtimeMs(hour, now - HOUR_MS, now, spending);
  const hourMeasured = HOUR_MS - downtimeMs(hour, now - HOUR_MS, now, EXCLUDED_STATUSES);
  return {
    objective,
    uptime: measured > 0 ? 1 - down / measured : null,
    allowedDowntimeSeconds: Math.round(allowedMs / 1000),
    downtimeSeconds: Math.round(down / 1000),
    errorBudgetRemaining: allowedMs > 0 ? 1 - down / allowedMs : null,
    burnRate: hourMeasured > 0 && objective < 1 ? lastHour / hourMeasured / (1 - objective) : null,
  };
}

/** The same timeline seen from a later start: the status in force then, and the changes after. */
function timelineFrom(timeline: StatusTimeline, from: number): StatusTimeline {
  let atStart = timeline.atStart;
  const changes: StatusTimeline['changes'][number][] = [];
  for (const change of timeline.changes) {
    if (change.at.getTime() <= from) atStart = change.current;
    else changes.push(change);
  }
  return { atStart, changes };
}

/**
 * The timelines of many services over [from, to) in one statement: each one's last transition
 * before `from` (the status in force then) and every transition inside.
 */
export async function statusTimelines(
  prisma: PrismaClient,
  serviceIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, StatusTimeline>> {
  const timelines = new Map<
    string,
    { atStart: ServiceStatus | null; changes: { at: Date; current: ServiceStatus }[] }
  >();
  for (const id of serviceIds) timelines.set(id, { atStart: null, changes: [] });
  if (serviceIds.length === 0) return timelines;
  const rows = await prisma.$queryRawUnsafe<{ serviceId: string; current: ServiceStatus; at: Date; before: boolean }[]>(
    `SELECT * FROM (
       SELECT DISTINCT ON ("serviceId") "serviceId", "current"::text AS "current", "at", true AS "before"
       FROM "StatusChange" WHERE "serviceId" = ANY($1::text[]) AND "at" < $2
       ORDER BY "serviceId", "at" DESC, "id" DESC
     ) earlier
     UNION ALL
     SELECT "serviceId", "current"::text, "at", false FROM "StatusChange"
     WHERE "serviceId" = ANY($1::text[]) AND "at" >= $2 AND "at" < $3
     ORDER BY "at"`,
    serviceIds,
    from,
    to,
  );
  for (const row of rows) {
    const timeline = timelines.get(row.serviceId)!;
    if (row.before) timeline.atStart = row.current;
    else timeline.changes.push({ at: row.at, current: row.current });
  }
  return timelines;
}

/**
 * Share of passing checks of many services in [from, to), in one statement, from the rollups
 * (per minute for the last two days, per hour before: a row counts when its start is in the
 * range) plus the rollups still buffered in memory. Absent: nothing checked in the range.
 */
export async function uptimeBetween(
  prisma: PrismaClient,
  buffer: RollupBuffer,
  serviceIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, number>> {
  const totals = new Map<string, { checks: number; failures: number }>();
  if (serviceIds.length === 0) return new Map();
  const rows = await prisma.$queryRawUnsafe<{ serviceId: string; checks: number; failures: number }[]>(
    `SELECT "serviceId", sum("checks")::int AS checks, sum("failures")::int AS failures FROM "CheckRollup"
     WHERE "serviceId" = ANY($1::text[]) AND "minute" >= $2 AND "minute" < $3 GROUP BY "serviceId"`,
    serviceIds,
    from,
    to,
  );
  for (const row of rows) totals.set(row.serviceId, { checks: row.checks, failures: row.failures });
  for (const pending of buffer.pendingFor(new Set(serviceIds), from.getTime())) {
    if (pending.minute >= to.getTime()) continue;
    const total = totals.get(pending.serviceId) ?? { checks: 0, failures: 0 };
    total.checks += pending.checks;
    total.failures += pending.failures;
    totals.set(pending.serviceId, total);
  }
  const uptime = new Map<string, number>();
  for (const [id, t] of totals) if (t.checks > 0) uptime.set(id, (t.checks - t.failures) / t.checks);
  return uptime;
}
