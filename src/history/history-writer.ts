import type { MonitorSink } from '../checks/monitor-sink.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { singleFlight } from '../single-flight.js';
import { withTimeout } from '../timeouts.js';
import {
  insertTransitions,
  type PendingState,
  type PendingTransition,
  upsertRollups,
  upsertStates,
} from './history-sql.js';
import { type HistoryBatch, PendingHistory } from './pending-history.js';
import type { RollupBuffer } from './rollup-buffer.js';

export interface HistoryWriterOptions {
  prisma: PrismaClient;
  cache: StatusCache;
  logger: Logger;
  now?: () => Date;
  /** How often rollups and last-known states are written (transitions go out at once). */
  flushIntervalMs?: number;
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
  /** Written in the transaction of each chunk of transitions (the outbox's deliveries), then told it committed. */
  transitionHook?: TransitionHook;
}

export interface TransitionHook {
  within(tx: Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>, rows: PendingTransition[]): Promise<unknown>;
  committed(): void;
}

export interface HistoryWriter {
  readonly sink: MonitorSink;
  readonly rollups: RollupBuffer;
  flush(): Promise<void>;
  pending(): { transitions: number; states: number; rollups: number };
  start(): void;
  stop(timeoutMs: number): Promise<void>;
}

const DEFAULT_FLUSH_INTERVAL_MS = 10_000;
const TRANSITION_DEBOUNCE_MS = 50;
const MAX_TRANSITIONS = 100_000;
const RETRY_MAX_MS = 10_000;
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

type Fenced = (kind: 'transition' | 'state' | 'rollup', rows: number) => void;

/**
 * Writes one batch in chunks, with a turn of the event loop between statements: PGlite runs
 * in-process and blocks while it executes, so one statement for thousands of rows would hold up
 * checks. Transitions and states are idempotent (re-sent whole on failure); rollups add up, so
 * each chunk is confirmed as soon as it is written and only unwritten rows are given back.
 */
async function writeBatch(
  prisma: PrismaClient,
  batch: HistoryBatch,
  rollups: RollupBuffer,
  fenced: Fenced,
  hook?: TransitionHook,
): Promise<void> {
  // A transition and the state it leads to are written together: a process killed between the two
  // left the transition behind a stale state, and whoever took the service over recorded the same
  // change (and notified it) a second time.
  const stateOf = new Map(batch.states.map((s) => [s.serviceId, s]));
  for (const chunk of chunks(batch.transitions)) {
    const states = [...new Set(chunk.map((t) => t.serviceId))].flatMap((id) => {
      const state = stateOf.get(id);
      stateOf.delete(id);
      return state ? [state] : [];
    });
    const refused = await yieldThen(() => writeTransitions(prisma, chunk, states, hook));
    fenced('transition', refused.transitions);
    fenced('state', refused.states);
  }
  if (batch.transitions.length > 0) hook?.committed();
  for (const chunk of chunks([...stateOf.values()]))
    fenced('state', await yieldThen(() => upsertStates(prisma, chunk)));
  for (const chunk of chunks(batch.rollups)) {
    fenced('rollup', await yieldThen(() => upsertRollups(prisma, chunk)));
    rollups.committed(chunk.length);
  }
  rollups.committed();
}

/**
 * Transitions, the states of their services and what the hook writes, in one transaction (so the
 * lease fence covers all of it). Returns the rows the fence refused, of each kind.
 */
function writeTransitions(
  prisma: PrismaClient,
  chunk: PendingTransition[],
  states: PendingState[],
  hook: TransitionHook | undefined,
): Promise<{ transitions: number; states: number }> {
  return prisma.$transaction(async (tx) => {
    const transitions = await insertTransitions(tx, chunk);
    const refusedStates = await upsertStates(tx, states);
    await hook?.within(tx, chunk);
    return { transitions, states: refusedStates };
  });
}

/** Drops the oldest buffered rows beyond the bounds (an outage longer than the buffer), loudly. */
function dropBeyondBounds(
  pending: PendingHistory,
  maxRows: number,
  log: Logger,
  onDropped: HistoryWriterOptions['onDropped'],
): void {
  const dropped = pending.dropBeyond(maxRows, MAX_TRANSITIONS);
  if (dropped.rollups.rows > 0) {
    log.error(
      { rows: dropped.rollups.rows, checks: dropped.rollups.checks, maxRows },
      'history buffer full: oldest rollups dropped',
    );
    onDropped?.('rollup', dropped.rollups.rows);
  }
  if (dropped.transitions > 0) {
    log.error({ rows: dropped.transitions }, 'history buffer full: oldest transitions dropped');
    onDropped?.('transition', dropped.transitions);
  }
}

/** Records what the monitor reports into the buffer, under the lease token of the moment. */
function recordingSink(
  pending: PendingHistory,
  fenceOf: (serviceId: string) => string | null,
  transitioned: () => void,
): MonitorSink {
  return {
    checkCompleted({ service, at, result, state }) {
      const fence = fenceOf(service.id);
      const maintenance = state.status === 'MAINTENANCE';
      pending.rollups.record(
        service.id,
        at.getTime(),
        result.ok,
        result.degraded,
        result.latencyMs,
        fence,
        maintenance,
      );
      pending.stateChanged(service.id, fence);
    },
    statusChanged({ id, service, transition, state }) {
      const at = transition.at.getTime();
      pending.transition({
        id,
        serviceId: service.id,
        previous: transition.previous,
        current: transition.current,
        at,
        message: transition.message,
        reason: state.reason,
        fence: fenceOf(service.id),
      });
      pending.stateChanged(service.id, fenceOf(service.id));
      transitioned();
    },
    stateChanged: (service) => pending.stateChanged(service.id, fenceOf(service.id)),
    serviceRemoved: (service) => pending.forget(service.id),
  };
}

/**
 * Keeps trying to flush until the deadline: a database that blinks during shutdown should not
 * cost history.
 */
async function flushBefore(
  deadline: number,
  flush: () => Promise<void>,
): Promise<{ flushed: true } | { flushed: false; lastError: unknown }> {
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      await withTimeout(flush(), deadline - Date.now(), 'history flush did not finish before the shutdown deadline');
      return { flushed: true };
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
    }
  }
  return { flushed: false, lastError };
}

/**
 * The history writer: buffers transitions, last-known states and per-minute rollups in memory and
 * writes each kind in one statement per batch. A failed write keeps everything for the next try
 * (with backoff), so a database outage loses nothing until the buffer bound is reached.
 */
export function createHistoryWriter(options: HistoryWriterOptions): HistoryWriter {
  const { prisma, cache } = options;
  const log = options.logger.child({ component: 'history' });
  const now = options.now ?? (() => new Date());
  const bufferMinutes = options.bufferMinutes ?? 15;
  const fenceOf = options.fenceOf ?? (() => null);
  const pending = new PendingHistory();
  let timer: NodeJS.Timeout | null = null;
  let soonTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let stopped = false;

  const scheduleFlush = (delayMs: number) => {
    if (stopped || soonTimer) return;
    soonTimer = setTimeout(() => {
      soonTimer = null;
      flush().catch(() => {});
    }, delayMs);
  };

  const fenced: Fenced = (kind, rows) => {
    if (rows === 0) return;
    log.warn({ kind, rows }, 'history refused by fencing: the lease it was recorded under is gone');
    options.onFenced?.(kind, rows);
  };

  const writeOnce = async () => {
    const batch = pending.take(cache, now().getTime());
    try {
      await writeBatch(prisma, batch, pending.rollups, fenced, options.transitionHook);
    } catch (err) {
      pending.giveBack(batch);
      throw err;
    }
  };

  const writes = singleFlight({
    pass: writeOnce,
    passAgain: () => pending.hasTransitions,
    succeeded: () => {
      if (failures > 0) log.info({ failedAttempts: failures }, 'history writes recovered');
      failures = 0;
      options.onWriteHealth?.(true);
    },
    failed: (err) => {
      failures++;
      dropBeyondBounds(pending, Math.max(1_000, cache.size * bufferMinutes), log, options.onDropped);
      options.onWriteHealth?.(false);
      const retryMs = Math.min(RETRY_MAX_MS, 500 * 2 ** Math.min(failures, 5));
      if (failures === 1 || failures % 10 === 0) {
        log.warn(
          { err, failedAttempts: failures, retryMs, ...pending.counts() },
          'history write failed; kept in memory, retrying',
        );
      }
      scheduleFlush(retryMs);
      throw err;
    },
  });
  const flush = () => writes.run();

  const sink = recordingSink(pending, fenceOf, () => {
    if (failures === 0) scheduleFlush(TRANSITION_DEBOUNCE_MS);
  });

  return {
    sink,
    rollups: pending.rollups,
    flush,
    pending: () => pending.counts(),

    start() {
      timer = setInterval(() => flush().catch(() => {}), options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
      timer.unref();
    },

    async stop(timeoutMs) {
      stopped = true;
      for (const t of [timer, soonTimer]) if (t) clearTimeout(t);
      const deadline = Date.now() + timeoutMs;
      if (writes.current) await writes.current.catch(() => {});
      const outcome = await flushBefore(deadline, flush);
      if (outcome.flushed) log.info('history flushed');
      else log.error({ err: outcome.lastError, ...pending.counts() }, 'history could not be written before shutdown');
    },
  };
}
