import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Measurement helpers shared by the benchmarks: exact samples kept outside the JS heap, percentiles,
 * CPU and memory readings, formatting.
 */

/** Exact samples in a preallocated Float64Array: its backing store is off the V8 heap, so recording does not skew heapUsed. */
export class Samples {
  private data: Float64Array;
  private count = 0;
  /** Samples offered while the store was full (never silently: reported). */
  overflow = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(1024, Math.ceil(capacity)));
  }

  add(value: number): void {
    if (this.count < this.data.length) this.data[this.count++] = value;
    else this.overflow++;
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank percentile (p in 0..100) of the recorded samples; NaN when empty. */
  percentiles(...ps: number[]): number[] {
    if (this.count === 0) return ps.map(() => Number.NaN);
    const sorted = this.data.slice(0, this.count).sort();
    return ps.map((p) => sorted[Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1))]!);
  }

  max(): number {
    let m = Number.NaN;
    for (let i = 0; i < this.count; i++) if (!(this.data[i]! <= m)) m = this.data[i]!;
    return m;
  }

  reset(): void {
    this.count = 0;
    this.overflow = 0;
  }
}

export interface CpuMark {
  cpu: NodeJS.CpuUsage;
  wallMs: number;
  elu: ReturnType<typeof performance.eventLoopUtilization>;
}

export function cpuMark(): CpuMark {
  return { cpu: process.cpuUsage(), wallMs: performance.now(), elu: performance.eventLoopUtilization() };
}

export interface CpuSpan {
  /** user + system CPU of this process, ms. */
  cpuMs: number;
  wallMs: number;
  /** Event-loop utilisation over the span, 0..1. */
  elu: number;
}

export function cpuSince(mark: CpuMark): CpuSpan {
  const cpu = process.cpuUsage(mark.cpu);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - mark.wallMs,
    elu: performance.eventLoopUtilization(mark.elu).utilization,
  };
}

/** Machine-wide CPU (all cores) from /proc/stat, to tell whether other processes shared the machine. Null off Linux. */
export function machineCpu(): { busyMs: number; wallMs: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    // USER_HZ is 100 on every Linux this runs on: one tick is 10 ms.
    return { busyMs: (user + nice + system + irq + softirq + steal) * 10, wallMs: performance.now() };
  } catch {
    return null;
  }
}

/** Cores kept busy by the whole machine since `mark`. */
export function machineCoresSince(mark: ReturnType<typeof machineCpu>): number {
  const now = machineCpu();
  if (!mark || !now) return Number.NaN;
  return (now.busyMs - mark.busyMs) / (now.wallMs - mark.wallMs);
}

const gc = (globalThis as { gc?: () => void }).gc;

export function requireGc(): void {
  if (!gc) {
    console.error('run with --expose-gc (npm run bench:checks / bench:timers do): memory figures need a forced GC');
    process.exit(2);
  }
}

/** Full GCs until heapUsed settles, with turns of the event loop in between (finalizers, weak refs). */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  let previous = Number.POSITIVE_INFINITY;
  let usage = process.memoryUsage();
  for (let i = 0; i < 6; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
    usage = process.memoryUsage();
    if (Math.abs(previous - usage.heapUsed) < 64 * 1024) break;
    previous = usage.heapUsed;
  }
  return usage;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-'),
  fixed: (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-'),
  ms: (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : '-'),
  /** Microseconds from milliseconds. */
  us: (ms: number) => (Number.isFinite(ms) ? (ms * 1000).toFixed(1) : '-'),
  kib: (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024).toFixed(2) : '-'),
  mib: (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : '-'),
  pct: (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '-'),
};

/** A plain text table: first row is the header, columns padded; `leftColumns` left-aligned, the rest right-aligned. */
export function table(rows: string[][], leftColumns: readonly number[] = [0]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (leftColumns.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
