import type { HeapEntry } from './job-heap.js';
import type { RunWaiters } from './run-waiters.js';

/** Longest spread of first checks after start-up: even daily checks start within a minute. */
export const MAX_START_SPREAD_MS = 60_000;
/** A newly added or changed service is checked within this window. */
export const NEW_JOB_WINDOW_MS = 1_000;

/** One scheduled job: its definition, when it is due, and the state of its current check. */
export interface Job<Def, Result> extends HeapEntry, RunWaiters<Result> {
  id: string;
  def: Def;
  intervalMs: number;
  generation: number;
  removed: boolean;
  /** In the ready queue, waiting for a concurrency slot. */
  queued: boolean;
  controller: AbortController | null;
  inFlight: Promise<void> | null;
  /** A run was requested while one was in flight. */
  rerun: boolean;
}

export function newJob<Def, Result>(id: string, def: Def, intervalMs: number, dueAt: number): Job<Def, Result> {
  return {
    id,
    def,
    intervalMs,
    dueAt,
    heapIndex: -1,
    generation: 0,
    removed: false,
    queued: false,
    controller: null,
    inFlight: null,
    waiters: null,
    runWaiters: null,
    rerun: false,
  };
}
