import type { PrismaClient } from '../db/database.js';
import { MERGE_INTO_EXISTING_ROLLUP } from './history-sql.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Per-minute rollups older than this are merged into one row per hour. */
export const COMPACT_AFTER_MS = 2 * DAY_MS;

/**
 * Daily upkeep: drops history (and audit entries) older than the retention, and merges per-minute rollups older than
 * two days into hourly rows (the row of an hour keeps `minute` = the start of the hour). Sums,
 * minima, maxima and latency buckets merge exactly, so uptime and percentiles over long windows
 * are unchanged while a service costs 24 rows a day instead of 1,440. An hour whose rows have no
 * latency buckets at all (empty arrays) still keeps its checks: the buckets are joined, not required.
 */
export async function pruneAndCompact(
  prisma: PrismaClient,
  now: Date,
  retentionDays: number,
): Promise<{
  statusChangesDeleted: number;
  rollupsDeleted: number;
  minuteRowsCompacted: number;
  auditEntriesDeleted: number;
}> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const statusChangesDeleted = await prisma.statusChange.deleteMany({ where: { at: { lt: cutoff } } });
  // The audit log is kept as long as the history it explains.
  const auditEntriesDeleted = await prisma.auditEntry.deleteMany({ where: { at: { lt: cutoff } } });
  const rollupsDeleted = await prisma.checkRollup.deleteMany({ where: { minute: { lt: cutoff } } });
  const minuteRowsCompacted = await prisma.$executeRawUnsafe(
    `WITH old AS (
       DELETE FROM "CheckRollup"
       WHERE "minute" < $1 AND "minute" <> date_trunc('hour', "minute" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
       RETURNING *
     ), hourly AS (
       SELECT "serviceId", date_trunc('hour', "minute" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
         sum("checks")::int AS checks, sum("failures")::int AS failures, sum("degraded")::int AS degraded,
         sum("latencySumMs") AS lsum, COALESCE(min("latencyMinMs") FILTER (WHERE "checks" > 0), 0) AS lmin,
         max("latencyMaxMs") AS lmax, sum("maintenanceChecks")::int AS maint
       FROM old GROUP BY 1, 2
     ), buckets AS (
       SELECT "serviceId", hour, array_agg(total ORDER BY i) AS buckets
       FROM (
         SELECT o."serviceId", date_trunc('hour', o."minute" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, b.i, sum(b.n)::int AS total
         FROM old o, unnest(o."latencyBuckets") WITH ORDINALITY AS b(n, i)
         GROUP BY 1, 2, 3
       ) per_bucket
       GROUP BY 1, 2
     )
     INSERT INTO "CheckRollup" ("serviceId", "minute", "checks", "failures", "degraded", "latencySumMs", "latencyMinMs", "latencyMaxMs", "latencyBuckets", "maintenanceChecks")
     SELECT h."serviceId", h.hour, h.checks, h.failures, h.degraded, h.lsum, h.lmin, h.lmax, COALESCE(b.buckets, '{}'), h.maint
     FROM hourly h LEFT JOIN buckets b USING ("serviceId", hour)
     ${MERGE_INTO_EXISTING_ROLLUP}`,
    new Date(now.getTime() - COMPACT_AFTER_MS),
  );
  return {
    statusChangesDeleted: statusChangesDeleted.count,
    rollupsDeleted: rollupsDeleted.count,
    minuteRowsCompacted,
    auditEntriesDeleted: auditEntriesDeleted.count,
  };
}
