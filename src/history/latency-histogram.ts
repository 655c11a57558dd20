/**
 * Upper bounds (ms) of the latency buckets stored with each rollup; the last bucket is everything
 * above. Roughly ×1.5 apart: percentiles are estimated within ~20 %, and buckets from different
 * minutes simply add up, so any window's p50/p95/p99 come from the same rows as its uptime.
 */
export const LATENCY_BOUNDS_MS = [
  1, 2, 3, 5, 7, 10, 15, 25, 40, 60, 100, 150, 250, 400, 600, 1000, 1500, 2500, 4000, 6000, 10000, 15000, 25000, 40000,
  60000,
] as const;
export const BUCKET_COUNT = LATENCY_BOUNDS_MS.length + 1;

export function bucketIndex(latencyMs: number): number {
  // Linear scan: 26 comparisons at most, cheaper than a binary search at this size.
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (latencyMs <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** The latency below which `quantile` (0..1) of the checks fell, interpolated inside its bucket. */
export function estimateQuantile(
  buckets: readonly number[],
  quantile: number,
  minMs: number,
  maxMs: number,
): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const low = Math.max(i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!, minMs);
      const high = Math.min(i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : maxMs, maxMs);
      const within = (rank - seen) / count;
      return Math.min(maxMs, Math.max(minMs, low + (high - low) * within));
    }
    seen += count;
  }
  return maxMs;
}
