/**
 * A replica's /metrics, reduced to what bench:replicas compares between two scrapes: checks,
 * SQL statements, the scheduler lag histogram, leases, and the process's own CPU.
 */
export interface ReplicaMetrics {
  /** performance.now() when the scrape answered. */
  at: number;
  checks: number;
  /** Checks whose outcome is neither success nor degraded. */
  failed: number;
  dbStatements: number;
  /** Cumulative counts of statuschecker_scheduler_lag_seconds by upper bound (seconds; +Inf last). */
  lagBuckets: [number, number][];
  lagCount: number;
  owned: number;
  leaseChanges: Record<string, number>;
  fencedWrites: number;
  historyDropped: number;
  cpuSeconds: number;
  /** Size of the exposition, bytes (thousands of per-service series), and how long the scrape took. */
  bytes: number;
  scrapeMs: number;
}

const value = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));
const label = (line: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1];

export async function scrapeReplica(baseUrl: string): Promise<ReplicaMetrics> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  const text = await response.text();
  const at = performance.now();
  const m: ReplicaMetrics = {
    at,
    checks: 0,
    failed: 0,
    dbStatements: 0,
    lagBuckets: [],
    lagCount: 0,
    owned: 0,
    leaseChanges: {},
    fencedWrites: 0,
    historyDropped: 0,
    cpuSeconds: 0,
    bytes: text.length,
    scrapeMs: at - started,
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('statuschecker_checks_total{')) {
      const v = value(line);
      m.checks += v;
      const outcome = label(line, 'outcome');
      if (outcome !== 'success' && outcome !== 'degraded') m.failed += v;
    } else if (line.startsWith('statuschecker_db_statements_total ')) m.dbStatements = value(line);
    else if (line.startsWith('statuschecker_scheduler_lag_seconds_bucket{')) {
      const le = label(line, 'le')!;
      m.lagBuckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value(line)]);
    } else if (line.startsWith('statuschecker_scheduler_lag_seconds_count')) m.lagCount = value(line);
    else if (line.startsWith('statuschecker_owned_services ')) m.owned = value(line);
    else if (line.startsWith('statuschecker_lease_changes_total{'))
      m.leaseChanges[label(line, 'change')!] = value(line);
    else if (line.startsWith('statuschecker_fenced_writes_total')) m.fencedWrites += value(line);
    else if (line.startsWith('statuschecker_history_dropped_total')) m.historyDropped += value(line);
    else if (line.startsWith('process_cpu_seconds_total ')) m.cpuSeconds = value(line);
  }
  m.lagBuckets.sort((a, b) => a[0] - b[0]);
  return m;
}

/**
 * The p99 of the lag observed between two scrapes, as the upper bound of the histogram bucket it
 * falls in (seconds): the histogram cannot say more. NaN when nothing was observed.
 */
export function lagP99Bound(before: ReplicaMetrics, after: ReplicaMetrics, quantile = 0.99): number {
  const total = after.lagCount - before.lagCount;
  if (total <= 0) return Number.NaN;
  const start = new Map(before.lagBuckets);
  for (const [le, cumulative] of after.lagBuckets) {
    if (cumulative - (start.get(le) ?? 0) >= quantile * total) return le;
  }
  return Number.POSITIVE_INFINITY;
}

export function leaseChurn(before: ReplicaMetrics, after: ReplicaMetrics): number {
  let churn = 0;
  for (const [change, n] of Object.entries(after.leaseChanges)) churn += n - (before.leaseChanges[change] ?? 0);
  return churn;
}
