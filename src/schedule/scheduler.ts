import { settlesWithin } from '../timeouts.js';
import { createDueTimer } from './due-timer.js';
import { JobHeap, type HeapEntry } from './job-heap.js';
import { ReadyQueue } from './ready-queue.js';
import { addWaiter, beginRun, cancelWaiters, settleRun, type RunWaiters } from './run-waiters.js';

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

interface Job<Def, Result> extends HeapEntry, RunWaiters<Result> {
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
  const ready = new ReadyQueue<Job<Def, Result>>();
  let running = 0;
  let started = false;
  let stopped = false;

  const enqueue = (job: Job<Def, Result>, front: boolean) => {
    job.queued = true;
    if (front) ready.pushFront(job);
    else ready.pushBack(job);
  };

  const pump = () => {
    while (running < options.concurrency && ready.size > 0 && !stopped) {
      const job = ready.shift()!;
      if (!job.queued) continue; // removed or moved while it waited
      job.queued = false;
      if (job.removed) continue;
      launch(job);
    }
  };

  const timer = createDueTimer({
    heap,
    now,
    active: () => started && !stopped,
    onDue: (job) => enqueue(job, false),
    afterDue: pump,
  });

  /** Queues a job to run now, ahead of the others, and lets it start if a slot is free. */
  const runSoon = (job: Job<Def, Result>) => {
    heap.remove(job);
    job.dueAt = now();
    enqueue(job, true);
    pump();
    timer.arm();
  };

  const launch = (job: Job<Def, Result>) => {
    options.onLag?.(Math.max(0, now() - job.dueAt));
    running++;
    const { generation, def } = job;
    const controller = new AbortController();
    job.controller = controller;
    beginRun(job);
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
    if (current && result !== null) deliver(job, def, result);
    settleRun(job, result, current);
    if (!job.removed && !stopped) reschedule(job, current);
    pump();
    timer.arm();
  };

  const deliver = (job: Job<Def, Result>, def: Def, result: Result) => {
    try {
      options.onResult(job.id, def, result);
    } catch (err) {
      options.onError?.(err, job.id);
    }
  };

  /** After a check: again at once if asked meanwhile, else one interval after it was due (a replaced check: soon). */
  const reschedule = (job: Job<Def, Result>, current: boolean) => {
    const t = now();
    if (job.rerun) {
      job.rerun = false;
      job.dueAt = t;
      enqueue(job, true);
    } else {
      job.dueAt = current ? Math.max(job.dueAt + job.intervalMs, t) : t + random() * NEW_JOB_WINDOW_MS;
      heap.push(job);
    }
  };

  /** Takes a job out of the heap and the queue and aborts its check: a result in flight is dropped. */
  const detach = (job: Job<Def, Result>) => {
    heap.remove(job);
    job.queued = false;
    job.generation++;
    job.controller?.abort();
  };

  const replace = (job: Job<Def, Result>, def: Def, intervalMs: number, firstDueAt: number | undefined) => {
    detach(job);
    job.def = def;
    job.intervalMs = intervalMs;
    // A changed definition is checked soon with its new settings; an in-flight check of the old one
    // reschedules itself when it settles (finish).
    if (job.inFlight) return;
    job.dueAt = firstDueAt ?? now() + random() * NEW_JOB_WINDOW_MS;
    heap.push(job);
    timer.arm();
  };

  const add = (id: string, def: Def, intervalMs: number, firstDueAt: number | undefined) => {
    const spreadMs = started ? NEW_JOB_WINDOW_MS : Math.min(intervalMs, MAX_START_SPREAD_MS);
    const job = newJob<Def, Result>(id, def, intervalMs, firstDueAt ?? now() + random() * spreadMs);
    jobs.set(id, job);
    heap.push(job);
    timer.arm();
  };

  return {
    upsert(id, def, intervalMs, firstDueAt) {
      const existing = jobs.get(id);
      if (existing) replace(existing, def, intervalMs, firstDueAt);
      else add(id, def, intervalMs, firstDueAt);
    },

    remove(id) {
      const job = jobs.get(id);
      if (!job) return;
      jobs.delete(id);
      job.removed = true;
      detach(job);
      cancelWaiters(job);
    },

    runNow(id) {
      const job = jobs.get(id);
      if (!job || stopped) return Promise.resolve(null);
      return new Promise<Result | null>((resolve) => {
        addWaiter(job, resolve);
        if (job.inFlight) job.rerun = true;
        else runSoon(job);
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
      timer.arm();
    },

    async stop(timeoutMs = 5_000) {
      if (stopped) return;
      stopped = true;
      timer.clear();
      const inFlight: Promise<void>[] = [];
      for (const job of jobs.values()) {
        job.controller?.abort();
        if (job.inFlight) inFlight.push(job.inFlight);
        cancelWaiters(job);
      }
      await settlesWithin(Promise.allSettled(inFlight), timeoutMs);
    },
  };
}

function newJob<Def, Result>(id: string, def: Def, intervalMs: number, dueAt: number): Job<Def, Result> {
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
