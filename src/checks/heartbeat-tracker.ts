import { formatDuration, formatTime, type HeartbeatSchedule, heartbeatSchedule } from '../probe/heartbeat/schedule.js';
import type { ProbeResult } from '../probe/prober.js';
import { type HeapEntry, JobHeap } from '../schedule/job-heap.js';
import type { CheckDefinition } from './check-definition.js';
import type { ServiceState } from './service-state.js';

export interface HeartbeatTrackerOptions {
  /** The clock of checks (tests move it); deadlines are judged against it. */
  now: () => Date;
  /** A deadline passed without a ping: record this failure (HEARTBEAT_MISSED). */
  missed(service: CheckDefinition, result: ProbeResult): void;
  /**
   * Longest sleep between looks at the earliest deadline, so that a clock that jumps (a test's, or
   * the system's) is noticed within this time. One timer for every heartbeat.
   */
  pollMs?: number;
}

export interface HeartbeatTracker {
  /** (Re)computes the service's next deadline from its state: the last ping, else when it began. */
  track(service: CheckDefinition, state: ServiceState | undefined): void;
  untrack(serviceId: string): void;
  has(serviceId: string): boolean;
  /** A ping was recorded at `at`: the next ping is expected after it. */
  pinged(service: CheckDefinition, at: Date): void;
  /** Records a miss now if the deadline has passed (checkServiceNow). */
  evaluate(serviceId: string): void;
  /** When the service is DOWN if no ping comes, or null (untracked, or a schedule that never fires). */
  deadlineOf(serviceId: string): Date | null;
  start(): void;
  stop(): void;
  readonly size: number;
}

interface Entry extends HeapEntry {
  service: CheckDefinition;
  schedule: HeartbeatSchedule;
  /** When the next ping is expected; the deadline (dueAt) is this plus the grace. */
  expectedAt: Date;
  /** The last ping, or when waiting began (registration, resume): for the message. */
  since: Date;
  pinged: boolean;
}

export const DEFAULT_POLL_MS = 1_000;

/**
 * The deadline side of passive checks: one min-heap of deadlines under one timer. A ping moves a
 * service's deadline to the next expected time plus its grace; a deadline that passes is a failed
 * check (HEARTBEAT_MISSED) for the judge, and the next expected time becomes the new reference, so
 * that each missed period counts once towards failureThreshold.
 */
export function createHeartbeatTracker(options: HeartbeatTrackerOptions): HeartbeatTracker {
  const { now } = options;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const entries = new Map<string, Entry>();
  const heap = new JobHeap<Entry>();
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  const place = (entry: Entry, expectedAt: Date | null) => {
    heap.remove(entry);
    if (expectedAt === null) return; // a cron schedule with no future date: nothing to wait for
    entry.expectedAt = expectedAt;
    entry.dueAt = expectedAt.getTime() + entry.service.heartbeat!.graceSeconds * 1000;
    heap.push(entry);
  };

  const fire = () => {
    timer = null;
    const t = now().getTime();
    for (let entry = heap.peek(); entry && entry.dueAt <= t; entry = heap.peek()) miss(entry, t);
    arm();
  };

  const miss = (entry: Entry, t: number) => {
    const { service, expectedAt } = entry;
    options.missed(service, missedResult(entry));
    // The next period is missed when it passes too; a long outage of this process counts once.
    let next = entry.schedule.next(expectedAt);
    while (next !== null && next.getTime() + service.heartbeat!.graceSeconds * 1000 <= t) {
      next = entry.schedule.next(new Date(Math.max(next.getTime(), t - service.heartbeat!.graceSeconds * 1000)));
    }
    place(entry, next);
  };

  const arm = () => {
    if (!started) return;
    if (timer) clearTimeout(timer);
    timer = null;
    const first = heap.peek();
    if (!first) return;
    timer = setTimeout(fire, Math.min(pollMs, Math.max(0, first.dueAt - now().getTime())));
    timer.unref();
  };

  return {
    track(service, state) {
      const options = service.heartbeat;
      if (!options) return;
      const previous = entries.get(service.id);
      if (previous) heap.remove(previous);
      // Waiting begins at the last ping, or when the service began waiting (registered, resumed).
      const pingAt = state?.lastPingAt ?? null;
      const began = state?.status === 'UNKNOWN' ? (state.since ?? null) : null;
      const since = pingAt !== null && (began === null || pingAt >= began) ? pingAt : (began ?? state?.since ?? now());
      const entry: Entry = {
        service,
        schedule: heartbeatSchedule(options),
        expectedAt: since,
        since,
        pinged: since === pingAt,
        dueAt: 0,
        heapIndex: -1,
      };
      entries.set(service.id, entry);
      let expected = entry.schedule.next(since);
      // A miss already recorded (before a restart, or by the replica that had it) is not recorded again.
      const recordedMiss = state?.reason === 'HEARTBEAT_MISSED' ? (state.lastCheckedAt?.getTime() ?? null) : null;
      const graceMs = options.graceSeconds * 1000;
      if (recordedMiss !== null && expected !== null && expected.getTime() + graceMs <= recordedMiss) {
        expected = entry.schedule.next(new Date(recordedMiss - graceMs));
      }
      place(entry, expected);
      arm();
    },

    untrack(serviceId) {
      const entry = entries.get(serviceId);
      if (!entry) return;
      entries.delete(serviceId);
      heap.remove(entry);
      arm();
    },

    has: (serviceId) => entries.has(serviceId),

    pinged(service, at) {
      const entry = entries.get(service.id);
      if (!entry) return;
      entry.since = at;
      entry.pinged = true;
      place(entry, entry.schedule.next(at));
      arm();
    },

    evaluate(serviceId) {
      const entry = entries.get(serviceId);
      const t = now().getTime();
      if (entry && entry.heapIndex >= 0 && entry.dueAt <= t) {
        miss(entry, t);
        arm();
      }
    },

    deadlineOf(serviceId) {
      const entry = entries.get(serviceId);
      return entry && entry.heapIndex >= 0 ? new Date(entry.dueAt) : null;
    },

    start() {
      started = true;
      arm();
    },

    stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },

    get size() {
      return entries.size;
    },
  };
}

/** "no ping since 2026-12-03 02:00 UTC (expected every 1 h, grace 5 min)". */
function missedResult(entry: Entry): ProbeResult {
  const options = entry.service.heartbeat!;
  const zone = options.cron === null ? 'UTC' : options.timezone;
  const since = entry.pinged
    ? `no ping since ${formatTime(entry.since, zone)}`
    : `no ping yet (waiting since ${formatTime(entry.since, zone)})`;
  const expected = entry.schedule.describe(entry.expectedAt);
  return {
    ok: false,
    degraded: false,
    // Nothing ran: no run time (how late it is, is in the message).
    latencyMs: 0,
    httpStatus: null,
    reason: 'HEARTBEAT_MISSED',
    message: `${since} (expected ${expected}, grace ${formatDuration(options.graceSeconds)})`,
    certificateExpiresAt: null,
  };
}
