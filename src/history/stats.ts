import type { PrismaClient } from '../db/database.js';
import { estimateQuantile } from './latency-histogram.js';
import { emptyRollup, MINUTE_MS, mergeRollup, type Rollup, type RollupBuffer } from './rollup-buffer.js';
import { UPTIME_WINDOWS, type UptimeWindow } from './windows.js';

export interface WindowStats {
  checks: number;
  failures: number;
  degraded: number;
  /** Share of passing checks (degraded ones pass), 0..1. */
  uptime: number;
  averageMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * Per-window statistics of many services in one query: the rows already written plus the rows
 * still buffered in memory, so a check counts as soon as it finished. Services with no checks in
 * the window are absent from the result.
 */
export async function windowStats(
  prisma: PrismaClient,
  buffer: RollupBuffer,
  serviceIds: readonly string[],
  window: UptimeWindow,
  now: Date,
): Promise<Map<string, WindowStats>> {
  const since = floorToMinute(now.getTime() - UPTIME_WINDOWS[window]);
  // Per service, everything in the window added up as one rollup.
  const totals = new Map<string, Rollup>();
  if (serviceIds.length === 0) return new Map();

  const rows = await prisma.$queryRawUnsafe<
    {
      serviceId: string;
      checks: number;
      failures: number;
      degraded: number;
      sum: number;
      min: number | null;
      max: number;
      buckets: number[];
    }[]
  >(
    `SELECT r."serviceId", sum(r."checks")::int AS checks, sum(r."failures")::int AS failures, sum(r."degraded")::int AS degraded,
       sum(r."latencySumMs")::float8 AS sum,
       (min(r."latencyMinMs") FILTER (WHERE r."checks" > 0))::float8 AS min, max(r."latencyMaxMs")::float8 AS max,
       (SELECT array_agg(total ORDER BY i) FROM (
          SELECT b.i, sum(b.n)::int AS total
          FROM "CheckRollup" r2, unnest(r2."latencyBuckets") WITH ORDINALITY AS b(n, i)
          WHERE r2."serviceId" = r."serviceId" AND r2."minute" >= $2
          GROUP BY b.i) per_bucket) AS buckets
     FROM "CheckRollup" r
     WHERE r."serviceId" = ANY($1::text[]) AND r."minute" >= $2
     GROUP BY r."serviceId"`,
    serviceIds,
    new Date(since),
  );
  for (const row of rows) {
    const total = emptyRollup(row.serviceId, since);
    mergeRollup(total, {
      ...total,
      checks: row.checks,
      failures: row.failures,
      degraded: row.degraded,
      latencySumMs: row.sum,
      // null: every row of the window was made in maintenance (no latency counted).
      latencyMinMs: row.min ?? Number.POSITIVE_INFINITY,
      latencyMaxMs: row.max,
      latencyBuckets: row.buckets ?? total.latencyBuckets,
    });
    totals.set(row.serviceId, total);
  }
  for (const pending of buffer.pendingFor(new Set(serviceIds), since)) {
    let total = totals.get(pending.serviceId);
    if (!total) {
      total = emptyRollup(pending.serviceId, since);
      totals.set(pending.serviceId, total);
    }
    mergeRollup(total, pending);
  }

  const out = new Map<string, WindowStats>();
  for (const [serviceId, t] of totals) {
    if (t.checks === 0) continue;
    const quantile = (q: number) => estimateQuantile(t.latencyBuckets, q, t.latencyMinMs, t.latencyMaxMs);
    out.set(serviceId, {
      checks: t.checks,
      failures: t.failures,
      degraded: t.degraded,
      uptime: (t.checks - t.failures) / t.checks,
      averageMs: t.latencySumMs / t.checks,
      minMs: t.latencyMinMs,
      maxMs: t.latencyMaxMs,
      p50Ms: quantile(0.5),
      p95Ms: quantile(0.95),
      p99Ms: quantile(0.99),
    });
  }
  return out;
}

function floorToMinute(ms: number): number {
  return ms - (ms % MINUTE_MS);
}
