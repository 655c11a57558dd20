import { settlesWithin } from '../timeouts.js';
import { JobHeap, type HeapEntry } from './job-heap.js';

/** Longest spread of first checks after start-up: even daily checks start within a minute. */
export const MAX_START_SPREAD_MS = 60_000;
/** A newly added or changed service is checked within this window. */
export const NEW_JOB_WINDOW_MS = 1_000;

export interface SchedulerOptions<Def, Result> {
  /** At most this many checks run at once; the rest wait their turn in due order. */
  concurrency: number;
  /** Performs one check; must settle soon after `signal` aborts. */
  check(def: Def, signal: AbortSignal): Promise<Result>;
  /** Receives each result that is still current: not from a removed, paused or changed job. */
  onResult(id: string, def: Def, result: Result): void;
  /** How late each check started, in ms after it was due. */
  onLag?(lagMs: number): void;
  onError?(err: unknown, id: string): void;
  now?: () => number;
  random?: () => number;
}

export interface Scheduler<Def, Result> {
  /** Adds or replaces a job. A replaced job's in-flight check is aborted and its result dropped. */
  upsert(id: string, def: Def, intervalMs: number, firstDueAt?: number): void;
  /** Stops a job; an in-flight check is aborted and its result dropped. */
  remove(id: string): void;
  /**
   * Runs a check now (after any in-flight one, never two at once) and resolves with its result,
   * or null when the job does not exist or is removed meanwhile.
   */
  runNow(id: string): Promise<Result | null>;
  has(id: string): boolean;
  readonly size: number;
  readonly running: number;
  start(): void;
  /** Stops scheduling and aborts in-flight checks; resolves when they settled or `timeoutMs` passed. */
  stop(timeoutMs?: number): Promise<void>;
}

interface Job<Def, Result> extends HeapEntry {
  id: string;
  def: Def;
  intervalMs: number;
  generation: number;
  removed: boolean;
  /** In the ready queue, waiting for a concurrency slot. */
  queued: boolean;
  controller: AbortController | null;
  inFlight: Promise<void> | null;
  /** Callers of runNow waiting for a check that has not started yet. */
  waiters: ((result: Result | null) => void)[] | null;
  /** Callers of runNow waiting for the check in flight (they asked before it started). */
  runWaiters: ((result: Result | null) => void)[] | null;
  /** A run was requested while one was in flight. */
  rerun: boolean;
}

/**
 * Timing and concurrency, nothing else: it knows neither HTTP nor storage. Jobs wait in a min-heap
 * by due time under a single timer; due jobs queue for one of `concurrency` slots; each job is due
 * again one interval after it was last due (fixed rate), or at once when it fell behind.
 */
export function createScheduler<Def, Result>(options: SchedulerOptions<Def, Result>): Scheduler<Def, Result> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const jobs = new Map<string, Job<Def, Result>>();
  const heap = new JobHeap<Job<Def, Result>>();
  const ready: Job<Def, Result>[] = [];
  let readyHead = 0;
  let running = 0;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;

  const arm = () => {
    if (!started || stopped) return;
    const next = heap.peek();
    if (!next) {
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      return;
    }
    if (timer && timerAt <= next.dueAt) return;
    if (timer) clearTimeout(timer);
    timerAt = next.dueAt;
    timer = setTimeout(onTimer, Math.max(0, next.dueAt - now()));
  };

  const onTimer = () => {
    timer = null;
    timerAt = Infinity;
    const t = now();
    for (let job = heap.peek(); job && job.dueAt <= t; job = heap.peek()) {
      heap.pop();
      enqueue(job, false);
    }
    pump();
    arm();
  };

  const enqueue = (job: Job<Def, Result>, front: boolean) => {
    job.queued = true;
    if (front) {
      if (readyHead > 0) ready[--readyHead] = job;
      else ready.unshift(job);
    } else {
      ready.push(job);
    }
  };

  const pump = () => {
    while (running < options.concurrency && readyHead < ready.length && !stopped) {
      const job = ready[readyHead++]!;
      if (readyHead > 1024 && readyHead * 2 > ready.length) {
        ready.splice(0, readyHead);
        readyHead = 0;
      }
      if (!job.queued) continue; // removed or moved while it waited
      job.queued = false;
      if (job.removed) continue;
      launch(job);
    }
    if (readyHead === ready.length) {
      ready.length = 0;
      readyHead = 0;
    }
  };

  const launch = (job: Job<Def, Result>) => {
    const startedAt = now();
    options.onLag?.(Math.max(0, startedAt - job.dueAt));
    running++;
    const generation = job.generation;
    const def = job.def;
    const controller = new AbortController();
    job.controller = controller;
    job.runWaiters = job.waiters;
    job.waiters = null;
    let checking: Promise<Result>;
    try {
      checking = options.check(def, controller.signal);
    } catch (err) {
      checking = Promise.reject(err); // a check that throws instead of rejecting is still one failed check
    }
    job.inFlight = checking.then(
      (result) => finish(job, generation, def, result),
      (err: unknown) => {
        options.onError?.(err, job.id);
        finish(job, generation, def, null);
      },
    );
  };

  const finish = (job: Job<Def, Result>, generation: number, def: Def, result: Result | null) => {
    running--;
    job.controller = null;
    job.inFlight = null;
    const current = !job.removed && job.generation === generation && !stopped;
    if (current && result !== null) {
      try {
        options.onResult(job.id, def, result);
      } catch (err) {
        options.onError?.(err, job.id);
      }
    }
    const runWaiters = job.runWaiters;
    job.runWaiters = null;
    if (current) {
      for (const resolve of runWaiters ?? []) resolve(result);
    } else if (runWaiters) {
      // The check was replaced (upsert): its callers wait for the next one, of the new definition.
      job.waiters = [...runWaiters, ...(job.waiters ?? [])];
    }
    if (!job.removed && !stopped) {
      const t = now();
      if (job.rerun) {
        job.rerun = false;
        job.dueAt = t;
        enqueue(job, true);
      } else {
        job.dueAt = current ? Math.max(job.dueAt + job.intervalMs, t) : t + random() * NEW_JOB_WINDOW_MS;
        heap.push(job);
      }
    }
    pump();
    arm();
  };

  const detach = (job: Job<Def, Result>) => {
    heap.remove(job);
    job.queued = false;
    job.generation++;
    job.controller?.abort();
  };

  return {
    upsert(id, def, intervalMs, firstDueAt) {
      const existing = jobs.get(id);
      if (existing) {
        detach(existing);
        existing.def = def;
        existing.intervalMs = intervalMs;
        // A changed definition is checked soon with its new settings; an in-flight check of the
        // old one reschedules itself when it settles (finish).
        if (!existing.inFlight) {
          existing.dueAt = firstDueAt ?? now() + random() * NEW_JOB_WINDOW_MS;
          heap.push(existing);
          arm();
        }
        return;
      }
      const job: Job<Def, Result> = {
        id,
        def,
        intervalMs,
        dueAt: firstDueAt ?? now() + random() * (started ? NEW_JOB_WINDOW_MS : Math.min(intervalMs, MAX_START_SPREAD_MS)),
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
      jobs.set(id, job);
      heap.push(job);
      arm();
    },

    remove(id) {
      const job = jobs.get(id);
      if (!job) return;
      jobs.delete(id);
      job.removed = true;
      detach(job);
      const waiters = [...(job.runWaiters ?? []), ...(job.waiters ?? [])];
      job.waiters = null;
      job.runWaiters = null;
      for (const resolve of waiters) resolve(null);
    },

    runNow(id) {
      const job = jobs.get(id);
      if (!job || stopped) return Promise.resolve(null);
      return new Promise<Result | null>((resolve) => {
        (job.waiters ??= []).push(resolve);
        if (job.inFlight) {
          job.rerun = true;
          return;
        }
        heap.remove(job);
        job.dueAt = now();
        enqueue(job, true);
        pump();
        arm();
      });
    },

    has: (id) => jobs.has(id),
    get size() {
      return jobs.size;
    },
    get running() {
      return running;
    },

    start() {
      if (started) return;
      started = true;
      arm();
    },

    async stop(timeoutMs = 5_000) {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const inFlight: Promise<void>[] = [];
      for (const job of jobs.values()) {
        job.controller?.abort();
        if (job.inFlight) inFlight.push(job.inFlight);
        const waiters = [...(job.runWaiters ?? []), ...(job.waiters ?? [])];
        job.waiters = null;
        job.runWaiters = null;
        for (const resolve of waiters) resolve(null);
      }
      await settlesWithin(Promise.allSettled(inFlight), timeoutMs);
    },
  };
}
