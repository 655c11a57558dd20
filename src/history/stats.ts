import type { PrismaClient } from '../db/database.js';
import { BUCKET_COUNT, estimateQuantile } from './latency-histogram.js';
import { MINUTE_MS, type Rollup, type RollupBuffer } from './rollup-buffer.js';
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

interface Totals {
  checks: number;
  failures: number;
  degraded: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
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
  const totals = new Map<string, Totals>();
  if (serviceIds.length === 0) return new Map();

  const rows = await prisma.$queryRawUnsafe<
    { serviceId: string; checks: number; failures: number; degraded: number; sum: number; min: number; max: number; buckets: number[] }[]
  >(
    `SELECT r."serviceId", sum(r."checks")::int AS checks, sum(r."failures")::int AS failures, sum(r."degraded")::int AS degraded,
       sum(r."latencySumMs")::float8 AS sum, min(r."latencyMinMs")::float8 AS min, max(r."latencyMaxMs")::float8 AS max,
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
    totals.set(row.serviceId, {
      checks: row.checks,
      failures: row.failures,
      degraded: row.degraded,
      sum: row.sum,
      min: row.min,
      max: row.max,
      buckets: row.buckets ?? new Array<number>(BUCKET_COUNT).fill(0),
    });
  }
  for (const pending of buffer.pendingFor(new Set(serviceIds), since)) addPending(totals, pending);

  const out = new Map<string, WindowStats>();
  for (const [serviceId, t] of totals) {
    if (t.checks === 0) continue;
    out.set(serviceId, {
      checks: t.checks,
      failures: t.failures,
      degraded: t.degraded,
      uptime: (t.checks - t.failures) / t.checks,
      averageMs: t.sum / t.checks,
      minMs: t.min,
      maxMs: t.max,
      p50Ms: estimateQuantile(t.buckets, 0.5, t.min, t.max),
      p95Ms: estimateQuantile(t.buckets, 0.95, t.min, t.max),
      p99Ms: estimateQuantile(t.buckets, 0.99, t.min, t.max),
    });
  }
  return out;
}

function addPending(totals: Map<string, Totals>, r: Rollup): void {
  let t = totals.get(r.serviceId);
  if (!t) {
    t = { checks: 0, failures: 0, degraded: 0, sum: 0, min: Infinity, max: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) };
    totals.set(r.serviceId, t);
  }
  t.checks += r.checks;
  t.failures += r.failures;
  t.degraded += r.degraded;
  t.sum += r.latencySumMs;
  t.min = Math.min(t.min, r.latencyMinMs);
  t.max = Math.max(t.max, r.latencyMaxMs);
  for (let i = 0; i < BUCKET_COUNT; i++) t.buckets[i] = (t.buckets[i] ?? 0) + (r.latencyBuckets[i] ?? 0);
}

function floorToMinute(ms: number): number {
  return ms - (ms % MINUTE_MS);
}
