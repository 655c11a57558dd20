import { BUCKET_COUNT, bucketIndex } from './latency-histogram.js';

/** What a minute of checks of one service adds up to. */
export interface Rollup {
  serviceId: string;
  /** The lease token the checks were made under (null: not fenced); part of the row's identity. */
  fence: string | null;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  checks: number;
  failures: number;
  degraded: number;
  latencySumMs: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  latencyBuckets: number[];
  /** Checks made during maintenance: in none of the figures above (neither up nor down). */
  maintenanceChecks: number;
}

export const MINUTE_MS = 60_000;

function keyOf(serviceId: string, minute: number, fence: string | null): string {
  return fence === null ? `${serviceId}\u0000${minute}` : `${serviceId}\u0000${minute}\u0000${fence}`;
}

export function emptyRollup(serviceId: string, minute: number, fence: string | null = null): Rollup {
  return {
    serviceId,
    fence,
    minute,
    checks: 0,
    failures: 0,
    degraded: 0,
    latencySumMs: 0,
    latencyMinMs: Infinity,
    latencyMaxMs: 0,
    latencyBuckets: new Array<number>(BUCKET_COUNT).fill(0),
    maintenanceChecks: 0,
  };
}

export function addCheck(rollup: Rollup, ok: boolean, degraded: boolean, latencyMs: number): void {
  rollup.checks++;
  if (!ok) rollup.failures++;
  if (ok && degraded) rollup.degraded++;
  rollup.latencySumMs += latencyMs;
  if (latencyMs < rollup.latencyMinMs) rollup.latencyMinMs = latencyMs;
  if (latencyMs > rollup.latencyMaxMs) rollup.latencyMaxMs = latencyMs;
  rollup.latencyBuckets[bucketIndex(latencyMs)]!++;
}

/** Adds `from` into `into` (same service and minute). */
export function mergeRollup(into: Rollup, from: Rollup): void {
  into.checks += from.checks;
  into.failures += from.failures;
  into.degraded += from.degraded;
  into.latencySumMs += from.latencySumMs;
  into.latencyMinMs = Math.min(into.latencyMinMs, from.latencyMinMs);
  into.latencyMaxMs = Math.max(into.latencyMaxMs, from.latencyMaxMs);
  for (let i = 0; i < BUCKET_COUNT; i++) into.latencyBuckets[i]! += from.latencyBuckets[i] ?? 0;
  into.maintenanceChecks += from.maintenanceChecks;
}

/**
 * Per service and minute, in memory, until flushed. Taking a batch hands the rows to the writer;
 * a failed write gives them back (merged with anything newer), so nothing is counted twice or lost.
 */
export class RollupBuffer {
  private pending = new Map<string, Rollup>();
  /** Rows handed to the writer; those from index `written` on are not confirmed yet and reads still count them. */
  private inFlight: Rollup[] = [];
  private written = 0;

  /** Rows waiting to be written, including those being written now. */
  get size(): number {
    return this.pending.size + this.inFlight.length - this.written;
  }

  record(
    serviceId: string,
    at: number,
    ok: boolean,
    degraded: boolean,
    latencyMs: number,
    fence: string | null = null,
    /** Made while a maintenance window was in force: only counted as such. */
    maintenance = false,
  ): void {
    const minute = at - (at % MINUTE_MS);
    const key = keyOf(serviceId, minute, fence);
    let rollup = this.pending.get(key);
    if (!rollup) {
      rollup = emptyRollup(serviceId, minute, fence);
      this.pending.set(key, rollup);
    }
    if (maintenance) rollup.maintenanceChecks++;
    else addCheck(rollup, ok, degraded, latencyMs);
  }

  /** Hands every pending row to the writer; then `committed()` (possibly in parts) or `failed()`. */
  take(): Rollup[] {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.inFlight = batch;
    this.written = 0;
    return batch;
  }

  /**
   * The batch is in the database; or, when written in parts (in the order taken), the next `rows`
   * rows of it are, and only the rest is given back by `failed()`.
   */
  committed(rows?: number): void {
    if (rows === undefined) {
      this.inFlight = [];
      this.written = 0;
      return;
    }
    this.written = Math.min(this.inFlight.length, this.written + rows);
  }

  /** The write failed: the rows not yet written wait again, merged with anything recorded meanwhile. */
  failed(): void {
    const batch = this.inFlight.slice(this.written);
    this.inFlight = [];
    this.written = 0;
    for (const rollup of batch) {
      const key = keyOf(rollup.serviceId, rollup.minute, rollup.fence);
      const newer = this.pending.get(key);
      if (newer) mergeRollup(rollup, newer);
      this.pending.set(key, rollup);
    }
  }

  /** Drops the oldest minutes until at most `max` rows remain; returns how many checks were dropped. */
  dropOldest(max: number): { rows: number; checks: number } {
    if (this.pending.size <= max) return { rows: 0, checks: 0 };
    const sorted = [...this.pending.entries()].sort((a, b) => a[1].minute - b[1].minute);
    let rows = 0;
    let checks = 0;
    for (const [key, rollup] of sorted.slice(0, this.pending.size - max)) {
      this.pending.delete(key);
      rows++;
      checks += rollup.checks;
    }
    return { rows, checks };
  }

  /** Unflushed rows of these services from `sinceMs` on, so reads include what is not written yet. */
  pendingFor(serviceIds: ReadonlySet<string>, sinceMs: number): Rollup[] {
    const out: Rollup[] = [];
    for (const rollup of this.pending.values()) {
      if (rollup.minute >= sinceMs && serviceIds.has(rollup.serviceId)) out.push(rollup);
    }
    for (let i = this.written; i < this.inFlight.length; i++) {
      const rollup = this.inFlight[i]!;
      if (rollup.minute >= sinceMs && serviceIds.has(rollup.serviceId)) out.push(rollup);
    }
    return out;
  }

  forget(serviceId: string): void {
    for (const [key, rollup] of this.pending) if (rollup.serviceId === serviceId) this.pending.delete(key);
  }
}
