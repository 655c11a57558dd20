import os from 'node:os';
import { fmt, table } from './stats.js';

/** One measured step of bench:replicas: R replicas, N services, one window. */
export interface Step {
  replicas: number;
  services: number;
  load: string;
  spreadMs: number;
  /** Sum over replicas of the increase of statuschecker_checks_total, per second. */
  checksPerSec: number;
  perReplicaChecks: number[];
  failedPerSec: number;
  /** Requests the target answered per second over the same window. */
  targetPerSec: number;
  lagP99: number[];
  replicaCpu: number[];
  postgresCpu: number;
  postgresProcesses: string;
  benchBackendsCpu: number;
  redisCpu: number;
  targetCpu: number;
  benchCpu: number;
  /** Cores busy machine-wide, and those busy outside the processes above (others' tests, the kernel). */
  machineCores: number;
  otherCores: number;
  statementsPerCheck: number;
  statementsPerSec: number;
  xactPerSec: number;
  rowsWrittenPerSec: number;
  /** Rows written per second by table, largest first. */
  tableRows: [string, number][];
  /** Longest /metrics scrape at the window's edges (it holds the replica's event loop). */
  scrapeMs: number;
  publishesPerSec: number;
  foreignSubscribers: number;
  owned: number[];
  churn: number;
  fenced: number;
  dropped: number;
  stopMs: number;
  exits: string[];
  problems: string[];
}

/** The summary table and what it says about the database's share. */
export function printReport(all: Step[], out: (line?: string) => void): void {
  out(`\nsummary (CPU in ms per second of wall time; 1000 = one core; the machine has ${os.cpus().length})`);
  const rows = [
    [
      'replicas',
      'services',
      'checks/s',
      'target/s',
      'p99 lag',
      'replica CPU (each)',
      'postgres CPU',
      'redis',
      'stmts/check',
      'xact/s',
      'rows/s',
      'others',
      'load before',
    ],
  ];
  for (const s of all) {
    rows.push([
      String(s.replicas),
      fmt.int(s.services),
      fmt.int(s.checksPerSec),
      fmt.int(s.targetPerSec),
      s.lagP99.map(lagLabel).join(' '),
      s.replicaCpu.map((c) => fmt.int(c)).join(' / '),
      `${fmt.int(s.postgresCpu)} (${fmt.int(s.benchBackendsCpu)})`,
      fmt.int(s.redisCpu),
      fmt.fixed(s.statementsPerCheck, 4),
      fmt.int(s.xactPerSec),
      fmt.int(s.rowsWrittenPerSec),
      fmt.fixed(s.otherCores, 2),
      s.load,
    ]);
  }
  out(table(rows, [0, 4, 5, 12]));
  out(
    'checks/s: increase of statuschecker_checks_total between two /metrics scrapes (a window that holds one scrape stall); target/s: requests the',
  );
  out(
    "target answered in the CPU window, which opens after that stall has passed. p99 lag: upper bound of the histogram bucket holding each replica's",
  );
  out('p99 between the scrapes (it includes the stall of the first scrape, as a Prometheus scrape would cause).');
  out(
    'postgres CPU: every process named "postgres" (shared by whoever else uses this server); in brackets, the backends connected to the bench database.',
  );
  out(
    'rows/s: rows inserted + updated + deleted in the bench database (pg_stat_database); others: cores kept busy by processes other than these (other tests, the kernel).',
  );
  out();
  for (const n of [...new Set(all.map((s) => s.services))]) {
    const series = all.filter((s) => s.services === n);
    out(
      `${fmt.int(n)} services (${fmt.int(n)} checks/s offered): ` +
        series
          .map((s) => `${s.replicas} → ${fmt.int(s.checksPerSec)}/s (target ${fmt.int(s.targetPerSec)}/s)`)
          .join(', ') +
        `; replica CPU per check ${series.map((s) => fmt.fixed(sum(s.replicaCpu) / s.checksPerSec, 3)).join(' → ')} ms; ` +
        `statements per check ${series.map((s) => fmt.fixed(s.statementsPerCheck, 4)).join(' → ')}.`,
    );
  }
  const shares = all.map((s) => s.postgresCpu / systemCpu(s));
  out(
    `Database share: PostgreSQL took ${fmt.pct(Math.min(...shares))}–${fmt.pct(Math.max(...shares))} of the CPU spent by replicas + PostgreSQL + Redis + target ` +
      `(${all.map((s) => `${fmt.int(s.postgresCpu)}`).join(', ')} ms/s in the order above); the bench database saw ` +
      `${all.map((s) => fmt.fixed(s.rowsWrittenPerSec / s.services, 1)).join(', ')} rows written per second per service, ` +
      `${all.map((s) => fmt.pct(leaseRows(s) / s.rowsWrittenPerSec)).join(', ')} of them in "Lease".`,
  );
  out();

  for (const s of all) {
    const system = systemCpu(s);
    out(
      `${s.replicas}×, ${fmt.int(s.services)} services: PostgreSQL ${fmt.pct(s.postgresCpu / system)} of the CPU of replicas + PostgreSQL + Redis + target ` +
        `(bench-db backends alone ${fmt.pct(s.benchBackendsCpu / system)}); replicas ${fmt.pct(sum(s.replicaCpu) / system)}, ` +
        `Redis ${fmt.pct(s.redisCpu / system)}, target ${fmt.pct(s.targetCpu / system)}; replica CPU per check ${fmt.fixed(sum(s.replicaCpu) / s.checksPerSec, 3)} ms; ` +
        `leases spread in ${fmt.fixed(s.spreadMs / 1000)} s, ${s.churn} lease changes and ${s.fenced} fenced rows in the window; shutdown ${fmt.fixed(s.stopMs / 1000)} s (exit ${s.exits.join(',')})` +
        `${s.dropped ? `; ${s.dropped} history rows dropped` : ''}` +
        `${s.foreignSubscribers ? `; ${s.foreignSubscribers} foreign subscriber(s) on the statuschecker: channels before start` : ''}`,
    );
    for (const p of s.problems) out(`    replica log: ${p}`);
  }
}

const lagLabel = (seconds: number) =>
  Number.isNaN(seconds)
    ? '-'
    : seconds === Number.POSITIVE_INFINITY
      ? '>30s'
      : seconds < 1
        ? `≤${seconds * 1000}ms`
        : `≤${seconds}s`;
const leaseRows = (s: Step) => s.tableRows.find(([t]) => t === 'Lease')?.[1] ?? 0;
const systemCpu = (s: Step) => sum(s.replicaCpu) + s.postgresCpu + s.redisCpu + s.targetCpu;

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
