import type { MonitorSink } from '../checks/monitor-sink.js';
import type { ServiceState } from '../checks/service-state.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { insertTransitions, upsertRollups, upsertStates, type PendingState, type PendingTransition } from './history-sql.js';
import { RollupBuffer } from './rollup-buffer.js';
import { uuidv7 } from './uuidv7.js';
import { withTimeout } from '../timeouts.js';
import { pruneAndCompact } from './retention.js';

export interface HistoryOptions {
  prisma: PrismaClient;
  cache: StatusCache;
  logger: Logger;
  now?: () => Date;
  /** How often rollups and last-known states are written (transitions go out at once). */
  flushIntervalMs?: number;
  retentionDays: number;
  /** Minutes of rollups kept in memory per service while the database is unreachable. */
  bufferMinutes?: number;
  /** Called when buffered history had to be dropped (an outage longer than the buffer). */
  onDropped?: (kind: 'rollup' | 'transition', rows: number) => void;
  /** Called after each write attempt: false while the database refuses writes. */
  onWriteHealth?: (healthy: boolean) => void;
  /** The lease token a service's results are recorded under (replicas); null or absent: unfenced. */
  fenceOf?: (serviceId: string) => string | null;
  /** Called when the database refused rows because their lease is no longer this replica's. */
  onFenced?: (kind: 'transition' | 'state' | 'rollup', rows: number) => void;
}

export interface History {
  readonly sink: MonitorSink;
  readonly rollups: RollupBuffer;
  /** Last known states (of the given services, or all), to seed the cache. */
  loadStates(serviceIds?: readonly string[]): Promise<Map<string, ServiceState>>;
  /** Writes everything buffered now; rejects if the database refuses (the data stays buffered). */
  flush(): Promise<void>;
  /** Transitions, states and rollups still waiting to be written. */
  pending(): { transitions: number; states: number; rollups: number };
  start(): void;
  /** Stops the timers and makes a last attempt to write everything within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  pruneNow(): Promise<void>;
}

const DEFAULT_FLUSH_INTERVAL_MS = 10_000;
const TRANSITION_DEBOUNCE_MS = 50;
const MAX_TRANSITIONS = 100_000;
const RETRY_MAX_MS = 10_000;
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;
const PRUNE_FIRST_AFTER_MS = 60_000;
/** Rows per write statement: PGlite blocks the event loop while it runs one, about 3-6 ms per 100 rows. */
const WRITE_CHUNK_ROWS = 100;

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK_ROWS) yield rows.slice(i, i + WRITE_CHUNK_ROWS);
}

/** Lets timers and I/O run (due checks, their responses) before the next statement. */
async function yieldThen<T>(write: () => Promise<T>): Promise<T> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return write();
}

/**
 * The history writer: buffers transitions, last-known states and per-minute rollups in memory and
 * writes each kind in one statement per batch. A failed write keeps everything for the next try
 * (with backoff), so a database outage loses nothing until the buffer bound is reached.
 */
export function createHistory(options: HistoryOptions): History {
  const { prisma, cache } = options;
  const log = options.logger.child({ component: 'history' });
  const now = options.now ?? (() => new Date());
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const bufferMinutes = options.bufferMinutes ?? 15;
  const rollups = new RollupBuffer();
  let transitions: PendingTransition[] = [];
  const fenceOf = options.fenceOf ?? (() => null);
  /** Services whose state changed since the last write, with the lease token it changed under. */
  let dirtyStates = new Map<string, string | null>();

  let flushing: Promise<void> | null = null;
  let flushAgain = false;
  let timer: NodeJS.Timeout | null = null;
  let soonTimer: NodeJS.Timeout | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let stopped = false;

  const scheduleFlush = (delayMs: number) => {
    if (stopped || soonTimer) return;
    soonTimer = setTimeout(() => {
      soonTimer = null;
      flush().catch(() => {});
    }, delayMs);
  };

  const fenced = (kind: 'transition' | 'state' | 'rollup', rows: number) => {
    if (rows === 0) return;
    log.warn({ kind, rows }, 'history refused by fencing: the lease it was recorded under is gone');
    options.onFenced?.(kind, rows);
  };

  const enforceBounds = () => {
    const maxRows = Math.max(1_000, cache.size * bufferMinutes);
    const dropped = rollups.dropOldest(maxRows);
    if (dropped.rows > 0) {
      log.error({ rows: dropped.rows, checks: dropped.checks, maxRows }, 'history buffer full: oldest rollups dropped');
      options.onDropped?.('rollup', dropped.rows);
    }
    if (transitions.length > MAX_TRANSITIONS) {
      const excess = transitions.length - MAX_TRANSITIONS;
      transitions = transitions.slice(excess);
      log.error({ rows: excess }, 'history buffer full: oldest transitions dropped');
      options.onDropped?.('transition', excess);
    }
  };

  const writeOnce = async () => {
    const batch = transitions;
    transitions = [];
    const stateIds = dirtyStates;
    dirtyStates = new Map();
    const at = now().getTime();
    const states: PendingState[] = [];
    for (const [serviceId, fence] of stateIds) {
      const state = cache.get(serviceId);
      if (state) states.push({ serviceId, state, at, fence });
    }
    const rollupBatch = rollups.take();
    try {
      // In chunks, with a turn of the event loop between statements: PGlite runs in-process and
      // blocks while it executes, so one statement for thousands of rows would hold up checks.
      // Transitions and states are idempotent (re-sent whole on failure); rollups add up, so each
      // chunk is confirmed as soon as it is written and only unwritten rows are given back.
      for (const chunk of chunks(batch)) fenced('transition', await yieldThen(() => insertTransitions(prisma, chunk)));
      for (const chunk of chunks(states)) fenced('state', await yieldThen(() => upsertStates(prisma, chunk)));
      for (const chunk of chunks(rollupBatch)) {
        fenced('rollup', await yieldThen(() => upsertRollups(prisma, chunk)));
        rollups.committed(chunk.length);
      }
      rollups.committed();
    } catch (err) {
      transitions = batch.concat(transitions);
      for (const [id, fence] of stateIds) if (!dirtyStates.has(id)) dirtyStates.set(id, fence);
      rollups.failed();
      throw err;
    }
  };

  const flush = (): Promise<void> => {
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    flushing = (async () => {
      try {
        do {
          flushAgain = false;
          await writeOnce();
        } while (flushAgain && transitions.length > 0);
        if (failures > 0) log.info({ failedAttempts: failures }, 'history writes recovered');
        failures = 0;
        options.onWriteHealth?.(true);
      } catch (err) {
        failures++;
        enforceBounds();
        options.onWriteHealth?.(false);
        const retryMs = Math.min(RETRY_MAX_MS, 500 * 2 ** Math.min(failures, 5));
        if (failures === 1 || failures % 10 === 0) {
          log.warn({ err, failedAttempts: failures, retryMs, ...pendingCounts() }, 'history write failed; kept in memory, retrying');
        }
        scheduleFlush(retryMs);
        throw err;
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  };

  const pendingCounts = () => ({ transitions: transitions.length, states: dirtyStates.size, rollups: rollups.size });

  const sink: MonitorSink = {
    checkCompleted({ service, at, result }) {
      const fence = fenceOf(service.id);
      rollups.record(service.id, at.getTime(), result.ok, result.degraded, result.latencyMs, fence);
      dirtyStates.set(service.id, fence);
    },
    statusChanged({ service, transition }) {
      const at = transition.at.getTime();
      transitions.push({
        id: uuidv7(at),
        serviceId: service.id,
        previous: transition.previous,
        current: transition.current,
        at,
        message: transition.message,
        fence: fenceOf(service.id),
      });
      dirtyStates.set(service.id, fenceOf(service.id));
      if (failures === 0) scheduleFlush(TRANSITION_DEBOUNCE_MS);
    },
    serviceRemoved(service) {
      rollups.forget(service.id);
      dirtyStates.delete(service.id);
      transitions = transitions.filter((t) => t.serviceId !== service.id);
    },
  };

  return {
    sink,
    rollups,

    async loadStates(serviceIds) {
      const rows = await prisma.lastKnownState.findMany(serviceIds ? { where: { serviceId: { in: [...serviceIds] } } } : undefined);
      return new Map(
        rows.map((row) => [
          row.serviceId,
          {
            status: row.status,
            since: row.since,
            lastCheckedAt: row.lastCheckedAt,
            latencyMs: row.latencyMs,
            httpStatus: row.httpStatus,
            message: row.message,
            reason: row.reason,
            consecutiveFailures: row.consecutiveFailures,
            consecutiveSuccesses: row.consecutiveSuccesses,
            certificateExpiresAt: row.certificateExpiresAt,
          } satisfies ServiceState,
        ]),
      );
    },

    flush,
    pending: pendingCounts,

    start() {
      timer = setInterval(() => flush().catch(() => {}), flushIntervalMs);
      timer.unref();
      const prune = () =>
        pruneAndCompact(prisma, now(), options.retentionDays).then(
          (result) => log.info(result, 'history pruned'),
          (err: unknown) => log.warn({ err }, 'history pruning failed; will try again tomorrow'),
        );
      pruneTimer = setTimeout(function again() {
        void prune();
        pruneTimer = setTimeout(again, PRUNE_EVERY_MS);
        pruneTimer.unref();
      }, PRUNE_FIRST_AFTER_MS);
      pruneTimer.unref();
    },

    async stop(timeoutMs = 5_000) {
      stopped = true;
      for (const t of [timer, soonTimer, pruneTimer]) if (t) clearTimeout(t);
      // Keep trying until the deadline: a database that blinks during shutdown should not cost history.
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown = null;
      if (flushing) await flushing.catch(() => {});
      while (Date.now() < deadline) {
        try {
          await withTimeout(flush(), deadline - Date.now(), 'history flush did not finish before the shutdown deadline');
          log.info('history flushed');
          return;
        } catch (err) {
          lastError = err;
          await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
        }
      }
      log.error({ err: lastError, ...pendingCounts() }, 'history could not be written before shutdown');
    },

    pruneNow: () => pruneAndCompact(prisma, now(), options.retentionDays).then(() => undefined),
  };
}
