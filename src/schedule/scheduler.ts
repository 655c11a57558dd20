import { settlesWithin } from '../timeouts.js';
import { createDueTimer } from './due-timer.js';
import { type Job, MAX_START_SPREAD_MS, NEW_JOB_WINDOW_MS, newJob } from './job.js';
import { JobHeap } from './job-heap.js';
import { type CheckRunOptions, createJobRunner } from './job-runner.js';
import { addWaiter, cancelWaiters } from './run-waiters.js';

export { MAX_START_SPREAD_MS, NEW_JOB_WINDOW_MS } from './job.js';

export interface SchedulerOptions<Def, Result> extends CheckRunOptions<Def, Result> {
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
  let started = false;
  let stopped = false;
  const runner = createJobRunner<Def, Result>({
    options,
    heap,
    now,
    random,
    stopped: () => stopped,
    arm: () => timer.arm(),
  });
  const { enqueue, pump } = runner;
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
      return runner.running;
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
